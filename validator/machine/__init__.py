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

from validator import shortcuts
from validator.emitter import Emitter
from validator.machine import content, final, items, lifecycle, refs, sequence, tools
from validator.machine.state import DELTA_INDEX_FIELD, State
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

class MachineStage:
    """The ordering and consistency checks over one stream's event objects."""

    def __init__(self, emitter: Emitter, *, reconstruct: bool = False) -> None:
        self._state = State(emitter=emitter, reconstruct=reconstruct)
        self._shortcut = shortcuts.ENABLED

    @property
    def last(self) -> Event | None:
        """The last event fed; the end-of-stream findings point at it."""
        return self._state.last

    @last.setter
    def last(self, event: Event) -> None:
        self._state.last = event

    def feed(self, event: Event, payload: dict[str, Any]) -> None:
        state = self._state
        kind = payload.get("type")
        if self._shortcut and self.take_delta(payload, kind):
            state.last = event
            return
        state.events += 1
        state.last = event
        # Only an unbroken run of deltas to one part keeps the hot target (see take_delta).
        state.hot = None
        if not isinstance(kind, str):
            return
        sequence.check(state, event, payload)
        if not lifecycle.before_event(state, event, payload, kind):
            return
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(state, event, payload, kind)
        elif "output_index" in payload or "item_id" in payload:
            _reference(state, event, payload, kind)

    @staticmethod
    def taken_fields(kind: str) -> dict[str, str]:
        """What ``take_delta`` has checked of a ``kind`` payload it takes: fields and their JSON types."""
        fields = {"sequence_number": "integer", "output_index": "integer", "item_id": "string", "delta": "string"}
        index_field = DELTA_INDEX_FIELD.get(kind)
        if index_field is not None:
            fields[index_field] = "integer"
        return fields

    def take_delta(self, payload: dict[str, Any], kind: Any) -> bool:
        """Take ``payload`` in one step if it is the next delta to the part the last event grew.

        The hot target is set by a delta that went through every check and is
        dropped by any other event, so its part is still open and the response
        has not ended. If the sequence number follows on and the type,
        output_index, item_id and index are the target's (all of the same JSON
        types), every check would pass again: the delta is appended and True
        returned; the caller still records the event as ``last``. False changes
        nothing.
        """
        state = self._state
        hot = state.hot
        if hot is None:
            return False
        try:
            seq = payload["sequence_number"]
            output_index = payload["output_index"]
            item_id = payload["item_id"]
            index = payload[hot.index_field]
            delta = payload["delta"]
        except KeyError:
            return False
        if (
            type(seq) is not int
            or seq != state.seq_prev + 1  # type: ignore[operator]  # an int while hot is set
            or type(output_index) is not int
            or type(index) is not int
            or type(delta) is not str
            or kind != hot.kind
            or output_index != hot.output_index
            or item_id != hot.item_id
            or index != hot.index
        ):
            return False
        state.events += 1
        state.seq_prev = seq
        hot.part.add(delta)
        return True

    def close(self) -> None:
        sequence.close(self._state)
        lifecycle.close(self._state)

    def reconstruction(self) -> dict[str, Any] | None:
        """The response as the stream built it; None when nothing was streamed."""
        return final.reconstruction(self._state)
