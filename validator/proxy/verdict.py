"""The line the proxy prints when a stream ends, with nothing a payload could inject into a terminal."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

from validator.model import Finding
from validator.report import Report, StreamReport

# Control characters (C0, C1, DEL), format characters (bidirectional overrides, zero-width
# characters) and line or paragraph separators are shown escaped, never written.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def escape(text: str) -> str:
    """``text`` with every character a terminal could act on written as a Python escape."""
    if text.isprintable() and text.isascii():
        return text
    out = []
    for char in text:
        if unicodedata.category(char) in _UNSAFE_CATEGORIES:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def _escape_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return escape(value)
    if depth > 32:
        return value
    if isinstance(value, list):
        return [_escape_value(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {escape(str(key)): _escape_value(item, depth + 1) for key, item in value.items()}
    return value


def _escaped_finding(finding: Finding) -> Finding:
    return dataclasses.replace(
        finding,
        message=escape(finding.message),
        source=escape(finding.source),
        event_type=escape(finding.event_type) if finding.event_type is not None else None,
        pointer=escape(finding.pointer),
        expected=_escape_value(finding.expected),
        actual=_escape_value(finding.actual),
    )


def escaped_report(report: Report) -> Report:
    """A copy of ``report`` whose every text is escaped, for a terminal or a line-oriented log."""
    streams = [
        dataclasses.replace(
            stream,
            name=escape(stream.name),
            error=escape(stream.error) if stream.error is not None else None,
            findings=[_escaped_finding(f) for f in stream.findings],
        )
        for stream in report.streams
    ]
    return dataclasses.replace(report, streams=streams)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def verdict_line(index: int, method: str, path: str, report: StreamReport, *, strict: bool = False) -> str:
    """``#3 POST /v1/responses 200: 2 errors (CNT001, SEQ001), 41 events``: one line, escaped."""
    http = report.http
    status = http.status if http is not None and http.status is not None else "-"
    counts = report.counts()
    errors, warnings = counts.get("error", 0), counts.get("warning", 0)
    if report.ok(strict=strict) and not errors and not warnings:
        verdict = "ok"
    else:
        parts = []
        if errors:
            parts.append(_plural(errors, "error"))
        if warnings:
            parts.append(_plural(warnings, "warning"))
        codes = sorted({f.code for f in report.findings} | {e.code for e in report.elided})
        verdict = ", ".join(parts) or "not checked to the end"
        if codes:
            verdict += f" ({', '.join(codes)})"
    line = f"#{index} {method} {path} {status}: {verdict}, {_plural(report.events, 'event')}"
    if report.error:
        line += f"; {report.error}"
    return escape(line)
