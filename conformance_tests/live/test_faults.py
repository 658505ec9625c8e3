"""Every fault the reference server can inject is caught, with the right rule codes."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from validator import reference_server
from validator.live import Timeouts, for_capabilities, plan, run_one, run_scenario, select_scenarios
from validator.rules import catalogue

from .conftest import FAST, STALL_SECONDS, target_for

SCENARIOS = {s.name: s for s in select_scenarios()}

# fault -> (scenario, codes it must trigger in openai, codes in openresponses)
EXPECTED: dict[str, tuple[str, set[str], set[str]]] = {
    "no-sequence-numbers": ("plain-text", {"SEQ001"}, {"SEQ001", "SCH001"}),
    "sequence-gap": ("plain-text", {"SEQ004"}, {"SEQ004"}),
    "delta-before-part": ("plain-text", {"CNT001"}, {"CNT001"}),
    "missing-done-events": ("plain-text", {"ITM007"}, {"ITM007"}),
    "wrong-content-type": ("plain-text", {"HTT002"}, {"HTT002"}),
    "http-500": ("plain-text", {"HTT001"}, {"HTT001"}),
    "sse-error-500": ("plain-text", {"HTT001", "HTT015"}, {"HTT001", "HTT015"}),
    "stall": ("plain-text", {"HTT004", "LIF007"}, {"HTT004", "LIF007"}),
    "slow-headers": ("plain-text", {"HTT005"}, {"HTT005"}),
    "cut-mid-event": ("plain-text", {"SSE009", "LIF007"}, {"SSE009", "LIF007", "SSE006"}),
    "drop-connection": ("plain-text", {"HTT003", "SSE009", "LIF007"}, {"HTT003", "SSE009", "LIF007"}),
    "events-after-terminal": ("plain-text", {"LIF008"}, {"LIF008"}),
    "changed-ids": ("function-tool", {"ITM008"}, {"ITM008"}),
    "done-marker": ("plain-text", {"SSE008"}, set()),
    "no-done-marker": ("plain-text", set(), {"SSE006"}),
    "data-only": ("plain-text", set(), {"SSE005"}),
    "event-mismatch": ("plain-text", {"SSE004"}, {"SSE004"}),
    "invalid-json": ("plain-text", {"SSE001"}, {"SSE001"}),
    "empty-final-output": ("plain-text", {"FIN001"}, {"FIN001"}),
    "redirect": ("plain-text", {"HTT008"}, {"HTT008"}),
    "accept-invalid": ("invalid-request", {"HTT009"}, {"HTT009"}),
    "error-stream": ("invalid-request", set(), set()),
    "bad-structured-output": ("structured-output", {"HTT010"}, {"HTT010"}),
    "no-tool-call": ("function-tool", {"HTT011"}, {"HTT011"}),
    "ignore-max-output-tokens": ("max-output-tokens", {"HTT013"}, {"HTT013"}),
    "no-reasoning": ("reasoning", {"HTT014"}, {"HTT014"}),
    "single-tool-call": ("parallel-tool-calls", {"HTT012"}, {"HTT012"}),
    "empty-body": ("plain-text", {"HTT016"}, {"HTT016"}),
    "html": ("plain-text", {"HTT002"}, {"HTT002"}),
    "endless-event": ("plain-text", {"HTT018"}, {"HTT018"}),
    "endless-stream": ("plain-text", {"HTT017"}, {"HTT017"}),
    "linger": ("plain-text", {"HTT019"}, {"HTT019"}),
    "bare-error": ("invalid-request", {"HTT020"}, {"HTT020"}),
    "unknown-model-500": ("unknown-model", {"HTT009"}, {"HTT009"}),
    "non-streaming-sse": ("non-streaming", {"HTT021"}, {"HTT021"}),
    "non-streaming-shape": ("non-streaming", {"HTT022"}, {"HTT022"}),
    "cancel-leaks-slot": ("cancel-mid-stream", {"HTT023", "HTT001"}, {"HTT023", "HTT001"}),
    "shared-ids": ("concurrency", {"HTT024"}, {"HTT024"}),
    "resume-renumbered": ("background-resume", {"HTT025"}, {"HTT025"}),
    # continuation and background cancellation
    "forgets-previous": ("previous-response-id", {"HTT027"}, {"HTT027"}),
    "loses-responses": ("previous-response-id", {"HTT026", "HTT001"}, {"HTT026", "HTT001"}),
    "accepts-unknown-previous": ("unknown-previous-response", {"HTT009"}, {"HTT009"}),
    "previous-error-code": ("unknown-previous-response", {"HTT028"}, {"HTT028"}),
    "cancel-ignored": ("background-cancel", {"HTT029"}, {"HTT029"}),
    "cancel-forgotten": ("background-cancel", {"HTT030"}, {"HTT030"}),
    "cancel-refused": ("background-cancel", {"HTT029"}, {"HTT029"}),
    # finished before the cancel: the scenario is skipped (test_a_cancel_after_the_end_is_skipped_not_failed)
    "background-instant": ("background-cancel", set(), set()),
    # keep-alive: OpenAI's keepalive event is what OpenAI sends (SCH005, information) in the openai
    # profile, an unprefixed non-standard event (SCH005, error) in openresponses
    "keepalive-events": ("keep-alive", set(), {"SCH005"}),
    "keepalive-after-terminal": ("keep-alive", {"HTT019"}, {"HTT019"}),
    # include and stream_options
    "no-encrypted-content": ("encrypted-reasoning", {"HTT031"}, {"HTT031"}),
    "obfuscation-always": ("no-obfuscation", {"HTT032"}, {"HTT032"}),
    # --- official-suite coverage (issue 20): undeclared, a clean 400 passes and a 500 does not ---
    "phase-400": ("phase-history", set(), set()),
    "phase-500": ("phase-history", {"HTT036"}, {"HTT036"}),
    "image-400": ("image-input", set(), set()),
    "image-500": ("image-input", {"HTT036"}, {"HTT036"}),
    "compact-not-compacted": ("compact", {"HTT037"}, {"HTT037"}),
    "compact-no-model-ok": ("compact", {"HTT038"}, {"HTT038"}),
}

# Small limits, so the flooding faults end in a fraction of a second.
LIMITS = {"max_bytes": 4 * 1024 * 1024, "max_event_bytes": 1024 * 1024}

# HTT codes that the tests below trigger without a fault.
TRIGGERED_ELSEWHERE = {
    "HTT006": "test_total_timeout_bounds_a_trickling_stream",
    "HTT007": "test_connection_refused_*",
    "HTT039": "test_websocket_battery.py, WebSocket fault ws-refuse-compaction",
}


def test_every_fault_has_an_expectation() -> None:
    assert set(EXPECTED) == set(reference_server.FAULTS)


def test_every_http_rule_is_exercised() -> None:
    """HTT rules have no file fixtures: each one is triggered by a fault or a test here."""
    http_codes = {code for code in catalogue() if code.startswith("HTT")}
    triggered = {c for _, a, b in EXPECTED.values() for c in a | b if c.startswith("HTT")}
    assert http_codes == triggered | set(TRIGGERED_ELSEWHERE)


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    with httpx.Client() as c:
        yield c  # type: ignore[misc]


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_fault_is_reported(reference_url: str, client: httpx.Client, fault: str, profile: str) -> None:
    scenario, openai_codes, openresponses_codes = EXPECTED[fault]
    expected = openai_codes if profile == "openai" else openresponses_codes
    missing_rules = {code for code in expected if code not in catalogue()}
    if missing_rules:
        pytest.skip(f"rules {sorted(missing_rules)} are not in the catalogue yet")
    target = target_for(reference_url, profile, headers={"X-Conformance-Fault": fault}, **LIMITS)
    report = run_one(client, target, SCENARIOS[scenario], profile)
    assert expected <= report.codes, f"{fault}: expected {sorted(expected)}, got {sorted(report.codes)}"
    if expected:
        assert not report.ok(strict=True), fault
    elif fault == "error-stream":
        # A conformant error stream is a clean rejection of the invalid request.
        assert report.ok(strict=True), sorted(report.codes)
        assert report.http is not None and report.http.status == 200
    else:
        # The fault is legal in this profile: the stream conforms.
        assert report.ok(), sorted(report.codes)


def test_fault_by_model_suffix(reference_url: str, client: httpx.Client) -> None:
    target = target_for(reference_url, model="m+fault=sequence-gap")
    report = run_scenario(client, target, SCENARIOS["plain-text"])
    assert "SEQ004" in report.codes


def test_unknown_fault_is_refused(reference_url: str) -> None:
    response = httpx.post(
        reference_url + "/v1/responses",
        json={"model": "m", "input": "x", "stream": True},
        headers={"X-Conformance-Fault": "gremlins"},
        timeout=5,
    )
    assert response.status_code == 400
    assert "gremlins" in response.json()["error"]["message"]


def test_stall_is_cut_at_the_idle_timeout(reference_url: str, client: httpx.Client) -> None:
    target = target_for(reference_url, headers={"X-Conformance-Fault": "stall"})
    started = time.monotonic()
    report = run_scenario(client, target, SCENARIOS["plain-text"])
    elapsed = time.monotonic() - started
    assert "HTT004" in report.codes
    assert elapsed < FAST.idle + 1.5 < STALL_SECONDS, elapsed
    assert report.events > 0  # what arrived before the stall was checked
    assert report.error is not None


def test_slow_headers_are_cut_at_the_first_byte_timeout(reference_url: str, client: httpx.Client) -> None:
    timeouts = Timeouts(connect=2, first_byte=0.5, idle=5, total=10)
    target = target_for(reference_url, headers={"X-Conformance-Fault": "slow-headers"}, timeouts=timeouts)
    started = time.monotonic()
    report = run_scenario(client, target, SCENARIOS["plain-text"])
    assert time.monotonic() - started < 2.0
    assert report.codes == {"HTT005"}


def test_total_timeout_bounds_a_trickling_stream(client: httpx.Client) -> None:
    # Every event arrives within the idle timeout, but the whole stream takes too long.
    server, thread = reference_server.start(delay=0.1)
    try:
        timeouts = Timeouts(connect=2, first_byte=2, idle=1, total=0.8)
        started = time.monotonic()
        report = run_scenario(client, target_for(server.url, timeouts=timeouts), SCENARIOS["plain-text"])
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "HTT006" in report.codes
    assert elapsed < timeouts.total + timeouts.idle + 0.5


def test_connection_refused_is_a_finding_not_a_traceback(client: httpx.Client) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = target_for(f"http://127.0.0.1:{port}", timeouts=FAST)
    report = run_scenario(client, target, SCENARIOS["plain-text"])
    assert report.codes == {"HTT007"}
    assert report.error is not None and "cannot connect" in report.error


@pytest.mark.parametrize(("fault", "code"), [("endless-event", "HTT018"), ("endless-stream", "HTT017")])
def test_a_flood_ends_at_the_limit_in_bounded_time_and_memory(
    reference_url: str, client: httpx.Client, fault: str, code: str
) -> None:
    import tracemalloc

    target = target_for(reference_url, headers={"X-Conformance-Fault": fault}, **LIMITS)
    tracemalloc.start()
    started = time.monotonic()
    report = run_scenario(client, target, SCENARIOS["plain-text"])
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code in report.codes
    assert elapsed < 10, elapsed
    assert peak < 40 * LIMITS["max_bytes"], peak
    assert report.error is not None and "limits" in report.error
    # What arrived before the flood was checked, and its findings kept.
    assert report.events > 0


def test_an_html_answer_is_named_as_such(reference_url: str, client: httpx.Client) -> None:
    target = target_for(reference_url, headers={"X-Conformance-Fault": "html"})
    report = run_scenario(client, target, SCENARIOS["plain-text"])
    (finding,) = [f for f in report.findings if f.code == "HTT002"]
    assert "text/html" in finding.message


def test_a_body_left_open_after_the_terminal_event_is_cut_at_the_close_bound(
    reference_url: str, client: httpx.Client
) -> None:
    target = target_for(reference_url, headers={"X-Conformance-Fault": "linger"})
    started = time.monotonic()
    report = run_scenario(client, target, SCENARIOS["plain-text"])
    elapsed = time.monotonic() - started
    assert report.codes == {"HTT019"}
    assert elapsed < FAST.close + 1.0 < STALL_SECONDS, elapsed
    assert report.error is None  # the stream itself was whole: every event was checked
    (finding,) = report.findings
    assert "response.completed was the last" in finding.message


def test_the_error_shape_names_what_is_missing(reference_url: str, client: httpx.Client) -> None:
    target = target_for(reference_url, headers={"X-Conformance-Fault": "bare-error"})
    report = run_one(client, target, SCENARIOS["invalid-request"])
    (finding,) = report.findings
    assert finding.code == "HTT020"
    for name in ("type", "code", "param"):
        assert f"`error.{name}`" in finding.message
    assert "`error.message`" not in finding.message


def test_a_cancelled_stream_that_breaks_the_next_request_is_named(reference_url: str, client: httpx.Client) -> None:
    target = target_for(reference_url, headers={"X-Conformance-Fault": "cancel-leaks-slot"})
    report = run_one(client, target, SCENARIOS["cancel-mid-stream"])
    (finding,) = [f for f in report.findings if f.code == "HTT023"]
    assert "after the client closed a stream after" in finding.message and "HTT001" in finding.message
    # Without the cancellation the same fault is harmless: the slot is freed at the end of each stream.
    assert run_one(client, target, SCENARIOS["plain-text"]).ok(strict=True)


# --- keep-alive ----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
def test_a_pause_filled_with_keepalive_comments_passes(client: httpx.Client, tmp_path: Path, profile: str) -> None:
    """A stream that pauses three times as long as the idle timeout, with an SSE comment every 0.25 s:
    no finding at all (comments are activity for the idle timeout and nothing for the rules)."""
    server, thread = reference_server.start(pause_seconds=1.5, keepalive_seconds=0.25)
    try:
        target = target_for(server.url, profile, capture_dir=tmp_path)
        started = time.monotonic()
        report = run_one(client, target, SCENARIOS["keep-alive"], profile)
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert FAST.idle < 1.5 <= elapsed < 1.5 + 2.0, elapsed  # it did pause, longer than the idle timeout
    assert report.findings == [] and report.error is None, sorted(report.codes)
    assert (tmp_path / "keep-alive.sse").read_bytes().count(b": keep-alive\n\n") >= 4


def test_the_same_pause_without_keepalives_is_an_idle_timeout(client: httpx.Client) -> None:
    server, thread = reference_server.start(pause_seconds=1.5)
    try:
        report = run_one(client, target_for(server.url), SCENARIOS["keep-alive"])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "HTT004" in report.codes


def test_keepalives_after_the_terminal_event_do_not_end_the_body(reference_url: str, client: httpx.Client) -> None:
    """Heartbeats that go on after response.completed keep the connection busy, not finished: the close bound
    still cuts it, and the finding says what kept it open."""
    target = target_for(reference_url, headers={"X-Conformance-Fault": "keepalive-after-terminal"})
    started = time.monotonic()
    report = run_one(client, target, SCENARIOS["keep-alive"])
    assert time.monotonic() - started < FAST.close + 1.0 < STALL_SECONDS
    (finding,) = report.findings
    assert finding.code == "HTT019" and "bytes of keep-alives came after it" in finding.message
# --- official-suite coverage (issue 20) ---------------------------------------------------------


@pytest.mark.parametrize(("fault", "scenario", "capability"), [
    ("phase-400", "phase-history", "phase"),
    ("image-400", "image-input", "image-input"),
])
def test_a_declared_input_must_be_answered(
    reference_url: str, client: httpx.Client, fault: str, scenario: str, capability: str
) -> None:
    """The clean 400 that passes when the capability is not declared fails once the server declares it."""
    target = target_for(reference_url, headers={"X-Conformance-Fault": fault})
    lenient = run_one(client, target, SCENARIOS[scenario])
    assert lenient.ok(strict=True), sorted(lenient.codes)
    strict = run_one(client, target, for_capabilities(SCENARIOS[scenario], frozenset({capability})))
    assert "HTT001" in strict.codes and not strict.ok()
    # Declared and answered: no finding.
    answered = run_one(client, target_for(reference_url), for_capabilities(SCENARIOS[scenario],
                                                                            frozenset({capability})))
    assert answered.ok(strict=True), sorted(answered.codes)


@pytest.mark.parametrize("fault", ["phase-500", "image-500"])
def test_a_server_error_on_an_optional_input_is_named(reference_url: str, client: httpx.Client, fault: str) -> None:
    scenario = "phase-history" if fault.startswith("phase") else "image-input"
    target = target_for(reference_url, headers={"X-Conformance-Fault": fault})
    report = run_one(client, target, SCENARIOS[scenario])
    (finding,) = [f for f in report.findings if f.code == "HTT036"]
    assert "HTTP 500" in finding.message and scenario in finding.message
    assert finding.severity.value == "error"


def test_the_battery_plan_judges_by_the_declared_capabilities() -> None:
    default = {s.name: (s, reason) for s, reason in plan()}
    assert default["phase-history"][1] is None and default["phase-history"][0].expect == "answer-or-reject"
    assert default["image-input"][1] is None and default["image-input"][0].expect == "answer-or-reject"
    assert default["compact"][1] is not None  # compaction is never assumed
    declared = {s.name: (s, reason) for s, reason in plan(capabilities=frozenset({"text", "phase", "compact"}))}
    assert declared["phase-history"][0].expect == "stream"
    assert declared["image-input"][0].expect == "answer-or-reject"
    assert declared["compact"][1] is None


def test_the_compact_findings_say_what_is_wrong(reference_url: str, client: httpx.Client) -> None:
    target = target_for(reference_url, headers={"X-Conformance-Fault": "compact-not-compacted,compact-no-model-ok"})
    report = run_one(client, target, SCENARIOS["compact"])
    messages: dict[str, list[str]] = {}
    for finding in report.findings:
        messages.setdefault(finding.code, []).append(finding.message)
    assert set(messages) == {"HTT037", "HTT038"}
    assert any("`object` 'response'" in m for m in messages["HTT037"])
    assert any("no `compaction` item" in m for m in messages["HTT037"])
    assert "HTTP 200" in messages["HTT038"][0]
    assert report.http is not None and report.http.url.endswith("/responses/compact")


@pytest.mark.parametrize("faults", ["background-instant", "background-instant,cancel-refused"])
def test_a_cancel_after_the_end_is_skipped_not_failed(reference_url: str, client: httpx.Client, faults: str) -> None:
    """A server that finished the background response before the cancel arrived is not at fault, whether it
    answers the cancel with the finished response or refuses it (azure-ai-agentserver's 400); a refusal
    while the response still runs is HTT029 (the cancel-refused fault above)."""
    target = target_for(reference_url, headers={"X-Conformance-Fault": faults})
    report = run_one(client, target, SCENARIOS["background-cancel"], "openai")
    assert report.findings == []
    assert report.skipped is not None and "before the cancel arrived" in report.skipped
