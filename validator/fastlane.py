"""The fused path for SSE bytes: the usual delta frame checked in one step.

``Checker.run_sse`` decodes a body with ``SSEDecoder`` and ``FastLane.frame``
as its frame factory. Most frames of a long stream are text deltas to the
part the previous delta grew. For such a frame (an ``event: X`` and a
``data:`` object of type X, terminated, before any [DONE], without ``id:``)
that the state machine takes as the next delta (``MachineStage.take_delta``)
and whose other fields pass a quick schema check, no rule can find anything,
so the lane counts it without building an Event. The schema check skips the
fields ``take_delta`` has already found to hold the types the schema asks for
(``MachineStage.taken_fields``); together the two accept only valid payloads. Every other frame becomes an Event and
goes through the stages exactly as ``Checker.feed`` sends it.

``conformance_tests/test_fast_paths.py`` checks that both ways give the same
report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from validator.framing import FramingStage
from validator.machine import MachineStage
from validator.model import Event
from validator.quick_schema import QuickCheck
from validator.schemas import SchemaStage
from validator.sources import decode_event

_UNSEEN: Any = object()


class FastLane:
    """A frame factory that checks the usual delta frame itself and hands the rest to ``exact``."""

    def __init__(
        self,
        framing: FramingStage,
        schema: SchemaStage,
        machine: MachineStage,
        exact: Callable[[Event], None],
        start: int = 0,
    ) -> None:
        self.count = start  # frames seen, so the next frame's index
        self._framing = framing
        self._quick_check = schema.quick_check
        self._take_delta = machine.take_delta
        self._machine = machine
        self._exact = exact
        self._quick: dict[str, QuickCheck | None] = {}
        # (payload, index, line, offset, name) of the last frame, when the lane took it.
        self._taken: tuple[Any, int, int, int, str] | None = None

    def frame(
        self, data: bytes, name: str | None, ident: str | None, retry: int | None,
        line: int, data_line: int, offset: int, terminated: bool,
    ) -> None:
        index = self.count
        self.count = index + 1
        if name is None or ident is not None or not terminated or self._framing.done_seen is not None:
            self._taken = None
            self._exact(decode_event(data, index, data_line or line, offset, name, ident, terminated))
            return
        try:
            payload = orjson.loads(data)
        except orjson.JSONDecodeError:
            self._taken = None
            self._exact(decode_event(data, index, data_line or line, offset, name, ident, terminated))
            return
        if type(payload) is dict and payload.get("type") == name:
            quick = self._quick.get(name, _UNSEEN)
            if quick is _UNSEEN:
                quick = self._quick[name] = self._quick_check(name, self._machine.taken_fields(name))
            if quick is not None and quick(payload) and self._take_delta(payload, name):
                self._taken = (payload, index, data_line, offset, name)
                return
        self._taken = None
        self._exact(Event(payload, index, data_line or line, offset, name, None, None, False, True))

    def finish(self) -> None:
        """Give the stages the last frame as an Event if the lane took it (their end-of-stream findings point at it)."""
        if self._taken is not None:
            payload, index, line, offset, name = self._taken
            event = Event(payload, index, line, offset, name)
            self._framing.last = event
            self._machine.last = event
            self._taken = None
