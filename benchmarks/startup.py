"""Start-up: CPU time of `validate` on a tiny file against `python -c "import orjson"`, in one run.

    python benchmarks/startup.py --repeat 10

Each candidate is a fresh process; the figure is the CPU time (user + system) the
child used, the median of ``--repeat`` interleaved rounds, so a busy spell of a
shared machine hits every candidate alike. CPU time, not wall time: on a loaded
machine a process waits for a core, which is not its own cost. The tiny file is
one short conformant response (`fixtures/valid/openai/text.sse`), so no
failure needs explaining and nothing beyond the checking path should be imported.

``--instructions`` counts CPU instructions under valgrind's cachegrind instead (one run
each, with a fixed hash seed): the figure a loaded machine does not move.

The package is byte-compiled first (``compileall``), as pip does when it installs the
wheel: a checkout run with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile every
module of the validator on every start and measure the compiler.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "fixtures" / "valid" / "openai" / "text.sse"
# The commands run in an empty directory, as in a project without a configuration file.
WHERE = tempfile.mkdtemp(prefix="startup-")

sys.path.insert(0, str(ROOT / "benchmarks"))
from cachegrind import instructions  # noqa: E402 - a sibling script's module


def candidates(tiny: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "python -c 'import orjson'": [python, "-c", "import orjson"],
        "responses-conformance --version": [python, "-m", "validator", "--version"],
        "responses-conformance validate TINY": [python, "-m", "validator", "validate", "-q", str(tiny)],
        "responses-conformance rules": [python, "-m", "validator", "rules"],
    }


def cpu_seconds(command: list[str]) -> float:
    """User + system CPU time of one child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, check=False, cwd=WHERE,
                            env=dict(os.environ, PYTHONHASHSEED="0"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{command} exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--tiny", type=Path, default=TINY)
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "validator", quiet=1)
    runs = candidates(args.tiny)
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("valgrind is not installed")
        counts = {name: instructions(command, cwd=WHERE) for name, command in runs.items()}
        base = counts["python -c 'import orjson'"]
        for name, value in counts.items():
            print(f"{name:40s} {value / 1e6:8.0f} M instructions  {value / base:5.2f}x")
        return
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, command in runs.items():
            times[name].append(cpu_seconds(command))
    floor = statistics.median(times["python -c 'import orjson'"])
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{name:40s} {median * 1000:7.0f} ms CPU (median of {len(seconds)}; min {min(seconds) * 1000:.0f})"
              f"  +{(median - floor) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
