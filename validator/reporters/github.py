"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from validator.model import Finding, Severity
from validator.report import Report
from validator.reporters.escape import visible
from validator.reporters.locations import file_path

if TYPE_CHECKING:
    from validator.reporters import RenderOptions

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message: GitHub's toolkit rules (``%``, CR, LF), then every other control
    character, bidi mark and lone surrogate spelled out (``escape.visible``), so that nothing a
    stream says can end the command, start another or reach the log as an escape sequence."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Escape a command property value: also ``:`` and ``,``, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props = []
    path = file_path(finding.source)
    if path is not None:
        props.append(f"file={escape_property(path)}")
        if finding.line > 0:
            props.append(f"line={finding.line}")
            props.append(f"col={max(1, finding.column)}")
    props.append(f"title={escape_property(finding.code)}")
    message = finding.message
    if path is None:
        message = f"{finding.source}: {message}"
    if finding.event_index is not None:
        kind = f" {finding.event_type}" if finding.event_type else ""
        message += f" (event #{finding.event_index}{kind})"
    return f"::{_COMMAND[finding.severity]} {','.join(props)}::{escape_data(message)}"


def render(report: Report, options: RenderOptions) -> str:
    lines: list[str] = []
    for stream in report.streams:
        if stream.skipped is not None:
            if options.quiet:
                continue
            lines.append(f"::notice title=skipped::{escape_data(f'{stream.name}: skipped: {stream.skipped}')}")
            continue
        if stream.error:
            lines.append(f"::error title=stream::{escape_data(f'{stream.name}: {stream.error}')}")
        for finding in stream.findings:
            if finding.severity is Severity.INFO and not options.verbose:
                continue
            lines.append(annotation(finding))
    lines.extend(f"::error title=responses-conformance::{escape_data(problem)}" for problem in report.problems)
    if report.interrupted is not None:
        lines.append(f"::error title=interrupted::{escape_data(f'partial results: {report.interrupted}')}")
    return "\n".join(lines) + ("\n" if lines else "")
