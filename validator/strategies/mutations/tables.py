"""The event tables the operators read, derived from the state machine's own.

The machine (``validator.machine``) decides which event types carry text,
arguments and hosted-tool progress; the operators must break exactly those,
so they read the machine's tables instead of keeping copies that drift.
"""

from __future__ import annotations

from validator.machine import ARGUMENT_EVENTS, DELTA_INDEX_FIELD, STAGES, TERMINAL, TEXT_EVENTS, TOOL_EVENTS


def _done_of(delta: str) -> str:
    return delta.removesuffix(".delta") + ".done"


#: Argument deltas (function, custom tool and MCP arguments, code-interpreter code) -> their `.done`.
ARGUMENT_DELTAS: dict[str, str] = {f"{prefix}.delta": f"{prefix}.done" for prefix in ARGUMENT_EVENTS}
#: Every other delta the machine accumulates is text in a part (content or summary) -> its `.done`.
TEXT_DELTAS: dict[str, str] = {kind: _done_of(kind) for kind in DELTA_INDEX_FIELD if kind not in ARGUMENT_DELTAS}
#: The part kinds of a message's content.
MESSAGE_PARTS = ("output_text", "refusal")
#: The deltas of a message's content parts.
CONTENT_DELTAS: tuple[str, ...] = tuple(
    f"{prefix}.delta" for prefix, (part, _) in TEXT_EVENTS.items() if part in MESSAGE_PARTS
)
TERMINAL_TYPES: tuple[str, ...] = tuple(sorted(TERMINAL))

#: Item types whose arguments (or input, or code) stream as deltas, and the item field holding them.
CALL_FIELDS: dict[str, str] = {item_type: item_field for item_type, _, item_field in ARGUMENT_EVENTS.values()}
CALL_KINDS: tuple[str, ...] = tuple(CALL_FIELDS)

#: Hosted tools: the item types that report progress, and each progress event's stage.
HOSTED_KINDS: tuple[str, ...] = tuple(TOOL_EVENTS.values())
HOSTED_PROGRESS: dict[str, int] = {
    f"{prefix}.{suffix}": stage for prefix in TOOL_EVENTS for suffix, stage in STAGES.items()
}
#: The stage of a hosted call's `completed` (and `failed`) event.
FINISHED = STAGES["completed"]


def hosted_completed(kind: object) -> bool:
    """Whether ``kind`` is a hosted tool call's `completed` event."""
    return isinstance(kind, str) and kind in HOSTED_PROGRESS and kind.endswith(".completed")
