"""The state machine's shortcuts for the common case change no finding.

``validator.machine.FAST_PATHS`` switches off the shortcuts in
``MachineStage.feed`` (sequence numbers that follow on, the lifecycle when
nothing has ended, deltas to the same part as the last one); every stream
must get the same findings either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import validator.machine
from conformance_tests.hostile import confused_events
from validator import Checker, Event, check
from validator.rules import PROFILES
from validator.strategies import mutated_streams, streams

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def findings(data: bytes | list[dict[str, object]], profile: str, fast: bool) -> list[tuple[object, ...]]:
    validator.machine.FAST_PATHS = fast
    try:
        if isinstance(data, bytes):
            found = check(data, profile).findings
        else:
            checker = Checker(profile, transport="events")
            found = [f for i, e in enumerate(data) for f in checker.feed(Event(payload=e, index=i))]
            found += checker.close()
    finally:
        validator.machine.FAST_PATHS = True
    return [(f.code, f.event_index, f.message, f.pointer) for f in found]


def same_either_way(data: bytes | list[dict[str, object]], profile: str) -> None:
    assert findings(data, profile, fast=True) == findings(data, profile, fast=False)


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


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(confused_events(), min_size=1, max_size=15), st.sampled_from(PROFILES))
def test_type_confused_events(events: list[dict[str, object]], profile: str) -> None:
    same_either_way(events, profile)


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
