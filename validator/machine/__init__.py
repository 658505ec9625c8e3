"""The state machine: LIF, SEQ, ITM, CNT, FCA, TOL and FIN in one pass.

``MachineStage(emitter, reconstruct=False)`` is a payload stage: the Checker
calls ``feed(event, payload)`` for every event object in stream order and
``close()`` at the end. The work per event is constant apart from appending a
delta to its part's text.

Modules, each holding one group's checks: ``sequence`` (SEQ), ``lifecycle``
(LIF), ``refs`` (resolving `output_index`/`item_id`, part of ITM), ``items``
(ITM), ``content`` (CNT), ``tools`` (FCA, TOL), ``final`` (FIN and the
reconstruction); ``state`` holds the data they share.

Memory: the response's scalar facts, one small record per output item, and
the accumulated text of the parts and arguments of items that are still open.
When ``output_item.done`` arrives the item's texts are checked against it and
dropped; only a fingerprint (a 16-byte digest per text field) stays for FIN to
compare with the terminal response. With ``reconstruct=True`` the finished
texts are kept as well.

Reconstruction: ``MachineStage.reconstruction()`` (reachable as
``Checker.reconstruction()``) returns the response as the stream built it,
or None when no response or item was streamed::

    {"id": str | None, "status": str | None, "usage": dict | None,
     "output": [
        {"id", "type", "status", ...the item's other scalar fields (role, name, call_id, ...),
         "content": [{"type": "output_text", "text": ...} | {"type": "refusal", "refusal": ...}
                     | {"type": "reasoning_text", "text": ...}],      # messages, raw reasoning
         "summary": [{"type": "summary_text", "text": ...}],           # reasoning
         "arguments" | "input" | "code": str},                         # tool calls
        ...]}

Texts are the concatenated deltas (or the `.done` text when one was sent);
fields that were not streamed come from the `output_item.done` item. Status and
usage come from the terminal event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from validator.emitter import Emitter
from validator.machine import content, final, items, lifecycle, refs, sequence, tools
from validator.machine.state import State
from validator.model import Event

Handler = Callable[[State, Event, dict[str, Any], str], None]


def _lifecycle(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    response = lifecycle.on_lifecycle(state, event, payload, kind)
    if kind in lifecycle.TERMINAL:
        final.on_terminal(state, event, response, kind)


def _error(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    lifecycle.on_error(state, event)


def _added(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    items.on_added(state, event, payload)


def _done(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    items.on_done(state, event, payload)


def _part_added(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    content.on_part_added(state, event, payload, summary="summary" in kind)


def _part_done(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    content.on_part_done(state, event, payload, summary="summary" in kind)


def _summary_text(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    content.on_text(state, event, payload, kind, summary=True)


def _reference(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    refs.resolve(state, event, payload, kind)


def _handlers() -> dict[str, Handler]:
    table: dict[str, Handler] = dict.fromkeys(lifecycle.LIFECYCLE, _lifecycle)
    table["error"] = _error
    table["response.output_item.added"] = _added
    table["response.output_item.done"] = _done
    table["response.content_part.added"] = _part_added
    table["response.content_part.done"] = _part_done
    table["response.reasoning_summary_part.added"] = _part_added
    table["response.reasoning_summary_part.done"] = _part_done
    table["response.reasoning_summary_text.delta"] = _summary_text
    table["response.reasoning_summary_text.done"] = _summary_text
    for prefix in content.TEXT_EVENTS:
        table[f"{prefix}.delta"] = content.on_text
        table[f"{prefix}.done"] = content.on_text
    table["response.output_text.annotation.added"] = content.on_annotation
    for prefix in tools.ARGUMENT_EVENTS:
        table[f"{prefix}.delta"] = tools.on_arguments
        table[f"{prefix}.done"] = tools.on_arguments
    for prefix in tools.TOOL_EVENTS:
        for suffix in tools.STAGES:
            table[f"{prefix}.{suffix}"] = tools.on_progress
    return table


_HANDLERS = _handlers()

# The shortcuts in MachineStage.feed; tests turn them off to show they change no finding.
FAST_PATHS = True


class MachineStage:
    """The ordering and consistency checks over one stream's event objects."""

    def __init__(self, emitter: Emitter, *, reconstruct: bool = False) -> None:
        self._state = State(emitter=emitter, reconstruct=reconstruct)

    def feed(self, event: Event, payload: dict[str, Any]) -> None:
        state = self._state
        state.events += 1
        state.last = event
        kind = payload.get("type")
        if not isinstance(kind, str):
            return
        # The common cases first, each equal to what the full checks would conclude.
        fast = FAST_PATHS
        seq = payload.get("sequence_number")
        prev = state.seq_prev
        if fast and type(seq) is int and prev is not None and seq == prev + 1:
            state.seq_prev = seq
        else:
            sequence.check(state, event, payload)
        quiet = fast and state.events > 1 and state.terminal is None and state.error_event is None
        if not quiet and not lifecycle.before_event(state, event, payload, kind):
            return
        hot = state.hot
        if fast and hot is not None:
            output_index = payload.get("output_index")
            index = payload.get(hot.index_field)
            if (
                type(output_index) is int
                and type(index) is int
                and (kind, output_index, payload.get("item_id"), index) == hot.key
            ):
                part = hot.part
                if not (hot.item.done or part.closed or part.done_text is not None):
                    delta = payload.get("delta")
                    if type(delta) is str:
                        part.add(delta)
                        return
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(state, event, payload, kind)
        elif "output_index" in payload or "item_id" in payload:
            _reference(state, event, payload, kind)

    def close(self) -> None:
        sequence.close(self._state)
        lifecycle.close(self._state)

    def reconstruction(self) -> dict[str, Any] | None:
        """The response as the stream built it; None when nothing was streamed."""
        return final.reconstruction(self._state)
