"""The line the proxy prints when a stream ends, with nothing a payload could inject into a terminal."""

from __future__ import annotations

import unicodedata

from validator.report import StreamReport

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
