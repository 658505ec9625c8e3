"""The state the machine keeps for one stream: the response, its items, their parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from validator.emitter import Emitter
from validator.machine.automata import ItemState, PartState, Response, ToolState
from validator.model import Event
from validator.rules import Rule

if TYPE_CHECKING:
    from validator.machine.deltas import HotTarget

# Texts are encoded for hashing this many characters at a time, so a huge text is not copied whole.
_DIGEST_SLICE = 1 << 20


def _blake2b() -> Any:
    """BLAKE2b, from CPython's own ``_blake2`` module where it is there: ``hashlib`` loads OpenSSL's
    bindings first, the costliest import of a short run (``hashlib.blake2b`` is this same type)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - another Python implementation
        from hashlib import blake2b
    return blake2b


def digest(text: str) -> bytes:
    """A short fingerprint of a finished text, kept instead of the text itself."""
    hasher = _blake2b()(digest_size=16)
    for start in range(0, len(text), _DIGEST_SLICE):
        hasher.update(text[start : start + _DIGEST_SLICE].encode("utf-8", "surrogatepass"))
    fingerprint: bytes = hasher.digest()
    return fingerprint


def as_int(value: Any) -> int | None:
    return value if type(value) is int else None


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
    state: PartState = PartState.OPEN
    done_text: str | None = None  # from the `*.done` event
    done_root: tuple[str, int | None] | None = None  # the finding that the `.done` text is not the deltas
    adopted: bool = False  # opened before a resume point: its text is not judged
    implicit: bool = False  # opened by a delta that came before its part was added
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

    def final_text(self) -> str:
        """The text as finished: the `.done` text when there was one, else the deltas."""
        return self.done_text if self.done_text is not None else self.text()

    def truth(self) -> str:
        """What later copies of the text are held to: the `.done` text unless it was found to
        differ from the deltas (then the deltas: the `.done` event carries the defect)."""
        return self.done_text if self.done_text is not None and self.done_root is None else self.text()


@dataclass(slots=True)
class Item:
    """One output item, from `output_item.added` to `output_item.done`."""

    index: int
    id: str | None
    type: str | None
    adopted: bool = False
    index_unknown: bool = False  # added without an output_index: placed at the next index
    state: ItemState = ItemState.ADDED
    status: str | None = None
    parts: dict[int, Part] = field(default_factory=dict)
    summaries: dict[int, Part] = field(default_factory=dict)
    args: Part | None = None  # function/custom/MCP arguments or code
    tool: ToolState = ToolState.IDLE
    fingerprint: dict[str, bytes] = field(default_factory=dict)  # kept after done, for FIN
    # Texts the done item carried that differ from the stream: field -> (digest, root finding).
    done_copies: dict[str, tuple[bytes, tuple[str, int | None]]] = field(default_factory=dict)
    rebuilt: dict[str, Any] | None = None  # the reconstructed item, only when asked

    @property
    def done(self) -> bool:
        return self.state is ItemState.DONE


@dataclass(slots=True)
class State:
    """Everything one stream's checks share."""

    emitter: Emitter
    reconstruct: bool = False
    events: int = 0
    response: Response = Response.START
    resumed_after: int | None = None  # a declared resumption: the events after this sequence number
    response_id: str | None = None
    response_status: str | None = None
    model: str | None = None
    created_at: Any = None
    in_progress: int = 0
    error_event: Event | None = None  # the `error` event, for messages
    terminal: str | None = None  # the terminal event's type, for messages
    lookalike: tuple[str, int] | None = None  # a non-standard terminal (response.done, ...) and its event count
    items: dict[int, Item] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    next_index: int = 0
    incomplete_item: Item | None = None
    reported: set[tuple[Any, ...]] = field(default_factory=set)
    seq_prev: int | None = None
    seq_missing: int = 0
    seq_first: Event | None = None
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
        caused_by: tuple[str, int | None] | None = None,
    ) -> None:
        self.emitter.emit(
            rule, message, event, pointer=pointer, expected=expected, actual=actual, caused_by=caused_by
        )

    @property
    def resumed(self) -> bool:
        """The stream picks up an earlier one part-way (``starting_after``): what came before is unseen."""
        return self.resumed_after is not None

    def once(self, rule: Rule, *key: Any) -> bool:
        """True the first time ``rule`` is about to be reported for ``key`` (repeats would only be noise)."""
        full = (rule.code, *key)
        if full in self.reported:
            return False
        self.reported.add(full)
        return True

    def item_name(self, item: Item) -> str:
        return f"item {item.id}" if item.id else f"{item.type or 'item'} at output_index {item.index}"
