"""The HTML report as a document: self-contained, escaped, redacted, complete (no browser here)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance_tests.html_pages import HOSTILE, SECRETS, fixture_report, hostile_report, render
from validator.model import Finding, Severity
from validator.report import Report, StreamReport
from validator.reporters import REPORTERS, RenderOptions
from validator.reporters.html import _asset, embed_json
from validator.rules import catalogue

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "validator" / "reporters" / "html_assets"


class Page(HTMLParser):
    """Every element, each script's text, and the text outside scripts and styles."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: tuple[str, dict[str, str | None]] | None = None
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if self._in is not None and tag == self._in[0]:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is None:
            self.text.append(data)
        elif self._in[0] == "script":
            self.scripts.append((self._in[1], data))
        else:
            self.styles.append(data)

    def data(self) -> dict[str, Any]:
        [(_, block)] = [(a, t) for a, t in self.scripts if a.get("type") == "application/json"]
        value: dict[str, Any] = json.loads(block)
        return value


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_report_is_one_self_contained_file() -> None:
    document = render(fixture_report("fixtures/invalid/CNT", "fixtures/valid/openai/multi_part.sse"))
    page = Page(document)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"link", "img", "iframe", "object", "embed", "base", "form", "video", "audio", "source"}
    assert not any(attrs.get("src") for _, attrs in page.tags)
    [policy] = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert policy is not None
    assert "default-src 'none'" in policy and "base-uri 'none'" in policy
    # Only the page's own script and style run: the policy names them by hash.
    [(_, script)] = [(a, t) for a, t in page.scripts if "type" not in a]
    [style] = page.styles
    assert f"script-src {csp_hash(script)};" in policy
    assert f"style-src {csp_hash(style)};" in policy
    assert script == _asset("report.js") and style == _asset("report.css")


def test_the_assets_fetch_nothing_and_write_no_markup() -> None:
    script = (ASSETS / "report.js").read_text()
    style = (ASSETS / "report.css").read_text()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
                   "fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", "setAttribute(\"on"):
        assert banned not in script, banned
    for text in (script, style):
        assert "</" not in text  # neither can end its own element early
        assert "http://" not in text and "https://" not in text.replace("/^https:\\/\\//", "")
    assert "url(" not in style and "@import" not in style


def test_summary_tables_and_data_are_complete() -> None:
    report = fixture_report("fixtures/invalid/CNT", "fixtures/valid/openai/text.sse")
    page = Page(render(report))
    data = page.data()
    assert [s["name"] for s in data["streams"]] == [s.name for s in report.streams]
    assert [len(s["findings"]) for s in data["streams"]] == [len(s.findings) for s in report.streams]
    codes = {f.code for f in report.findings}
    assert set(data["rules"]) == codes
    for code in codes:
        rule = catalogue()[code]
        info = data["rules"][code]
        assert (info["summary"], info["requirement"], info["rationale"]) == (rule.summary, rule.requirement,
                                                                              rule.rationale)
    rows = [a for t, a in page.tags if t == "tr" and "data-stream" in a]
    assert len(rows) == len(report.streams)
    assert {a["data-rule"] for t, a in page.tags if t == "tr" and "data-rule" in a} == codes
    for stream, shown in zip(report.streams, data["streams"], strict=True):
        assert shown["timeline"]["events"] == stream.events
        assert sum(e[1] for e in shown["timeline"]["entries"]) == stream.events


def test_follow_on_findings_keep_their_root() -> None:
    report = fixture_report("fixtures/invalid/CNT/done-text-mismatch.sse")
    data = Page(render(report)).data()
    findings = data["streams"][0]["findings"]
    caused = [f for f in report.findings if f.caused_by is not None]
    assert [f["caused_by"] for f in findings if "caused_by" in f] == [list(f.caused_by) for f in caused if f.caused_by]


