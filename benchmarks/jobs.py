"""How `validate --jobs N` scales: the same directory of captures with 1, 2... workers and with -j 0.

    python benchmarks/capture.py --size-mb 100 --out /tmp/capture
    python benchmarks/jobs.py /tmp/capture

`-j 0` (one worker per CPU) starts a pool only when the input can pay for it
(``validator.runner.POOL_MIN_BYTES``), so on a small directory it must be as
fast as `-j 1`: run this on a few small files as well as on the big capture.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def run(directory: Path, jobs: int) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "validator.cli", "validate", "-q", "--no-progress", "-j", str(jobs), str(directory)],
        capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"validate exited {result.returncode}: {result.stderr.strip()[:500]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    size = sum(p.stat().st_size for p in args.directory.rglob("*") if p.is_file()) / 1e6
    counts = [*range(1, max(2, args.max_jobs) + 1), 0]
    best = {jobs: float("inf") for jobs in counts}
    for _ in range(args.repeat):
        for jobs in counts:
            best[jobs] = min(best[jobs], run(args.directory, jobs))
    for jobs in counts:
        seconds = best[jobs]
        label = f"--jobs {jobs}:" if jobs else "--jobs 0 (auto):"
        print(f"{label:16} {seconds:6.2f} s  {size / seconds:6.1f} MB/s  speed-up {best[1] / seconds:.2f}x")


if __name__ == "__main__":
    main()
