"""How validate finds its input: FIFOs and devices, directory walks, and [tool.responses-conformance]."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from validator.cli import main

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT / "fixtures" / "invalid" / "CNT" / "delta-before-part-added.sse"
VALID = sorted((ROOT / "fixtures" / "valid" / "openai").glob("*.sse"))[0]
BIN = Path(sys.executable).parent


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def stream_names(out: str) -> list[str]:
    return [s["name"] for s in json.loads(out)["streams"]]


# --- streams that can be read only once ---------------------------------------------------------

@pytest.mark.skipif(shutil.which("bash") is None, reason="process substitution needs bash")
def test_process_substitution_is_read_as_a_stream() -> None:
    command = f"{BIN / 'responses-conformance'} validate <(cat {INVALID})"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert ":11:1: CNT001" in result.stdout and "/dev/fd/" in result.stdout


def test_a_fifo_is_read_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "live.sse"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("wb") as handle:
            handle.write(INVALID.read_bytes())

    writer = threading.Thread(target=write)
    writer.start()
    code, out, err = run("validate", str(fifo))
    writer.join(timeout=30)
    assert code == 1, err
    assert f"{fifo}:11:1: CNT001" in out


def test_dev_stdin_reads_the_pipe() -> None:
    result = subprocess.run(
        [str(BIN / "responses-conformance"), "validate", "/dev/stdin"],
        input=INVALID.read_bytes(), capture_output=True, timeout=120, check=False,
    )
    assert result.returncode == 1, result.stderr
    assert b"/dev/stdin:11:1: CNT001" in result.stdout


def test_stdin_filename_names_the_findings() -> None:
    code, out, _ = run("validate", "--stdin-filename", "captures/today.sse", "-", input=INVALID.read_bytes())
    assert code == 1
    assert "captures/today.sse:11:1: CNT001" in out and "<stdin>" not in out


def test_a_block_device_or_socket_path_is_still_refused_cleanly(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "absent.sse"))
    assert code == 2 and err.startswith("responses-conformance: error:") and "Traceback" not in err


# --- directory walks --------------------------------------------------------------------------

def capture_tree(root: Path) -> None:
    (root / "a.sse").write_bytes(VALID.read_bytes())
    (root / "sub").mkdir()
    (root / "sub" / "b.sse").write_bytes(VALID.read_bytes())
    (root / "session.txt").write_bytes(VALID.read_bytes())  # a stream in a .txt: taken
    (root / "events.json").write_bytes(b'[{"type": "response.created"}]')  # an array of events: taken
    # Beside the captures, what a project keeps and a walk must leave alone:
    (root / "README.txt").write_text("These are our captures.\n")
    (root / "LICENSE").write_text("Apache-2.0\n")
    (root / "notes.txt").write_text("todo: capture the reasoning stream\n")
    (root / "metadata.json").write_text('{"recorded": "2026-11-21", "server": "ours"}\n')
    (root / "package.json").write_text('{"type": "module"}\n')
    (root / ".git").mkdir()
    (root / ".git" / "x.sse").write_bytes(b"garbage")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "y.jsonl").write_bytes(b"garbage")


def test_a_walk_skips_what_is_never_a_capture(tmp_path: Path) -> None:
    capture_tree(tmp_path)
    code, out, err = run("validate", "-o", "json", "--select", "SSE", str(tmp_path))
    assert code == 0, err
    names = [Path(name).relative_to(tmp_path).as_posix() for name in stream_names(out)]
    assert names == ["a.sse", "events.json", "session.txt", "sub/b.sse"]


def test_a_named_file_is_always_checked(tmp_path: Path) -> None:
    capture_tree(tmp_path)
    code, _, err = run("validate", str(tmp_path / "README.txt"))
    assert code == 2 and "README.txt" in err  # named explicitly: checked, and it is no stream


def test_include_and_exclude(tmp_path: Path) -> None:
    capture_tree(tmp_path)
    (tmp_path / "trace.log").write_bytes(VALID.read_bytes())
    code, out, _ = run(
        "validate", "-o", "json", "--select", "SSE", "--exclude", "sub", "--exclude", "*.txt", str(tmp_path)
    )
    assert code == 0
    assert [Path(n).name for n in stream_names(out)] == ["a.sse", "events.json"]
    code, out, _ = run("validate", "-o", "json", "--include", "*.log", "--include", "sub/*.sse", str(tmp_path))
    assert code == 0
    # A directory's own files come before its subdirectories'.
    assert [Path(n).name for n in stream_names(out)] == ["trace.log", "b.sse"]
    code, _, err = run("validate", "--include", "*.nothing", str(tmp_path))
    assert code == 2 and "no stream files found (looked for *.nothing)" in err


# --- [tool.responses-conformance] -----------------------------------------------------------------

def project(root: Path, section: str) -> Path:
    (root / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.responses-conformance]\n{section}")
    captures = root / "captures"
    captures.mkdir()
    (captures / "bad.sse").write_bytes(INVALID.read_bytes())
    (captures / "ours.sse").write_bytes(INVALID.read_bytes())
    work = root / "deep" / "down"
    work.mkdir(parents=True)
    return captures


def test_the_nearest_pyproject_section_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    captures = project(tmp_path, 'ignore = ["CNT001"]\nexclude = ["ours.sse"]\n')
    monkeypatch.chdir(tmp_path / "deep" / "down")
    code, out, _ = run("validate", "-o", "json", str(captures))
    assert code == 0
    assert [Path(n).name for n in stream_names(out)] == ["bad.sse"]
    # The command line wins over the file; --isolated ignores the file.
    assert run("validate", "--ignore", "SEQ", str(captures))[0] == 1
    assert run("validate", "--isolated", str(captures))[0] == 1


def test_a_pyproject_without_the_section_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    captures = project(tmp_path, 'select = ["SEQ"]\n')
    inner = tmp_path / "deep"
    (inner / "pyproject.toml").write_text("[project]\nname = 'inner'\n")
    monkeypatch.chdir(inner / "down")
    code, out, _ = run("validate", str(captures))
    assert code == 0 and "CNT001" not in out  # the outer section's select applies


def test_paths_in_the_section_are_relative_to_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    captures = project(
        tmp_path, 'baseline = "ci/known.txt"\n\n[tool.responses-conformance.check]\nmodel = "local"\n'
    )
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "known.txt").write_text("*.sse CNT001\n")
    monkeypatch.chdir(tmp_path / "deep" / "down")
    code, out, err = run("validate", str(captures))
    assert code == 0, out + err


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('selekt = ["SEQ"]\n', "[tool.responses-conformance] selekt: unknown key"),
        ('profile = "chatgpt"\n', "[tool.responses-conformance] profile:"),
        ('max-per-rule = "many"\n', "[tool.responses-conformance] max-per-rule:"),
        ('api-key = "sk-1"\n', "keep keys out of files; use api-key-env"),
        ('[validate]\nbase-url = "http://x"\n', "[tool.responses-conformance.validate] base-url: not an option"),
    ],
)
def test_a_bad_section_is_a_usage_error_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str, message: str
) -> None:
    captures = project(tmp_path, section.replace("[validate]", "[tool.responses-conformance.validate]"))
    monkeypatch.chdir(tmp_path)
    code, _, err = run("validate", str(captures))
    assert code == 2
    assert f"{tmp_path / 'pyproject.toml'}: " in err and message in err, err
    assert "Traceback" not in err


def test_config_names_a_file(tmp_path: Path) -> None:
    captures = project(tmp_path, "")
    other = tmp_path / "strict.toml"
    other.write_text('ignore = ["CNT"]\n')
    assert run("validate", str(captures))[0] == 1
    assert run("validate", "--config", str(other), str(captures))[0] == 0


# --- the command line as a whole ------------------------------------------------------------------

def test_python_dash_m_validator() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "validator", "validate", str(INVALID)], capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert result.returncode == 1 and "CNT001" in result.stdout
    version = subprocess.run([sys.executable, "-m", "validator", "--version"], capture_output=True, text=True,
                             timeout=120, check=False)
    assert version.stdout.startswith("responses-conformance, version ")


def all_commands() -> list[tuple[str, click.Command]]:
    assert isinstance(main, click.Group)
    return sorted(main.commands.items())


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=[n for n, _ in all_commands()])
def test_every_option_has_help(name: str, command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]} has no help"


def test_validate_help_lists_every_exit_code() -> None:
    code, out, _ = run("validate", "--help")
    assert code == 0
    text = " ".join(out.split())
    for fragment in ("0 conformant", "1 violations", "2 usage or input error", "130 interrupted"):
        assert fragment in text


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--select", "XYZ", "x.sse"],
        ["validate", "--report", "pdf=x.pdf", "x.sse"],
        ["validate", "--bogus-option", "x.sse"],
        ["validate", "nowhere/absent.sse"],
        ["schemas", "--dump", "response.nothing"],
        ["explain", "ZZZ999"],
        ["generate", "--out", "/proc/forbidden/here"],
        ["rules", "ZZZ"],
    ],
)
def test_one_error_prefix_everywhere(args: list[str]) -> None:
    code, _, err = run(*args)
    assert code == 2, err
    lines = [line for line in err.splitlines() if "error" in line.lower()]
    assert lines and all(line.startswith("responses-conformance: error: ") for line in lines), err
    assert "Traceback" not in err


def test_strategies_without_hypothesis_say_how_to_install() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    from validator.strategies import streams\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "pip install 'responses-conformance[hypothesis]'" in result.stdout


def test_validate_writes_a_baseline_that_then_accepts_the_run(tmp_path: Path) -> None:
    baseline = tmp_path / "known.txt"
    code, _, err = run("validate", "--write-baseline", str(baseline), str(INVALID))
    assert code == 0 and f"wrote {baseline}" in err
    assert "CNT001" in baseline.read_text()
    assert run("validate", str(INVALID))[0] == 1
    assert run("validate", "--baseline", str(baseline), str(INVALID))[0] == 0