def test_hostile_strings_are_inert_in_the_document() -> None:
    report = hostile_report()
    document = render(report)
    page = Page(document)
    # Nothing a payload holds became an element or an attribute.
    assert [t for t, _ in page.tags if t == "script"] == ["script", "script"]
    assert not any(t in ("img", "svg", "b") for t, _ in page.tags)
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    # The data block holds no character that could end it, and gives every string back intact.
    [(_, block)] = [(a, t) for a, t in page.scripts if a.get("type") == "application/json"]
    assert not set(block) & {"<", ">", "&", "\u2028", "\u2029"}
    data = page.data()
    blob = json.dumps(data, ensure_ascii=False)
    for hostile in HOSTILE:
        assert json.dumps(hostile, ensure_ascii=False)[1:-1] in blob, hostile
    assert data["streams"][0]["name"] == report.streams[0].name
    # The summary table shows the stream's name as text.
    assert report.streams[0].name in "".join(page.text)


def test_no_secret_reaches_the_page() -> None:
    document = render(hostile_report())
    for secret in SECRETS:
        assert secret not in document
    data = Page(document).data()
    entries = [e + [None] * (13 - len(e)) for e in data["streams"][0]["timeline"]["entries"]]
    assert any("[REDACTED]" in (e[7] or "") for e in entries)
    assert all(json.loads(e[6]) is not None for e in entries if e[6] not in (None, "[DONE]"))


def test_a_caller_redactor_is_applied() -> None:
    report = fixture_report("fixtures/valid/openai/text.sse")
    word = "Hello"  # in the stream's texts: deltas, .done events, the reconstruction
    assert word in render(report)
    masked = render(report, redact=lambda text: text.replace(word, "[MASKED]"))
    assert word not in masked and "[MASKED]" in masked


def test_embedded_json_escapes_what_ends_a_script() -> None:
    value = {"a": "</script><!-- & \u2028\u2029 >", "b": ["</SCRIPT >", "<\u2028>"], "n": 2**70, "s": "\ud800"}
    text = embed_json(value)
    assert not re.search(r"[<>&\u2028\u2029]", text)
    back = json.loads(text)
    assert back["a"] == value["a"] and back["b"] == value["b"] and back["n"] == 2**70


def test_streams_without_a_timeline_or_findings() -> None:
    finding = Finding("SSE001", Severity.ERROR, "boom <b>", source="s", event_index=None)
    report = Report("openai", [
        StreamReport("no-timeline", "openai", findings=[finding], events=1),
        StreamReport("skipped", "openai", skipped="not declared"),
        StreamReport("broken", "openai", error="cannot read <x>"),
    ])
    document = render(report)
    data = Page(document).data()
    assert [s["timeline"] for s in data["streams"]] == [None, None, None]
    assert data["streams"][0]["timeline_note"] and data["streams"][1]["skipped"] == "not declared"
    assert data["streams"][2]["error"] == "cannot read <x>"
    assert re.findall(r'<td class="verdict \w+">(\w+)</td>', document) == ["fails", "skipped", "error"]


def test_the_registry_and_other_reports_are_unchanged() -> None:
    assert "html" in REPORTERS
    report = fixture_report("fixtures/invalid/CNT/delta-before-part-added.sse")
    assert "timeline" not in json.dumps(report.to_dict())
    assert "<html" not in REPORTERS["json"](report, RenderOptions())


@pytest.mark.parametrize("strict", [False, True])
def test_the_headline_follows_strict(strict: bool) -> None:
    report = fixture_report("fixtures/invalid/CNT/part-not-done.sse")  # warnings only
    page = Page(render(report, strict=strict))
    headline = next(a for t, a in page.tags if t == "p" and a.get("id") == "headline")
    assert headline["class"] == ("fail" if strict else "ok")


