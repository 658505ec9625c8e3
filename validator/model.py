"""The data the core passes around: events in, findings out."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.Enum):
    """How bad a finding is. Only ERROR fails a run (WARNING too under --strict)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def fails(self, strict: bool = False) -> bool:
        """Whether a finding of this severity fails a run: errors always, warnings under ``strict``."""
        return _RANK[self] >= (_RANK[Severity.WARNING] if strict else _RANK[Severity.ERROR])


_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` for a message: at most ``limit`` characters, and safe on any nesting
    (a value nested a thousand levels deep must not end the run with a RecursionError)."""
    out: list[str] = []
    size = 0

    def put(text: str) -> bool:
        nonlocal size
        out.append(text)
        size += len(text)
        return size <= limit

    def walk(item: Any, depth: int) -> bool:
        if isinstance(item, dict):
            if depth > 8:
                return put("{…}")
            if not put("{"):
                return False
            for n, (key, inner) in enumerate(item.items()):
                if (n and not put(", ")) or not put(repr(key)[:limit] + ": ") or not walk(inner, depth + 1):
                    return False
            return put("}")
        if isinstance(item, list):
            if depth > 8:
                return put("[…]")
            if not put("["):
                return False
            for n, inner in enumerate(item):
                if (n and not put(", ")) or not walk(inner, depth + 1):
                    return False
            return put("]")
        return put(repr(item)[: limit + 1])

    walk(value, 0)
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """``value`` cut to what a report can hold: nesting past 16 levels, strings past 1,000
    characters and more than 200 containers' worth of items become ``"…"``."""
    if budget is None:
        budget = [200]
    if isinstance(value, str):
        return value if len(value) <= 1000 else value[:999] + "…"
    if not isinstance(value, (dict, list)):
        return value
    budget[0] -= 1
    if depth >= 16 or budget[0] < 0:
        return "…"
    if isinstance(value, list):
        return [bounded(v, depth + 1, budget) for v in value[:100]] + (["…"] if len(value) > 100 else [])
    items = list(value.items())[:100]
    return {str(k)[:200]: bounded(v, depth + 1, budget) for k, v in items}


@dataclass(slots=True, eq=False)
class Event:
    """One decoded event and where it came from.

    ``payload`` is the decoded JSON value, or None when the data could not be
    decoded (``error`` says why) or was the ``[DONE]`` sentinel (``done``).
    ``line`` is the 1-based line of the event's first ``data:`` line in its
    source (the line of the JSONL record, the entry for JSON arrays), 0 when
    the source has no lines. ``offset`` is the byte offset of the frame.
    """

    payload: Any
    index: int = 0
    line: int = 0
    offset: int = -1
    sse_event: str | None = None
    sse_id: str | None = None
    error: str | None = None
    done: bool = False
    terminated: bool = True

    @property
    def type(self) -> str | None:
        payload = self.payload
        if isinstance(payload, dict):
            value = payload.get("type")
            if isinstance(value, str):
                return value
        return None


@dataclass(slots=True)
class Finding:
    """One rule broken at one place."""

    code: str
    severity: Severity
    message: str
    source: str = "<stream>"
    line: int = 0
    column: int = 1
    event_index: int | None = None
    sequence_number: int | None = None
    event_type: str | None = None
    pointer: str = ""
    expected: Any = None
    actual: Any = None
    # The finding this one follows from, as (code, event index): one root defect, the rest
    # marked as its consequences (a copy of a wrong `.done` text, say).
    caused_by: tuple[str, int | None] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": {
                "source": self.source,
                "line": self.line,
                "column": self.column,
                "event_index": self.event_index,
                "sequence_number": self.sequence_number,
                "event_type": self.event_type,
                "pointer": self.pointer,
            },
        }
        if self.expected is not None:
            out["expected"] = self.expected
        if self.actual is not None:
            out["actual"] = self.actual
        if self.caused_by is not None:
            out["caused_by"] = {"code": self.caused_by[0], "event_index": self.caused_by[1]}
        return out


@dataclass(frozen=True, slots=True)
class Elided:
    """Findings of one rule that were counted but not kept (``--max-per-rule``, the hard cap)."""

    code: str
    severity: Severity
    count: int


@dataclass(slots=True)
class HttpInfo:
    """What the transport said about a stream, when it is known (HAR, live)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    url: str | None = None
