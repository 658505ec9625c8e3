"""Markdown: a summary table of streams and one of findings, for a CI job summary.

GitHub renders what a step appends to ``$GITHUB_STEP_SUMMARY`` as Markdown
(the GitHub Action writes this report there). Every cell taken from a stream
is escaped, so a payload cannot add links, HTML, table cells or lines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from validator.model import Finding, Severity
from validator.report import Report, StreamReport
from validator.reporters.escape import visible

if TYPE_CHECKING:
    from validator.reporters import RenderOptions

# GitHub caps a job summary at 1 MiB; beyond this many finding rows the rest are counted.
MAX_FINDING_ROWS = 300

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def cell(text: str) -> str:
    """One table cell: no line breaks, control characters or bidi marks (spelled out), HTML and
    Markdown syntax escaped."""
    text = visible(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text).strip()


def _verdict(stream: StreamReport, strict: bool) -> str:
    if stream.skipped is not None:
        return "skipped"
    if stream.error is not None:
        return "**not read to its end**"
    return "pass" if stream.ok(strict=strict) else "**FAIL**"


def _where(finding: Finding) -> str:
    return cell(f"{finding.source}:{finding.line}:{finding.column}")


def render(report: Report, options: RenderOptions) -> str:
    checked = report.checked
    failing = sum(1 for s in checked if not s.ok(strict=options.strict))
    counts = report.counts()
    verdict = "conformant" if report.ok(strict=options.strict) else "does not conform"
    lines = [
        f"## responses-conformance: {verdict}",
        "",
        f"{len(checked)} streams checked ({failing} failing), {report.events} events, "
        f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings; {report.profile} profile"
        + ("; **interrupted: a partial report**" if not report.complete else "")
        + ".",
        "",
        "| stream | result | events | errors | warnings | rules |",
        "|---|---|---:|---:|---:|---|",
    ]
    for stream in report.streams:
        by_severity = dict.fromkeys(Severity, 0)
        for finding in stream.findings:
            by_severity[finding.severity] += 1
        note = stream.skipped if stream.skipped is not None else stream.error
        rules = ", ".join(sorted(stream.codes)) or (cell(note) if note else "")
        lines.append(
            f"| {cell(stream.name)} | {_verdict(stream, options.strict)} | {stream.events} | "
            f"{by_severity[Severity.ERROR]} | {by_severity[Severity.WARNING]} | {rules} |"
        )
    for problem in report.problems:
        lines.extend(["", f"**Problem:** {cell(problem)}"])
    if report.interrupted is not None:
        lines.extend(["", f"**Interrupted:** {cell(report.interrupted)}"])
    shown = [f for f in report.findings if f.severity is not Severity.INFO or options.verbose]
    if shown:
        lines.extend(["", "### Findings", "", "| where | code | severity | message |", "|---|---|---|---|"])
        lines.extend(
            f"| {_where(finding)} | {finding.code} | {finding.severity.value} | {cell(finding.message)} |"
            for finding in shown[:MAX_FINDING_ROWS]
        )
        if len(shown) > MAX_FINDING_ROWS:
            lines.extend(["", f"{len(shown) - MAX_FINDING_ROWS} more findings are in the other reports."])
    return "\n".join(lines) + "\n"
