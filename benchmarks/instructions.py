"""Instruction counts instead of seconds: the validator against the floor, without timing noise.

    python benchmarks/instructions.py --size-mb 4
    python benchmarks/instructions.py --size-mb 4 --workload agent     # or logprobs, short

On a shared machine wall-clock ratios move by ±25% between runs; the number of
CPU instructions executed does not (with a fixed hash seed). Each candidate runs
in its own process under valgrind's cachegrind, which counts them; a process
that only builds the capture and validates it once (so that every schema and
quick check is compiled before counting starts) is counted too and
subtracted, so each figure is the work of the candidate alone, warm. The ratio to the floor is close to, and a
little below, the wall-clock ratio of ``throughput.py``: orjson's loop retires
more instructions per cycle than the interpreter's.

Needs valgrind on PATH. Candidates: ``setup`` (capture and warm-up only), ``floor`` (split
into frames and ``orjson.loads`` each payload), ``validator`` (the full openai
profile, as ``throughput.py`` runs it).
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CANDIDATES = ("setup", "floor", "validator")


def run_candidate(name: str, size_mb: float, workload: str) -> None:
    sys.path.insert(0, str(HERE))
    import capture
    import throughput

    streams = list(capture.iter_streams(int(size_mb * 1e6), workload=workload))
    throughput.validator_openai(streams)  # every candidate starts warm: schemas and checks compiled
    if name == "floor":
        throughput.floor(streams)
    elif name == "validator":
        throughput.validator_openai(streams)


def count(name: str, size_mb: float, workload: str) -> int:
    sys.path.insert(0, str(HERE))
    from cachegrind import instructions

    command = [sys.executable, __file__, "--run", name, "--size-mb", str(size_mb), "--workload", workload]
    return instructions(command, label=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=4)
    parser.add_argument("--workload", choices=("text", "agent", "logprobs", "short"), default="text",
                        help="which capture (benchmarks/capture.py)")
    parser.add_argument("--run", choices=CANDIDATES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_candidate(args.run, args.size_mb, args.workload)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed; this benchmark counts instructions with cachegrind")
    # Byte-compiled first, as an installed wheel is: with PYTHONDONTWRITEBYTECODE=1 the first
    # candidate would otherwise count the compiler.
    compileall.compile_dir(HERE.parent / "validator", quiet=1)
    counts = {name: count(name, args.size_mb, args.workload) for name in CANDIDATES}
    floor = counts["floor"] - counts["setup"]
    ours = counts["validator"] - counts["setup"]
    print(f"capture: {args.size_mb:g} MB, {args.workload} workload")
    print(f"floor (split + orjson.loads)            {floor / 1e6:10.1f} M instructions")
    print(f"responses-conformance, openai profile   {ours / 1e6:10.1f} M instructions")
    print(f"\nvalidator / floor: {ours / floor:.2f}x (target <= 2.5x)")


if __name__ == "__main__":
    main()
