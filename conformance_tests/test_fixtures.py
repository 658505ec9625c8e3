"""Every fixture keeps its verdict; every rule has an invalid fixture and documentation."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from validator import check
from validator.model import Severity
from validator.rules import PROFILES, catalogue

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
VALID = sorted(p for p in (FIXTURES / "valid").glob("*/*") if p.is_file())
INVALID = sorted((FIXTURES / "invalid").glob("*/*.toml"))
# HTT rules judge an HTTP exchange (status, headers); their fixtures come with the live battery.
GROUPS_WITHOUT_FILE_FIXTURES = {"HTT"}


def _stream_for(meta: Path) -> Path:
    streams = [p for p in meta.parent.glob(meta.stem + ".*") if p.suffix != ".toml"]
    assert len(streams) == 1, f"{meta}: expected one stream file beside it, found {streams}"
    return streams[0]


def _meta(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_there_are_fixtures_of_both_kinds_and_profiles() -> None:
    assert {p.parent.name for p in VALID} == set(PROFILES)
    assert len(INVALID) >= 50


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_fixture_has_no_error_or_warning(path: Path) -> None:
    profile = path.parent.name
    report = check(str(path), profile)
    assert report.streams and report.events > 0
    bad = [f"{f.code} {f.message}" for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    assert bad == []


@pytest.mark.parametrize("meta", INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_invalid_fixture_triggers_its_codes(meta: Path) -> None:
    data = _meta(meta)
    assert set(data) >= {"profile", "codes", "about"}, f"{meta}: needs profile, codes and about"
    profile = data["profile"]
    codes = data["codes"]
    assert isinstance(profile, str) and profile in PROFILES
    assert isinstance(codes, list) and codes, f"{meta}: lists no codes"
    report = check(str(_stream_for(meta)), profile)
    missing = set(codes) - report.codes
    assert not missing, f"{meta.name}: expected {sorted(missing)}; got {sorted(report.codes)}"


def test_every_invalid_fixture_names_known_codes_of_its_group() -> None:
    rules = catalogue()
    for meta in INVALID:
        codes = _meta(meta)["codes"]
        assert isinstance(codes, list)
        for code in codes:
            assert code in rules, f"{meta}: unknown code {code}"
        assert any(str(c).startswith(meta.parent.name) for c in codes), f"{meta}: no code of group {meta.parent.name}"


def test_every_rule_has_an_invalid_fixture() -> None:
    covered: set[str] = set()
    for meta in INVALID:
        codes = _meta(meta)["codes"]
        assert isinstance(codes, list)
        covered.update(str(c) for c in codes)
    wanted = {code for code, rule in catalogue().items() if rule.group not in GROUPS_WITHOUT_FILE_FIXTURES}
    assert sorted(wanted - covered) == []


def test_every_rule_is_documented() -> None:
    for code, rule in catalogue().items():
        assert rule.name and rule.summary and rule.requirement, code
        assert rule.severity, f"{code} applies to no profile"
        assert rule.refs or rule.rationale, f"{code} has neither a reference nor a rationale"
        assert rule.name == rule.name.lower() and " " not in rule.name, f"{code}: name is not kebab-case"


def _docs_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "tools" / "gen_rule_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_rule_reference_is_up_to_date() -> None:
    expected = _docs_tool().render()
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: run python tools/gen_rule_docs.py"
    for code in catalogue():
        assert f"### {code}\n" in actual
