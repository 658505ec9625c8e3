"""The state machine: LIF, SEQ, ITM, CNT, FCA, TOL and FIN in one pass.

``MachineStage(emitter, reconstruct=False)`` is a payload stage: the Checker
calls ``feed(event, payload)`` for every event object in stream order and
``close(last)`` at the end. The work per event is constant apart from appending a
delta to its part's text.

Modules: ``automata`` (the response, item, hosted-tool and part automata as
tables, which the ordering rules read), ``sequence`` (SEQ), ``lifecycle`` (LIF),
``refs`` (resolving `output_index`/`item_id`, part of ITM), ``items`` (ITM),
``parts``, ``texts`` and ``annotation`` (CNT), ``tools`` (FCA, TOL), ``deltas``
(the delta step every text shares, and the one shortcut), ``compare`` (text
comparisons), ``final`` (FIN and the reconstruction); ``state`` holds the data
they share. Every event handler has the same shape, ``(state, event, payload,
kind)``, and each module lists its handlers in ``HANDLERS``.

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
from functools import partial
from typing import Any

from validator.emitter import Emitter
from validator.machine import annotation, deltas, final, items, lifecycle, parts, refs, sequence, texts, tools
from validator.machine.automata import LIFECYCLE_EVENTS, TERMINAL_EVENTS, TOOL_EVENT, Response
from validator.machine.deltas import DELTA_INDEX_FIELD, taken_fields
from validator.machine.state import State
from validator.model import Event

Handler = Callable[[State, Event, dict[str, Any], str], None]

_HANDLERS: dict[str, Handler] = {
    **lifecycle.HANDLERS,
    **items.HANDLERS,
    **parts.HANDLERS,
    **texts.HANDLERS,
    **annotation.HANDLERS,
    **tools.HANDLERS,
}

# Re-exports: the event tables validator.strategies derives its own from.
TEXT_EVENTS = texts.TEXT_EVENTS
ARGUMENT_EVENTS = tools.ARGUMENT_EVENTS
TOOL_EVENTS = tools.TOOL_EVENTS

__all__ = [
    "ARGUMENT_EVENTS",
    "DELTA_INDEX_FIELD",
    "LIFECYCLE_EVENTS",
    "TERMINAL_EVENTS",
    "TEXT_EVENTS",
    "TOOL_EVENT",
    "TOOL_EVENTS",
    "MachineStage",
    "taken_fields",
]


class MachineStage:
    """The ordering and consistency checks over one stream's event objects.

    ``take_delta(payload, kind)`` is the stage's shortcut: True when ``payload`` was taken
    as the next delta to the hot target (``validator.machine.deltas``); False changes
    nothing, and the caller must ``feed`` it.
    """

    def __init__(self, emitter: Emitter, *, reconstruct: bool = False, resumed_after: int | None = None) -> None:
        self._state = State(emitter=emitter, reconstruct=reconstruct, resumed_after=resumed_after)
        if resumed_after is not None:
            self._state.response = Response.RESUMED
        # The shortcut, bound once: it is asked about most events of a long stream.
        self.take_delta: Callable[[dict[str, Any], str], bool] = partial(deltas.take_delta, self._state)

    def feed(self, event: Event, payload: dict[str, Any]) -> None:
        """Every check on one event object (its ``type`` is a string: the framing stage saw to that)."""
        state = self._state
        kind: str = payload["type"]
        state.events += 1
        state.hot = None  # only an unbroken run of deltas to one part keeps it (see deltas)
        sequence.check(state, event, payload)
        if not lifecycle.before_event(state, event, payload, kind):
            return
        _HANDLERS.get(kind, refs.on_other)(state, event, payload, kind)

    def close(self, last: Event | None) -> None:
        """End of stream; ``last`` is the last event, where end-of-stream findings point."""
        sequence.close(self._state)
        lifecycle.close(self._state, last)

    def reconstruction(self) -> dict[str, Any] | None:
        """The response as the stream built it; None when nothing was streamed."""
        return final.reconstruction(self._state)