def test_validate_writes_the_html_report(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from validator.cli import main

    capture = str(ROOT / "fixtures" / "invalid" / "CNT" / "delta-before-part-added.sse")
    out = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(main, ["validate", "-o", "json", "--report", f"html={out}", capture])
    assert result.exit_code == 1, result.output
    assert "timeline" not in result.stdout  # the other formats are unchanged
    data = Page(out.read_text(encoding="utf-8")).data()
    [stream] = data["streams"]
    assert stream["timeline"]["events"] == json.loads(result.stdout)["summary"]["events"]
    assert [f["code"] for f in stream["findings"]] == ["CNT001"]
    console = CliRunner().invoke(main, ["validate", "-o", "html", capture])
    assert console.exit_code == 1 and console.stdout.startswith("<!DOCTYPE html>")
    assert Page(console.stdout).data()["streams"][0]["timeline"] is not None


def test_validate_html_with_jobs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from validator.cli import main

    out = tmp_path / "report.html"
    valid = str(ROOT / "fixtures" / "valid" / "openai")
    result = CliRunner().invoke(main, ["validate", "-j", "2", "--report", f"html={out}", valid])
    assert result.exit_code == 0, result.output
    data = Page(out.read_text(encoding="utf-8")).data()
    assert data["streams"] and all(
        s["timeline"]["events"] == s["events"] for s in data["streams"] if not s["name"].endswith("#session")
    )
    # A WebSocket session's own report is drawn through its responses.
    sessions = [s for s in data["streams"] if s["name"].endswith("#session")]
    assert sessions and all(s["timeline"] is None and "WebSocket session" in s["timeline_note"] for s in sessions)


def test_the_benchmark_reports_size_memory_and_load_time() -> None:
    import subprocess
    import sys

    script = ROOT / "benchmarks" / "html_report.py"
    result = subprocess.run([sys.executable, str(script), "--events", "3000", "--no-browser"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("long-message", "interleaved", "gapped"):
        line = next(x for x in result.stdout.splitlines() if x.startswith(name))
        assert re.search(r"\d+\.\d B .* \d+\.\d\d MB$", line), line


def test_run_problems_and_interruptions_are_shown() -> None:
    report = fixture_report("fixtures/valid/openai/text.sse")
    report.problems.append("capture.sse SSE001 <known> no longer occurs")
    report.interrupted = "interrupted after 1 of 3 files"
    document = render(report)
    page = Page(document)
    assert "capture.sse SSE001 <known> no longer occurs" in "".join(page.text)
    assert "interrupted: a partial report" in "".join(page.text)
    data = page.data()
    assert data["complete"] is False and data["problems"] == report.problems and not data["ok"]


def test_the_wheel_ships_the_assets(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    result = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in ("report.js", "report.css"):
            shipped = archive.read(f"validator/reporters/html_assets/{name}").decode()
            assert shipped == (ASSETS / name).read_text()


@pytest.mark.parametrize(("ci", "outcome"), [("", "skipped"), ("true", "error")])
def test_the_browser_tests_skip_locally_and_fail_under_ci(ci: str, outcome: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "CI": ci, "RESPONSES_CONFORMANCE_CHROMIUM": str(tmp_path / "no-chromium")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "conformance_tests/test_html_browser.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert re.search(rf"\b1 {outcome}\b", result.stdout), result.stdout[-2000:]
    # A module skipped whole collects no test (pytest's exit 5); an error at collection fails the run (2).
    assert result.returncode == (5 if outcome == "skipped" else 2), result.stdout[-2000:]
    if outcome == "error":
        assert "CI is set, so the browser tests cannot be skipped: chromium is not installed" in result.stdout


def test_ci_installs_chromium_and_fails_without_it() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    block = script[script.index("# --- chromium"):script.index("# --- end chromium")]
    assert "apt-get install -y -qq --no-install-recommends chromium" in block
    # No fallback that would let the run go on (and the browser tests skip) without chromium.
    assert "||" not in block and "if !" not in block.replace("if ! command -v chromium", "")
    assert script.index("# --- chromium") < script.index("pytest")
    assert "set -euo pipefail" in script
