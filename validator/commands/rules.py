"""``rules`` (the catalogue as a table or JSON) and ``explain CODE`` (one rule in full)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import click

from validator.rules import PROFILES, SEVERITY_POLICY, Rule, catalogue, get


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """A rule as plain JSON data."""
    return {
        "code": rule.code,
        "name": rule.name,
        "group": rule.group,
        "summary": rule.summary,
        "requirement": rule.requirement,
        "severity": {profile: rule.severity[profile].value for profile in PROFILES if profile in rule.severity},
        "refs": [{"document": r.document, "section": r.section, "url": r.url} for r in rule.refs],
        "breaks": list(rule.breaks),
        "rationale": rule.rationale,
        "evidence": list(rule.evidence),
        "since": rule.since,
    }


def _selected(profile: str | None, prefixes: tuple[str, ...]) -> list[Rule]:
    wanted = [p.upper() for p in prefixes]
    out = []
    for code, rule in catalogue().items():
        if profile is not None and profile not in rule.severity:
            continue
        if wanted and not any(code.startswith(p) for p in wanted):
            continue
        out.append(rule)
    return out


@click.command("rules")
@click.option("--profile", type=click.Choice(PROFILES), help="Only the rules this profile checks.")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
@click.argument("prefixes", nargs=-1)
def rules(profile: str | None, as_json: bool, prefixes: tuple[str, ...]) -> None:
    """List the rules (optionally only those whose code starts with PREFIXES, e.g. SEQ ITM001)."""
    selected = _selected(profile, prefixes)
    if as_json:
        click.echo(json.dumps([rule_to_dict(r) for r in selected], indent=2, ensure_ascii=False))
        return
    if not selected:
        raise click.UsageError("no rule matches")
    profiles = (profile,) if profile else PROFILES
    header = ["CODE", "NAME", *profiles, "SUMMARY"]
    rows = [
        [r.code, r.name, *(_severity(r, p) for p in profiles), r.summary]
        for r in selected
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


def _severity(rule: Rule, profile: str) -> str:
    severity = rule.severity_for(profile)
    return severity.value if severity is not None else "-"


@click.command("explain")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print the rule as JSON.")
def explain(code: str, as_json: bool) -> None:
    """Explain one rule: what it requires, where that is written, how severe it is, what it breaks."""
    try:
        rule = get(code)
    except KeyError:
        message = f"no rule {code!r}; `responses-conformance rules` lists them"
        raise click.BadParameter(message, param_hint="CODE") from None
    if as_json:
        click.echo(json.dumps(rule_to_dict(rule), indent=2, ensure_ascii=False))
        return
    click.echo(f"{rule.code} {rule.name}")
    click.echo()
    click.echo(_wrap(rule.summary))
    click.echo()
    severities = ", ".join(f"{p}: {_severity(rule, p)}" for p in PROFILES)
    click.echo(f"Severity:    {severities}")
    click.echo(_wrap(f"Requirement: {rule.requirement}", indent=13))
    for ref in rule.refs:
        click.echo(_wrap(f"Reference:   {ref}", indent=13))
    for client in rule.breaks:
        click.echo(_wrap(f"Breaks:      {client}", indent=13))
    if rule.rationale:
        click.echo()
        click.echo(_wrap(rule.rationale))
    for line in rule.evidence:
        click.echo()
        click.echo(_wrap(f"Evidence: {line}", indent=10))
    click.echo()
    click.echo(_wrap(f"Severity policy: {SEVERITY_POLICY}"))


def _wrap(text: str, indent: int = 0) -> str:
    return textwrap.fill(text, width=100, subsequent_indent=" " * indent, break_on_hyphens=False)
