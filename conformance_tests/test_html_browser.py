"""The HTML report in a real browser: Debian's chromium, headless, driven by Playwright.

Each test loads a generated report from a file and checks the DOM: findings and
timeline drawn, filters working, hostile strings shown as text and never run,
no request but the file itself, no script error. Screenshots are kept under
``.cache/artifacts/html-report/`` in the checkout (and in the test's tmp dir).

Playwright drives the system's chromium (``executable_path``); it never downloads
a browser of its own. Where chromium or Playwright is missing the tests skip and
say why, except under CI (``CI`` set), where they fail: ``.ci/run`` installs
chromium (and fails when it cannot) and Playwright comes with the test extra.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance_tests.html_pages import HOSTILE, HOSTILE_SSE_EVENT, SECRETS, fixture_report, hostile_report, render
from validator.reporters import write_atomically
from validator.rules import catalogue

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / ".cache" / "artifacts" / "html-report"
# RESPONSES_CONFORMANCE_CHROMIUM names another chromium build (any recent one drives the same way).
CHROMIUM = os.environ.get("RESPONSES_CONFORMANCE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# --no-sandbox: CI runs as root; --disable-dev-shm-usage: a container's small /dev/shm would crash a large page.
FLAGS = [
    "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    """Skip locally; fail under CI, where the browser tests must run."""
    if IN_CI:
        pytest.fail(f"CI is set, so the browser tests cannot be skipped: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if not Path(CHROMIUM).exists():
    _unavailable("chromium is not installed (.ci/run installs Debian's chromium package)")
if importlib.util.find_spec("playwright") is None:
    _unavailable("playwright is not installed (pip install -e '.[test]')")
from playwright import sync_api  # noqa: E402


class Loaded:
    """A page with what it did while loading: requests, console errors, dialogs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())

    def text(self, selector: str) -> str:
        return str(self.page.locator(selector).first.text_content())

    def shot(self, name: str, tmp: Path) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(tmp / name), full_page=True)
        shutil.copyfile(tmp / name, ARTIFACTS / name)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    with sync_api.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def load(browser: Any, document: str, path: Path) -> Loaded:
    write_atomically(path, document)
    loaded = Loaded(browser.new_page())
    loaded.page.goto(path.as_uri())
    loaded.page.wait_for_selector("html[data-ready]", timeout=60_000)
    return loaded


def test_findings_timeline_filters_and_raw_events(browser: Any, tmp_path: Path) -> None:
    report = fixture_report("fixtures/invalid/CNT", "fixtures/invalid/SEQ", "fixtures/valid/openai/multi_part.sse")
    loaded = load(browser, render(report), tmp_path / "report.html")
    page = loaded.page
    try:
        assert loaded.requests == [(tmp_path / "report.html").as_uri()]  # nothing fetched
        assert loaded.errors == [] and loaded.dialogs == []
        # The first failing stream is shown: each of its findings listed, each marked on the timeline.
        first = next(i for i, s in enumerate(report.streams) if not s.ok())
        stream = report.streams[first]
        assert loaded.text("#stream-name") == stream.name
        assert loaded.count("#findings-list li.finding") == len(stream.findings)
        for finding in stream.findings:
            assert loaded.count(f'#findings-list li.finding[data-code="{finding.code}"]') >= 1
        marked = loaded.count(".tl-row.sev-error") + loaded.count(".tl-row.sev-warning")
        assert marked == len({f.event_index for f in stream.findings if f.event_index is not None})
        # A finding leads to its event: the detail shows the rule's explanation and the raw event.
        finding = stream.findings[0]
        page.locator("#findings-list li.finding .msg").first.click()
        detail = loaded.text("#detail")
        assert f"Event #{finding.event_index}" in detail or f"#{finding.event_index}–" in detail
        assert finding.code in detail
        assert "Requirement:" in str(page.locator("#detail details.rule .req").first.text_content())
        # What `explain CODE` says about the rule, at the event: summary, requirement, rationale.
        rule = catalogue()[finding.code]
        explained = loaded.text("#detail details.rule")
        assert f"{finding.code} {rule.name}: {rule.summary}" in explained
        assert f"Requirement: {rule.requirement}" in explained
        assert rule.rationale in explained
        assert f'"type": "{finding.event_type}"' in loaded.text("#raw")
        assert loaded.count(".tl-row.selected") == 1
        loaded.shot("findings.png", tmp_path)

        # Another stream, picked in the summary table: one with an error and other findings.
        seq = next(i for i, s in enumerate(report.streams)
                   if i != first and s.counts()["error"] and len({f.code for f in s.findings}) > 1)
        page.locator(f'#streams-table tr[data-stream="{seq}"]').click()
        assert loaded.text("#stream-name") == report.streams[seq].name
        shown = len(report.streams[seq].findings)
        assert loaded.count("#findings-list li.finding") == shown

        # Severity filter: errors off, then on again.
        errors = sum(1 for f in report.streams[seq].findings if f.severity.value == "error")
        page.locator('#severity-filter input[value="error"]').uncheck()
        assert loaded.count('#findings-list li.finding[data-severity="error"]') == 0
        assert loaded.count("#findings-list li.finding") == shown - errors
        page.locator('#severity-filter input[value="error"]').check()
        assert loaded.count("#findings-list li.finding") == shown
        # Rule filter: one code off.
        code = report.streams[seq].findings[0].code
        page.locator(f'#rule-filter input[value="{code}"]').uncheck()
        assert loaded.count(f'#findings-list li.finding[data-code="{code}"]') == 0
        page.locator(f'#rule-filter input[value="{code}"]').check()
        # Only the events with findings.
        page.locator("#only-findings").check()
        rows = loaded.count(".tl-row[data-entry]")
        assert rows == loaded.count(".tl-row.sev-error") + loaded.count(".tl-row.sev-warning") > 0
        page.locator("#only-findings").uncheck()
        # A rule in the rules table shows that rule alone.
        page.locator(f'#rules-table tr[data-rule="{code}"]').click()
        assert {page.locator("#findings-list li.finding").nth(i).get_attribute("data-code")
                for i in range(loaded.count("#findings-list li.finding"))} <= {code}
        loaded.shot("filters.png", tmp_path)
        assert loaded.errors == []
    finally:
        page.close()


