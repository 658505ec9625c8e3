"""One root defect, one finding: follow-on findings are not invented, and those that stay name their root."""

from __future__ import annotations

from typing import Any

from conformance_tests.test_machine import MACHINE, msg, numbered, resp, text_events
from validator import check
from validator.model import Finding
from validator.report import Report, StreamReport
from validator.reporters import RenderOptions
from validator.reporters.text import render

LOC = {"item_id": "msg_1", "output_index": 0, "content_index": 0}


def machine(events: list[dict[str, Any]]) -> list[Finding]:
    return [f for f in check(numbered(events)).findings if f.code.startswith(MACHINE)]


def with_texts(done: str, part: str, item: str, final: str) -> list[dict[str, Any]]:
    """The conformant 'Hello' stream, with the `.done`, part, item and final texts replaced."""
    events = text_events(("Hel", "lo"))
    for event in events:
        kind = event["type"]
        if kind == "response.output_text.done":
            event["text"] = done
        elif kind == "response.content_part.done":
            event["part"] = dict(event["part"], text=part)
        elif kind == "response.output_item.done":
            event["item"] = msg("completed", item)
        elif kind == "response.completed":
            event["response"]["output"] = [msg("completed", final)]
    return events


def test_a_wrong_done_text_is_blamed_on_the_done_event_alone() -> None:
    found = machine(with_texts("Hellx", "Hello", "Hello", "Hello"))
    assert [f.code for f in found] == ["CNT005"]


def test_copies_of_a_wrong_done_text_name_it_as_their_root() -> None:
    found = machine(with_texts("Hellx", "Hellx", "Hellx", "Hellx"))
    assert [f.code for f in found] == ["CNT005", "CNT006", "CNT007", "FIN004"]
    root, part, item, final = found
    assert root.caused_by is None
    assert part.caused_by == item.caused_by == ("CNT005", root.event_index)
    assert final.caused_by == ("CNT007", item.event_index)


def test_a_copy_that_disagrees_on_its_own_is_a_root_of_its_own() -> None:
    found = machine(with_texts("Hello", "Hellq", "Hello", "Hello"))
    assert [(f.code, f.caused_by) for f in found] == [("CNT006", None)]


def test_deltas_before_their_part_still_count_toward_the_text() -> None:
    events = text_events(("Hel", "lo"))
    part_added = next(i for i, e in enumerate(events) if e["type"] == "response.content_part.added")
    first_delta = part_added + 1
    events[part_added], events[first_delta] = events[first_delta], events[part_added]
    assert [f.code for f in machine(events)] == ["CNT001"]


def test_an_item_added_without_output_index_is_still_the_item_its_events_name() -> None:
    events = text_events(("Hel", "lo"))
    added = next(e for e in events if e["type"] == "response.output_item.added")
    del added["output_index"]
    found = check(numbered(events)).findings
    assert [f.code for f in found if f.code.startswith(MACHINE)] == []
    assert any(f.code == "SCH001" and "output_index" in f.message for f in found)


def test_arguments_copied_from_a_wrong_done_event_name_it() -> None:
    call = {"id": "fc_1", "type": "function_call", "status": "in_progress", "arguments": ""}
    call |= {"call_id": "c", "name": "f"}
    done_call = dict(call, status="completed", arguments='{"a":2}')
    where = {"item_id": "fc_1", "output_index": 0}
    usage = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}
    events = [
        {"type": "response.created", "response": resp("in_progress")},
        {"type": "response.output_item.added", "output_index": 0, "item": call},
        {"type": "response.function_call_arguments.delta", **where, "delta": '{"a":1}'},
        {"type": "response.function_call_arguments.done", **where, "arguments": '{"a":2}', "name": "f"},
        {"type": "response.output_item.done", "output_index": 0, "item": done_call},
        {"type": "response.completed", "response": resp("completed", [done_call], usage=usage)},
    ]
    found = machine(events)
    assert [f.code for f in found] == ["FCA001", "FCA002", "FIN004"]
    assert found[1].caused_by == ("FCA001", 3)
    assert found[2].caused_by == ("FCA002", 4)


def test_the_text_output_groups_follow_ons_under_their_root() -> None:
    found = machine(with_texts("Hellx", "Hellx", "Hellx", "Hellx"))
    lines = render(Report("openai", [StreamReport("s.sse", "openai", findings=found)]), RenderOptions()).splitlines()
    # CNT006 and CNT007 follow from CNT005; FIN004 follows from CNT007.
    assert [(len(line) - len(line.lstrip()), line.split()[1]) for line in lines[:4]] == [
        (0, "CNT005"), (2, "CNT006"), (2, "CNT007"), (4, "FIN004"),
    ]
    assert lines[3].endswith("(follows from CNT007 at event #8)")


def test_events_without_their_indexes_still_find_their_item_and_part() -> None:
    # llama.cpp sends no output_index or content_index on any event: SCH001 says so, once per
    # event, and the machine follows the ids rather than reporting every event again.
    events = text_events(("Hel", "lo"))
    for event in events:
        event.pop("output_index", None)
        event.pop("content_index", None)
    found = [f.code for f in machine(events)]
    assert found == [], found
