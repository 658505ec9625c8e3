"""A short coverage-guided fuzzing run in every CI run (the long runs are in fuzz/)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("FUZZ_RUNS", "4000"))


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed")
def test_short_atheris_run_finds_no_crash(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    subprocess.run([sys.executable, str(ROOT / "fuzz" / "make_seeds.py"), str(seeds)], check=True, timeout=60)
    result = subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "fuzz_validator.py"), f"-runs={RUNS}", "-max_len=65536",
         "-timeout=20", "-rss_limit_mb=2048", f"-artifact_prefix={tmp_path}/", str(seeds)],
        capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path,
    )
    tail = "\n".join(result.stderr.splitlines()[-30:])
    assert result.returncode == 0, tail
    assert "Done" in result.stderr, tail
