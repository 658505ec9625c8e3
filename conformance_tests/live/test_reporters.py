"""JUnit, SARIF and GitHub reporters, and the JSON report's own schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from validator import check
from validator.model import Finding, HttpInfo, Severity
from validator.report import Report, StreamReport
from validator.reporters import REPORTERS, RenderOptions, github, sarif

ROOT = Path(__file__).resolve().parents[2]
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report" / "report-v1.schema.json").read_text())

GOOD = (
    b"event: response.created\n"
    b'data: {"type":"response.created","sequence_number":0,'
    b'"response":{"id":"r","object":"response","status":"in_progress","output":[]}}\n\n'
)


def sample_report() -> Report:
    report = Report("openai")
    bad = StreamReport("captures/bad stream.sse", "openai", "sse", events=3)
    bad.findings = [
        Finding(
            "SSE001", Severity.ERROR, "data is not JSON:\nline two, 100% broken", "captures/bad stream.sse", 7, 1, 2
        ),
        Finding("SSE004", Severity.WARNING, "event line mismatch", "captures/bad stream.sse", 9, 1, 3, 3, "x.y"),
        Finding("SSE001", Severity.ERROR, "again", "captures/bad stream.sse", 12, 1, 4),
    ]
    live = StreamReport(
        "plain-text", "openai", "live", events=0, scenario="plain-text", http=HttpInfo(status=500, method="POST")
    )
    live.findings = [Finding("HTT001", Severity.ERROR, "HTTP 500 for a streaming request", "live:plain-text")]
    skipped = StreamReport("reasoning", "openai", "live", scenario="reasoning", skipped="not declared")
    broken = StreamReport("half.sse", "openai", "sse", events=1, error="cannot decompress")
    report.streams = [bad, live, skipped, broken]
    return report


def test_json_reports_match_their_schema() -> None:
    validator = Draft202012Validator(REPORT_SCHEMA)
    validator.validate(sample_report().to_dict())
    validator.validate(check(GOOD).to_dict())
    assert list(validator.iter_errors({"version": 2}))  # the schema is not vacuous


def test_junit_structure() -> None:
    text = REPORTERS["junit"](sample_report(), RenderOptions())
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["captures/bad stream.sse", "plain-text", "reasoning", "half.sse"]
    bad = suites[0]
    cases = bad.findall("testcase")
    # One testcase for the stream, one per rule that has findings in it (not one per rule).
    assert [c.get("name") for c in cases] == ["stream", "SSE001 data-not-json", "SSE004 event-field-mismatch"]
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    failing = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name").split()[0] for c in failing] == ["SSE001"]
    failure = failing[0].find("failure")
    assert failure is not None and failure.get("message", "").startswith("2 finding(s)")
    assert "captures/bad stream.sse:7:1: SSE001" in (failure.text or "")
    warned = cases[2]
    assert warned.find("failure") is None and "SSE004" in (warned.findtext("system-out") or "")
    assert bad.get("failures") == "1" and bad.get("tests") == "3"
    skipped = suites[2]
    assert skipped.get("skipped") == "1"
    assert skipped.find("testcase/skipped").get("message") == "not declared"  # type: ignore[union-attr]
    assert suites[3].get("errors") == "1"
    assert suites[3].find("testcase/error") is not None
    assert root.get("failures") == "2"
    props = {p.get("name"): p.get("value") for p in suites[1].iter("property")}
    assert props["http.status"] == "500"


def test_junit_size_grows_with_findings_not_with_the_catalogue() -> None:
    report = Report("openai")
    report.streams = [StreamReport(f"captures/s{i}.sse", "openai", "sse", events=20) for i in range(500)]
    root = ET.fromstring(REPORTERS["junit"](report, RenderOptions()))
    assert root.get("tests") == "500" and root.get("failures") == "0"
    assert len(REPORTERS["junit"](report, RenderOptions())) < 250_000


def test_run_problems_and_interruption_in_every_format() -> None:
    report = sample_report()
    report.problems = ["known.txt:3: known failure 'plain-text SSE008' no longer occurs"]
    report.interrupted = "interrupted after 3 of 10 files"
    data = report.to_dict()
    Draft202012Validator(REPORT_SCHEMA).validate(data)
    assert data["complete"] is False and data["ok"] is False and data["problems"] == report.problems
    assert data["interrupted"] == "interrupted after 3 of 10 files"
    assert "baseline" not in [s["name"] for s in data["streams"]]
    root = ET.fromstring(REPORTERS["junit"](report, RenderOptions()))
    run = root.findall("testsuite")[-1]
    assert run.get("name") == "responses-conformance" and run.get("failures") == "1" and run.get("errors") == "1"
    log = json.loads(REPORTERS["sarif"](report, RenderOptions()))
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert report.problems[0] in texts and any("partial results" in t for t in texts)
    github = REPORTERS["github"](report, RenderOptions())
    assert "::error title=interrupted::partial results" in github and "no longer occurs" in github
    text = REPORTERS["text"](report, RenderOptions())
    assert text.rstrip().endswith("1 run problem; interrupted: a partial report")
    markdown = REPORTERS["markdown"](report, RenderOptions())
    assert "**Interrupted:**" in markdown and "**Problem:**" in markdown


def test_markdown_escapes_what_a_stream_controls() -> None:
    report = Report("openai")
    stream = StreamReport("a|b.sse", "openai", "sse", events=1)
    stream.findings = [
        Finding("SSE001", Severity.ERROR, "bad [link](http://x) <script>x</script>\n| injected | row |", "a|b.sse", 1)
    ]
    report.streams = [stream]
    markdown = REPORTERS["markdown"](report, RenderOptions())
    table_rows = [line for line in markdown.splitlines() if line.startswith("|")]
    for row in table_rows:
        assert row.count("|") - row.count("\\|") in (5, 6, 7)  # only the table's own cell borders
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "](http" not in markdown
    assert "| a\\|b.sse | **FAIL** | 1 | 1 | 0 | SSE001 |" in markdown


def test_junit_strict_fails_warnings() -> None:
    root = ET.fromstring(REPORTERS["junit"](sample_report(), RenderOptions(strict=True)))
    bad = root.find("testsuite")
    assert bad is not None and bad.get("failures") == "2"


def test_sarif_essential_structure() -> None:
    log = json.loads(REPORTERS["sarif"](sample_report(), RenderOptions()))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "responses-conformance"
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
    results = run["results"]
    assert len(results) == 4
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        assert result["locations"]
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"] == {"uri": "captures/bad%20stream.sse", "uriBaseId": "%SRCROOT%"}
    assert first["region"] == {"startLine": 7, "startColumn": 1}
    assert results[1]["level"] == "warning"
    live = results[3]
    assert "physicalLocation" not in live["locations"][0]  # a live stream is not a file
    assert live["message"]["text"].startswith("live:plain-text: ")
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("skipped" in n["message"]["text"] for n in notes)


def test_sarif_rules_carry_the_catalogue_help() -> None:
    log = sarif.build(sample_report())
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "HTT002")
    assert "text/event-stream" in rule["fullDescription"]["text"]
    assert rule["name"] == "content-type-not-event-stream"


def test_github_annotations_and_escaping() -> None:
    lines = REPORTERS["github"](sample_report(), RenderOptions()).splitlines()
    assert lines[0] == (
        "::error file=captures/bad stream.sse,line=7,col=1,title=SSE001::"
        "data is not JSON:%0Aline two, 100%25 broken (event #2)"
    )
    assert lines[1].startswith("::warning file=captures/bad stream.sse,line=9,col=1,title=SSE004::")
    assert "::error title=HTT001::live:plain-text: HTTP 500" in lines[3]
    assert lines[4] == "::notice title=skipped::reasoning: skipped: not declared"
    assert lines[5] == "::error title=stream::half.sse: cannot decompress"


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("a%b", "a%25b", "a%25b"),
        ("x\r\ny", "x%0D%0Ay", "x%0D%0Ay"),
        ("k:v,w", "k:v,w", "k%3Av%2Cw"),
    ],
)
def test_github_escape_rules(raw: str, data: str, prop: str) -> None:
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_every_format_is_registered() -> None:
    assert {"text", "json", "junit", "sarif", "github", "markdown"} <= set(REPORTERS)
