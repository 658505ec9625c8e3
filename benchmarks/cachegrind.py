"""The CPU instructions one command retires, counted by valgrind's cachegrind.

Instruction counts do not depend on the machine's load, so the benchmarks that
compare two commands on a shared machine (``instructions.py``, ``startup.py``,
``whole_process.py``) count them with this one helper. ``PYTHONHASHSEED`` is
fixed so that two runs of the same Python command count the same.
"""

from __future__ import annotations

import os
import re
import subprocess

VALGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]


def instructions(command: list[str], *, cwd: str | None = None, label: str | None = None) -> int:
    """Run ``command`` under cachegrind to its end; its instruction count (exit on a failed run)."""
    result = subprocess.run([*VALGRIND, *command], capture_output=True, text=True, check=False, cwd=cwd,
                            env=dict(os.environ, PYTHONHASHSEED="0"))
    match = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"valgrind run of {label or command} failed:\n{result.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))
