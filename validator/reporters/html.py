"""The HTML report: one self-contained file that shows each stream as a timeline.

The page is static HTML (the summary tables, readable without JavaScript), one
``<script type="application/json">`` block holding the run's data, and an inline
script (``html_assets/report.js``) that draws each stream: its events as a
timeline with one lane per output item and content part, findings marked at
their events and grouped under their root cause, filters by rule and severity,
the raw event on click, and the reconstructed response. Nothing is fetched: a
Content-Security-Policy allows only the page's own script and style, by hash.

Nothing from a payload reaches the page as markup: the static part is escaped,
the data block escapes ``<``, ``>``, ``&``, U+2028 and U+2029, and the script
only ever sets ``textContent``. Strings are masked with ``RenderOptions.redact``
when given, and with the patterns every report masks (``validator.redact``).
The events come from ``StreamReport.timeline`` (``check_stream(...,
timeline=Timeline())``); a stream without one is shown by its findings alone.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import orjson

from validator import __version__
from validator.model import Finding, Severity
from validator.redact import Redactor
from validator.report import Report, StreamReport
from validator.reporters.escape import json_text
from validator.rules import PROFILES, Rule, catalogue
from validator.timeline import clip_value

if TYPE_CHECKING:
    from validator.reporters import RenderOptions

# Timelines past this many characters in one report are left out (each is bounded on its own,
# but a run may hold many streams); their streams are still listed with their findings.
REPORT_TIMELINE_BUDGET = 192 * 1024 * 1024

# C0 (but tab and line breaks), DEL, C1 and the bidi controls (a payload must not reorder the page's text).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@cache
def _asset(name: str) -> str:
    return resources.files("validator.reporters").joinpath("html_assets", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def escape(text: str) -> str:
    """Text for HTML content or a quoted attribute: markup escaped, control characters replaced."""
    return html.escape(_CONTROL.sub("\ufffd", text), quote=True)


def embed_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: nothing in it can end the block.

    ``<``, ``>`` and ``&`` become ``\\u003c`` and so on (so neither ``</script>`` nor ``<!--``
    can appear), as do U+2028 and U+2029 (line terminators to older JavaScript parsers), and
    DEL, C1 and the bidi controls (``escape.json_text``: the same JSON value).
    """
    try:
        text = orjson.dumps(data, default=str).decode()
    except (TypeError, ValueError):  # lone surrogates, integers past 64 bits
        text = json.dumps(data, ensure_ascii=True, default=str)
    return json_text(
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def rule_info(rule: Rule) -> dict[str, Any]:
    """What ``explain CODE`` says about a rule, as data."""
    return {
        "name": rule.name,
        "summary": rule.summary,
        "requirement": rule.requirement,
        "severity": {p: rule.severity[p].value for p in PROFILES if p in rule.severity},
        "refs": [{"document": r.document, "section": r.section, "url": r.url} for r in rule.refs],
        "breaks": list(rule.breaks),
        "rationale": rule.rationale,
    }


class _Masker:
    """Every string that goes into the page, masked."""

    def __init__(self, redact: Callable[[str], str] | None) -> None:
        self._generic = Redactor().text
        self._redact = redact
        self.custom = redact is not None  # the timeline masked the generic patterns itself

    def text(self, value: str) -> str:
        if self._redact is not None:
            value = self._redact(value)
        return self._generic(value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        return value


def _finding(f: Finding, mask: _Masker) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.value,
        "message": mask.text(f.message),
        "line": f.line,
        "column": f.column,
        "event": f.event_index,
        "seq": f.sequence_number,
        "type": mask.text(f.event_type) if f.event_type else None,
        "pointer": mask.text(f.pointer),
    }
    if f.expected is not None:
        out["expected"] = mask.value(clip_value(f.expected))
    if f.actual is not None:
        out["actual"] = mask.value(clip_value(f.actual))
    if f.caused_by is not None:
        out["caused_by"] = [f.caused_by[0], f.caused_by[1]]
    return out


def _stream(stream: StreamReport, mask: _Masker, budget: list[int], strict: bool) -> dict[str, Any]:
    counts = stream.counts()
    out: dict[str, Any] = {
        "name": mask.text(stream.name),
        "format": stream.format,
        "profile": stream.profile,
        "events": stream.events,
        "ok": stream.ok(strict=strict),
        "counts": {s.value: counts.get(s.value, 0) for s in Severity},
        "findings": [_finding(f, mask) for f in stream.findings],
        "elided": [{"code": e.code, "severity": e.severity.value, "count": e.count} for e in stream.elided],
        "error": mask.text(stream.error) if stream.error is not None else None,
        "skipped": mask.text(stream.skipped) if stream.skipped is not None else None,
        "scenario": stream.scenario,
        "timeline": None,
        "timeline_note": None,
    }
    if stream.http is not None:
        out["http"] = {
            "status": stream.http.status,
            "method": stream.http.method,
            "url": mask.text(stream.http.url) if stream.http.url else None,
            "content_type": mask.text(stream.http.headers.get("content-type", "")) or None,
        }
    timeline = stream.timeline
    if timeline is not None:
        size = timeline.size()
        if size <= budget[0]:
            budget[0] -= size
            out["timeline"] = timeline.to_dict(mask.text if mask.custom else None)
        else:
            out["timeline_note"] = "the events of this stream were left out: the report's size bound was reached"
    elif stream.skipped is None and stream.name.endswith("#session"):
        out["timeline_note"] = "a WebSocket session: each of its responses (#response[N]) has its own timeline"
    elif stream.skipped is None:
        out["timeline_note"] = "the events of this stream were not kept"
    return out


def build(report: Report, options: RenderOptions) -> dict[str, Any]:
    """The report's data, as the page's script reads it."""
    mask = _Masker(options.redact)
    budget = [REPORT_TIMELINE_BUDGET]
    streams = [_stream(s, mask, budget, options.strict) for s in report.streams]
    rules = catalogue()
    used = sorted({f.code for f in report.findings} | {e.code for s in report.streams for e in s.elided})
    counts = report.counts()
    return {
        "tool": "responses-conformance",
        "version": __version__,
        "profile": report.profile,
        "strict": options.strict,
        "ok": report.ok(strict=options.strict),
        "summary": {
            "streams": len(report.streams),
            "events": report.events,
            "errors": counts.get("error", 0),
            "warnings": counts.get("warning", 0),
            "infos": counts.get("info", 0),
        },
        "rules": {code: rule_info(rules[code]) for code in used if code in rules},
        "streams": streams,
        "complete": report.complete,
        "interrupted": mask.text(report.interrupted) if report.interrupted is not None else None,
        "problems": [mask.text(problem) for problem in report.problems],
    }


def _verdict(stream: StreamReport, strict: bool) -> tuple[str, str]:
    if stream.skipped is not None:
        return "skipped", "skip"
    if stream.error is not None:
        return "error", "fail"
    return ("conforms", "ok") if stream.ok(strict=strict) else ("fails", "fail")


def _summary_tables(report: Report, options: RenderOptions, mask: _Masker) -> str:
    rows = []
    for i, stream in enumerate(report.streams):
        counts = stream.counts()
        verdict, css = _verdict(stream, options.strict)
        rows.append(
            f'<tr data-stream="{i}" class="{css}"><td class="num">{i + 1}</td>'
            f'<td class="name">{escape(mask.text(stream.name))}</td><td>{escape(stream.format)}</td>'
            f'<td class="num">{stream.events}</td><td class="num">{counts.get("error", 0)}</td>'
            f'<td class="num">{counts.get("warning", 0)}</td><td class="num">{counts.get("info", 0)}</td>'
            f'<td class="verdict {css}">{verdict}</td></tr>'
        )
    per_rule: Counter[str] = Counter()
    streams_per_rule: Counter[str] = Counter()
    for stream in report.streams:
        seen = Counter(f.code for f in stream.findings)
        for e in stream.elided:
            seen[e.code] += e.count
        per_rule.update(seen)
        streams_per_rule.update(seen.keys())
    rules = catalogue()
    rule_rows = []
    for code in sorted(per_rule):
        rule = rules.get(code)
        severity = rule.severity_for(report.profile) if rule is not None else None
        sev = severity.value if severity is not None else ""
        rule_rows.append(
            f'<tr data-rule="{escape(code)}"><td class="code">{escape(code)}</td>'
            f"<td>{escape(rule.name if rule else '')}</td><td class=\"sev {sev}\">{sev}</td>"
            f'<td class="num">{per_rule[code]}</td><td class="num">{streams_per_rule[code]}</td>'
            f"<td>{escape(rule.summary if rule else '')}</td></tr>"
        )
    rule_table = (
        '<table id="rules-table"><thead><tr><th>code</th><th>rule</th><th>severity</th><th>findings</th>'
        "<th>streams</th><th>summary</th></tr></thead><tbody>" + "".join(rule_rows) + "</tbody></table>"
        if rule_rows
        else '<p class="empty">No rule was broken.</p>'
    )
    return (
        '<section id="summary"><h2>Streams</h2>'
        '<table id="streams-table"><thead><tr><th>#</th><th>stream</th><th>format</th><th>events</th>'
        "<th>errors</th><th>warnings</th><th>infos</th><th>verdict</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table><h2>Rules broken</h2>"
        + rule_table
        + "</section>"
    )


def _headline(report: Report, options: RenderOptions) -> str:
    counts = report.counts()
    checked = [s for s in report.streams if s.skipped is None]
    failing = sum(1 for s in checked if not s.ok(strict=options.strict))
    verdict = "conformant" if failing == 0 else f"{failing} of {len(checked)} streams do not conform"
    text = (
        f"{len(checked)} stream{'s' if len(checked) != 1 else ''}, {report.events} events: "
        f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings; {verdict} "
        f"({report.profile} profile{', strict' if options.strict else ''})"
    )
    if report.problems:
        text += f"; {len(report.problems)} run problem{'s' if len(report.problems) != 1 else ''}"
    if not report.complete:
        text += "; interrupted: a partial report"
    return text


def _run_notes(report: Report, mask: _Masker) -> str:
    """What went wrong with the run as a whole: an interruption, problems that belong to no stream."""
    items = [f"<li>{escape(mask.text(problem))}</li>" for problem in report.problems]
    if report.interrupted is not None:
        items.append(f"<li>{escape(mask.text(report.interrupted))}: the report holds what was found so far</li>")
    return f'<section id="run-problems"><h2>Run problems</h2><ul>{"".join(items)}</ul></section>' if items else ""


def render(report: Report, options: RenderOptions) -> str:
    mask = _Masker(options.redact)
    css = _asset("report.css")
    script = _asset("report.js")
    policy = (
        f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(css)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    state = "ok" if report.ok(strict=options.strict) else "fail"
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>responses-conformance report: {escape(_headline(report, options))}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n"
        f'<header><h1>responses-conformance report</h1><p id="headline" class="{state}">'
        f"{escape(_headline(report, options))}</p>"
        f'<p class="tool">responses-conformance {escape(__version__)}</p></header>\n<main>\n'
        + _run_notes(report, mask)
        + _summary_tables(report, options, mask)
        + '\n<noscript><p class="empty">The timeline of each stream needs JavaScript; the tables above '
        "are complete.</p></noscript>\n"
        '<section id="app"></section>\n</main>\n'
        f'<script type="application/json" id="report-data">{embed_json(build(report, options))}</script>\n'
        f"<script>{script}</script>\n</body></html>\n"
    )
    # A lone surrogate (from a file name, say) cannot be written as UTF-8: it becomes "?".
    return page.encode("utf-8", "replace").decode("utf-8")
