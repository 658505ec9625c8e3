"""The state machine on small hand-made streams: what it reports, where, and what it accepts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from validator import check
from validator.checker import Checker
from validator.emitter import Emitter
from validator.machine import MachineStage
from validator.model import Event, Finding, Severity

RID = "resp_1"


def resp(status: str, output: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": RID, "status": status, "output": output or [], **extra}


def msg(status: str = "in_progress", text: str | None = None, mid: str = "msg_1") -> dict[str, Any]:
    content = [] if text is None else [{"type": "output_text", "text": text, "annotations": []}]
    return {"id": mid, "type": "message", "role": "assistant", "status": status, "content": content}


def text_events(deltas: tuple[str, ...] = ("Hel", "lo")) -> list[dict[str, Any]]:
    """A complete, conformant text stream (without sequence numbers; `numbered` adds them)."""
    text = "".join(deltas)
    part = {"type": "output_text", "text": "", "annotations": []}
    loc = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    usage = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}
    return [
        {"type": "response.created", "response": resp("in_progress")},
        {"type": "response.in_progress", "response": resp("in_progress")},
        {"type": "response.output_item.added", "output_index": 0, "item": msg()},
        {"type": "response.content_part.added", **loc, "part": part},
        *({"type": "response.output_text.delta", **loc, "delta": d} for d in deltas),
        {"type": "response.output_text.done", **loc, "text": text},
        {"type": "response.content_part.done", **loc, "part": dict(part, text=text)},
        {"type": "response.output_item.done", "output_index": 0, "item": msg("completed", text)},
        {"type": "response.completed", "response": resp("completed", [msg("completed", text)], usage=usage)},
    ]


def numbered(events: list[dict[str, Any]], start: int = 0) -> list[dict[str, Any]]:
    return [dict(e, sequence_number=start + i) for i, e in enumerate(copy.deepcopy(events))]


MACHINE = ("LIF", "SEQ", "ITM", "CNT", "FCA", "TOL", "FIN")


def findings(events: list[dict[str, Any]], profile: str = "openai") -> list[Finding]:
    return [f for f in check(events, profile).findings if f.code.startswith(MACHINE)]


def codes(events: list[dict[str, Any]], profile: str = "openai") -> list[str]:
    return [f.code for f in findings(events, profile)]


def test_conformant_stream_has_no_machine_finding() -> None:
    assert findings(numbered(text_events())) == []


def test_delta_before_part_added_is_located_and_named() -> None:
    events = numbered([e for e in text_events() if e["type"] != "response.content_part.added"])
    found = [f for f in findings(events) if f.code == "CNT001"]
    assert len(found) == 1  # reported once per part, not once per delta
    finding = found[0]
    assert finding.severity is Severity.ERROR
    assert finding.message == "output_text.delta for item msg_1 content_index 0 before content_part.added"
    assert finding.event_index == 3 and finding.pointer == "/content_index"


def test_item_id_that_disagrees_with_output_index() -> None:
    events = numbered(text_events())
    events[4]["item_id"] = "msg_9"
    events[5]["item_id"] = "msg_9"  # reported once per item and wrong id, not per event
    found = [f for f in findings(events) if f.code == "ITM005"]
    assert [(f.expected, f.actual, f.pointer) for f in found] == [("msg_1", "msg_9", "/item_id")]


def test_done_text_mismatch_says_where_the_texts_part() -> None:
    events = numbered(text_events())
    events[6]["text"] = "Help"
    found = [f for f in findings(events) if f.code == "CNT005"]
    assert len(found) == 1
    assert "differs at character 3" in found[0].message
    assert (found[0].expected, found[0].actual) == ("Hello", "Help")


def test_missing_and_partial_sequence_numbers_are_told_apart() -> None:
    none = text_events()
    assert codes(none).count("SEQ001") == 1
    assert "SEQ005" not in codes(none)
    assert [f.severity for f in findings(none) if f.code == "SEQ001"] == [Severity.WARNING]
    assert [f.severity for f in findings(none, "openresponses") if f.code == "SEQ001"] == [Severity.ERROR]
    partial = text_events()
    partial[7]["sequence_number"] = 1
    assert "SEQ005" in codes(partial) and "SEQ001" not in codes(partial)


def test_gap_is_a_warning_and_going_backwards_an_error() -> None:
    gap = numbered(text_events())
    gap[5]["sequence_number"] = 7
    for later in gap[6:]:
        later["sequence_number"] += 2
    assert [(f.code, f.severity) for f in findings(gap)] == [("SEQ004", Severity.WARNING)]
    back = numbered(text_events())
    back[5]["sequence_number"] = 2
    assert [f.code for f in findings(back) if f.severity is Severity.ERROR] == ["SEQ002"]


def test_declared_resumed_stream_is_not_judged_on_what_came_before_it() -> None:
    events = numbered(text_events(("a", "b", "c")), start=0)[5:]  # starts at the second delta
    machine = [f for f in check(events, resumed_after=4).findings if f.code.startswith(MACHINE)]
    assert machine == []
    late = [f for f in check(events, resumed_after=2).findings if f.code.startswith(MACHINE)]
    assert [f.code for f in late] == ["SEQ003"]
    assert late[0].severity is Severity.WARNING and "resumes after 2" in late[0].message
    assert late[0].expected == 3 and late[0].actual == 5


def test_a_late_start_is_never_guessed_to_be_a_resumption() -> None:
    events = numbered(text_events(("a", "b", "c")), start=0)[5:]
    assert {"LIF001", "SEQ003", "ITM001"} <= {f.code for f in findings(events)}


def test_a_har_entry_that_resumes_a_stream_declares_it() -> None:
    import orjson

    events = numbered(text_events(("a", "b", "c")), start=0)[5:]
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events)
    url = "https://api.example/v1/responses/resp_1?stream=true&starting_after=4"
    har = {"log": {"entries": [{
        "request": {"method": "GET", "url": url, "headers": []},
        "response": {"status": 200, "headers": [], "content": {"mimeType": "text/event-stream", "text": body.decode()}},
    }]}}
    assert [f for f in check(orjson.dumps(har)).findings if f.code.startswith(MACHINE)] == []
    har["log"]["entries"][0]["request"]["url"] = url.replace("starting_after=4", "x=1")
    assert "LIF001" in {f.code for f in check(orjson.dumps(har)).findings}


def test_two_lifecycles_in_one_body() -> None:
    events = numbered(text_events() + text_events())
    found = findings(events)
    assert [f.code for f in found] == ["LIF008", "LIF003"]
    assert found[1].event_index == len(text_events())


def test_fresh_stream_without_created_is_an_error() -> None:
    events = numbered(text_events()[1:])
    assert "LIF001" in codes(events)


def test_error_event_rules_differ_by_profile() -> None:
    error = {"type": "error", "code": "server_error", "message": "boom", "param": None}
    cut = numbered([*text_events()[:2], error])
    assert "LIF010" not in codes(cut, "openai") and "LIF007" not in codes(cut, "openai")
    assert "LIF010" in codes(cut, "openresponses")
    failed = numbered([*text_events()[:2], error, {"type": "response.failed", "response": resp("failed", error={})}])
    assert codes(failed, "openai") == [] and codes(failed, "openresponses") == []
    lone = numbered([error])
    assert codes(lone, "openai") == [] and codes(lone, "openresponses") == []


def test_failure_may_leave_items_open() -> None:
    events = text_events()[:5]
    events.append({"type": "response.failed", "response": resp("failed", error={"message": "x"})})
    assert codes(numbered(events)) == []


def test_unfinished_item_is_a_warning_only_when_the_final_output_has_it() -> None:
    events = numbered([e for e in text_events() if e["type"] != "response.output_item.done"])
    assert [(f.code, f.severity) for f in findings(events)] == [("ITM007", Severity.WARNING)]
    events[-1]["response"]["output"] = []
    assert {f.code for f in findings(events) if f.severity is Severity.ERROR} == {"FIN001"}


def test_changed_item_id_in_final_output() -> None:
    events = numbered(text_events())
    events[-1]["response"]["output"][0]["id"] = "msg_2"
    found = [f for f in findings(events) if f.code == "FIN002"]
    assert [(f.expected, f.actual) for f in found] == [("msg_1", "msg_2")]


def test_final_text_mismatch_is_found_through_the_fingerprint() -> None:
    events = numbered(text_events())
    events[-1]["response"]["output"][0]["content"][0]["text"] = "Hullo"
    assert codes(events) == ["FIN004"]


def test_done_items_keep_a_fingerprint_not_their_text() -> None:
    stage = MachineStage(Emitter("openai"))
    for i, payload in enumerate(numbered(text_events())[:-1]):
        stage.feed(Event(payload, index=i), payload)
    item = stage._state.items[0]  # the memory bound is the point of this test
    assert item.done and item.parts == {} and item.args is None and item.rebuilt is None
    assert set(item.fingerprint) == {"content/0/text"} and len(item.fingerprint["content/0/text"]) == 16


ARGS = '{"a": 1}'


def _fc_events() -> list[dict[str, Any]]:
    call = {"id": "fc_1", "type": "function_call", "status": "in_progress", "call_id": "c1", "name": "f"}
    call["arguments"] = ""
    done = dict(call, status="completed", arguments='{"a": 1}')
    return [
        {"type": "response.created", "response": resp("in_progress")},
        {"type": "response.output_item.added", "output_index": 0, "item": call},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": '{"a":'},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": " 1}"},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0, "arguments": ARGS},
        {"type": "response.output_item.done", "output_index": 0, "item": done},
        {"type": "response.completed", "response": resp("completed", [done], usage=None)},
    ]


def test_reconstruction_rebuilds_the_streamed_response() -> None:
    checker = Checker(reconstruct=True, transport="events")
    assert checker.reconstruction() is None
    for i, payload in enumerate(numbered(text_events())):
        checker.feed(Event(payload, index=i))
    checker.close()
    rebuilt = checker.reconstruction()
    assert rebuilt is not None
    assert rebuilt["id"] == RID and rebuilt["status"] == "completed"
    assert rebuilt["output"] == [
        {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "Hello"}]}
    ]


def test_reconstruction_of_a_function_call_and_of_an_open_item() -> None:
    checker = Checker(reconstruct=True, transport="events")
    events = numbered(_fc_events())
    for i, payload in enumerate(events[:4]):  # stop mid-arguments
        checker.feed(Event(payload, index=i))
    partial = checker.reconstruction()
    assert partial is not None and partial["output"][0]["arguments"] == '{"a": 1}'
    assert partial["status"] == "in_progress"
    for i, payload in enumerate(events[4:], start=4):
        checker.feed(Event(payload, index=i))
    final = checker.reconstruction()
    assert final is not None
    assert final["output"] == [
        {"id": "fc_1", "type": "function_call", "status": "completed", "call_id": "c1", "name": "f", "arguments": ARGS}
    ]


def test_argument_checks() -> None:
    events = numbered(_fc_events())
    assert codes(events) == ["FIN005"]
    events[4]["arguments"] = "{}"
    assert "FCA001" in codes(events)
    events = numbered(_fc_events())
    events[5]["item"]["arguments"] = "{}"
    assert "FCA002" in codes(events)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.__setitem__("output_index", "0"),
        lambda e: e.__setitem__("item", ["not", "an", "object"]),
        lambda e: e.__setitem__("response", "resp"),
        lambda e: e.__setitem__("delta", 7),
        lambda e: e.__setitem__("content_index", None),
        lambda e: e.__setitem__("part", None),
        lambda e: e.__setitem__("sequence_number", "3"),
        lambda e: e.__setitem__("item_id", {"id": 1}),
    ],
)
def test_type_confused_fields_give_findings_not_tracebacks(mutate: Any) -> None:
    for index in range(len(text_events())):
        events = numbered(text_events())
        mutate(events[index])
        check(events, "openai")
        check(events, "openresponses")
