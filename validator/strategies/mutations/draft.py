"""A mutated stream on its way to the wire: its events plus the SSE framing choices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from validator.writers import write


@dataclass
class Draft:
    """Events plus SSE framing choices.

    ``names`` overrides each frame's ``event:`` line (None: derive from the
    type); ``ids`` sets SSE ``id:`` lines; ``done`` appends ``data: [DONE]``;
    ``after_done`` events follow the sentinel; ``cut`` drops that many bytes
    from the end of the SSE body. JSONL and JSON have none of these: they
    write the events alone.
    """

    events: list[Any]
    done: bool = False
    names: list[str | None] | None = None
    ids: list[str | None] | None = None
    after_done: list[Any] = field(default_factory=list)
    cut: int = 0

    def to_bytes(self, fmt: str) -> bytes:
        if fmt != "sse":
            return write(self.events, fmt)
        body = _sse(self.events, self.names, self.ids, self.done)
        if self.after_done:
            body += write(self.after_done, "sse")
        return body[: len(body) - self.cut] if self.cut else body


def _sse(
    events: Sequence[Any], names: Sequence[str | None] | None, ids: Sequence[str | None] | None, done: bool
) -> bytes:
    if ids is None:
        return write(events, "sse", names=names, done=done)
    chunks: list[bytes] = []
    for i, event in enumerate(events):
        frame = write([event], "sse", names=None if names is None else [names[i]])
        if ids[i] is not None:
            frame = f"id: {ids[i]}\n".encode() + frame
        chunks.append(frame)
    if done:
        chunks.append(b"data: [DONE]\n\n")
    return b"".join(chunks)
