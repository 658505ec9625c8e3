"""The SSE rules: what a frame must be before its payload can be checked."""

from __future__ import annotations

from typing import Any

from validator.emitter import Emitter
from validator.model import Event
from validator.rules import framing as rules


class FramingStage:
    """Checks each frame and hands on the payloads that are event objects.

    ``transport`` is ``sse`` when the events kept their SSE framing (so the
    ``event:`` line, ``[DONE]`` and frame termination can be judged) and
    ``events`` for JSONL or JSON captures, where they cannot.
    """

    def __init__(self, emitter: Emitter, transport: str = "sse", *, shortcuts: bool = True) -> None:
        self._emit = emitter.emit
        self._sse = transport == "sse"
        self._shortcuts = shortcuts
        self.done_seen: Event | None = None  # the first [DONE] frame
        self._after_done_reported = False
        self._data_only: Event | None = None
        self._data_only_count = 0

    def feed(self, event: Event, *, tried: bool = False) -> dict[str, Any] | None:
        """The event's payload if it should reach the schema and state checks.

        ``tried``: the caller has already asked ``usual`` about this frame.
        """
        if (
            self._shortcuts
            and not tried
            and event.terminated
            and event.sse_id is None
            and self.usual(event.payload, event.sse_event)
        ):
            return event.payload  # type: ignore[no-any-return]  # a dict: usual() saw to it
        return self._check(event)

    def usual(self, payload: Any, name: str | None) -> bool:
        """The shortcut, for a terminated frame without ``id:``: an object whose type its ``event:``
        line ``name`` gives (over SSE), before any [DONE], breaks no framing rule."""
        if type(payload) is dict and self.done_seen is None:
            kind = payload.get("type")
            return type(kind) is str and (name == kind or not self._sse)
        return False

    @property
    def open(self) -> bool:
        """The shortcut, for a caller that checks the frame itself (``FastLane``): no [DONE] yet,
        so a usual frame (see ``usual``) breaks no framing rule."""
        return self.done_seen is None

    def _check(self, event: Event) -> dict[str, Any] | None:
        emit = self._emit
        if self._sse and not event.terminated:
            emit(
                rules.UNTERMINATED_EVENT,
                "input ends inside this event (no blank line after it); clients discard it",
                event,
            )
        if self.done_seen is not None and not self._after_done_reported:
            self._after_done_reported = True
            emit(
                rules.DATA_AFTER_DONE,
                f"frame after the [DONE] sentinel on line {self.done_seen.line}",
                event,
            )
        if event.done:
            if self.done_seen is None:
                self.done_seen = event
                emit(rules.DONE_IN_OPENAI, "data: [DONE] sentinel (the OpenAI API never sends it)", event)
            return None
        if event.error is not None:
            emit(rules.DATA_NOT_JSON, f"data is not JSON: {event.error}", event)
            return None
        payload = event.payload
        if not isinstance(payload, dict):
            emit(rules.PAYLOAD_NOT_OBJECT, f"data is a JSON {_json_kind(payload)}, not an object", event)
            return None
        kind = payload.get("type")
        if not isinstance(kind, str):
            detail = "has no `type`" if kind is None else f"has a {_json_kind(kind)} `type`"
            emit(rules.MISSING_TYPE, f"event object {detail}", event, pointer="/type")
            return None
        if self._sse:
            if event.sse_event is None:
                if self._data_only is None:
                    self._data_only = event
                self._data_only_count += 1
            elif event.sse_event != kind:
                emit(
                    rules.EVENT_FIELD_MISMATCH,
                    f"`event: {event.sse_event}` does not match type {kind!r}",
                    event,
                    expected=kind,
                    actual=event.sse_event,
                )
            if event.sse_id is not None:
                emit(rules.SSE_ID_USED, f"frame sets `id: {event.sse_id}`", event)
        return payload

    def close(self, last: Event | None) -> None:
        """End of input; ``last`` is the last frame, where end-of-stream findings point."""
        first = self._data_only
        if first is not None:
            self._emit(
                rules.MISSING_EVENT_FIELD,
                f"data-only frames: {self._data_only_count} event(s) have no `event:` line, "
                f"the first being {first.type!r}",
                first,
            )
        if self._sse and last is not None and self.done_seen is None:
            self._emit(rules.DONE_MISSING, "stream ends without the data: [DONE] terminator", last)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
