"""The event tables the operators read, derived from the state machine's own.

The machine (``validator.machine``) decides which event types carry text,
arguments and hosted-tool progress; the operators must break exactly those,
so they read the machine's tables instead of keeping copies that drift.
"""

from __future__ import annotations

from validator.machine import ARGUMENT_EVENTS, TERMINAL_EVENTS, TEXT_EVENTS, TOOL_EVENT, TOOL_EVENTS

#: Text deltas (content parts, reasoning text, summaries) -> their `.done`.
TEXT_DELTAS: dict[str, str] = {f"{prefix}.delta": f"{prefix}.done" for prefix in TEXT_EVENTS}
#: Argument deltas (function, custom tool and MCP arguments, code-interpreter code) -> their `.done`.
ARGUMENT_DELTAS: dict[str, str] = {f"{prefix}.delta": f"{prefix}.done" for prefix in ARGUMENT_EVENTS}
#: A function call's arguments `.done` (FCA005 when missing), and the other argument streams' (FCA006).
FUNCTION_ARGUMENTS_DONE = ARGUMENT_DELTAS["response.function_call_arguments.delta"]
OTHER_ARGUMENT_DONES = tuple(done for done in ARGUMENT_DELTAS.values() if done != FUNCTION_ARGUMENTS_DONE)
#: The part kinds of a message's content.
MESSAGE_PARTS = ("output_text", "refusal")
#: The deltas of a message's content parts.
CONTENT_DELTAS: tuple[str, ...] = tuple(
    f"{prefix}.delta" for prefix, (part, *_) in TEXT_EVENTS.items() if part in MESSAGE_PARTS
)
TERMINAL_TYPES: tuple[str, ...] = tuple(sorted(TERMINAL_EVENTS))

#: Item types whose arguments (or input, or code) stream as deltas, and the item field holding them.
CALL_FIELDS: dict[str, str] = dict(ARGUMENT_EVENTS.values())
CALL_KINDS: tuple[str, ...] = tuple(CALL_FIELDS)

#: Hosted tools: the item types that report progress, and each progress event's stage
#: (``started``, ``working``, ``finished``).
HOSTED_KINDS: tuple[str, ...] = tuple(TOOL_EVENTS.values())
HOSTED_PROGRESS: dict[str, str] = {
    f"{prefix}.{suffix}": stage for prefix in TOOL_EVENTS for suffix, stage in TOOL_EVENT.items()
}
#: The stage of a hosted call's `completed` (and `failed`) event.
FINISHED = TOOL_EVENT["completed"]


def hosted_completed(kind: object) -> bool:
    """Whether ``kind`` is a hosted tool call's `completed` event."""
    return isinstance(kind, str) and kind in HOSTED_PROGRESS and kind.endswith(".completed")
