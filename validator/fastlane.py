"""The fused path for SSE bytes: the usual delta frame checked in one step.

``Checker.receive_data`` decodes SSE bytes with ``SSEDecoder(FastLane(...))``
when its shortcuts are on. The decoder hands runs of usual frames to ``run``
in one call; most of them are text deltas to the part the previous delta grew.
The lane asks each stage's one shortcut in turn, and only when all three say
yes is the frame counted without building an ``Event``:

1. the framing stage: while ``FramingStage.open`` (no ``[DONE]`` yet), a usual
   frame breaks no SSE rule. What makes a frame usual is the lane's to check: the
   decoder's pattern saw to a terminated frame with an ``event:`` line and no
   ``id:``, and the payload must be an object whose type that line names (the
   condition ``FramingStage.usual`` states for any frame);
2. the schema stage's residual check (``SchemaStage.quick_check(kind,
   assume=taken_fields(kind))``): the fields the machine will not read are valid;
3. ``MachineStage.take_delta``: the machine takes it as the next delta to its
   hot target, having checked the fields it read (``deltas.taken_fields``).

Every other frame becomes an Event and goes through the stages as
``Checker.feed`` sends it, marked as already tried so that no shortcut is
asked twice. ``conformance_tests/test_fast_paths.py`` checks that the report
is the same with the shortcuts off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from validator.framing import FramingStage
from validator.machine import DELTA_INDEX_FIELD, MachineStage, taken_fields
from validator.model import Event
from validator.quick_schema import QuickCheck
from validator.schemas import SchemaStage
from validator.sources import EventSink, decode_event
from validator.sse import DATA_ONLY_OVERHEAD, USUAL_OVERHEAD, Frame, Run, event_name

Exact = Callable[[Event, bool], None]


class FastLane:
    """An SSE frame sink that checks the usual delta frame itself and hands the rest to ``exact``."""

    def __init__(
        self,
        framing: FramingStage,
        schema: SchemaStage,
        machine: MachineStage,
        exact: Exact,
        observe: Callable[[Event], object] | None = None,
    ) -> None:
        self.count = 0  # frames seen, so the next frame's index
        self._framing = framing
        self._schema = schema
        self._take = machine.take_delta
        self._exact = exact
        self._observe = observe
        self._residual: dict[str, QuickCheck | None] = {}
        self._names: dict[bytes, str] = {}
        # The other frames go through the same numbering as the usual ones.
        self._others = EventSink(lambda event: exact(event, False))
        # The last frame the lane took: (payload, index, data line, offset, name).
        self._taken: tuple[Any, int, int, int, str | None] | None = None

    def frame(self, frame: Frame) -> None:
        """Any frame that is not of the usual shape: the full checks."""
        self._others.count = self.count
        self._others.frame(frame)
        self.count = self._others.count

    def run(self, frames: Run, line: int, offset: int) -> None:
        """A run of usual frames from ``line`` and byte ``offset`` on (see ``SSEDecoder``)."""
        names = self._names
        residual = self._residual
        framing = self._framing
        open_ = framing.open
        take = self._take
        exact = self._exact
        observe = self._observe
        loads = orjson.loads
        index = self.count
        last: tuple[Any, int, int, int, str | None] | None = None  # the last frame the lane took
        name: str | None = None
        for raw_name, data in frames:
            start = offset
            if raw_name:
                name = names.get(raw_name) or event_name(raw_name, names)
                data_line = line + 1
                offset += len(raw_name) + len(data) + USUAL_OVERHEAD
                line += 3
            else:
                name = None
                data_line = line
                offset += len(data) + DATA_ONLY_OVERHEAD
                line += 2
            try:
                payload = loads(data)
            except orjson.JSONDecodeError:
                exact(decode_event(data, index, data_line, start, name, None, True), False)
                open_ = framing.open
                index += 1
                continue
            if open_ and name is not None and type(payload) is dict and payload.get("type") == name:
                try:
                    check = residual[name]
                except KeyError:
                    check = residual[name] = self._residual_check(name)
                if check is not None and check(payload) and take(payload, name):
                    last = (payload, index, data_line, start, name)
                    if observe is not None:
                        observe(Event(payload, index, data_line, start, name))
                    index += 1
                    continue
                exact(Event(payload, index, data_line, start, name), True)
            else:
                exact(Event(payload, index, data_line, start, name), False)
            open_ = framing.open
            index += 1
        self.count = index
        if last is not None:
            self._taken = last

    def _residual_check(self, kind: str) -> QuickCheck | None:
        """The schema check of what ``take_delta`` does not read, for the kinds it can take."""
        if kind not in DELTA_INDEX_FIELD:
            return None
        return self._schema.quick_check(kind, taken_fields(kind))

    def last_taken(self) -> Event | None:
        """The last frame the lane took, as an Event (None if it took none)."""
        if self._taken is None:
            return None
        payload, index, line, offset, name = self._taken
        return Event(payload, index, line, offset, name)