def test_hostile_strings_stay_text(browser: Any, tmp_path: Path) -> None:
    report = hostile_report()
    document = render(report)
    loaded = load(browser, document, tmp_path / "hostile.html")
    page = loaded.page
    try:
        assert loaded.dialogs == [] and loaded.errors == []
        assert page.evaluate("window.__pwned") is None
        assert page.title().startswith("responses-conformance report")
        assert loaded.requests == [(tmp_path / "hostile.html").as_uri()]
        assert loaded.count("img") == 0 and loaded.count("svg") == 0 and loaded.count("script") == 2
        assert loaded.text("#stream-name") == report.streams[0].name
        assert report.streams[0].name in loaded.text("#streams-table")
        # The run of text deltas, clicked: its text shown exactly as streamed (secrets masked).
        page.locator(".tl-row[data-entry] .chip.run").first.click()
        run_text = loaded.text("#run-text")
        for hostile in (HOSTILE[0], HOSTILE[2], HOSTILE[4]):
            assert hostile in run_text
        assert "[REDACTED]" in run_text
        lanes = loaded.text(".tl-head")
        assert HOSTILE[1] in lanes  # the item id names its lane, as text
        # The unknown hostile event type is a finding whose message shows the type as text.
        messages = " ".join(page.locator("#findings-list li.finding").all_text_contents())
        assert HOSTILE[0] in messages
        # The event whose SSE name is hostile: the name shown as text in the event's detail.
        n = HOSTILE_SSE_EVENT
        page.locator(".tl-row[data-entry]").filter(has_text=f"#{n} · {n}").click()
        assert f"Event #{n}" in loaded.text("#detail")
        assert HOSTILE[1] in loaded.text("#detail")
        reconstruction = loaded.text("#reconstruction")
        assert HOSTILE[3] in reconstruction  # the function's name
        html_now = page.content()
        for secret in SECRETS:
            assert secret not in html_now
        loaded.shot("hostile.png", tmp_path)
        assert page.evaluate("window.__pwned") is None and loaded.dialogs == []
    finally:
        page.close()


def test_a_long_stream_draws_only_what_is_in_view(browser: Any, tmp_path: Path) -> None:
    from validator.checker import check_stream
    from validator.report import Report
    from validator.sources import streams_from_bytes
    from validator.timeline import Timeline

    lines = []
    for i in range(20_000):
        event = (f'{{"type":"response.function_call_arguments.delta","sequence_number":{i},'
                 f'"item_id":"fc_{i % 2}","output_index":{i % 2},"delta":"x"}}')
        lines.append(f"event: response.function_call_arguments.delta\ndata: {event}\n\n")
    [stream] = streams_from_bytes("".join(lines).encode(), name="interleaved.sse")
    report = Report("openai", [check_stream(stream, timeline=Timeline(), max_per_rule=20)])
    loaded = load(browser, render(report), tmp_path / "long.html")
    page = loaded.page
    try:
        assert loaded.errors == []
        assert 0 < loaded.count(".tl-row") < 200  # 20,000 entries, a screenful drawn
        page.locator("#timeline").evaluate("box => { box.scrollTop = box.scrollHeight; }")
        page.wait_for_selector('.tl-row[data-entry="19999"]', timeout=10_000)
        assert loaded.count(".tl-row") < 200
        page.locator('.tl-row[data-entry="19999"]').click()
        assert "Event #19999" in loaded.text("#detail")
        loaded.shot("long.png", tmp_path)
    finally:
        page.close()
