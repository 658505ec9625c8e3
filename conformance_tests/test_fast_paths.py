"""The shortcuts for the common case change nothing in any report.

``Checker(shortcuts=False)`` (and ``check(..., shortcuts=False)``) switches off
the fused SSE lane (``validator.fastlane``), the framing stage's usual-frame
step, the quick schema checks and the state machine's next-delta step. Every
stream must get the same report either way: the same findings with the same
locations, the same event count, the same error.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance_tests.hostile import confused_events
from validator import Checker, Event, check
from validator.machine import deltas
from validator.rules import PROFILES
from validator.sources import iter_sse_events
from validator.strategies import mutated_streams, streams
from validator.writers import to_sse

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def report(data: bytes | list[dict[str, Any]], profile: str, fast: bool) -> list[Any]:
    if isinstance(data, bytes):
        result = check(data, profile, shortcuts=fast)
        return [(s.events, s.error, [f.to_dict() for f in s.findings]) for s in result.streams]
    checker = Checker(profile, transport="events", shortcuts=fast)
    found = [f for i, e in enumerate(data) for f in checker.feed(Event(payload=e, index=i))]
    found += checker.close()
    return [checker.events, [f.to_dict() for f in found]]


def same_either_way(data: bytes | list[dict[str, Any]], profile: str) -> None:
    assert report(data, profile, fast=True) == report(data, profile, fast=False)


@pytest.mark.parametrize("profile", PROFILES)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_streams(profile: str, data: st.DataObject) -> None:
    mutation = data.draw(mutated_streams(profile))
    same_either_way(mutation.to_bytes(), profile)


@pytest.mark.parametrize("profile", PROFILES)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_streams(profile: str, data: st.DataObject) -> None:
    same_either_way(data.draw(streams(profile)).to_bytes("sse"), profile)


# Any JSON value orjson can write (integers within 64 bits).
writable_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)
DELTA_FIELDS = ("sequence_number", "output_index", "item_id", "content_index", "summary_index",
                "delta", "logprobs", "obfuscation", "type", "extra")


@st.composite
def perturbed_deltas(draw: Any, profile: str) -> bytes:
    """A valid stream with a few of its deltas changed in one field (or given an `id:` or a cut)."""
    events = copy.deepcopy(draw(streams(profile)).events)
    deltas = [i for i, e in enumerate(events) if str(e["type"]).endswith(".delta")]
    if deltas:
        for i in draw(st.lists(st.sampled_from(deltas), min_size=1, max_size=3)):
            name = draw(st.sampled_from(DELTA_FIELDS))
            if draw(st.booleans()):
                events[i].pop(name, None)
            else:
                events[i][name] = draw(st.one_of(writable_values, st.sampled_from([True, 1.0, 0, 1, "0", [], [{}]])))
    body = to_sse(events)
    frames = body.split(b"\n\n")
    at = draw(st.integers(0, len(frames) - 1))
    tweak = draw(st.sampled_from(["none", "id", "done", "cut", "crlf", "comment"]))
    if tweak == "id":
        frames[at] = b"id: 7\n" + frames[at]
    elif tweak == "done":
        frames.insert(at, b"data: [DONE]")
    elif tweak == "comment":
        frames[at] = b": keep-alive\n" + frames[at]
    body = b"\n\n".join(frames)
    if tweak == "cut":
        body = body[: draw(st.integers(0, len(body)))]
    elif tweak == "crlf":
        body = body.replace(b"\n", b"\r\n")
    return body


@pytest.mark.parametrize("profile", PROFILES)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_perturbed_deltas(profile: str, data: st.DataObject) -> None:
    same_either_way(data.draw(perturbed_deltas(profile)), profile)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(confused_events(), min_size=1, max_size=15), st.sampled_from(PROFILES))
def test_type_confused_events(events: list[dict[str, Any]], profile: str) -> None:
    same_either_way(events, profile)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_chunking_gives_the_same_findings(data: st.DataObject) -> None:
    body = data.draw(perturbed_deltas("openai"))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=6)))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    exact = Checker("openai", transport="sse", shortcuts=False).run(iter_sse_events([body]))
    assert Checker("openai").run_data(chunks) == exact
    assert Checker("openai", shortcuts=False).run_data(chunks) == exact


def test_the_lane_takes_the_deltas_of_a_long_text(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = 0
    take = deltas.take_delta

    def counting(state: Any, payload: dict[str, Any], kind: Any) -> bool:
        nonlocal taken
        result = take(state, payload, kind)
        taken += result
        return result

    monkeypatch.setattr(deltas, "take_delta", counting)
    texts = [f"w{i} " for i in range(50)]
    body = to_sse(long_message(texts, "".join(texts)))
    assert Checker("openai").run_data([body]) == Checker("openai", transport="sse").run(iter_sse_events([body]))
    assert taken == 2 * 49  # every delta after the first, once in each run


def test_a_stream_cut_after_a_taken_delta_points_at_that_delta() -> None:
    deltas = [f"w{i} " for i in range(5)]
    events = long_message(deltas, "".join(deltas))[:-1]
    findings = check(to_sse(events), "openai").findings
    ends = [f for f in findings if f.event_index == len(events) - 1]
    assert ends, findings
    assert all(f.line == 3 * len(events) - 1 and f.event_type == "response.output_text.delta" for f in ends)


def corpus() -> Iterator[Path]:
    if SHARED.is_dir():
        yield from sorted((SHARED / "corpus").rglob("*.sse"))


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (the recorded corpus) is not beside the checkout")
@pytest.mark.parametrize("path", list(corpus()), ids=lambda p: p.name)
def test_recorded_streams(path: Path) -> None:
    for profile in PROFILES:
        same_either_way(path.read_bytes(), profile)


def long_message(deltas: list[str], done_text: str) -> list[dict[str, object]]:
    item = {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    part = {"type": "output_text", "text": "", "annotations": []}
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    events: list[dict[str, object]] = [
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.content_part.added", **where, "part": part},
        *({"type": "response.output_text.delta", **where, "delta": d} for d in deltas),
        {"type": "response.output_text.done", **where, "text": done_text},
    ]
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return events


def test_many_deltas_are_compacted_without_changing_the_text() -> None:
    from validator.machine.state import COMPACT_AFTER

    deltas = [f"w{i} " for i in range(3 * COMPACT_AFTER + 17)]
    text = "".join(deltas)
    assert "CNT005" not in {f.code for f in check(long_message(deltas, text)).findings}
    wrong = text[:-3] + "x3 "
    assert "CNT005" in {f.code for f in check(long_message(deltas, wrong)).findings}


# ---- Response snapshots: tools and instructions validated once per stream while their bytes stay ----

SNAPSHOT_CHANGES: list[tuple[str, Any]] = [
    ("tools", [{"type": 5}]),
    ("tools", [{"type": "function", "name": "f", "parameters": {}, "strict": 1}]),  # 1, not True
    ("tools", [{"type": "function", "name": "f", "parameters": {}, "strict": True}]),
    ("tools", []),
    ("tools", None),
    ("instructions", 7),
    ("instructions", "Be brief."),
    ("instructions", [{"role": "user", "content": "hi", "type": "message"}]),
    ("instructions", [{"role": 3}]),
    ("status", 5),  # a change elsewhere: the rest of the snapshot is still checked
]


@st.composite
def snapshot_streams(draw: Any, profile: str) -> list[dict[str, Any]]:
    """A valid stream whose lifecycle snapshots carry tools and instructions, some changed in later ones."""
    events = copy.deepcopy(draw(streams(profile)).events)
    tools = [{"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": True}]
    for event in events:
        response = event.get("response")
        if isinstance(response, dict):
            response["tools"] = copy.deepcopy(tools)
            response["instructions"] = "Answer briefly."
            if draw(st.integers(0, 3)) == 0:
                field, value = draw(st.sampled_from(SNAPSHOT_CHANGES))
                response[field] = copy.deepcopy(value)
            if draw(st.integers(0, 5)) == 0:
                del response[draw(st.sampled_from(["tools", "instructions"]))]
    return events


@pytest.mark.parametrize("profile", PROFILES)
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(data=st.data())
def test_snapshots_with_unchanged_or_changed_tools(profile: str, data: st.DataObject) -> None:
    events = data.draw(snapshot_streams(profile))
    same_either_way(events, profile)
    same_either_way(to_sse(events), profile)


def test_a_tool_broken_in_a_later_snapshot_is_found() -> None:
    events = copy.deepcopy(streams_example())
    lifecycle = [e for e in events if isinstance(e.get("response"), dict)]
    assert len(lifecycle) >= 3
    for event in lifecycle:
        event["response"]["tools"] = [{"type": "function", "name": "f", "parameters": {}, "strict": True}]
    lifecycle[-1]["response"]["tools"][0]["strict"] = 1  # an integer where a boolean is required
    for fast in (True, False):
        found = report(events, "openai", fast)[1]
        assert [f["code"] for f in found if f["code"] == "SCH001"] == ["SCH001"], found


def streams_example() -> list[dict[str, Any]]:
    from validator.strategies import samples

    return samples.valid_stream(3, "openai").events


def test_a_negative_content_index_is_compared_as_no_part_of_the_done_item() -> None:
    # Found by test_perturbed_deltas: a part at content_index -3 made output_item.done index its
    # content list from the end (an IndexError; -1 would have compared the wrong entry).
    message = {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "sequence_number": 0,
         "response": {"id": "resp_1", "object": "response", "created_at": 1, "status": "in_progress",
                      "model": "m", "output": []}},
        {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": message},
        {"type": "response.content_part.added", "sequence_number": 2, "output_index": 0, "item_id": "msg_1",
         "content_index": -3, "part": {"type": "output_text", "text": "", "annotations": []}},
        {"type": "response.output_text.delta", "sequence_number": 3, "output_index": 0, "item_id": "msg_1",
         "content_index": -3, "delta": "hi"},
        {"type": "response.output_item.done", "sequence_number": 4, "output_index": 0,
         "item": {**message, "status": "completed",
                  "content": [{"type": "output_text", "text": "other", "annotations": []}]}},
    ]
    same_either_way(to_sse(events), "openai")
    codes = {f.code for s in check(to_sse(events), "openai").streams for f in s.findings}
    assert "CNT002" in codes  # the part count still differs
