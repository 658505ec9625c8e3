"""Every command and snippet in README.md and docs/*.md, run, so that the docs stay true.

What is extracted: every fenced block (bash, console, python, toml, yaml,
text, json (WebSocket frame logs), and mermaid diagrams, which are generated and checked by
test_automata.py) and every inline code span in the prose that is a command
(``responses-conformance ...``, ``python ...``, ``pytest ...``, ``curl ...``,
``docker ...``, ``pip ...``, ``.venv/bin/...``). A snippet this file does not
know how to handle fails the test, and so does an entry below that no longer
matches any snippet.

How they run: shell commands with bash in a sandbox directory holding what
the docs name (``capture.sse``, ``logs/``, ``session.har``, ``turns.ws.jsonl``, ``captures/``,
``known-failing.txt``, ``ci/known-failures.txt``, and ``fixtures/``, a link to
the bundled fixtures), with ``.venv/bin/`` read as this interpreter's
directory, the reference server (``python -m validator.reference_server``)
started on a free port that replaces the docs' 8000 and 8765, and the API-key
variables the docs name set. A ``$ command`` in a console block must print the
lines shown after it. Python snippets run as scripts in the sandbox (test
functions they define are called; Hypothesis ones with 10 examples and no
health checks). YAML and TOML are parsed and held to what
they configure (action.yml's inputs, the hooks, the options, the config keys);
the shell steps of the CI workflow run. Synopses (``check --base-url URL``)
are held to the command's ``--help``. Commands that write into the checkout
get ``--out`` in the sandbox instead.

What does not run here is in ``NOT_HERE`` with the reason; each such reason
names where else the thing is tested when it is.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from validator import reference_server
from validator.baseline import Baseline
from validator.cli import main
from validator.wsframes import FrameLogDecoder

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`((?:responses-conformance|python3?|pytest|pip|curl|docker|\.venv/bin/\S+) [^`]+)`")
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())

# A fragment of a command (or of a snippet's first line) -> why it does not run here.
NOT_HERE = {
    "python3 -m venv .venv": "creates a virtualenv and installs from the package index: .ci/run does exactly "
    "this on a fresh machine before the suite, and the rest of the line runs here",
    "pip install -e '.[test]'": "the same install, with the test extra (.ci/run)",
    ".venv/bin/pip install .": "the same install (.ci/run); the package here is installed already",
    ".venv/bin/pytest": "the test suite itself, which is running this test",
    "benchmarks/throughput.py --size-mb 100": "takes minutes by design; test_benchmarks.py runs it on 0.5 MB",
    "benchmarks/instructions.py": "minutes under valgrind; test_benchmarks.py runs it small when valgrind is here",
    "benchmarks/memory.py --size-mb 100": "minutes by design; test_benchmarks.py runs it on 2 MB",
    "benchmarks/capture.py --size-mb 100": "writes 100 MB and times it; test_benchmarks.py runs capture.py and "
    "jobs.py on 1 MB",
    "benchmarks/schema_backends.py": "reads the whole recorded corpus for a timing; run by hand",
    "benchmarks/whole_process.py": "writes 50 MB per workload and times whole processes, minutes by design; "
    "test_benchmarks.py runs it on 0.5 MB of each workload",
    "benchmarks/startup.py": "starts dozens of processes for a timing (or counts them under valgrind); "
    "test_benchmarks.py runs it once",
    "benchmarks/html_report.py": "three 100k-event streams and a browser, minutes by design; "
    "test_html_report.py runs it on 3,000 events",
    "fuzz/campaign.py --atheris-runs 60000": "an hour-long fuzzing campaign by design; test_fuzz_smoke.py runs the "
    "same harnesses briefly",
    'pip install\n"$GITHUB_ACTION_PATH[live]"': "a step of action.yml, quoted in prose; test_action.py runs it",
    "docker build": "needs a docker engine; test_container.py builds and runs the image where one answers",
    "docker run": "needs a docker engine; test_container.py runs the image where one answers",
    "import ray": "Ray is not installed here (a large binary wheel, not in the test extra); the Dask example "
    "above runs the same check_file",
    "# .pre-commit-config.yaml": "pre-commit would clone the repository from its public URL, which does not "
    "exist yet; test_precommit_and_docs.py runs the hook's entry on files and this config is parsed here",
}
# A fragment of a command -> the exit status it must end with (0 when not listed).
EXIT = {
    "validate -v fixtures/invalid/CNT": 1,
    "validate --report html=report.html fixtures/invalid/": 1,
    "validate -o html fixtures/invalid/": 1,
    "validate --profile openresponses -o json fixtures/invalid/SCH/": 1,
    "validate fixtures/invalid/WSS/": 1,
}
SERVERS = ("python -m validator.reference_server",)


@dataclass(frozen=True)
class Snippet:
    doc: str
    line: int
    lang: str  # the fence's language, or "inline"
    text: str

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}:{self.lang}"


def extract() -> list[Snippet]:
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for match in FENCE.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append(Snippet(doc.name, line, match.group(1) or "text", match.group(2)))
        prose = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        for match in INLINE.finditer(prose):
            line = prose[: match.start()].count("\n") + 1
            found.append(Snippet(doc.name, line, "inline", match.group(1)))
    return found


SNIPPETS = extract()


def reason_not_here(text: str) -> str | None:
    return next((reason for fragment, reason in NOT_HERE.items() if fragment in text), None)


def test_every_not_here_entry_still_matches_a_snippet() -> None:
    texts = [s.text for s in SNIPPETS]
    for fragment in NOT_HERE:
        assert any(fragment in text for text in texts), f"NOT_HERE entry matches no snippet: {fragment!r}"
    for fragment in EXIT:
        assert any(fragment in text for text in texts), f"EXIT entry matches no snippet: {fragment!r}"


# --- the sandbox and the server -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    instance, thread = reference_server.start()
    try:
        yield int(instance.url.rsplit(":", 1)[1])
    finally:
        instance.shutdown()
        instance.server_close()
        thread.join(timeout=5)


def har_of(body: bytes) -> str:
    return json.dumps({"log": {"entries": [{
        "request": {"method": "POST", "url": "https://api.example/v1/responses", "headers": []},
        "response": {"status": 200, "headers": [{"name": "content-type", "value": "text/event-stream"}],
                     "content": {"mimeType": "text/event-stream", "text": body.decode()}},
    }]}})


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    (root / "fixtures").symlink_to(ROOT / "fixtures")
    valid = ROOT / "fixtures" / "valid" / "openai"
    good = (valid / "text.sse").read_bytes()
    (root / "capture.sse").write_bytes(good)
    shutil.copytree(valid, root / "logs")
    (root / "session.har").write_text(har_of(good))
    shutil.copy(valid / "ws-sequential.ws.jsonl", root / "turns.ws.jsonl")
    (root / "captures").mkdir()
    (root / "captures" / "ours.sse").write_bytes(good)
    bad = ROOT / "fixtures" / "invalid" / "CNT" / "delta-before-part-added.sse"
    (root / "captures" / "reordered.sse").write_bytes(bad.read_bytes())
    (root / "known-failing.txt").write_text("reordered.sse CNT001  # accepted, as the README's example does\n")
    (root / "ci").mkdir()
    (root / "ci" / "known-failures.txt").write_text("reordered.sse CNT001\n")
    return root


def environment(port: int) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for name in ("MY_KEY", "MY_SERVER_KEY", "SERVER_API_KEY"):
        env[name] = "sk-docs-example-0000"
    env.pop("PYTHONPATH", None)
    return env


def localise(command: str, port: int, sandbox: Path) -> str:
    """The docs' command as it runs here (see the module docstring); python and pytest come first on PATH."""
    command = command.replace(".venv/bin/", f"{BIN}/")
    command = re.sub(r"127\.0\.0\.1:(8000|8765)", f"127.0.0.1:{port}", command)
    command = re.sub(r"(?<=\s)(tools|fuzz|benchmarks)/", lambda m: f"{ROOT}/{m.group(1)}/", command)
    return command.replace("--out docs/", f"--out {sandbox}/")


