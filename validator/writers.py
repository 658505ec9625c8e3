"""Writing event lists out as SSE, JSONL or a JSON array.

Pure functions from event objects to bytes, the inverse of
``validator.sources``: what they write reads back to the same events.
An entry of ``events`` is normally an event object; a ``RawData`` entry is
written verbatim as a frame's data (for data that is not JSON, or not an
object), so broken streams can be written too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

FORMATS = ("sse", "jsonl", "json")


@dataclass(frozen=True, slots=True)
class RawData:
    """Frame data written as is, e.g. ``RawData("{not json")``."""

    text: str


def _data(event: Any) -> bytes:
    if isinstance(event, RawData):
        return event.text.encode("utf-8", "surrogatepass")
    return orjson.dumps(event)


def _default_name(event: Any) -> str | None:
    if isinstance(event, dict) and isinstance(event.get("type"), str):
        return str(event["type"])
    return None


def to_sse(
    events: Sequence[Any],
    *,
    event_lines: bool = True,
    names: Sequence[str | None] | None = None,
    done: bool = False,
) -> bytes:
    """SSE frames, one per event, each ending in a blank line.

    ``event_lines`` writes ``event: <type>`` before each ``data:`` line;
    ``names`` overrides that line per event (None: no ``event:`` line);
    ``done`` appends the ``data: [DONE]`` frame.
    """
    out: list[bytes] = []
    for i, event in enumerate(events):
        if names is not None:
            name = names[i]
        elif event_lines:
            name = _default_name(event)
        else:
            name = None
        if name is not None:
            out.append(b"event: " + name.encode("utf-8") + b"\n")
        out.append(b"data: " + _data(event) + b"\n\n")
    if done:
        out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def to_jsonl(events: Sequence[Any]) -> bytes:
    """One event per line."""
    return b"".join(_data(event) + b"\n" for event in events)


def to_json(events: Sequence[Any]) -> bytes:
    """A JSON array of the events (RawData entries become JSON strings)."""
    items = [e.text if isinstance(e, RawData) else e for e in events]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2) + b"\n"


def write(events: Sequence[Any], fmt: str, **sse_options: Any) -> bytes:
    """``to_sse``/``to_jsonl``/``to_json`` by format name."""
    if fmt == "sse":
        return to_sse(events, **sse_options)
    if fmt == "jsonl":
        return to_jsonl(events)
    if fmt == "json":
        return to_json(events)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
