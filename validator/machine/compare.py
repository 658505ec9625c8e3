"""Comparing a streamed text with the text an event says it is: the messages every such rule shares."""

from __future__ import annotations

from validator.machine.state import State
from validator.model import Event
from validator.rules import Rule


def part_text_field(kind: str | None) -> str:
    """The field that holds a part's text: ``refusal`` for refusals, ``text`` for the rest."""
    return "refusal" if kind == "refusal" else "text"


def check_done_text(
    state: State, event: Event, rule: Rule, short: str, done_field: str, streamed: str, text: str
) -> None:
    """A `.done` value must be its deltas concatenated (CNT005 for texts, FCA001 for arguments)."""
    if text != streamed:
        state.emit(
            rule,
            f"{short} {done_field} is not the concatenation of its deltas: {difference(streamed, text)}",
            event,
            pointer=f"/{done_field}",
            expected=clip(streamed),
            actual=clip(text),
        )


def clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def difference(expected: str, actual: str) -> str:
    """Where two texts part ways, in a few words."""
    at = 0
    for a, b in zip(expected, actual, strict=False):
        if a != b:
            break
        at += 1
    if at == min(len(expected), len(actual)):
        if len(actual) > len(expected):
            return f"{len(actual) - len(expected)} extra character(s) after character {at}: {actual[at:at + 30]!r}"
        return f"{len(expected) - len(actual)} character(s) missing after character {at}: {expected[at:at + 30]!r}"
    return f"differs at character {at}: expected {expected[at:at + 30]!r}, got {actual[at:at + 30]!r}"
