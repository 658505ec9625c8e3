"""Console output: one ``path:line:col: CODE message`` line per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from validator.model import Finding, Severity
from validator.report import Report
from validator.reporters.escape import line_start, visible

if TYPE_CHECKING:
    from validator.reporters import RenderOptions

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def format_finding(finding: Finding, *, color: bool = False, verbose: int = 0) -> str:
    code = finding.code
    if color:
        code = click.style(code, fg=_COLOURS[finding.severity], bold=True)
    # What a stream controls (the file name, the message quoting its payload, the event type and
    # pointer) is spelled visibly: no escape sequence reaches the terminal, no record splits in two.
    place = f"{visible(finding.source)}:{finding.line}:{finding.column}:"
    where = click.style(place, bold=True) if color else place
    line = f"{where} {code} {visible(finding.message)}"
    if finding.severity is not Severity.ERROR:
        line += f" [{finding.severity.value}]"
    if finding.caused_by is not None:
        cause, index = finding.caused_by
        line += f" (follows from {cause}" + (f" at event #{index})" if index is not None else ")")
    if verbose:
        context = []
        if finding.event_index is not None:
            context.append(f"event #{finding.event_index}")
        if finding.event_type:
            context.append(visible(finding.event_type))
        if finding.sequence_number is not None:
            context.append(f"seq {finding.sequence_number}")
        if finding.pointer:
            context.append(f"at {visible(finding.pointer)}")
        if context:
            line += f" ({', '.join(context)})"
        if verbose > 1 and (finding.expected is not None or finding.actual is not None):
            line += f"\n    expected: {visible(repr(finding.expected))}\n    actual:   {visible(repr(finding.actual))}"
    return line


def render(report: Report, options: RenderOptions) -> str:
    lines: list[str] = []
    for stream in report.streams:
        name = visible(stream.name)
        if stream.skipped is not None:
            if not options.quiet:
                lines.append(f"{name}: skipped: {visible(stream.skipped)}")
            continue
        if stream.error:
            lines.append(f"{name}: error: {visible(stream.error)}")
        lines.extend(_grouped(stream.findings, options))
        lines.extend(f"{name}: {e.code} {e.count} more {e.severity.value}s not shown" for e in stream.elided)
        if options.verbose and not stream.findings and not stream.error:
            lines.append(f"{name}: ok ({stream.events} events)")
    if not options.quiet:
        lines.append(summary_line(report, options))
    # A line that starts with ``::`` (a file named so) would be a workflow command in a CI log.
    return "".join(line_start(line) + "\n" for line in lines)


def _grouped(findings: list[Finding], options: RenderOptions) -> list[str]:
    """The findings in stream order, each follow-on indented under the finding it follows from."""
    shown = [f for f in findings if options.verbose or f.severity is not Severity.INFO]
    by_key = {(f.code, f.event_index): f for f in shown}
    children: dict[int, list[Finding]] = {}
    roots = []
    for finding in shown:
        parent = by_key.get(finding.caused_by) if finding.caused_by is not None else None
        if parent is None or parent is finding:
            roots.append(finding)
        else:
            children.setdefault(id(parent), []).append(finding)
    lines: list[str] = []

    def add(finding: Finding, depth: int) -> None:
        lines.append("  " * depth + format_finding(finding, color=options.color, verbose=options.verbose))
        for child in children.get(id(finding), ()):
            add(child, depth + 1)

    for root in roots:
        add(root, 0)
    return lines


def summary_line(report: Report, options: RenderOptions) -> str:
    counts = report.counts()
    errors, warnings = counts.get("error", 0), counts.get("warning", 0)
    checked = report.checked
    streams = len(checked)
    failing = sum(1 for s in checked if not s.ok(strict=options.strict))
    skipped = len(report.streams) - streams
    verdict = "conformant" if failing == 0 else f"{failing} of {streams} streams do not conform"
    text = (
        f"{_plural(streams, 'stream')}, {_plural(report.events, 'event')}: "
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}; {verdict} "
        f"({report.profile} profile)"
    )
    if skipped:
        text += f"; {_plural(skipped, 'scenario')} skipped"
    if report.problems:
        text += f"; {_plural(len(report.problems), 'run problem')}"
    if not report.complete:
        text += "; interrupted: a partial report"
    if options.color:
        text = click.style(text, fg="green" if report.ok(strict=options.strict) else "red")
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
