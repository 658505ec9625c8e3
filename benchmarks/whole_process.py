"""Whole processes on a directory of per-response captures: `validate DIR` against the floor.

    python benchmarks/whole_process.py --workload agent --size-mb 50

The floor is one process that reads the same files and ``orjson.loads`` every
``data:`` line, the least a validator run must do (interpreter start and
orjson's import included); the candidate is ``responses-conformance validate -q
--no-progress DIR`` (``--jobs 1``, the full ``openai`` profile). Both are fresh
processes, run in interleaved rounds on the same bytes; the figures are CPU
seconds (user + system) of each child, the best of ``--repeat`` rounds, and the
ratio divides them. CPU time rather than wall time: on a shared machine a process
waits for a core, which is not its own cost (wall seconds are printed too).
The capture is written by ``benchmarks/capture.py`` into a temporary directory.

``--instructions`` counts the CPU instructions of each child under valgrind's
cachegrind instead (one run each, a fixed hash seed): the figure a loaded machine
does not move; use a few megabytes (valgrind runs some fifty times slower).
"""

from __future__ import annotations

import argparse
import compileall
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import capture  # noqa: E402
from cachegrind import instructions  # noqa: E402

FLOOR = """
import os, sys, orjson
loads = orjson.loads
count = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        with open(os.path.join(root, name), "rb") as handle:
            for line in handle.read().split(b"\\n"):
                if line.startswith(b"data: "):
                    loads(line[6:])
                    count += 1
print(count)
"""


def measure(command: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{command[:4]} exited {result.returncode}: {(result.stderr or result.stdout)[-800:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=capture.WORKLOADS, default="text")
    parser.add_argument("--size-mb", type=float, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind")
    args = parser.parse_args()
    compileall.compile_dir(HERE.parent / "validator", quiet=1)  # as an installed wheel is
    with tempfile.TemporaryDirectory(prefix=f"whole-{args.workload}-") as tmp:
        directory = Path(tmp)
        paths = capture.write_capture(directory, args.size_mb, workload=args.workload)
        size = sum(p.stat().st_size for p in paths)
        runs = {
            "floor (read + orjson.loads per data: line)": [sys.executable, "-c", FLOOR, str(directory)],
            "responses-conformance validate DIR": [
                sys.executable, "-m", "validator", "validate", "-q", "--no-progress", "--jobs", str(args.jobs),
                str(directory),
            ],
        }
        if args.instructions:
            counts = {name: instructions(command, label=str(command[:4])) for name, command in runs.items()}
            print(f"capture: {args.workload} workload, {len(paths)} files, {size / 1e6:.1f} MB")
            for name, value in counts.items():
                print(f"{name:45s} {value / 1e6:9.0f} M instructions")
            floor_count, our_count = counts.values()
            print(f"\nvalidate / floor: {our_count / floor_count:.2f}x (instructions)")
            return
        best = {name: (float("inf"), float("inf")) for name in runs}
        for _ in range(args.repeat):
            for name, command in runs.items():
                cpu, wall = measure(command)
                best[name] = (min(best[name][0], cpu), min(best[name][1], wall))
    print(f"capture: {args.workload} workload, {len(paths)} files, {size / 1e6:.1f} MB")
    for name, (cpu, wall) in best.items():
        print(f"{name:45s} {cpu:7.2f} s CPU {wall:7.2f} s wall {size / 1e6 / cpu:7.1f} MB/s")
    floor, ours = (cpu for cpu, _ in best.values())
    print(f"\nvalidate / floor: {ours / floor:.2f}x (CPU time, best of {args.repeat})")


if __name__ == "__main__":
    main()
