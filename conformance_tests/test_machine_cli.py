"""The `rules` and `explain` commands."""

from __future__ import annotations

import json

from click.testing import CliRunner

from validator.cli import main
from validator.rules import catalogue


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_rules_table_lists_every_rule_with_both_severities() -> None:
    code, out = run("rules")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["CODE", "NAME", "openai", "openresponses"]
    assert len(lines) == len(catalogue()) + 1
    row = next(line for line in lines if line.startswith("SEQ001 "))
    assert row.split()[:4] == ["SEQ001", "sequence-number-missing", "warning", "error"]


def test_rules_profile_filter_and_prefixes() -> None:
    code, out = run("rules", "--profile", "openai", "LIF")
    assert code == 0
    codes = [line.split()[0] for line in out.splitlines()[1:]]
    assert codes and all(c.startswith("LIF") for c in codes)
    assert "LIF010" not in codes  # checked only in the openresponses profile
    assert out.splitlines()[0].split()[:3] == ["CODE", "NAME", "openai"]


def test_rules_json_carries_the_whole_rule() -> None:
    code, out = run("rules", "--json", "CNT001")
    assert code == 0
    (rule,) = json.loads(out)
    assert rule["code"] == "CNT001" and rule["group"] == "CNT"
    assert rule["severity"] == {"openai": "error", "openresponses": "error"}
    assert any("IndexError" in b for b in rule["breaks"])
    assert rule["refs"][0]["document"].startswith("Open Responses")


def test_explain_prints_requirement_references_and_rationale() -> None:
    code, out = run("explain", "itm007")
    assert code == 0
    assert out.startswith("ITM007 item-not-done\n")
    assert "Severity:    openai: warning, openresponses: error" in out
    assert "Requirement:" in out and "Reference:" in out and "mcp_list_tools" in out


def test_explain_unknown_code_is_a_usage_error() -> None:
    code, out = run("explain", "XYZ999")
    assert code == 2
    assert "no rule 'XYZ999'" in out


def test_rules_with_unmatched_prefix_is_a_usage_error() -> None:
    assert run("rules", "NOPE")[0] == 2
