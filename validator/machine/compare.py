"""Comparing a streamed text with the text an event says it is: the messages every such rule shares."""

from __future__ import annotations

from validator.machine.state import Part, State
from validator.model import Event
from validator.rules import Rule


def part_text_field(kind: str | None) -> str:
    """The field that holds a part's text: ``refusal`` for refusals, ``text`` for the rest."""
    return "refusal" if kind == "refusal" else "text"


def check_done_text(
    state: State, event: Event, rule: Rule, short: str, done_field: str, part: Part, text: str
) -> None:
    """A `.done` value must be its deltas concatenated (CNT005 for texts, FCA001 for arguments).

    When it is not, the part remembers this finding: a later copy of the text that repeats
    the wrong `.done` value is reported as caused by it (``check_copy``).
    """
    streamed = part.text()
    if text != streamed:
        state.emit(
            rule,
            f"{short} {done_field} is not the concatenation of its deltas: {difference(streamed, text)}",
            event,
            pointer=f"/{done_field}",
            expected=clip(streamed),
            actual=clip(text),
        )
        part.done_root = (rule.code, event.index)


def check_copy(state: State, event: Event, rule: Rule, part: Part, text: str, what: str, pointer: str) -> None:
    """A later copy of a part's text (``content_part.done``, ``output_item.done``) must be its text
    as streamed (``Part.truth``); ``what`` starts the message."""
    streamed = part.truth()
    if text == streamed:
        return
    caused_by = part.done_root if part.done_root is not None and text == part.done_text else None
    state.emit(
        rule,
        f"{what}: {difference(streamed, text)}",
        event,
        pointer=pointer,
        expected=clip(streamed),
        actual=clip(text),
        caused_by=caused_by,
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
