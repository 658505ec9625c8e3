"""CNT text events: the deltas and `.done` texts of content parts and reasoning summaries."""

from __future__ import annotations

from typing import Any

from validator.machine import deltas, parts, refs
from validator.machine.compare import check_done_text
from validator.machine.state import Part, State
from validator.model import Event
from validator.rules import content as rules

# Text events: event type prefix -> (part kind, field holding the full text in `.done`, is a summary).
TEXT_EVENTS = {
    "response.output_text": ("output_text", "text", False),
    "response.refusal": ("refusal", "refusal", False),
    "response.reasoning_text": ("reasoning_text", "text", False),
    "response.reasoning": ("reasoning_text", "text", False),  # Open Responses' name for reasoning text
    "response.reasoning_summary_text": ("summary_text", "text", True),
}


def _target(state: State, event: Event, payload: dict[str, Any], kind: str, what: str) -> Part | None:
    """The part a text event grows, after every check of the item and the part (each once per target)."""
    part_kind, _, summary = TEXT_EVENTS[kind.rpartition(".")[0]]
    item = refs.resolve(state, event, payload, kind)
    if item is None:
        return None
    short = kind.removeprefix("response.")
    parts.wrong_holder(state, event, item, part_kind, short, parts.DELTA_HOLDERS)
    part = parts.find_part(state, event, payload, item, short, summary, delta=what == "delta")
    if part is None:
        return None
    if not summary:
        parts.check_kind(state, event, item, part, part_kind, short)
    return part if parts.step(state, event, item, part, summary, what, short) else None


def on_text_delta(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    """A text delta (output_text, refusal, reasoning text or a summary's text)."""
    part = _target(state, event, payload, kind, "delta")
    if part is not None:
        deltas.accept(state, event, payload, kind, part)


def on_text_done(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    """A text's `.done` event: its text must be the deltas concatenated."""
    part = _target(state, event, payload, kind, "text_done")
    if part is None:
        return
    _, done_field, _ = TEXT_EVENTS[kind.rpartition(".")[0]]
    text = payload.get(done_field)
    if not isinstance(text, str):
        return
    if not part.adopted:
        short = kind.removeprefix("response.")
        check_done_text(state, event, rules.TEXT_DONE_MISMATCH, short, done_field, part, text)
    part.done_text = text


HANDLERS = {
    **{f"{prefix}.delta": on_text_delta for prefix in TEXT_EVENTS},
    **{f"{prefix}.done": on_text_done for prefix in TEXT_EVENTS},
}
