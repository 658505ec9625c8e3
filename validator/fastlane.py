"""The fused path for SSE bytes: the usual delta frame checked in one step.

``Checker.run_sse`` decodes a body with ``SSEDecoder(lane.frame, lane.usual_frames)``.
The decoder hands runs of usual frames (``event: X``, ``data: Y``, blank line)
to ``usual_frames`` in one call. Most of them are text deltas to the part the
previous delta grew. For such a frame, before any [DONE], whose payload is an
object of type X that the state machine takes as the next delta
(``MachineStage.take_delta``) and whose other fields pass a quick schema
check, no rule can find anything, so the lane counts it without building an
Event. The schema check skips the fields ``take_delta`` has already found to
hold the types the schema asks for (``MachineStage.taken_fields``); together
the two accept only valid payloads. Every other frame becomes an Event and
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
from validator.sse import USUAL_OVERHEAD, event_name

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
        self._names: dict[bytes, str] = {}
        # (payload, index, line, offset, name) of the last frame, when the lane took it.
        self._taken: tuple[Any, int, int, int, str] | None = None

    def frame(
        self, data: bytes, name: str | None, ident: str | None, retry: int | None,
        line: int, data_line: int, offset: int, terminated: bool,
    ) -> None:
        """Any other frame: the full checks."""
        index = self.count
        self.count = index + 1
        self._taken = None
        self._exact(decode_event(data, index, data_line or line, offset, name, ident, terminated))

    def usual_frames(self, found: list[tuple[bytes, bytes]], line: int, offset: int) -> list[None]:
        """A run of usual frames: (event name, data) pairs from ``line`` and byte ``offset`` on."""
        names = self._names
        quicks = self._quick
        take = self._take_delta
        exact = self._exact
        framing = self._framing
        loads = orjson.loads
        open_ = framing.done_seen is None
        taken = False
        index = self.count
        payload: Any = None
        name = ""
        start = offset
        for raw_name, data in found:
            start = offset
            offset += len(raw_name) + len(data) + USUAL_OVERHEAD
            name = names.get(raw_name) or event_name(raw_name, names)
            if open_:
                try:
                    payload = loads(data)
                except orjson.JSONDecodeError:
                    payload = _UNSEEN
                if type(payload) is dict and payload.get("type") == name:
                    quick = quicks.get(name, _UNSEEN)
                    if quick is _UNSEEN:
                        quick = quicks[name] = self._quick_check(name, self._machine.taken_fields(name))
                    if quick is not None and quick(payload) and take(payload, name):
                        taken = True
                        index += 1
                        line += 3
                        continue
            if payload is _UNSEEN or not open_:
                event = decode_event(data, index, line + 1, start, name, None, True)
            else:
                event = Event(payload, index, line + 1, start, name, None, None, False, True)
            exact(event)
            open_ = framing.done_seen is None
            taken = False
            index += 1
            line += 3
        self.count = index
        self._taken = (payload, index - 1, line - 2, start, name) if taken else None
        return []

    def finish(self) -> None:
        """Give the stages the last frame as an Event if the lane took it (their end-of-stream findings point at it)."""
        if self._taken is not None:
            payload, index, line, offset, name = self._taken
            event = Event(payload, index, line, offset, name)
            self._framing.last = event
            self._machine.last = event
            self._taken = None
