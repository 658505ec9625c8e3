"""SEQ checks: one integer `sequence_number` per event, increasing by one."""

from __future__ import annotations

from typing import Any

from validator.machine.state import State, as_int
from validator.model import Event, shown
from validator.rules import sequence as rules


def check(state: State, event: Event, payload: dict[str, Any]) -> None:
    raw = payload.get("sequence_number")
    seq = as_int(raw)
    if state.events == 1:
        state.seq_first = event
    if seq is None:
        state.seq_missing += 1
        if state.seq_prev is not None:
            _inconsistent(state, event, payload, raw)
        return
    if state.seq_missing and state.seq_prev is None:
        _inconsistent(state, event, payload, raw)
    if state.events == 1:
        first = 0 if state.resumed_after is None else state.resumed_after + 1
        if seq != first:
            where = "" if state.resumed_after is None else f" (the stream resumes after {state.resumed_after})"
            state.emit(
                rules.NOT_FROM_ZERO,
                f"first event has sequence_number {seq}, not {first}{where}",
                event,
                pointer="/sequence_number",
                expected=first,
                actual=seq,
            )
    prev = state.seq_prev
    if prev is not None:
        if seq <= prev:
            state.emit(
                rules.NOT_INCREASING,
                f"sequence_number {seq} does not increase on the previous {prev}",
                event,
                pointer="/sequence_number",
                expected=f"> {prev}",
                actual=seq,
            )
        elif seq > prev + 1:
            state.emit(
                rules.GAP,
                f"sequence_number jumps from {prev} to {seq} ({seq - prev - 1} missing)",
                event,
                pointer="/sequence_number",
                expected=prev + 1,
                actual=seq,
            )
    state.seq_prev = seq


def _inconsistent(state: State, event: Event, payload: dict[str, Any], raw: Any) -> None:
    if not state.once(rules.INCONSISTENT):
        return
    kind = payload.get("type")
    if raw is None or as_int(raw) is None:
        what = "has no sequence_number" if raw is None else f"has a non-integer sequence_number {shown(raw)}"
        message = f"{kind} {what}, but earlier events are numbered"
    else:
        message = f"{kind} has sequence_number {raw}, but the {state.seq_missing} event(s) before it had none"
    state.emit(rules.INCONSISTENT, message, event, pointer="/sequence_number", actual=raw)


def close(state: State) -> None:
    if state.seq_prev is None and state.seq_missing:
        state.emit(
            rules.MISSING,
            f"none of the stream's {state.seq_missing} event(s) has an integer sequence_number",
            state.seq_first,
            pointer="/sequence_number",
        )
