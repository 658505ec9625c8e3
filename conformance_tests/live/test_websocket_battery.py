"""The WebSocket battery against the reference server: conformant as it is, caught at every fault."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator import check, reference_server
from validator.cli import main
from validator.live.client import Timeouts
from validator.live.ws_battery import plan_ws, run_ws_battery
from validator.live.ws_client import run_ws_scenario, ws_url
from validator.live.ws_scenarios import select_ws_scenarios
from validator.rules import catalogue

from .conftest import FAST, target_for

# A conformant server is never silent for long; generous waits keep a loaded machine from failing it.
RELAXED = Timeouts(connect=10, first_byte=20, idle=20, total=120)

# fault -> (scenario, codes it must trigger in openai, in openresponses)
EXPECTED: dict[str, tuple[str, set[str], set[str]]] = {
    "ws-no-stream-id": ("ws-lanes", {"WSS005"}, set()),  # lanes are openai's; openresponses has no stream_id
    "ws-error-wrong-request": ("ws-continuation-unknown", {"WSS001"}, {"WSS001"}),
    "ws-interleave": ("ws-pipelined", {"WSS004"}, {"WSS003"}),
    "ws-close-1006": ("plain-text", {"WSS013", "LIF007"}, {"WSS013", "LIF007"}),
    "ws-response-done": ("plain-text", {"WSS017", "LIF007"}, {"WSS017", "LIF007"}),
    "ws-done-marker": ("ws-sequential-turns", {"WSS012"}, {"WSS012"}),
    "ws-flat-error": ("invalid-request", {"WSS008"}, {"WSS008", "WSS009"}),
    "ws-keep-after-failure": ("ws-failed-continuation-evicts", {"WSS010"}, {"WSS010"}),
    "ws-shared-cache": ("ws-reconnect", {"WSS010"}, {"WSS010"}),
    "ws-refuse-compaction": ("ws-compact-new-chain", {"HTT039"}, {"HTT039"}),
}


def test_every_websocket_fault_has_an_expectation() -> None:
    assert set(EXPECTED) == set(reference_server.WS_FAULTS)
    codes = {c for _, a, b in EXPECTED.values() for c in a | b}
    assert codes <= set(catalogue())


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
def test_the_reference_server_passes_the_websocket_battery(reference_url: str, profile: str) -> None:
    report = run_ws_battery(target_for(reference_url, profile, timeouts=RELAXED), profile)
    ran = [s for s in report.streams if s.skipped is None]
    bad = [(s.name, sorted(s.codes)) for s in ran if s.findings]
    assert bad == []
    sessions = {s.scenario for s in ran}
    assert {"ws-sequential-turns", "ws-continuation", "ws-continuation-unknown", "ws-pipelined",
            "ws-create-with-stream", "plain-text", "function-tool"} <= sessions
    assert ("ws-lanes" in sessions) is (profile == "openai")
    # Three turns on one socket: one session, three responses.
    turns = [s.name for s in ran if s.scenario == "ws-sequential-turns"]
    assert turns == ["ws-sequential-turns#session"] + [f"ws-sequential-turns#response[{n}]" for n in range(3)]
    # Each session's JSON result names the official WebSocket test it covers (docs/official-suite.md).
    covers = {s["name"]: s["covers"]["test"] for s in report.to_dict()["streams"] if "covers" in s}
    assert covers == {
        "plain-text#session": "websocket-response",
        "ws-sequential-turns#session": "websocket-sequential-responses",
        "ws-continuation#session": "websocket-continuation",
        "ws-continuation-unknown#session": "websocket-previous-response-not-found",
        "ws-failed-continuation-evicts#session": "websocket-failed-continuation-evicts-cache",
        "ws-reconnect#session": "websocket-reconnect-store-false-recovery",
    }
    # The reconnect scenario's second socket reports under its own name, after the first.
    names = [s.name for s in ran if s.scenario in ("ws-reconnect", "ws-reconnect+new-socket")]
    assert names == ["ws-reconnect#session", "ws-reconnect#response[0]", "ws-reconnect+new-socket#session",
                     "ws-reconnect+new-socket#response[0]"]


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_each_websocket_fault_fails_a_scenario(reference_url: str, fault: str, profile: str) -> None:
    name, openai_codes, or_codes = EXPECTED[fault]
    codes = openai_codes if profile == "openai" else or_codes
    chosen = select_ws_scenarios(profile, [name])
    if not chosen:
        assert not codes
        pytest.skip(f"{name} is not in the {profile} battery")
    (scenario,) = chosen
    target = target_for(reference_url, profile, headers={"X-Conformance-Fault": fault},
                        timeouts=Timeouts(connect=5, first_byte=2, idle=0.5, total=15))
    reports = run_ws_scenario(target, scenario, profile)
    found = {c for r in reports for c in r.codes}
    assert codes <= found, (fault, sorted(found))
    if codes:
        assert not all(r.ok() for r in reports)


def test_a_store_false_continuation_and_an_unknown_one(reference_url: str) -> None:
    (scenario,) = select_ws_scenarios("openai", ["ws-continuation"])
    reports = run_ws_scenario(target_for(reference_url, timeouts=RELAXED), scenario)
    assert [r.name for r in reports] == ["ws-continuation#session", "ws-continuation#response[0]",
                                         "ws-continuation#response[1]"]
    assert all(r.ok() for r in reports)
    (unknown,) = select_ws_scenarios("openai", ["ws-continuation-unknown"])
    reports = run_ws_scenario(target_for(reference_url, timeouts=RELAXED), unknown)
    # The unknown id is refused (no response), the next turn on the same socket still works.
    assert len(reports) == 2 and all(r.ok() for r in reports)


@pytest.fixture
def accepting_server() -> Iterator[str]:
    """A reference server whose WebSocket accepts `stream` in response.create (as a lax gateway does)."""
    original = reference_server.WS_TRANSPORT_FIELDS
    reference_server.WS_TRANSPORT_FIELDS = ()  # type: ignore[misc]
    server, thread = reference_server.start(profile="openresponses")
    try:
        yield server.url
    finally:
        reference_server.WS_TRANSPORT_FIELDS = original  # type: ignore[misc]
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_create_with_stream_must_be_refused_in_openresponses(accepting_server: str) -> None:
    (scenario,) = select_ws_scenarios("openresponses", ["ws-create-with-stream"])
    reports = run_ws_scenario(target_for(accepting_server, "openresponses", timeouts=RELAXED), scenario,
                              "openresponses")
    assert "HTT009" in reports[0].codes
    assert "WSS002" not in {c for r in reports for c in r.codes}  # our own probe is not reported


def test_connection_refused_and_upgrade_refused(keyed_reference: tuple[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (scenario,) = select_ws_scenarios("openai", ["plain-text"])
    reports = run_ws_scenario(target_for(f"http://127.0.0.1:{port}"), scenario)
    assert reports[0].codes == {"HTT007"} and reports[0].error is not None
    url, key = keyed_reference
    refused = run_ws_scenario(target_for(url), scenario)
    assert "WSS018" in refused[0].codes and refused[0].http is not None and refused[0].http.status == 401
    accepted = run_ws_scenario(target_for(url, api_key=key, timeouts=RELAXED), scenario)
    assert all(r.ok() for r in accepted)


def test_a_silent_server_is_bounded_by_the_idle_timeout() -> None:
    """A server that upgrades and then says nothing: the scenario ends after the idle timeout."""
    ready = threading.Event()
    port: list[int] = []

    def silent() -> None:
        from websockets.sync.server import serve

        def handler(connection: object) -> None:
            for _ in connection:  # type: ignore[attr-defined]
                pass

        with serve(handler, "127.0.0.1", 0) as server:
            port.append(server.socket.getsockname()[1])
            ready.set()
            server.serve_forever()

    thread = threading.Thread(target=silent, daemon=True)
    thread.start()
    ready.wait(5)
    (scenario,) = select_ws_scenarios("openai", ["plain-text"])
    target = target_for(f"ws://127.0.0.1:{port[0]}", timeouts=Timeouts(connect=2, first_byte=2, idle=0.3, total=5))
    reports = run_ws_scenario(target, scenario)
    assert "HTT004" in reports[0].codes


def test_the_api_key_never_reaches_the_reports(keyed_reference: tuple[str, str], tmp_path: Path) -> None:
    url, key = keyed_reference
    result = CliRunner().invoke(main, [
        "check", "--base-url", url.replace("http://", "ws://") + "/v1", "--api-key", key, "--scenario", "ws-*",
        "-o", "json", "--capture-dir", str(tmp_path), "--report", f"sarif={tmp_path / 'r.sarif'}",
        "--report", f"html={tmp_path / 'r.html'}",
    ])
    assert result.exit_code == 0, result.output
    assert key not in result.output
    for path in tmp_path.iterdir():
        assert key not in path.read_text(encoding="utf-8")


def test_check_cli_over_websocket_writes_frame_logs_that_validate_reads(reference_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "check", "--base-url", reference_url + "/v1", "--transport", "websocket", "--capture-dir", str(tmp_path),
        "--scenario", "ws-lanes", "--scenario", "plain-text",
    ])
    assert result.exit_code == 0, result.output
    logs = sorted(p.name for p in tmp_path.iterdir())
    assert logs == ["plain-text.ws.jsonl", "ws-lanes.ws.jsonl"]
    report = check(str(tmp_path / "ws-lanes.ws.jsonl"))
    assert report.ok() and [s.name.rsplit("#", 1)[1] for s in report.streams] == [
        "session", "response[0]", "response[1]"]
    listed = CliRunner().invoke(main, ["check", "--base-url", "ws://h", "--profile", "openresponses",
                                       "--list-scenarios"])
    assert "ws-lanes" not in listed.output and "ws-pipelined" in listed.output
    bad = CliRunner().invoke(main, ["check", "--base-url", "ws://h", "--transport", "http"])
    assert bad.exit_code == 2


def test_a_faulty_server_fails_check_with_exit_1(reference_url: str) -> None:
    result = CliRunner().invoke(main, [
        "check", "--base-url", reference_url + "/v1", "--transport", "websocket", "--scenario", "plain-text",
        "--header", "X-Conformance-Fault: ws-close-1006", "--idle-timeout", "1",
    ])
    assert result.exit_code == 1, result.output
    assert "WSS013" in result.output


def test_ws_url_and_plan() -> None:
    assert ws_url("http://h:1/v1/") == "ws://h:1/v1/responses"
    assert ws_url("https://h/v1") == "wss://h/v1/responses"
    assert ws_url("wss://h/v1") == "wss://h/v1/responses"
    assert ws_url("https://h/openai?api-version=2026-01") == "wss://h/openai/responses?api-version=2026-01"
    skipped = [s.name for s, reason in plan_ws("openai") if reason]
    assert skipped == ["reasoning", "encrypted-reasoning", "ws-compact-new-chain"]  # compaction is never assumed
    with pytest.raises(ValueError, match="no scenario"):
        select_ws_scenarios("openai", ["nope"])


def test_fast_timeouts_are_the_shared_ones() -> None:
    assert FAST.idle < 1


def test_missing_websockets_gives_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import validator

    for name in [m for m in sys.modules if m == "websockets" or m.startswith(("websockets.", "validator.live"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "websockets", None)
    monkeypatch.delattr(validator, "live", raising=False)
    result = CliRunner().invoke(main, ["check", "--base-url", "ws://127.0.0.1:9/v1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "responses-conformance: error: the WebSocket transport needs websockets: "
        "pip install 'responses-conformance[live]'"
    )
    # validate on captures needs no WebSocket library at all.
    path = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "openai" / "ws-lanes.ws.jsonl"
    assert CliRunner().invoke(main, ["validate", str(path)]).exit_code == 0


def test_an_unreachable_websocket_server_exits_2() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(main, ["check", "--base-url", f"ws://127.0.0.1:{port}/v1", "--scenario", "plain-text"])
    assert result.exit_code == 2
    assert f"cannot connect to ws://127.0.0.1:{port}/v1/responses" in result.stderr


def test_the_transport_can_come_from_pyproject(reference_url: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.responses-conformance.check]\ntransport = "websocket"\nscenarios = ["ws-pipelined"]\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--base-url", reference_url + "/v1", "-o", "json"])
    assert result.exit_code == 0, result.output
    assert '"ws-pipelined#session"' in result.output


def test_the_html_report_draws_each_response_of_a_live_session(reference_url: str, tmp_path: Path) -> None:
    from validator.live import Target

    report = run_ws_battery(Target(base_url=reference_url + "/v1"), "openai", scenarios=["ws-lanes"], timeline=True)
    session, *responses = report.streams
    assert session.timeline is None and len(responses) == 2  # the failing continuation is an error, no response
    assert all(r.timeline is not None and r.timeline.events == r.events > 2 for r in responses)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["check", "--base-url", reference_url.replace("http://", "ws://") + "/v1",
                                       "--scenario", "ws-lanes", "--report", f"html={out}"])
    assert result.exit_code == 0, result.output
    assert out.read_text().count("ws-lanes#response[") >= 2
