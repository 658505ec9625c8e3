"""``responses-conformance proxy`` as a user runs it: started, used, stopped with a signal or by its command."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.commands.proxy import parse_listen
from validator.reporters import REPORTERS

TIMEOUT = 120
BODY = {"model": "gpt-test", "input": "hi", "stream": True}
PROXY = [sys.executable, "-m", "validator.cli", "proxy"]


def client_script(*models: str, path: str = "/responses") -> str:
    """A ``-- COMMAND`` that streams one response per model through OPENAI_BASE_URL with openai-python."""
    return (
        "import openai\n"
        "client = openai.OpenAI(api_key='sk-cli-test-key', max_retries=0)\n"
        f"for model in {list(models)!r}:\n"
        "    with client.responses.stream(model=model, input='hi') as stream:\n"
        "        stream.until_done()\n"
    )


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PROXY, *args], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd, check=False)


def test_a_wrapped_command_gets_the_proxy_and_the_run_gets_its_verdict(reference: str, tmp_path: Path) -> None:
    reports = [arg for fmt in sorted(REPORTERS) for arg in ("--report", f"{fmt}=r.{fmt}")]
    result = run("--upstream", reference + "/v1", "--listen", "127.0.0.1:0", *reports,
                 "--", sys.executable, "-c", client_script("gpt-test", "gpt-test+fault=sequence-gap"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # SEQ004 is a warning
    listening = r"proxy listening on http://127\.0\.0\.1:\d+, forwarding to "
    assert re.search(listening + re.escape(reference), result.stderr)
    assert "#0 POST /responses 200: ok, 20 events" in result.stderr
    assert "#1 POST /responses 200: 1 warning (SEQ004)" in result.stderr
    assert "2 streams, 40 events: 0 errors, 1 warning; conformant" in result.stdout
    assert (tmp_path / "proxy-capture.har").is_file()  # the default capture
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["streams"] == 2
    # Every report format is written on exit, each with the stream's finding.
    for fmt in REPORTERS:
        assert "SEQ004" in (tmp_path / f"r.{fmt}").read_text(), fmt
    assert json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "SEQ004"
    assert len(ElementTree.parse(tmp_path / "r.junit").getroot().findall("testsuite")) == 2
    # The HTML report draws each stream's events: the proxy kept them because it was asked for.
    page = (tmp_path / "r.html").read_text()
    embedded = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert embedded is not None
    data = json.loads(embedded[1])
    assert [len(stream["timeline"]["entries"]) > 0 for stream in data["streams"]] == [True, True]
    assert "sk-cli-test-key" not in page
    strict = run("--upstream", reference + "/v1", "--listen", "127.0.0.1:0", "--strict", "--no-capture",
                 "--", sys.executable, "-c", client_script("gpt-test+fault=sequence-gap"), cwd=tmp_path)
    assert strict.returncode == 1


def test_the_commands_own_failure_is_the_exit_status(reference: str, tmp_path: Path) -> None:
    script = client_script("gpt-test") + "raise SystemExit(3)\n"
    result = run("--upstream", reference + "/v1", "--listen", "127.0.0.1:0", "--no-capture",
                 "--", sys.executable, "-c", script, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    missing = run("--upstream", reference + "/v1", "--listen", "127.0.0.1:0", "--no-capture",
                  "--", "no-such-command-here", cwd=tmp_path)
    assert missing.returncode == 127 and "cannot run no-such-command-here" in missing.stderr


def test_no_stream_through_the_proxy_is_exit_2(reference: str, tmp_path: Path) -> None:
    result = run("--upstream", reference + "/v1", "--listen", "127.0.0.1:0", "--no-capture",
                 "--", sys.executable, "-c", "pass", cwd=tmp_path)
    assert result.returncode == 2
    assert "nothing was checked: no Responses stream passed through the proxy" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--upstream", "ftp://example/v1"], "http:// or https://"),
        (["--upstream", "http://127.0.0.1:1/v1?x=1"], "no ?query"),
        (["--upstream", "http://127.0.0.1:1", "--listen", "nowhere"], "expected HOST:PORT"),
        (["--upstream", "http://127.0.0.1:1", "--listen", "127.0.0.1:99999"], "out of range"),
        (["--upstream", "http://127.0.0.1:1", "--redact-env", "NO_SUCH_VARIABLE_HERE"], "is not set"),
        (["--upstream", "http://127.0.0.1:1", "--select", "NOPE"], "no rule code starts with NOPE"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["proxy", *args])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("--upstream", "http://127.0.0.1:1", "--listen", f"127.0.0.1:{port}", cwd=tmp_path)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"responses-conformance: error: cannot listen on 127.0.0.1:{port}")


@contextmanager
def proxy_process(*args: str, cwd: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The proxy as a long-running process; yields it and its URL (from its first line)."""
    process = subprocess.Popen(
        [*PROXY, *args, "--listen", "127.0.0.1:0"], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first)
        assert found, first
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(TIMEOUT)


