"""The benchmark scripts run and report their ratios (on tiny captures; nothing here is timed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_throughput_reports_the_ratio_to_the_floor() -> None:
    out = run("throughput.py", "--size-mb", "0.5", "--repeat", "1", "--skip-sdk")
    assert re.search(r"validator / floor: \d+\.\d\dx", out), out


def test_memory_reports_both_files() -> None:
    out = run("memory.py", "--size-mb", "2")
    assert "long-stream" in out and "one-line" in out and "above baseline" in out, out


def test_jobs_reports_the_speed_up(tmp_path: Path) -> None:
    run("capture.py", "--size-mb", "1", "--out", str(tmp_path))
    out = run("jobs.py", str(tmp_path), "--repeat", "1", "--max-jobs", "2")
    assert "--jobs 2:" in out and "--jobs 0 (auto):" in out and "speed-up" in out, out


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instructions_reports_the_ratio_to_the_floor() -> None:
    out = run("instructions.py", "--size-mb", "0.2")
    ratio = float(re.search(r"validator / floor: (\d+\.\d\d)x", out).group(1))  # type: ignore[union-attr]
    assert 1 < ratio < 10, out


def test_ws_battery_reports_both_transports() -> None:
    out = run("ws_battery.py", "--repeat", "1")
    assert "websocket battery (openai): median" in out and "http battery (openai): median" in out, out


@pytest.mark.parametrize("workload", ["text", "agent", "logprobs", "short"])
def test_whole_process_reports_the_ratio_to_the_floor(workload: str) -> None:
    out = run("whole_process.py", "--workload", workload, "--size-mb", "0.5", "--repeat", "1")
    assert f"{workload} workload" in out and re.search(r"validate / floor: \d+\.\d\dx", out), out


def test_every_workload_is_conformant(tmp_path: Path) -> None:
    # The benchmarks measure the validator on valid streams: a capture it finds fault with measures nothing.
    sys.path.insert(0, str(BENCHMARKS))
    import capture

    for workload in capture.WORKLOADS:
        paths = capture.write_capture(tmp_path / workload, 0.3, workload=workload)
        result = subprocess.run(
            [sys.executable, "-m", "validator", "validate", "--no-progress", str(tmp_path / workload)],
            capture_output=True, text=True, timeout=300, check=False,
        )
        assert result.returncode == 0 and "0 errors, 0 warnings" in result.stdout, (workload, result.stdout[-500:])
        assert paths


def test_startup_reports_each_command() -> None:
    out = run("startup.py", "--repeat", "1")
    assert "validate TINY" in out and "import orjson" in out and "ms CPU" in out, out


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_whole_process_counts_instructions() -> None:
    out = run("whole_process.py", "--workload", "short", "--size-mb", "0.3", "--instructions")
    assert "M instructions" in out and re.search(r"validate / floor: \d+\.\d\dx \(instructions\)", out), out
