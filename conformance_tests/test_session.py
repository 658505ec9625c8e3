"""WebSocket sessions: the session model, its capture formats, and the WSS rules."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator import check
from validator.cli import main
from validator.errors import InputError
from validator.rules import catalogue
from validator.session import SessionChecker, check_session
from validator.sources import sniff_format, streams_from_bytes
from validator.strategies import SESSION_OPERATORS, mutated_sessions, sessions
from validator.strategies.session_model import build_session
from validator.wsframes import RECEIVE, SEND, WsClose, WsMessage, WsOpen, record_line

ROOT = Path(__file__).resolve().parents[1]
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _created(rid: str, seq: int = 0, **extra: object) -> dict[str, object]:
    return {"type": "response.created", "sequence_number": seq, "response": {"id": rid, "status": "in_progress"},
            **extra}


def _log(*records: object) -> bytes:
    return b"".join(record_line(r) for r in records)  # type: ignore[arg-type]


def _send(value: object) -> WsMessage:
    return WsMessage(SEND, json.dumps(value))


def _recv(value: object) -> WsMessage:
    return WsMessage(RECEIVE, value if isinstance(value, str) else json.dumps(value))


def _codes(records: list[object], profile: str = "openai") -> dict[str, set[str]]:
    reports = check_session(records, profile, name="s")  # type: ignore[arg-type]
    return {r.name: r.codes for r in reports}


# ---- valid sessions and mutations ---------------------------------------------------------------


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
@FAST
@given(data=st.data())
def test_generated_sessions_are_valid(profile: str, data: object) -> None:
    session = data.draw(sessions(profile))  # type: ignore[attr-defined]
    reports = check_session(session.records, profile, name="gen")
    bad = [(r.name, f.code, f.message) for r in reports for f in r.findings if f.severity.value != "info"]
    assert not bad, bad
    answered = [p for p in session.plan.responses if p.ending != "error_only"]
    assert len(reports) == 1 + len(answered)


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
@FAST
@given(data=st.data())
def test_every_session_mutation_triggers_its_codes(profile: str, data: object) -> None:
    ops = [n for n, op in SESSION_OPERATORS.items() if profile in op.profiles and n != "huge-message"]
    mutation = data.draw(mutated_sessions(profile, operators=ops))  # type: ignore[attr-defined]
    reports = check_session(mutation.records, profile, name="mut")
    found = {f.code for r in reports for f in r.findings}
    assert mutation.codes, mutation.operator
    assert mutation.codes <= found, (mutation.operator, mutation.detail, sorted(found))


def test_every_wss_rule_has_a_session_operator() -> None:
    declared = {code for op in SESSION_OPERATORS.values() for code in op.codes}
    wss = {code for code in catalogue() if code.startswith("WSS")}
    assert wss <= declared, sorted(wss - declared)


def test_the_huge_message_operator_triggers_wss015() -> None:
    session = next(iter([build_session(_two_turns())]))
    mutation = SESSION_OPERATORS["huge-message"].apply(session, lambda n: 0)
    assert mutation is not None
    assert "WSS015" in _codes(mutation[0])["s#session"]


def _two_turns():  # type: ignore[no-untyped-def]
    from validator.strategies.plans import RandomChooser, Sizes, draw_plan
    from validator.strategies.session_model import SessionPlan

    chooser = RandomChooser(7)
    plans = [draw_plan(chooser, "openai", kinds=["message"], endings=["completed"], sizes=Sizes(min_items=1))
             for _ in range(2)]
    return SessionPlan("openai", plans)


def test_generated_fixtures_are_current() -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("gen_ws_fixtures", ROOT / "tools" / "gen_ws_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    for path, data in module.files().items():
        current = path.read_bytes()
        if path.suffix == ".gz":
            current, data = gzip.decompress(current), gzip.decompress(data)
        assert current == data, f"{path} is stale: run python tools/gen_ws_fixtures.py"


# ---- the session's rules, one scene each --------------------------------------------------------


def test_each_response_gets_its_own_checker_and_sequence_numbers() -> None:
    session = build_session(_two_turns())
    reports = check_session(session.records, "openai", name="cap.ws.jsonl")
    assert [r.name for r in reports] == ["cap.ws.jsonl#session", "cap.ws.jsonl#response[0]", "cap.ws.jsonl#response[1]"]
    assert all(r.ok() for r in reports)
    # A response whose numbering restarts mid-way is judged on its own, not against the session.
    records = list(session.records)
    for i, record in enumerate(records):
        if isinstance(record, WsMessage) and '"sequence_number":3' in str(record.data):
            value = orjson.loads(record.data)
            value["sequence_number"] = 1
            records[i] = WsMessage(RECEIVE, orjson.dumps(value).decode())
            break
    codes = _codes(records)
    assert "SEQ002" in codes["s#response[0]"] and not codes["s#response[1]"] - {"SEQ004"}


def test_lanes_route_by_stream_id_and_an_unechoed_event_is_reported_once_per_response() -> None:
    records = [
        WsOpen("ws://x/v1/responses", 101),
        _send({"type": "response.create", "stream_id": "a"}),
        _send({"type": "response.create", "stream_id": "b"}),
        _recv(_created("resp_a", stream_id="a")),
        _recv(_created("resp_b", stream_id="b")),
        _recv({"type": "response.in_progress", "sequence_number": 1, "response": {"id": "resp_b"}}),
        _recv({"type": "response.in_progress", "sequence_number": 1, "response": {"id": "resp_a"}, "stream_id": "a"}),
    ]
    checker = SessionChecker("openai", source="s", select=["WSS"])
    for record in records:
        checker.feed(record)
    checker.closed(None)
    assert [f.code for f in checker.findings] == ["WSS005"]
    assert [r.response_id for r in checker.runs] == ["resp_a", "resp_b"]


def test_an_error_answers_the_oldest_request_of_its_lane_and_a_stray_one_is_reported() -> None:
    base = [_send({"type": "response.create"}),
            _recv({"type": "error", "status": 400, "error": {"code": "bad", "message": "no"}})]
    assert _codes(base) == {"s#session": set()}
    stray = [*base, _recv({"type": "error", "status": 500, "error": {"code": "x", "message": "late"}})]
    assert _codes(stray)["s#session"] == {"WSS016"}
    limit = [*base, _recv({"type": "error", "status": 400,
                           "error": {"code": "websocket_connection_limit_reached", "message": "60 min"}})]
    assert _codes(limit)["s#session"] == set()


def test_continuation_rules_follow_connection_local_state() -> None:
    def scene(answer: object, store: object = False, previous: str = "resp_gone") -> set[str]:
        records = [_send({"type": "response.create", "store": store, "previous_response_id": previous}),
                   _recv(answer)]
        return _codes(records, "openresponses")["s#session"]

    not_found = {"type": "error", "status": 400, "error": {"code": "previous_response_not_found", "message": "x"}}
    assert scene(not_found) == set()
    assert scene({**not_found, "error": {"code": "invalid_request", "message": "x"}}) == {"WSS010"}
    assert "WSS010" in scene(_created("resp_new"))
    assert "WSS010" not in scene(_created("resp_new"), store=True)  # stored ids may come from storage


def test_an_evicted_id_must_fail_with_not_found() -> None:
    turn = [_send({"type": "response.create", "store": False}), _recv(_created("resp_1")),
            _recv({"type": "response.completed", "sequence_number": 1, "response": {"id": "resp_1"}})]
    fail = [_send({"type": "response.create", "store": False, "previous_response_id": "resp_1"}),
            _recv({"type": "error", "status": 500, "error": {"code": "server_error", "message": "boom"}})]
    again = [_send({"type": "response.create", "store": False, "previous_response_id": "resp_1"}),
             _recv(_created("resp_2"))]
    codes = _codes([*turn, *fail, *again], "openresponses")["s#session"]
    assert {"WSS010", "WSS020"} <= codes  # refused while held (a SHOULD), then answered after eviction


def test_close_codes_and_who_closed() -> None:
    opened = [_send({"type": "response.create"}), _recv(_created("resp_1"))]
    assert "WSS013" in _codes([*opened, WsClose(1009, "too big", "server")])["s#session"]
    assert "WSS013" not in _codes([*opened, WsClose(1000, "", "client")])["s#session"]  # the client gave up
    codes = _codes([*opened, WsClose(None)])
    assert "WSS013" in codes["s#session"] and "LIF007" in codes["s#response[0]"]
    unanswered = [_send({"type": "response.create"}), WsClose(1011, "", "server")]
    assert _codes(unanswered)["s#session"] == {"WSS014"}


def test_the_lif007_of_a_cut_response_follows_from_the_close() -> None:
    reports = check_session([_send({"type": "response.create"}), _recv(_created("r")), WsClose(None, "", "server")],
                            "openai", name="s")
    (lif,) = [f for f in reports[1].findings if f.code == "LIF007"]
    assert lif.caused_by is not None and lif.caused_by[0] == "WSS013"


def test_server_messages_that_are_not_events() -> None:
    records = [_recv("[DONE]"), _recv("not json"), _recv("[1]"), _recv({"no": "type"}),
               WsMessage(RECEIVE, b"\xff\xfe")]
    checker = SessionChecker("openai", source="s")
    for record in records:
        checker.feed(record)
    assert [f.code for f in checker.findings] == ["WSS012", "WSS019", "WSS019", "WSS019", "WSS019"]


def test_steering_needs_a_steer_and_a_successor() -> None:
    start = [_send({"type": "response.create"}), _recv(_created("resp_1"))]
    stray = [*start, _recv({"type": "response.steer.accepted", "sequence_number": 1,
                            "steer": {"id": "s1", "previous_response_id": "resp_1"}})]
    assert "WSS007" in _codes(stray)["s#session"]
    steered = [*start, _send({"type": "response.steer", "previous_response_id": "resp_1", "input": "x"}),
               _recv({"type": "response.incomplete", "sequence_number": 1,
                      "response": {"id": "resp_1", "status": "incomplete",
                                   "incomplete_details": {"reason": "steered"}}})]
    assert "WSS006" in _codes([*steered, WsClose(1000, "", "client")])["s#session"]
    successor = [*steered, _recv(_created("resp_2"))]
    assert not {"WSS001", "WSS006"} & _codes([*successor, WsClose(1000, "", "client")])["s#session"]
    # In the openresponses profile steering does not exist: the successor is an unrequested response.
    assert "WSS001" in _codes(successor, "openresponses")["s#session"]


# ---- capture formats ----------------------------------------------------------------------------


def test_frame_logs_are_sniffed_by_content_and_name() -> None:
    log = _log(WsOpen("ws://x", 101, 0.0), _send({"type": "response.create"}))
    assert sniff_format(log) == "ws"
    assert sniff_format(b'{"type": "response.created"}\n') == "jsonl"
    assert sniff_format(b"", "empty.ws.jsonl") == "ws"
    (stream,) = streams_from_bytes(log)
    assert stream.format == "ws" and stream.frames is not None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b"[1]", "not an object"),
        (b'{"direction": "up", "text": "x"}', "`direction`"),
        (b'{"direction": "send"}', "needs `text`"),
        (b'{"direction": "send", "binary": "***"}', "base64"),
        (b'{"close": {"code": "x"}}', "close.code"),
        (b'{"time": "soon", "direction": "send", "text": "x"}', "`time`"),
    ],
)
def test_a_broken_frame_log_record_is_a_one_line_error(line: bytes, message: str) -> None:
    data = _log(WsOpen("ws://x", 101, 0.0)) + line + b"\n"
    report = check(data, format="ws")
    assert report.streams[0].error is not None and message in report.streams[0].error
    assert ":2:" in report.streams[0].error


def test_har_websocket_entries_become_sessions(tmp_path: Path) -> None:
    session = build_session(_two_turns())
    path = tmp_path / "capture.har"
    path.write_bytes(session.har())
    report = check(str(path))
    assert [s.name for s in report.streams] == [
        f"{path}#entries[0]#session", f"{path}#entries[0]#response[0]", f"{path}#entries[0]#response[1]",
    ]
    assert report.ok() and report.streams[0].http is not None and report.streams[0].http.status == 101
    har = orjson.loads(session.har())
    har["log"]["entries"][0]["_webSocketMessages"][0]["type"] = "sideways"
    with pytest.raises(InputError, match="send"):
        check(orjson.dumps(har))


def test_har_redacts_the_socket_url() -> None:
    session = build_session(_two_turns())
    har = orjson.loads(session.har())
    har["log"]["entries"][0]["request"]["url"] = "wss://h/v1/responses?api_key=sk-secret-value"
    report = check(orjson.dumps(har))
    assert report.streams[0].http is not None and "sk-secret-value" not in str(report.streams[0].http.url)


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github"])
def test_validate_reports_sessions_and_responses_in_every_format(fmt: str) -> None:
    path = ROOT / "fixtures" / "invalid" / "WSS" / "closed-mid-response.ws.jsonl"
    result = CliRunner().invoke(main, ["validate", "-o", fmt, str(path)])
    assert result.exit_code == 1, result.output
    assert "WSS013" in result.output and "LIF007" in result.output
    if fmt != "github":  # annotations name the file only
        assert "#session" in result.output and "#response[" in result.output


def test_an_unreadable_end_is_the_root_of_the_overlap_it_causes() -> None:
    """One root defect, one finding: the garbled terminal event explains the next response's overlap."""
    records = [_send({"type": "response.create"}), _send({"type": "response.create"}), _recv(_created("r1")),
               _recv("{garbled"), _recv(_created("r2"))]
    reports = check_session(records, "openai", name="s")
    session = {f.code: f for f in reports[0].findings}
    assert session["WSS004"].caused_by == ("WSS019", 3)
    (lif,) = [f for f in reports[1].findings if f.code == "LIF007"]
    assert lif.caused_by == ("WSS019", 3)


