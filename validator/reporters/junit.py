"""JUnit XML: a testsuite per stream (or live scenario).

Each suite has one ``stream`` testcase (it passes when the stream was read to
its end and errs when it was not) and one testcase per rule that has findings
in it (failing for errors, or warnings under ``--strict``; passing with the
findings as ``system-out`` otherwise), so 500 conformant files give 500 small
suites, not one testcase per rule each. A skipped live scenario is one skipped
testcase. Problems of the run as a whole (a stale baseline entry, an
interruption) form a last suite, ``responses-conformance``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TYPE_CHECKING

from validator import __version__
from validator.model import Finding
from validator.report import Report, StreamReport
from validator.reporters.escape import one_line, visible
from validator.rules import catalogue

if TYPE_CHECKING:
    from validator.reporters import RenderOptions


def _finding_line(finding: Finding) -> str:
    where = f"{visible(finding.source)}:{finding.line}:{finding.column}"
    context = []
    if finding.event_index is not None:
        context.append(f"event #{finding.event_index}")
    if finding.event_type:
        context.append(visible(finding.event_type))
    if finding.sequence_number is not None:
        context.append(f"seq {finding.sequence_number}")
    if finding.pointer:
        context.append(f"at {visible(finding.pointer)}")
    suffix = f" ({', '.join(context)})" if context else ""
    # XML 1.0 cannot hold most control characters, and CI logs print these lines: spelled out.
    return one_line(f"{where}: {finding.code} [{finding.severity.value}] {visible(finding.message)}{suffix}")


def _suite(stream: StreamReport, strict: bool) -> ET.Element:
    suite = ET.Element("testsuite", name=visible(stream.name))
    classname = f"responses_conformance.{stream.profile}"
    tests = failures = errors = skipped = 0
    if stream.skipped is not None:
        case = ET.SubElement(
            suite, "testcase", name=visible(stream.scenario or stream.name), classname=classname, time="0"
        )
        ET.SubElement(case, "skipped", message=visible(stream.skipped))
        tests = skipped = 1
    else:
        by_code: dict[str, list[Finding]] = defaultdict(list)
        for finding in stream.findings:
            by_code[finding.code].append(finding)
        case = ET.SubElement(suite, "testcase", name="stream", classname=classname, time="0")
        tests += 1
        if stream.error:
            error = one_line(stream.error)
            ET.SubElement(case, "error", message=error, type="stream-error").text = error
            errors += 1
        else:
            ET.SubElement(case, "system-out").text = f"{stream.events} events checked ({stream.profile} profile)"
        for code in sorted(by_code):
            found = by_code[code]
            rule = catalogue().get(code)
            case = ET.SubElement(
                suite, "testcase", name=f"{code} {rule.name}" if rule else code, classname=classname, time="0"
            )
            tests += 1
            failing = [f for f in found if f.severity.fails(strict)]
            if failing:
                failures += 1
                first = failing[0]
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{len(failing)} finding(s): {visible(first.message)}",
                    type=first.severity.value,
                )
                failure.text = "\n".join(_finding_line(f) for f in failing)
            other = [f for f in found if not f.severity.fails(strict)]
            if other:
                ET.SubElement(case, "system-out").text = "\n".join(_finding_line(f) for f in other)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    suite.set("time", "0")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="profile", value=stream.profile)
    ET.SubElement(props, "property", name="events", value=str(stream.events))
    if stream.http is not None and stream.http.status is not None:
        ET.SubElement(props, "property", name="http.status", value=str(stream.http.status))
    suite.insert(0, suite[-1])
    del suite[-1]
    return suite


def _run_suite(report: Report) -> ET.Element | None:
    """The run's own problems: stale baseline entries (failures) and an interruption (an error)."""
    if not report.problems and report.complete:
        return None
    suite = ET.Element("testsuite", name="responses-conformance")
    classname = f"responses_conformance.{report.profile}"
    failures = errors = 0
    for problem in map(one_line, report.problems):
        case = ET.SubElement(suite, "testcase", name=problem.split(": ", 1)[0], classname=classname, time="0")
        ET.SubElement(case, "failure", message=problem, type="problem").text = problem
        failures += 1
    if report.interrupted is not None:
        case = ET.SubElement(suite, "testcase", name="complete", classname=classname, time="0")
        interrupted = one_line(report.interrupted)
        ET.SubElement(case, "error", message=interrupted, type="interrupted").text = interrupted
        errors += 1
    suite.set("tests", str(failures + errors))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", "0")
    return suite


def render(report: Report, options: RenderOptions) -> str:
    root = ET.Element("testsuites", name=f"responses-conformance {__version__}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suites = [_suite(stream, options.strict) for stream in report.streams]
    run = _run_suite(report)
    if run is not None:
        suites.append(run)
    for suite in suites:
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
