"""The state the machine keeps for one stream: the response, its items, their parts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from validator.emitter import Emitter
from validator.model import Event
from validator.rules import Rule

# Texts are encoded for hashing this many characters at a time, so a huge text is not copied whole.
_DIGEST_SLICE = 1 << 20


def digest(text: str) -> bytes:
    """A short fingerprint of a finished text, kept instead of the text itself."""
    hasher = hashlib.blake2b(digest_size=16)
    for start in range(0, len(text), _DIGEST_SLICE):
        hasher.update(text[start : start + _DIGEST_SLICE].encode("utf-8", "surrogatepass"))
    return hasher.digest()


def as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# Deltas kept as separate strings cost far more than their text; past this many they are joined.
COMPACT_AFTER = 4096


@dataclass(slots=True)
class Part:
    """One streamed text: a content part, a summary part, or a call's arguments."""

    index: int
    kind: str | None
    chunks: list[str] = field(default_factory=list)
    done_text: str | None = None  # from the `*.done` event
    closed: bool = False  # `content_part.done` / `summary_part.done` seen
    adopted: bool = False  # opened before a resume point: its text is not judged
    annotations: int = 0
    ranges: list[tuple[int, int, int]] = field(default_factory=list)  # (annotation_index, start, end)

    def add(self, delta: str) -> None:
        chunks = self.chunks
        chunks.append(delta)
        if len(chunks) > COMPACT_AFTER:
            chunks[:] = ["".join(chunks)]

    def text(self) -> str:
        if len(self.chunks) > 1:
            self.chunks[:] = ["".join(self.chunks)]
        return self.chunks[0] if self.chunks else ""

    @property
    def text_done(self) -> bool:
        return self.done_text is not None


@dataclass(slots=True)
class Item:
    """One output item, from `output_item.added` to `output_item.done`."""

    index: int
    id: str | None
    type: str | None
    adopted: bool = False
    done: bool = False
    status: str | None = None
    parts: dict[int, Part] = field(default_factory=dict)
    summaries: dict[int, Part] = field(default_factory=dict)
    args: Part | None = None  # function/custom/MCP arguments or code
    tool_stage: int = 0  # 0 none, 1 in_progress, 2 working, 3 completed/failed
    after_done_reported: bool = False
    fingerprint: dict[str, bytes] = field(default_factory=dict)  # kept after done, for FIN
    rebuilt: dict[str, Any] | None = None  # the reconstructed item, only when asked


# The field that numbers the part each kind of delta grows; arguments, one per item, have
# none, and output_index stands in for it.
DELTA_INDEX_FIELD = {
    "response.output_text.delta": "content_index",
    "response.refusal.delta": "content_index",
    "response.reasoning_text.delta": "content_index",
    "response.reasoning.delta": "content_index",  # Open Responses' name for reasoning text
    "response.reasoning_summary_text.delta": "summary_index",
    "response.function_call_arguments.delta": "output_index",
    "response.custom_tool_call_input.delta": "output_index",
    "response.mcp_call_arguments.delta": "output_index",
    "response.code_interpreter_call_code.delta": "output_index",
}


@dataclass(slots=True)
class HotTarget:
    """Where the last delta went, so that the next delta to the same place skips the lookups.

    Set only after a delta of ``kind`` was appended to ``part`` through the full checks,
    and dropped by the next event that is not such a delta. Every finding those
    checks can make is reported once per item and part, so a repeat with the same
    type, output_index, item_id and index (all of the same JSON types) would find
    nothing new. ``index_field`` is the kind's ``DELTA_INDEX_FIELD``.
    """

    kind: str
    output_index: int
    item_id: str
    index: int
    index_field: str
    part: Part


def hot_target(state: State, kind: str, payload: dict[str, Any], part: Part) -> HotTarget | None:
    """The target for the next delta, or None when it cannot be taken in one step.

    ``take_delta`` compares sequence numbers with ``state.seq_prev``, which never
    goes back to None once it is an integer.
    """
    field_name = DELTA_INDEX_FIELD.get(kind)
    if field_name is None or state.seq_prev is None:
        return None
    output_index = payload.get("output_index")
    item_id = payload.get("item_id")
    index = payload.get(field_name)
    if type(output_index) is not int or type(item_id) is not str or type(index) is not int:
        return None
    return HotTarget(kind, output_index, item_id, index, field_name, part)


@dataclass(slots=True)
class State:
    """Everything one stream's checks share."""

    emitter: Emitter
    reconstruct: bool = False
    events: int = 0
    last: Event | None = None
    resumed: bool = False
    first_type: str | None = None
    response_id: str | None = None
    response_status: str | None = None
    model: str | None = None
    created_at: Any = None
    created: bool = False
    in_progress: int = 0
    error_event: Event | None = None
    terminal: str | None = None
    after_terminal_reported: bool = False
    second_lifecycle_reported: bool = False
    items: dict[int, Item] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    next_index: int = 0
    incomplete_item: Item | None = None
    unknown_reported: set[tuple[Any, Any]] = field(default_factory=set)
    reported: set[tuple[Any, ...]] = field(default_factory=set)
    seq_prev: int | None = None
    seq_missing: int = 0
    seq_first: Event | None = None
    seq_inconsistent_reported: bool = False
    final_response: dict[str, Any] | None = None
    hot: HotTarget | None = None

    def emit(
        self,
        rule: Rule,
        message: str,
        event: Event | None,
        *,
        pointer: str = "",
        expected: Any = None,
        actual: Any = None,
    ) -> None:
        self.emitter.emit(rule, message, event, pointer=pointer, expected=expected, actual=actual)

    def item_name(self, item: Item) -> str:
        return f"item {item.id}" if item.id else f"{item.type or 'item'} at output_index {item.index}"