def test_each_call_returns_the_findings_it_completes() -> None:
    checker = SessionChecker("openai", source="s")
    assert checker.feed(_send({"type": "response.create"})) == []
    found = checker.feed(_recv({"type": "response.created", "sequence_number": 0, "response": {"id": "r"}}))
    assert {f.code for f in found} == {"SCH001"}  # the response's own finding, as it happens
    closing = checker.closed(WsClose(None, "", "server"))
    assert [f.code for f in closing] == ["WSS013", "LIF007"]


def test_the_clients_are_given_each_response_of_a_session_as_sse() -> None:
    from validator.clients.harness import inputs_of
    from validator.sources import streams_from_path

    path = ROOT / "fixtures" / "valid" / "openai" / "ws-lanes.ws.jsonl"
    (stream,) = streams_from_path(str(path))
    inputs = inputs_of(stream)
    (again,) = streams_from_path(str(path))
    reports = check_session(again.frames or [], "openai", name=stream.name)
    # Named as the responses' reports, so validate --clients attaches each outcome to its response.
    assert [i.name for i in inputs] == [r.name for r in reports[1:]]
    for replayed in inputs:
        assert b"stream_id" not in replayed.body
        result = check(replayed.body, "openai")
        assert result.streams[0].events > 2 and not result.streams[0].codes, (replayed.name, result.streams[0].codes)


def test_each_response_of_a_session_keeps_its_timeline_for_the_html_report(tmp_path: Path) -> None:
    from validator.runner import CheckOptions, check_file

    path = ROOT / "fixtures" / "valid" / "openai" / "ws-lanes.ws.jsonl"
    result = check_file(str(path), CheckOptions(profile="openai", timeline=True))
    session, *responses = result.streams
    assert session.timeline is None and len(responses) == 2
    for report in responses:
        assert report.timeline is not None and report.timeline.events == report.events > 2
        assert "stream_id" not in json.dumps(report.timeline.to_dict())
    out = tmp_path / "r.html"
    ran = CliRunner().invoke(main, ["validate", "--report", f"html={out}", str(path)])
    assert ran.exit_code == 0, ran.output
    assert out.read_text().count("ws-lanes.ws.jsonl#response[") >= 2
