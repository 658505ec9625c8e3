"""The timeline the HTML report draws: what it keeps of each event, how runs collapse, its bounds."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator import redact as redact_module
from validator.checker import check_stream
from validator.model import Event
from validator.redact import Redactor
from validator.runner import CheckOptions, check_file, check_files
from validator.sources import streams_from_bytes, streams_from_path
from validator.timeline import (
    DONE,
    LIFECYCLE_LANE,
    NO_OBJECT,
    UNDECODABLE,
    Timeline,
    maybe_secret,
)

ROOT = Path(__file__).resolve().parents[1]
VALID = sorted((ROOT / "fixtures" / "valid").rglob("*.sse"))
INVALID = sorted((ROOT / "fixtures" / "invalid").rglob("*.sse"))


def delta(seq: int | None, text: str, *, item: str = "msg_1", output_index: int = 0, content_index: int = 0,
          **extra: Any) -> dict[str, Any]:
    event = {"type": "response.output_text.delta", "item_id": item, "output_index": output_index,
             "content_index": content_index, "delta": text, **extra}
    if seq is not None:
        event["sequence_number"] = seq
    return event


def opening(seq: int = 0) -> list[dict[str, Any]]:
    return [
        {"type": "response.created", "sequence_number": seq, "response": {"id": "resp_1", "status": "in_progress"}},
        {"type": "response.output_item.added", "sequence_number": seq + 1, "output_index": 0,
         "item": {"id": "msg_1", "type": "message", "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", "sequence_number": seq + 2, "item_id": "msg_1", "output_index": 0,
         "content_index": 0, "part": {"type": "output_text", "text": ""}},
    ]


def timeline_of(payloads: list[Any], **bounds: Any) -> Timeline:
    timeline = Timeline(**bounds)
    timeline.extend(Event(payload, index=i, line=2 * i + 1) for i, payload in enumerate(payloads))
    timeline.finish(None)
    return timeline


def entries(timeline: Timeline) -> list[list[Any]]:
    """The entries, each padded to its 13 items (trailing nulls are left out of the data)."""
    return [e + [None] * (13 - len(e)) for e in timeline.to_dict()["entries"]]


def test_consecutive_deltas_to_one_part_are_one_entry() -> None:
    words = ["Hel", "lo", ", ", "world", "!"]
    timeline = timeline_of([*opening(), *(delta(3 + i, w) for i, w in enumerate(words))])
    *lifecycle, run = entries(timeline)
    assert [e[1] for e in lifecycle] == [1, 1, 1]
    first, count, type_id, _lane, seq, line, raw, text, text_len, lengths, sse, clipped, masked = run
    assert (first, count, seq, line) == (3, 5, 3, 7)
    assert timeline.types[type_id] == "response.output_text.delta"
    assert text == "Hello, world!" and text_len == 13 and lengths == [3, 2, 2, 5, 1]
    assert json.loads(raw)["delta"] == "Hel"  # the run's first event, whole
    assert sse is None and not clipped and not masked
    assert timeline.events == 8


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (delta(5, "b"), "a sequence number is missing"),
        (delta(4, "b", item="msg_2"), "another item id"),
        (delta(4, "b", content_index=1), "another part"),
        (delta(4, "b", logprobs=[]), "another set of fields"),
        (delta(None, "b"), "no sequence number after one"),
        (delta(4, 7), "a delta that is not a string"),
        ({**delta(4, "b"), "type": "response.refusal.delta"}, "another type"),
    ],
)
def test_a_run_breaks_where_the_events_differ(second: dict[str, Any], why: str) -> None:
    timeline = timeline_of([delta(3, "a"), second])
    assert [e[1] for e in entries(timeline)] == [1, 1], why


def test_a_run_breaks_on_another_sse_event_name() -> None:
    timeline = Timeline()
    timeline.add(Event(delta(0, "a"), 0, sse_event="response.output_text.delta"))
    timeline.add(Event(delta(1, "b"), 1, sse_event="something.else"))
    timeline.add(Event(delta(2, "c"), 2, sse_event="something.else"))
    first, second = entries(timeline)
    assert first[1] == 1 and second[1] == 2
    assert second[10] == "something.else"  # kept because it differs from the type


def test_interleaved_deltas_do_not_collapse() -> None:
    events = [delta(i, "x", item=f"fc_{i % 2}", output_index=i % 2) for i in range(10)]
    assert [e[1] for e in entries(timeline_of(events))] == [1] * 10


def test_lanes_lifecycle_items_and_parts() -> None:
    payloads = [
        *opening(),
        delta(3, "hi"),
        {"type": "response.reasoning_summary_part.added", "sequence_number": 4, "item_id": "rs_1",
         "output_index": 1, "summary_index": 0, "part": {"type": "summary_text", "text": ""}},
        {"type": "response.output_item.added", "sequence_number": 5, "output_index": 1,
         "item": {"id": "rs_1", "type": "reasoning", "summary": []}},
        {"type": "response.output_text.annotation.added", "sequence_number": 6, "item_id": "msg_1"},
        {"type": "response.completed", "sequence_number": 7, "response": {"id": "resp_1"}},
        {"type": "response.output_text.delta", "output_index": -3, "delta": "?"},
    ]
    timeline = timeline_of(payloads)
    data = timeline.to_dict()
    lanes = data["lanes"]
    lane_of = [lanes[e[3]]["key"] for e in data["entries"]]
    assert lane_of == ["response", "0", "0.c0", "0.c0", "1.s0", "1", "0", "response", "other"]
    labels = {lane["key"]: lane["label"] for lane in lanes}
    assert labels["0"] == "#0 message msg_1" and labels["0.c0"] == "#0.c0 output_text"
    assert labels["1"] == "#1 reasoning rs_1" and labels["1.s0"] == "#1.s0 summary_text"
    assert [lanes[i]["key"] for i in data["order"]] == ["response", "0", "0.c0", "1", "1.s0", "other"]
    assert data["entries"][0][3] == LIFECYCLE_LANE


def test_only_lifecycle_events_take_the_lifecycle_lane() -> None:
    timeline = Timeline()
    for index, payload in enumerate([
        {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1"}},
        {"type": "ping"},
        {"type": "vendor.keepalive", "sequence_number": 1},
        {"no": "type"},
        {"type": "error", "sequence_number": 2, "code": "x", "message": "m"},
        {"type": "response.failed", "sequence_number": 3, "response": {"id": "resp_1"}},
    ]):
        timeline.add(Event(payload, index))
    timeline.add(Event(None, 6, error="invalid JSON"))
    timeline.add(Event([1], 7))
    timeline.add(Event(None, 8, done=True))
    data = timeline.to_dict()
    lane_of = [data["lanes"][e[3]]["key"] for e in data["entries"]]
    assert lane_of == ["response", "other", "other", "other", "response", "response", "other", "other", "response"]


def test_events_that_are_not_event_objects() -> None:
    timeline = Timeline()
    timeline.add(Event(None, 0, error="invalid JSON: unexpected character at line 1 column 1"))
    timeline.add(Event([1, 2], 1))
    timeline.add(Event({"no": "type"}, 2))
    timeline.add(Event(None, 3, done=True))
    data = timeline.to_dict()
    types = [data["types"][e[2]] for e in entries(timeline)]
    assert types == [UNDECODABLE, NO_OBJECT, NO_OBJECT, DONE]
    assert [e[6] for e in entries(timeline)] == [
        "invalid JSON: unexpected character at line 1 column 1", "[1,2]", '{"no":"type"}', DONE]


def test_hostile_payloads_stay_json() -> None:
    deep: Any = "bottom"
    for _ in range(200):
        deep = {"d": [deep]}
    payloads = [
        {"type": "x", "big": 2**80, "surrogate": "\ud800", "long": "y" * 100_000, "many": list(range(10_000))},
        {"type": "x", "deep": deep},
        {"type": "x", **{f"k{i}": i for i in range(1_000)}},
    ]
    for entry in entries(timeline_of(payloads)):
        value = json.loads(entry[6])
        assert len(entry[6]) < 20_000
        assert isinstance(value, dict) and value["type"] == "x"


def test_the_entry_bound_keeps_the_start_and_the_end() -> None:
    events = [delta(i, "x", item=f"fc_{i % 2}", output_index=i % 2) for i in range(1_000)]
    timeline = timeline_of(events, max_entries=100)
    data = timeline.to_dict()
    kept = entries(timeline)
    assert len(kept) == 100
    assert data["dropped"] == {"events": 900, "entries": 900}
    assert data["gap"] == 75
    assert [e[0] for e in kept[:75]] == list(range(75))
    assert [e[0] for e in kept[75:]] == list(range(975, 1_000))  # the last quarter rolls along


def test_the_payload_budget_keeps_the_first_and_the_last_payloads() -> None:
    events = [delta(i, "x", item=f"fc_{i % 2}", output_index=i % 2) for i in range(1_000)]
    size = len(json.dumps(events[0], separators=(",", ":")))
    timeline = timeline_of(events, raw_budget=40 * size)
    kept = [e[6] is not None for e in entries(timeline)]
    assert timeline.raw_dropped == kept.count(False) > 900
    assert all(kept[:25]) and not any(kept[40:980]) and all(kept[-9:])
    assert sum(len(e[6]) for e in entries(timeline) if e[6] is not None) <= 40 * size


def test_the_text_budget_clips_runs() -> None:
    events = [delta(i, "abcdefghij") for i in range(1_000)]
    timeline = timeline_of(events, text_chars=95, text_budget=10_000)
    [run] = entries(timeline)
    assert run[1] == 1_000 and run[8] == 10_000 and run[7] == "abcdefghij" * 9 + "abcde"
    assert timeline.texts_clipped == 1
    long_first = timeline_of([delta(0, "x" * 50), delta(1, "y")], text_chars=10)
    assert entries(long_first)[0][9] == [50, 1]  # lengths are whole, texts clipped
    small = timeline_of(events, text_budget=400)
    [run] = entries(small)
    assert len(run[7]) + 4 * len(run[9]) <= 400


def test_memory_stays_bounded_whatever_the_length() -> None:
    events = [delta(i, "abcdefghij" * 3, item=f"fc_{i % 2}", output_index=i % 2) for i in range(20_000)]
    timeline = timeline_of(events, max_entries=1_000, raw_budget=50_000, text_budget=20_000)
    assert timeline.size() <= 1_000 * 200 + 50_000 + 20_000 * 4
    assert timeline.events == 20_000


def test_secrets_are_masked_and_the_json_stays_valid() -> None:
    secret_url = "https://user:hunter2@example.test/v1?api_key=sk-live-123&x=1"
    payload = {"type": "response.created", "note": secret_url, "auth": "Bearer sk-abcdefgh12345"}
    timeline = Timeline(redact=Redactor(["my-own-secret"]).text)
    timeline.add(Event(payload, 0))
    timeline.add(Event(delta(1, "the key is my-own-"), 1))
    timeline.add(Event(delta(2, "secret, Bearer sk-zzzz9999"), 2))
    timeline.finish({"output": [{"arguments": "my-own-secret"}]})
    data = timeline.to_dict()
    text = json.dumps(data)
    for secret in ("hunter2", "sk-live-123", "sk-abcdefgh12345", "my-own-secret", "sk-zzzz9999"):
        assert secret not in text, secret
    raw = json.loads(entries(timeline)[0][6])
    assert raw["note"].startswith("https://[REDACTED]@example.test/v1?api_key=[REDACTED]")
    assert entries(timeline)[1][7] == "the key is [REDACTED], Bearer [REDACTED]"  # masked across deltas


def test_the_quick_test_knows_the_redactor_patterns() -> None:
    # maybe_secret mirrors validator.redact's three secret patterns (the other two, _PERCENT and
    # _MARKDOWN_SPECIAL, spell a known secret in an encoding): a new one needs a look at it.
    patterns = {n for n, p in vars(redact_module).items() if isinstance(p, re.Pattern)}
    assert patterns == {"_SENSITIVE_QUERY", "_USERINFO", "_BEARER", "_PERCENT", "_MARKDOWN_SPECIAL"}, (
        "validator.redact changed: update timeline.maybe_secret to match"
    )


_PIECES = st.sampled_from(["?", "&", "#", ";", "=", "://", "@", "Bearer ", "BEARER\t", "x", "1", " ", '"', ":", "/",
                           *redact_module.CREDENTIAL_PARAMS, "API-KEY"])


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_quick_test_never_misses_what_the_redactor_masks(text: str) -> None:
    if Redactor().text(text) != text:
        assert maybe_secret(text), text


@pytest.mark.parametrize("path", [*VALID, *INVALID], ids=lambda p: str(p.relative_to(ROOT)))
def test_a_timeline_changes_no_finding_and_holds_every_event(path: Path) -> None:
    [plain_stream] = streams_from_path(path)
    plain = check_stream(plain_stream)
    [stream] = streams_from_path(path)
    report = check_stream(stream, timeline=Timeline())
    assert plain.timeline is None
    assert [f.to_dict() for f in report.findings] == [f.to_dict() for f in plain.findings]
    timeline = report.timeline
    assert timeline is not None and timeline.events == report.events
    kept = entries(timeline)
    assert sum(e[1] for e in kept) == report.events
    assert [e[0] for e in kept] == sorted({e[0] for e in kept})
    # Every finding's event is inside an entry.
    for finding in report.findings:
        if finding.event_index is not None:
            assert any(e[0] <= finding.event_index < e[0] + e[1] for e in kept)


def test_the_reconstruction_is_kept() -> None:
    path = ROOT / "fixtures" / "valid" / "openai" / "function_call.sse"
    [stream] = streams_from_path(path)
    report = check_stream(stream, timeline=Timeline())
    assert report.timeline is not None
    output = report.timeline.reconstruction["output"]
    assert output and output[0]["type"] == "function_call" and json.loads(output[0]["arguments"])


def test_timelines_cross_process_boundaries(tmp_path: Path) -> None:
    body = (ROOT / "fixtures" / "valid" / "openai" / "text.sse").read_bytes()
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"s{i}.sse")
        paths[-1].write_bytes(body)
    results = list(check_files([str(p) for p in paths], CheckOptions(timeline=True), jobs=2))
    timelines = [s.timeline for r in results for s in r.streams]
    assert len(timelines) == 3 and all(t is not None and t.events == timelines[0].events for t in timelines)
    assert check_file(str(paths[0])).streams[0].timeline is None  # only when asked
    [stream] = streams_from_bytes(body)
    report = check_stream(stream, timeline=Timeline())
    assert pickle.loads(pickle.dumps(report)).timeline.to_dict() == report.timeline.to_dict()  # type: ignore[union-attr]
