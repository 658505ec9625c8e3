"""docs/profiles.md: its commands run, its tables match the code; the compliance-suite mapping."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import validator
from validator import compliance, nonstandard
from validator.rules import catalogue

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DOC = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report" / "report-v1.schema.json").read_text(encoding="utf-8"))


def commands() -> list[list[str]]:
    return [shlex.split(line) for block in re.findall(r"```sh\n(.*?)```", DOC, re.S) for line in block.splitlines()]


def command(program: str) -> list[str]:
    (found,) = [c for c in commands() if program in " ".join(c[:2])]
    return found


def test_the_doc_shows_three_commands() -> None:
    assert [c[:2] for c in commands()] == [
        ["python", "tools/sdk_drift.py"],
        ["python", "tools/build_schemas.py"],
        ["responses-conformance", "validate"],
    ]


def test_the_drift_command_runs_clean() -> None:
    args = command("tools/sdk_drift.py")
    result = subprocess.run([sys.executable, *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unexplained" in result.stdout


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (specs and corpus) is not beside the checkout")
def test_the_build_command_reproduces_the_schemas(tmp_path: Path) -> None:
    # The command as written, in a copy of the checkout's tools, so the checkout is not rewritten.
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "tools", work / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    os.symlink(SHARED, tmp_path / "shared")
    args = command("tools/build_schemas.py")
    result = subprocess.run([sys.executable, *args[1:]], cwd=work, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for profile in ("openai", "openresponses"):
        for path in sorted((ROOT / "schemas" / profile).iterdir()):
            assert (work / "schemas" / profile / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_validate_command_shows_the_compliance_column() -> None:
    args = command("responses-conformance validate")
    result = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    Draft202012Validator(REPORT_SCHEMA).validate(report)
    (stream,) = report["streams"]
    assert stream["compliance"] == {"suite": compliance.SUITE, "failed": {"streaming-response": ["SCH005"]}}
    assert [f["compliance_tests"] for f in stream["findings"]] == [["streaming-response"]]


def test_the_event_table_matches_the_registry() -> None:
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (`[^|]*) \|[^|]*\| (SCH00\d), ", DOC, re.M)}
    codes = {"openai": "SCH005", "vendor": "SCH006", "terminal": "SCH007"}
    for entry in nonstandard.REGISTRY:
        row = next(code for names, code in rows.items() if f"`{entry.name}`" in names)
        assert row == codes[entry.origin], entry.name


def test_the_compliance_codes_in_the_doc_are_the_mapped_ones() -> None:
    assert "SSE001-SSE003, SCH001-SCH003, SCH005-SCH007, LIF007 and LIF010" in DOC
    assert sorted(compliance.OVERLAP) == [
        "LIF007", "LIF010", "SCH001", "SCH002", "SCH003", "SCH005", "SCH006", "SCH007", "SSE001", "SSE002", "SSE003",
    ]


# ---- the mapping ------------------------------------------------------------------------------


def test_the_mapping_names_rules_that_the_openresponses_profile_checks() -> None:
    rules = catalogue()
    for code, tests in compliance.OVERLAP.items():
        assert rules[code].severity_for("openresponses") is not None, code
        assert tests == (compliance.STREAMING_RESPONSE,)
    assert compliance.tests_for("openai", "SCH001") == ()


STANDARD_TYPES = set(validator.schemas.event_types("openresponses"))


def suite_would_fail(path: Path) -> bool:
    """Our own model of the suite's `streaming-response` stream checks, without schemas: bad JSON, an event
    type outside the standard ones, or no terminal event (a schema violation it would also fail is not modelled)."""
    types: list[str] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("data:") or line[5:].strip() == "[DONE]":
            continue
        try:
            payload = json.loads(line[5:])
        except ValueError:
            return True
        if not isinstance(payload, dict) or payload.get("type") not in STANDARD_TYPES:
            return True
        types.append(payload["type"])
    return not {"response.completed", "response.failed", "response.incomplete"} & set(types)


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in (ROOT / "fixtures" / "invalid").glob("*/*.toml") if "openresponses" in p.read_text()),
)
def test_a_mapped_finding_means_the_suite_fails_the_stream(name: str) -> None:
    (meta,) = (ROOT / "fixtures" / "invalid").glob(f"*/{name}.toml")
    (stream,) = [p for p in meta.parent.glob(f"{name}.*") if p.suffix != ".toml"]
    report = validator.check(str(stream), "openresponses")
    mapped = {f.code for f in report.findings} & set(compliance.OVERLAP) - {"SCH001"}
    if mapped and stream.suffix == ".sse":
        assert suite_would_fail(stream), (name, sorted(mapped))
    data = report.to_dict()
    Draft202012Validator(REPORT_SCHEMA).validate(data)
    # One stream, or a WebSocket session's own report and one per response: each carries its own overlap.
    for stream_data, stream_report in zip(data["streams"], report.streams, strict=True):
        failed = stream_data.get("compliance", {}).get("failed", {})
        codes = {f.code for f in stream_report.findings} & set(compliance.OVERLAP)
        assert set(failed.get("streaming-response", [])) == codes, stream_report.name


def test_a_valid_stream_has_no_compliance_member() -> None:
    data = validator.check(str(ROOT / "fixtures" / "valid" / "openresponses" / "text.sse"), "openresponses").to_dict()
    assert "compliance" not in data["streams"][0]
    assert all("compliance_tests" not in f for f in data["streams"][0]["findings"])
