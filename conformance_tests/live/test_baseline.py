"""The known-failing baseline: parsing, matching, and strictness."""

from __future__ import annotations

from pathlib import Path

import pytest

from validator.baseline import Baseline, apply_baseline, baseline_text
from validator.errors import InputError
from validator.model import Finding, Severity
from validator.report import Report, StreamReport


def report_with(*streams: tuple[str, list[str]]) -> Report:
    report = Report("openai")
    for name, codes in streams:
        stream = StreamReport(name, "openai", "sse", events=5)
        stream.findings = [Finding(code, Severity.ERROR, f"broke {code}", name, 3) for code in codes]
        report.streams.append(stream)
    return report


def test_parse_with_comments_and_globs() -> None:
    baseline = Baseline.parse("# header\n\ncaptures/*.sse  seq001  # lowercase is fine\nplain-text SSE008\n", "b.txt")
    assert [(e.pattern, e.code, e.line) for e in baseline.entries] == [
        ("captures/*.sse", "SEQ001", 3),
        ("plain-text", "SSE008", 4),
    ]


@pytest.mark.parametrize(
    "text", ["just-one-field\n", "a b c\n", "x.sse NOTACODE\n", "x.sse SEQ999\n", "x.sse ABC001\n"]
)
def test_malformed_lines_are_input_errors(text: str) -> None:
    with pytest.raises(InputError, match=r"^b\.txt:1: "):
        Baseline.parse(text, "b.txt")


def test_unknown_code_names_the_line() -> None:
    with pytest.raises(InputError, match=r"^b\.txt:2: no rule SEQ999 "):
        Baseline.parse("x.sse SEQ001\nx.sse SEQ999\n", "b.txt")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the baseline"):
        Baseline.load(tmp_path / "absent.txt")


def test_known_failures_no_longer_fail() -> None:
    report = report_with(("captures/a.sse", ["SEQ001", "ITM002"]), ("captures/b.sse", ["SEQ001"]))
    outcome = apply_baseline(report, Baseline.parse("captures/*.sse SEQ001\n", "b.txt"))
    assert outcome.ok and outcome.known == 2
    assert not report.ok()  # ITM002 is not listed
    a = report.streams[0]
    known = [f for f in a.findings if f.code == "SEQ001"]
    assert known[0].severity is Severity.INFO
    assert "known failure (error), baseline b.txt:1" in known[0].message
    assert report.streams[1].ok()


def test_stale_entry_fails_the_run() -> None:
    report = report_with(("captures/a.sse", []))
    outcome = apply_baseline(report, Baseline.parse("a.sse SEQ001\n", "b.txt"))
    assert not outcome.ok
    assert [e.code for e in outcome.stale] == ["SEQ001"]
    assert "b.txt:1: known failure 'a.sse SEQ001' no longer occurs" in outcome.messages()[0]
    assert not report.ok()
    # A run problem, not a phantom stream: the streams stay the ones that were checked.
    assert [s.name for s in report.streams] == ["captures/a.sse"]
    assert report.problems == outcome.stale_messages()
    data = report.to_dict()
    assert data["summary"]["streams"] == 1 and data["ok"] is False
    assert "no longer occurs" in data["problems"][0]


def test_entry_for_an_unchecked_stream_is_left_alone() -> None:
    report = report_with(("captures/a.sse", []))
    report.streams.append(StreamReport("reasoning", "openai", "live", scenario="reasoning", skipped="not declared"))
    outcome = apply_baseline(report, Baseline.parse("reasoning HTT014\nother.sse SEQ001\n"))
    assert outcome.ok and report.ok()
    assert [e.pattern for e in outcome.unmatched] == ["reasoning", "other.sse"]


def test_written_baseline_round_trips() -> None:
    report = report_with(("dir/with space[1].sse", ["SEQ001", "SEQ001", "CNT001"]))
    text = baseline_text(report)
    baseline = Baseline.parse(text)
    assert sorted(e.code for e in baseline.entries) == ["CNT001", "SEQ001"]
    outcome = apply_baseline(report, baseline)
    assert outcome.ok and report.ok(strict=True)


def test_an_interrupted_run_judges_no_entry_stale() -> None:
    report = report_with(("captures/a.sse", []))
    report.interrupted = "interrupted after 1 of 9 files"
    outcome = apply_baseline(report, Baseline.parse("*.sse SEQ001\n", "b.txt"))
    assert outcome.ok and not report.problems
    assert [e.code for e in outcome.unjudged] == ["SEQ001"]
    assert "not judged" in outcome.messages()[0]