@pytest.mark.parametrize(("sig", "fault", "status"), [(signal.SIGINT, "", 0), (signal.SIGTERM, "changed-ids", 1)])
def test_a_signal_stops_the_proxy_which_reports_and_writes_its_capture(
    reference: str, tmp_path: Path, sig: int, fault: str, status: int
) -> None:
    with proxy_process("--upstream", reference + "/v1", "--capture", "c.har", "--report", "sarif=r.sarif",
                       cwd=tmp_path) as (process, url):
        headers = {"X-Conformance-Fault": fault} if fault else {}
        answer = httpx.post(url + "/responses", json=BODY, headers=headers, timeout=TIMEOUT)
        assert answer.status_code == 200
        process.send_signal(sig)
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == status, err
    assert "1 stream, " in out
    assert "wrote c.har" in err
    assert json.loads((tmp_path / "c.har").read_text())["log"]["entries"][0]["response"]["status"] == 200
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


def test_a_second_ctrl_c_cuts_the_streams_still_open(reference: str, tmp_path: Path) -> None:
    with proxy_process("--upstream", reference + "/v1", "--drain-timeout", "60", "--no-capture",
                       cwd=tmp_path) as (process, url):
        failures: list[BaseException] = []

        def stalled() -> None:
            try:
                httpx.post(url + "/responses", json=BODY, headers={"X-Conformance-Fault": "endless-stream"},
                           timeout=TIMEOUT)
            except httpx.HTTPError as exc:
                failures.append(exc)

        thread = threading.Thread(target=stalled)
        thread.start()
        assert process.stderr is not None
        process.send_signal(signal.SIGINT)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
        thread.join(TIMEOUT)
    assert process.returncode in (1, 2), err
    assert "Traceback" not in err
    if "1 stream" in out:  # the request got in before the first Ctrl-C
        assert "the proxy stopped" in out


def test_an_address_other_than_loopback_gets_a_warning() -> None:
    # 192.0.2.0/24 is for documentation: no interface has it, so the bind fails after the warning.
    result = CliRunner().invoke(main, ["proxy", "--upstream", "http://127.0.0.1:1", "--listen", "192.0.2.7:0",
                                       "--no-capture", "--isolated"])
    assert "warning: listening on 192.0.2.7, not on the loopback interface" in result.output
    assert result.exit_code == 2 and "cannot listen on 192.0.2.7:0" in result.output
    assert parse_listen("8766") == ("127.0.0.1", 8766) and parse_listen("[::1]:8766") == ("::1", 8766)


def test_the_configuration_file_sets_the_proxy_and_the_command_line_wins(reference: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        "[tool.responses-conformance]\nstrict = true\n"
        f"[tool.responses-conformance.proxy]\nupstream = '{reference}/v1'\nlisten = '127.0.0.1:0'\n"
        "capture = 'captures/run.har'\n"
    )
    gap = client_script("gpt-test+fault=sequence-gap")
    result = run("--", sys.executable, "-c", gap, cwd=project / "sub")
    assert result.returncode == 1, result.stderr  # strict from the shared table: SEQ004 fails the run
    assert "forwarding to " + reference in result.stderr
    assert (project / "captures" / "run.har").is_file()  # relative to the file, not the working directory
    isolated = run("--isolated", "--", sys.executable, "-c", "pass", cwd=project / "sub")
    assert isolated.returncode == 2 and "Missing option '--upstream'" in isolated.stderr


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[tool.responses-conformance.proxy]\nredact = ['sk-secret']\n", "redact: keep secrets out of files"),
        ("[tool.responses-conformance.proxy]\nbase-url = 'http://127.0.0.1:1'\n", "not an option of this command"),
        ("[tool.responses-conformance.proxy]\ndrain-timeout = 'soon'\n", "responses-conformance.proxy] drain-timeout"),
    ],
)
def test_a_bad_proxy_table_is_one_line_and_exit_2(tmp_path: Path, table: str, message: str) -> None:
    config = tmp_path / "conf.toml"
    config.write_text(table)
    result = CliRunner().invoke(main, ["proxy", "--config", str(config), "--upstream", "http://127.0.0.1:1"])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "sk-secret" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("signals", [(signal.SIGTERM,), (signal.SIGINT, signal.SIGINT)], ids=["term", "int-int"])
def test_signals_while_the_proxy_starts_stop_it_as_any_stop_does(tmp_path: Path, signals: tuple[int, ...]) -> None:
    # The listening line comes before the schemas are compiled (about a second) and before the event loop
    # runs: a signal then, or a second one as the run ends, stops the proxy; it never kills it half-way.
    with proxy_process("--upstream", "http://127.0.0.1:1/v1", "--capture", "c.har", cwd=tmp_path) as (process, _):
        for sig in signals:
            process.send_signal(sig)
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 2, err
    assert "Traceback" not in err and out == ""  # no stream, no report on the console
    assert err.strip().splitlines()[-1].endswith("nothing was checked: no Responses stream passed through the proxy")
    assert json.loads((tmp_path / "c.har").read_text())["log"]["entries"] == []
