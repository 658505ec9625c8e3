"""The robustness campaign behind the README's table, in one command.

    python fuzz/campaign.py --atheris-runs 200000 --hypothesis-examples 5000

It runs (1) the Hypothesis hostile-input properties of conformance_tests/
with many more examples than CI does, and (2) the coverage-guided atheris
harness over a seed corpus of our fixtures and the shared recordings, with a
per-input time limit (a slower input counts as a hang) and a memory limit.
It prints a Markdown table: inputs tried, crashes, hangs, peak memory.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROPERTIES = (
    "test_random_bytes",
    "test_mutated_real_streams",
    "test_events_with_members_of_the_wrong_kind",
    "test_cli_answers_with_findings_or_exit_2",
    "test_structured_hostile_inputs_end_in_findings_and_escaped_output",
)
# Properties that run the CLI once per example: they get half the examples.
CLI_PROPERTIES = (
    "test_cli_answers_with_findings_or_exit_2",
    "test_structured_hostile_inputs_end_in_findings_and_escaped_output",
)


def run_hypothesis(examples: int) -> list[tuple[str, int, int, float, str]]:
    rows = []
    for name in PROPERTIES:
        code = (
            "import sys, time, resource\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "from hypothesis import settings\n"
            f"settings.register_profile('campaign', max_examples={examples}, deadline=None, database=None)\n"
            "settings.load_profile('campaign')\n"
            "import conformance_tests.test_hostile_input as t\n"
            f"t.{name}()\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        crashes = 0 if result.returncode == 0 else 1
        peak = int(result.stdout.split()[-1]) / 1024 if crashes == 0 else 0.0
        tried = max(10, examples // 2) if name in CLI_PROPERTIES else examples
        rows.append((f"Hypothesis `{name}`", tried, crashes, peak, f"{elapsed:.0f} s"))
        if crashes:
            print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
    return rows


def run_atheris(runs: int, workdir: Path) -> tuple[str, int, int, int, float, str]:
    seeds = workdir / "seeds"
    subprocess.run([sys.executable, str(ROOT / "fuzz" / "make_seeds.py"), str(seeds)], check=True)
    seed_count = len(list(seeds.iterdir()))  # libFuzzer adds the inputs it finds interesting
    artifacts = workdir / "artifacts"
    artifacts.mkdir()
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "fuzz_validator.py"), f"-runs={runs}", "-max_len=65536",
         "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}/", str(seeds)],
        capture_output=True, text=True, check=False, cwd=workdir,
    )
    elapsed = time.monotonic() - started
    done = re.findall(r"Done (\d+) runs", result.stderr)
    tried = int(done[-1]) if done else 0
    rss = [int(x) for x in re.findall(r"rss: (\d+)Mb", result.stderr)]
    crashes = len(list(artifacts.glob("crash-*"))) + len(list(artifacts.glob("oom-*")))
    hangs = len(list(artifacts.glob("timeout-*")))
    if result.returncode != 0 and not (crashes or hangs):
        crashes = 1
        print(result.stderr[-3000:], file=sys.stderr)
    return (f"atheris (libFuzzer), {seed_count} seeds", tried, crashes, hangs, float(max(rss, default=0)),
            f"{elapsed:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--atheris-runs", type=int, default=200_000)
    parser.add_argument("--hypothesis-examples", type=int, default=5_000)
    args = parser.parse_args()
    rows = []
    for name, tried, crashes, peak, elapsed in run_hypothesis(args.hypothesis_examples):
        rows.append((name, tried, crashes, 0, peak, elapsed))
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(run_atheris(args.atheris_runs, Path(tmp)))
    print("| harness | inputs tried | crashes | hangs | peak RSS (MB) | time |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, tried, crashes, hangs, peak, elapsed in rows:
        print(f"| {name} | {tried:,} | {crashes} | {hangs} | {peak:.0f} | {elapsed} |")
    if any(row[2] or row[3] for row in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
