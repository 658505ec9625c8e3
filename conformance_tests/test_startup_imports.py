"""Each command imports only what it uses: a fence on imports, not a timing.

Start-up is measured in ``benchmarks/startup.py``; here a fresh interpreter runs a
command through the command line's own entry point and reports which modules it
loaded. ``validate`` on a conformant file must not load the explaining schema
backend (jsonschema), the Hypothesis strategies, the process pool, the HTTP client
or the HTML reporter; each of those is loaded by the command or case that needs it,
which the positive cases below check (so the fence cannot pass by looking at nothing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "fixtures" / "valid" / "openai"
INVALID_SCHEMA = next((ROOT / "fixtures" / "invalid" / "SCH").glob("*.sse"))

# A prefix of a module name: the module and everything below it.
HEAVY = (
    "jsonschema",  # jsonschema-rs (``jsonschema_rs``) answers; jsonschema only explains a failure
    "jsonschema_rs",  # the quick predicates settle a conformant stream, snapshots and output items included
    "_hashlib",  # OpenSSL's bindings: a finished text's fingerprint takes BLAKE2b from ``_blake2``
    "validator.baseline",  # only for --baseline / --write-baseline
    "hypothesis",
    "validator.strategies",
    "concurrent.futures.process",
    "multiprocessing",
    "httpx",
    "validator.live",
    "validator.clients",
    "validator.reporters.html",
)

PROBE = """
import json, sys
from validator.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(*args: str, cwd: Path | None = None) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120, check=False,
        cwd=cwd,
    )
    modules = json.loads(result.stderr.strip().splitlines()[-1])
    assert isinstance(modules, list)
    return set(modules)


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "-q", str(VALID / "text.sse")],
        ["validate", "-q", str(VALID / "web_search.sse"), str(VALID / "function_call.sse")],
        ["validate", "-q", "--jobs", "2", str(VALID / "text.sse"), str(VALID / "reasoning_summary.sse")],
        ["validate", "-o", "json", str(VALID / "text.sse")],
        ["rules"],
        ["--version"],
    ],
    ids=["validate", "validate-two", "validate-jobs-2-small", "validate-json", "rules", "version"],
)
def test_command_loads_nothing_it_does_not_use(args: list[str], tmp_path: Path) -> None:
    modules = loaded(*args, cwd=tmp_path)
    assert "validator.cli" in modules
    assert heavy(modules) == []


def test_version_and_rules_do_not_load_the_checker(tmp_path: Path) -> None:
    for args in (["--version"], ["rules"]):
        modules = loaded(*args, cwd=tmp_path)
        assert "validator.checker" not in modules and "jsonschema_rs" not in modules, args


def test_the_fence_sees_what_is_loaded(tmp_path: Path) -> None:
    # A failure is explained by jsonschema; generate needs the strategies; -o html the HTML reporter.
    invalid = loaded("validate", "-q", str(INVALID_SCHEMA), cwd=tmp_path)
    assert "jsonschema" in invalid and "jsonschema_rs" in invalid
    assert "validator.baseline" in loaded(
        "validate", "-q", "--write-baseline", str(tmp_path / "b.json"), str(VALID / "text.sse"), cwd=tmp_path
    )
    assert "validator.strategies" in loaded("generate", "--help", cwd=tmp_path)
    assert "validator.reporters.html" in loaded(
        "validate", "--report", f"html={tmp_path / 'r.html'}", str(VALID / "text.sse"), cwd=tmp_path
    )
