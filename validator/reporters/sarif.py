"""SARIF 2.1.0: the catalogue's rules with help text, and one result per finding."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson

from validator import __version__
from validator.model import Finding, Severity
from validator.report import Report
from validator.reporters.escape import json_safe, json_text
from validator.reporters.locations import file_path
from validator.rules import Rule, catalogue

if TYPE_CHECKING:
    from validator.reporters import RenderOptions

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _help(rule: Rule) -> tuple[str, str]:
    refs = "; ".join(str(ref) for ref in rule.refs)
    lines = [rule.summary, "", f"Requirement: {rule.requirement}"]
    md = [f"**{rule.code} {rule.name}**: {rule.summary}", "", f"> {rule.requirement}"]
    if refs:
        lines.append(f"Spec: {refs}")
        md.extend(["", f"Spec: {refs}"])
    if rule.breaks:
        lines.append(f"Breaks: {', '.join(rule.breaks)}")
        md.extend(["", "Breaks: " + ", ".join(rule.breaks)])
    if rule.rationale:
        lines.append(rule.rationale)
        md.extend(["", rule.rationale])
    return "\n".join(lines), "\n".join(md)


def _descriptor(rule: Rule, profile: str) -> dict[str, Any]:
    text, markdown = _help(rule)
    severity = rule.severity_for(profile) or Severity.ERROR
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.requirement},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVEL[severity]},
        "properties": {"tags": [rule.group, *rule.tags], "profiles": sorted(rule.severity)},
    }


def _location(finding: Finding) -> dict[str, Any]:
    path = file_path(finding.source)
    location: dict[str, Any] = {}
    if path is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
        if not path.startswith("/"):
            physical["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
        # Code scanning places a result only with a start line; a finding about the whole
        # stream (line 0, such as a missing terminal event) points at the file's first line.
        physical["region"] = {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)}
        location["physicalLocation"] = physical
    logical: dict[str, Any] = {"name": finding.source, "kind": "resource"}
    if finding.event_index is not None:
        logical = {
            "name": f"event #{finding.event_index}",
            "fullyQualifiedName": f"{finding.source}#event{finding.event_index}",
            "kind": "element",
        }
    location["logicalLocations"] = [logical]
    return location


def _uri(path: str) -> str:
    """A file path as a URI reference: an undecodable name's own bytes, percent-encoded."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/:")


def _result(finding: Finding, index: int) -> dict[str, Any]:
    message = finding.message
    if file_path(finding.source) is None:
        message = f"{finding.source}: {message}"
    properties: dict[str, Any] = {}
    for key in ("event_index", "sequence_number", "event_type", "pointer"):
        value = getattr(finding, key)
        if value not in (None, ""):
            properties[key] = value
    if finding.expected is not None:
        properties["expected"] = finding.expected
    if finding.actual is not None:
        properties["actual"] = finding.actual
    digest = hashlib.sha256(
        f"{finding.code}|{finding.source}|{finding.event_index}|{finding.pointer}|{finding.message}".encode(
            "utf-8", "surrogatepass"
        )
    ).hexdigest()
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [_location(finding)],
        "partialFingerprints": {"responsesConformance/v1": digest[:32]},
        "properties": properties,
    }
    if index >= 0:
        result["ruleIndex"] = index
    return result


def build(report: Report) -> dict[str, Any]:
    rules = [rule for rule in catalogue().values() if report.profile in rule.severity]
    used = {f.code for f in report.findings}
    known = {rule.code for rule in rules}
    rules.extend(catalogue()[code] for code in sorted(used - known) if code in catalogue())
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = [_result(f, index.get(f.code, -1)) for f in report.findings]
    notifications = [
        {"level": "note", "message": {"text": f"{s.name}: skipped: {s.skipped}"}}
        for s in report.streams
        if s.skipped is not None
    ]
    notifications += [
        {"level": "error", "message": {"text": f"{s.name}: {s.error}"}} for s in report.streams if s.error
    ]
    notifications += [{"level": "error", "message": {"text": problem}} for problem in report.problems]
    if report.interrupted is not None:
        notifications.append({"level": "error", "message": {"text": f"partial results: {report.interrupted}"}})
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "responses-conformance",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_descriptor(rule, report.profile) for rule in rules],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": report.complete,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "properties": {"profile": report.profile},
                "results": results,
            }
        ],
    }


def render(report: Report, options: RenderOptions) -> str:
    # A file name that is not UTF-8 holds lone surrogates, which JSON text cannot carry as they are.
    return json_text(orjson.dumps(json_safe(build(report)), option=orjson.OPT_INDENT_2).decode()) + "\n"
