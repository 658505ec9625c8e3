"""Many files: --jobs, stable order, the progress line, and a distributed engine."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator import runner
from validator.cli import main
from validator.commands.progress import Progress
from validator.runner import CheckOptions, check_file, check_files, expand_paths


def write_streams(root: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        sub = root / f"d{i % 3}"
        sub.mkdir(exist_ok=True)
        path = sub / f"s{i:03d}.sse"
        bad = b'data: {"type": 3}\n\n' if i % 4 == 0 else b""
        path.write_bytes(b"data: {\"type\": \"response.created\"}\n\n" + bad + b"data: oops\n\n" * (i % 2))
        paths.append(path)
    return paths


def findings_by_file(report_json: str) -> list[tuple[str, list[str]]]:
    report = json.loads(report_json)
    return [(s["name"], [f["code"] for f in s["findings"]]) for s in report["streams"]]


def test_jobs_give_the_same_report_in_the_same_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)  # small files: make the pool start anyway
    monkeypatch.setattr(runner, "BATCH_FILES", 5)  # and hand them out in several batches
    write_streams(tmp_path, 24)
    runs = {}
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["validate", "-o", "json", "--select", "SSE", "-j", jobs, str(tmp_path)])
        assert result.exit_code == 1, result.output
        runs[jobs] = findings_by_file(result.stdout)
    assert runs["1"] == runs["2"]
    assert [name for name, _ in runs["1"]] == sorted(name for name, _ in runs["1"])
    assert sum("SSE003" in codes for _, codes in runs["1"]) == 6


def test_check_files_in_a_pool_matches_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "BATCH_FILES", 2)
    files = list(expand_paths([str(tmp_path / "x.sse"), *map(str, write_streams(tmp_path, 6))]))
    options = CheckOptions(select=("SSE",))
    serial = [(r.path, [f.code for s in r.streams for f in s.findings], r.errors) for r in check_files(files, options)]
    pooled = [(r.path, [f.code for s in r.streams for f in s.findings], r.errors)
              for r in check_files(files, options, jobs=2)]
    assert serial == pooled
    assert "cannot read" in serial[0][2][0]


def test_no_pool_for_input_that_cannot_pay_for_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    files = [str(p) for p in write_streams(tmp_path, 40)]
    monkeypatch.setattr(runner, "start_pool", refuse)
    assert len(list(check_files(files, CheckOptions(), jobs=8))) == 40  # 40 small files: this process
    assert not runner.pool_pays_off(files, jobs=8)
    big = tmp_path / "big.sse"
    with big.open("wb") as handle:
        handle.truncate(runner.POOL_MIN_BYTES)
    assert runner.pool_pays_off([*files, str(big)], jobs=2)
    assert not runner.pool_pays_off([str(big)], jobs=2)  # one file cannot be shared out
    assert not runner.pool_pays_off([*files, str(big)], jobs=1)
    assert not runner.pool_pays_off(["-", *files, str(big)], jobs=2)  # stdin is read here


def test_batches_follow_size_and_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "BATCH_BYTES", 100)
    monkeypatch.setattr(runner, "BATCH_FILES", 3)
    files = [f"f{i}" for i in range(7)]
    assert runner._batches(files, [10, 10, 10, 10, 200, 10, 10]) == [
        ["f0", "f1", "f2"], ["f3", "f4"], ["f5", "f6"]
    ]


def test_stdin_with_jobs_is_read_in_this_process(tmp_path: Path) -> None:
    (path,) = write_streams(tmp_path, 1)
    result = CliRunner().invoke(
        main, ["validate", "-o", "json", "-j", "2", "--select", "SSE", "-", str(path)], input=b"data: {}\n\n"
    )
    assert result.exit_code == 1, result.output
    names = [name for name, _ in findings_by_file(result.stdout)]
    assert names == ["<stdin>", str(path)]


def test_progress_draws_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Tty(), io.StringIO()
    for stream in (terminal, pipe):
        meter = Progress(2, stream=stream, interval=0)
        meter.advance(10)
        meter.advance(5)
        meter.finish()
    assert "2/2 files, 15 events" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_progress_can_be_forced_on_for_the_cli(tmp_path: Path) -> None:
    write_streams(tmp_path, 2)
    result = CliRunner().invoke(main, ["validate", "--progress", "--select", "SSE", str(tmp_path)])
    assert "2/2 files" in result.stderr


def test_dask_local_scheduler_runs_check_file(tmp_path: Path) -> None:
    bag = pytest.importorskip("dask.bag", reason="dask is in the test extra; install it to run this")
    files = list(expand_paths([str(tmp_path)])) if write_streams(tmp_path, 8) else []
    options = CheckOptions(select=("SSE",))
    distributed = bag.from_sequence(files, npartitions=4).map(check_file, options).compute(
        scheduler="processes", num_workers=2
    )
    local = [check_file(path, options) for path in files]
    assert [r.path for r in distributed] == files
    assert [[f.code for s in r.streams for f in s.findings] for r in distributed] == [
        [f.code for s in r.streams for f in s.findings] for r in local
    ]


def interrupt_when(proc: subprocess.Popen[bytes], marker: bytes, timeout: float = 120) -> bytes:
    """Read the child's stderr until ``marker`` (a regular expression) shows, then press Ctrl-C."""
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while not re.search(marker, seen) and time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
    proc.send_signal(signal.SIGINT)
    return seen


def start_validate(*args: str) -> subprocess.Popen[bytes]:
    # A background job may have inherited an ignored SIGINT; the child gets the default back.
    return subprocess.Popen(
        [sys.executable, "-m", "validator", "validate", "--progress", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_ctrl_c_prints_the_findings_so_far_and_exits_130(tmp_path: Path) -> None:
    total = 3000
    for i in range(total):
        (tmp_path / f"s{i:05d}.sse").write_bytes(b"data: oops\n\n" * 400)
    report = tmp_path / "report.json"
    proc = start_validate("--select", "SSE", "--report", f"json={report}", str(tmp_path))
    seen = interrupt_when(proc, b" files")
    out, rest = proc.communicate(timeout=120)
    err = (seen + rest).decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    checked = int(err.split("interrupted after ")[1].split()[0])
    assert 0 <= checked < total
    assert out.decode().count("SSE001") >= checked
    data = json.loads(report.read_text())
    assert data["complete"] is False and data["ok"] is False
    assert data["interrupted"].startswith(f"interrupted after {checked} of {total} files")
    assert data["summary"]["streams"] in (checked, checked + 1)  # the file being read, as far as it got


def test_ctrl_c_on_one_large_file_keeps_what_was_found(tmp_path: Path) -> None:
    big = tmp_path / "big.sse"
    big.write_bytes(b'data: {"type": 3}\n\n' * 1_500_000)  # 28 MB, a finding per event
    report = tmp_path / "report.json"
    proc = start_validate("--select", "SSE", "--report", f"json={report}", str(big))
    seen = interrupt_when(proc, rb"(?<![0-9.])[1-9][0-9.]* MB read")  # well into the file
    out, rest = proc.communicate(timeout=120)
    err = (seen + rest).decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"{big}:1:1: SSE003" in out.decode()  # found before the interrupt, printed after it
    (stream,) = json.loads(report.read_text())["streams"]
    assert stream["error"].startswith("interrupted after ") and "the rest of the stream was not read" in stream["error"]
    assert 0 < stream["events"] < 1_500_000
    assert json.loads(report.read_text())["complete"] is False