def commands_of(snippet: Snippet) -> list[tuple[str, str | None]]:
    """(command, expected output) pairs: bash lines, console ``$`` lines with their output, or the inline code."""
    if snippet.lang == "inline":
        return [(snippet.text, None)]
    joined = re.sub(r"\\\n\s*", " ", snippet.text)
    if snippet.lang == "console":
        pairs: list[tuple[str, str | None]] = []
        for block in re.split(r"^\$ ", joined, flags=re.M)[1:]:
            command, _, output = block.partition("\n")
            pairs.append((command, output or None))
        return pairs
    return [(line, None) for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def is_synopsis(command: str, inline: bool = False) -> bool:
    """``check --base-url URL``, ``validate PATH...``, a bare ``validate``: a form, not a command to run."""
    words = shlex.split(command)
    if words[0] != "responses-conformance" or len(words) < 2:
        return False
    if len(words) == 2:  # a subcommand named in prose (inline), or one that cannot run bare
        return inline or any(param.required for param in main.commands[words[1]].params)  # type: ignore[attr-defined]
    return any(re.fullmatch(r"[A-Z][A-Z_]*(\.\.\.)?", word) for word in words[2:])


def check_synopsis(command: str) -> None:
    words = shlex.split(command)
    result = CliRunner().invoke(main, [words[1], "--help"])
    assert result.exit_code == 0, command
    for option in (w for w in words if w.startswith("--")):
        assert option in result.output, f"{option} is not an option: {command}"


def start_server(command: str, env: dict[str, str]) -> None:
    """A command that starts a server: it must come up, answer, and stop on Ctrl-C."""
    port = free_port()
    words = [w for w in shlex.split(command) if not (w.startswith("[") or w.endswith("]"))]
    words = [str(port) if w in ("8000", "8765") else w for w in words]
    words[0] = sys.executable
    proc = subprocess.Popen(words, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert proc.stderr is not None
        assert "listening on" in proc.stderr.readline()
        # A whole request answered: the server is serving (and past its start-up) before Ctrl-C.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=30) as answer:
            assert answer.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == 0


def run_shell(command: str, expected: str | None, sandbox: Path, port: int) -> None:
    if command.split()[0] == "curl" and shutil.which("curl") is None:
        pytest.skip("curl is not installed here")
    code = EXIT.get(next((f for f in EXIT if f in command), ""), 0)
    result = subprocess.run(["bash", "-c", localise(command, port, sandbox)], cwd=sandbox, env=environment(port),
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == code, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr, result.stderr
    if expected is not None:
        assert result.stdout.rstrip() == expected.rstrip(), result.stdout


def needs_shared(command: str) -> str:
    """Tools over the specifications and corpus in ../shared, given what they need here."""
    if not SHARED.is_dir():
        pytest.skip("../shared (the specifications and the recorded corpus) is not beside the checkout")
    return (command.replace("OPENAPI_YAML", str(SHARED / "specs" / "openai" / "openapi.yaml"))
            .replace("OPENRESPONSES_JSON", str(SHARED / "specs" / "openresponses" / "openapi.json"))
            .replace("../shared/", f"{SHARED}/"))


# --- one test per snippet -------------------------------------------------------------------------

@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_snippet(snippet: Snippet, sandbox: Path, server: int, tmp_path: Path) -> None:
    if snippet.lang in ("bash", "console", "inline", "sh"):
        ran = 0
        for command, expected in commands_of(snippet):
            for part in [p.strip() for p in command.split(" && ")] if "python3 -m venv" in command else [command]:
                if reason_not_here(part):
                    continue
                if part.startswith(SERVERS) and "--port" in part:
                    start_server(part, environment(server))
                elif "tools/build_schemas.py" in part:
                    run_shell(needs_shared(part) + f" --out {tmp_path}/schemas", None, sandbox, server)
                elif "tools/corpus_report.py" in part:
                    needs_shared(part)
                    run_shell(part, None, sandbox, server)
                elif "tools/gen_rule_docs.py" in part:
                    run_shell(part + f" --out {tmp_path}/rules.md", None, sandbox, server)
                    assert (tmp_path / "rules.md").read_text() == (ROOT / "docs" / "rules.md").read_text()
                elif "tools/server_report.py" in part:
                    # The servers' rerun is conformance_tests/live/ (it compares against the same pins);
                    # here the section is rendered from the pins into a copy, never into docs/.
                    copy = tmp_path / "corpus-report.md"
                    shutil.copy(ROOT / "docs" / "corpus-report.md", copy)
                    run_shell(part.split("--")[0].strip() + f" --no-run --docs {copy}", None, sandbox, server)
                    assert copy.read_text() == (ROOT / "docs" / "corpus-report.md").read_text()
                elif "tools/gen_clients_doc.py" in part:  # measures into tmp_path, never into docs/
                    run_shell(part + f" --out {tmp_path}", None, sandbox, server)
                    written = (tmp_path / "clients.md").read_text()
                    if "--js" in part:  # measured today: the same rows, today's date
                        assert "| ai-sdk |" in written and (tmp_path / "clients-js.json").exists()
                    else:
                        assert written == (ROOT / "docs" / "clients.md").read_text()
                elif is_synopsis(part, snippet.lang == "inline"):
                    check_synopsis(part)
                else:
                    run_shell(part, expected, sandbox, server)
                ran += 1
        if ran == 0:
            pytest.skip(reason_not_here(snippet.text) or "nothing to run")
        return
    reason = reason_not_here(snippet.text)
    if snippet.lang == "python":
        if reason:
            pytest.skip(reason)
        run_python(snippet, sandbox, tmp_path)
    elif snippet.lang == "yaml":
        check_yaml(snippet, sandbox, server)
        if reason:
            pytest.skip(reason)
    elif snippet.lang == "toml":
        check_toml(snippet, sandbox, tmp_path, server)
    elif snippet.lang == "mermaid":
        # A diagram, not a command: generated from the automata tables, and test_automata.py holds the page
        # to tools/gen_state_docs.py; here it must at least be a state diagram.
        assert snippet.text.startswith("stateDiagram-v2\n"), snippet.id
    elif snippet.lang == "json":
        check_frame_log(snippet)
    elif snippet.lang == "text" and "STREAM-GLOB CODE" in snippet.text:
        baseline = Baseline.parse(snippet.text, "docs")  # every code in the example is a real rule
        assert baseline.entries
    else:
        pytest.fail(f"{snippet.id}: no rule for a {snippet.lang!r} block in this test")


def run_python(snippet: Snippet, sandbox: Path, tmp_path: Path) -> None:
    env = environment(0)
    if "responses_conformance" in snippet.text and "def test_" in snippet.text:
        # A pytest example: its fixtures come from a conftest that gives it a real capture, one that
        # conforms to both profiles (the openai profile only warns about its [DONE]).
        capture = ROOT / "fixtures" / "valid" / "openresponses" / "text.sse"
        (tmp_path / "conftest.py").write_text(
            f"import pytest\n\n@pytest.fixture\ndef capture_bytes():\n    return open({str(capture)!r}, 'rb').read()\n"
        )
        (tmp_path / "test_example.py").write_text(snippet.text)
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                                 str(tmp_path / "test_example.py")], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=600, check=False)
        assert result.returncode == 0 and " passed" in result.stdout, result.stdout[-3000:]
        return
    script = tmp_path / "example.py"
    calls = "\nfor _name, _f in list(globals().items()):\n    if _name.startswith('test_') and callable(_f):\n" \
            "        _f()\n"
    # Hypothesis examples run small and without health checks: how loaded this machine is is not the docs'.
    preamble = (
        "from hypothesis import HealthCheck, settings\n"
        "settings.register_profile('docs', max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))\n"
        "settings.load_profile('docs')\n"
    ) if "hypothesis" in snippet.text else ""
    script.write_text(preamble + snippet.text + (calls if "def test_" in snippet.text else ""))
    result = subprocess.run([sys.executable, str(script)], cwd=sandbox, env=env, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]


def check_frame_log(snippet: Snippet) -> None:
    """A JSON block is a WebSocket frame log example: every line a record the frame-log reader takes."""
    records: list[object] = []
    decoder = FrameLogDecoder(records.append, snippet.id)
    decoder.feed(snippet.text.encode())
    decoder.close()
    kinds = [type(r).__name__ for r in records]
    assert kinds[0] == "WsOpen" and kinds[-1] == "WsClose" and "WsMessage" in kinds, kinds


def check_yaml(snippet: Snippet, sandbox: Path, port: int) -> None:
    data = yaml.safe_load(snippet.text)
    steps: list[dict[str, object]] = []
    if isinstance(data, list) and data and "uses" in data[0]:
        steps = data
    elif isinstance(data, dict) and "jobs" in data:
        steps = [step for job in data["jobs"].values() for step in job["steps"]]
    elif isinstance(data, dict) and "repos" in data:
        hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
        for repo in data["repos"]:
            assert str(repo["rev"]).startswith("v")
            for hook in repo["hooks"]:
                assert hook["id"] in hooks
        return
    else:
        pytest.fail(f"{snippet.id}: a YAML block this test does not know")
    inputs = ACTION["inputs"]
    summary = sandbox / "step-summary.md"
    for step in steps:
        uses = str(step.get("uses", ""))
        if uses.startswith("your-org/responses-conformance@"):
            given = dict(step.get("with", {}))  # type: ignore[call-overload]
            assert set(given) <= set(inputs), set(given) - set(inputs)
            assert all(name in given for name, spec in inputs.items() if spec.get("required"))
        run = str(step.get("run", ""))
        if run.startswith(("responses-conformance", "cat reports/")):
            # The workflow's own commands, as its shell would run them (a folded `>` block is one line).
            command = " ".join(run.split()) if step.get("name") == "Live battery" else run.strip()
            env = {"GITHUB_STEP_SUMMARY": str(summary)}
            for key in dict(step.get("env", {})):  # type: ignore[call-overload]
                env[key] = "sk-docs-example-0000"
            full = "".join(f"export {k}={shlex.quote(v)}; " for k, v in env.items()) + command
            run_shell(full, None, sandbox, port)
    if any("cat reports/" in str(s.get("run", "")) for s in steps):
        assert summary.read_text().startswith("## responses-conformance: conformant")


def check_toml(snippet: Snippet, sandbox: Path, tmp_path: Path, port: int) -> None:
    data = tomllib.loads(snippet.text)
    assert "responses-conformance" in data["tool"]
    if "proxy" in data["tool"]["responses-conformance"]:
        check_proxy_toml(snippet, tmp_path, port)
        return
    project = tmp_path / "project"
    shutil.copytree(sandbox / "captures", project / "captures")
    (project / "ci").mkdir()
    (project / "ci" / "known-failures.txt").write_text("reordered.sse CNT001\n")
    (project / "pyproject.toml").write_text(snippet.text)
    env = environment(0)
    result = subprocess.run([str(BIN / "responses-conformance"), "validate", "captures/"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr  # the baseline named in the file applied
    listed = subprocess.run([str(BIN / "responses-conformance"), "check", "--list-scenarios"], cwd=project,
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert listed.returncode == 0, listed.stderr
    running = [line.split()[1] for line in listed.stdout.splitlines() if line.startswith("run ")]
    # The capabilities in the file; phase-history and image-input run undeclared, with the lenient verdict.
    assert running == ["plain-text", "function-tool", "structured-output", "phase-history", "image-input"]


def check_proxy_toml(snippet: Snippet, tmp_path: Path, port: int) -> None:
    """docs/proxy.md's project settings: the proxy runs a client with no option and writes where the file says."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text(re.sub(r"127\.0\.0\.1:8765", f"127.0.0.1:{port}", snippet.text))
    secret = "sk-docs-proxy-key-0000"
    client = ("from openai import OpenAI; "
              "list(OpenAI().responses.create(model='gpt-4o-mini', input='Hello', stream=True))")
    result = subprocess.run([str(BIN / "responses-conformance"), "proxy", "--", sys.executable, "-c", client],
                            cwd=project / "tests", env={**environment(port), "OPENAI_API_KEY": secret},
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "#0 POST /responses 200: ok" in result.stderr
    capture = project / "captures" / "proxy.har"  # relative to the file, not to the working directory
    assert capture.is_file()
    assert secret not in capture.read_text() + result.stdout + result.stderr


def test_a_console_example_shows_real_output() -> None:
    """The console blocks that show output were compared above; this keeps at least one such block."""
    assert any(expected for s in SNIPPETS if s.lang == "console" for _, expected in commands_of(s))


def test_inline_commands_are_found() -> None:
    texts = [s.text for s in SNIPPETS if s.lang == "inline"]
    assert "responses-conformance explain CNT001" in texts
    assert len(SNIPPETS) > 30
