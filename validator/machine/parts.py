"""CNT checks on parts: opening and closing content and summary parts, which items hold them,
and the done item's content against the streamed parts.

A part's order of events is the part automaton (``automata.CONTENT_PART`` and
``SUMMARY_PART``); ``step`` takes it and reports what it breaks.
"""

from __future__ import annotations

from typing import Any

from validator.machine import annotation, refs
from validator.machine.automata import CONTENT_PART, PART_OPEN, SUMMARY_PART, PartState
from validator.machine.compare import check_copy, part_text_field
from validator.machine.state import Item, Part, State, as_int, as_str
from validator.model import Event
from validator.rules import content as rules

# Which item types may hold a part of each kind; item types named nowhere here are not judged.
# Open Responses lets a reasoning item's content hold output_text parts (its own example does).
PART_HOLDERS: dict[str, tuple[str, ...]] = {
    "output_text": ("message", "reasoning"),
    "refusal": ("message",),
    "reasoning_text": ("reasoning",),
    "summary_text": ("reasoning",),
}
# Which item type each text event may fill: openai-python asserts `message` for output_text deltas.
DELTA_HOLDERS: dict[str, tuple[str, ...]] = {
    "output_text": ("message",),
    "refusal": ("message",),
    "reasoning_text": ("reasoning",),
    "summary_text": ("reasoning",),
}
# The part kinds each text event may fill.
_DELTA_PARTS: dict[str, tuple[str, ...]] = {
    "output_text": ("output_text",),
    "refusal": ("refusal",),
    "reasoning_text": ("reasoning_text", "output_text"),
    "summary_text": ("summary_text",),
}
_KNOWN_HOLDERS = frozenset({"message", "reasoning"})
# Item types that hold no content parts at all.
_NO_CONTENT = frozenset(
    {
        "function_call",
        "custom_tool_call",
        "web_search_call",
        "file_search_call",
        "code_interpreter_call",
        "image_generation_call",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "computer_call",
        "local_shell_call",
        "shell_call_output",
        "shell_call",
        "apply_patch_call",
    }
)


def wrong_holder(
    state: State, event: Event, item: Item, kind: str, what: str, table: dict[str, tuple[str, ...]]
) -> None:
    """CNT004: a part or text event for an item of a kind that cannot hold it (once per item and kind)."""
    holders = table.get(kind)
    if item.adopted or item.type is None or holders is None or item.type in holders:
        return
    if item.type not in _NO_CONTENT and item.type not in _KNOWN_HOLDERS:
        return
    if state.once(rules.WRONG_ITEM, item.index, kind):
        state.emit(
            rules.WRONG_ITEM,
            f"{what} ({kind}) for {state.item_name(item)}, a {item.type} item; "
            f"{kind} belongs to {' or '.join(holders)} items",
            event,
            expected=" or ".join(holders),
            actual=item.type,
        )


def find_part(
    state: State, event: Event, payload: dict[str, Any], item: Item, kind: str, summary: bool, *, delta: bool = False
) -> Part | None:
    """The part an event names, or None after reporting (once per part) that it was never opened.

    A ``delta`` to a part that was never opened opens it implicitly after the report, so its
    text still counts: the `.done` text is then compared with every delta, not only those
    after a late ``content_part.added`` (one root defect, one finding).
    """
    field = "summary_index" if summary else "content_index"
    index = as_int(payload.get(field))
    parts = item.summaries if summary else item.parts
    if index is None and field not in payload and parts:
        # No index at all (the schema stage reports it): the event is for the part opened last.
        index = max(parts)
    part = parts.get(index) if index is not None else None
    if part is not None:
        return part
    if item.adopted and index is not None:
        part = Part(index=index, kind=None, adopted=True)
        parts[index] = part
        return part
    rule = rules.SUMMARY_NOT_ADDED if summary else rules.PART_NOT_ADDED
    if state.once(rule, item.index, index):
        opener = "reasoning_summary_part.added" if summary else "content_part.added"
        where = f"{field} {index}" if index is not None else f"no {field}"
        state.emit(rule, f"{kind} for {state.item_name(item)} {where} before {opener}", event, pointer=f"/{field}")
    if delta and index is not None:
        part = parts[index] = Part(index=index, kind=None, implicit=True)
        return part
    return None


def check_kind(state: State, event: Event, item: Item, part: Part, expected: str, kind: str) -> None:
    """CNT003: a text event into a part of another kind (once per part)."""
    if part.kind is None or part.kind in _DELTA_PARTS.get(expected, (expected,)) or part.adopted:
        return
    if state.once(rules.PART_KIND, item.index, part.index):
        state.emit(
            rules.PART_KIND,
            f"{kind} into {state.item_name(item)} content_index {part.index}, a {part.kind} part",
            event,
            expected=expected,
            actual=part.kind,
        )


def step(state: State, event: Event, item: Item, part: Part, summary: bool, what: str, kind: str) -> bool:
    """Take the part automaton's step for an event of class ``what``; False when the event is out of place."""
    table = SUMMARY_PART if summary else CONTENT_PART
    move = table[part.state][what]
    for rule in move.rules:
        if rule in (rules.TEXT_DONE_MISSING, rules.SUMMARY_TEXT_DONE_MISSING):
            if not part.adopted and state.once(rule, item.index, summary, part.index):
                field = "summary_index" if summary else "content_index"
                text = "reasoning_summary_text" if summary else (part.kind or "text")
                state.emit(
                    rule,
                    f"{kind} closes {state.item_name(item)} {field} {part.index} without its {text}.done event",
                    event,
                )
        elif what in ("delta", "text_done"):
            if state.once(rule, item.index, summary, part.index):
                closer = "its part's done event" if part.state is PartState.CLOSED else "its text's .done event"
                state.emit(
                    rule,
                    f"{kind} for {state.item_name(item)} {'summary' if summary else 'content'}_index "
                    f"{part.index} after {closer}",
                    event,
                )
        elif state.once(rule, item.index, summary, part.index, "closed"):
            if what == "part_done":
                message = f"second {kind} for {state.item_name(item)} index {part.index}"
            else:
                message = f"{kind} for content_index {part.index} after content_part.done"
            state.emit(rule, message, event)
    part.state = move.to
    return move.proceed


def on_part_added(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    summary = kind == "response.reasoning_summary_part.added"
    short = kind.removeprefix("response.")
    item = refs.resolve(state, event, payload, short)
    if item is None:
        return
    field = "summary_index" if summary else "content_index"
    index = as_int(payload.get(field))
    raw = payload.get("part")
    part_kind = as_str(raw.get("type")) if isinstance(raw, dict) else None
    parts = item.summaries if summary else item.parts
    if index is None:
        # The schema stage reports the missing index; the part is still opened, as the next one,
        # so that its events are not all reported again.
        if field in payload:
            return  # an index of the wrong type: nothing to go by
        index = len(parts)
    if part_kind is not None:
        wrong_holder(state, event, item, part_kind, short, PART_HOLDERS)
    implicit = parts.get(index)
    if implicit is not None and implicit.implicit:
        # Its deltas came first (reported then): this is the part they belong to.
        implicit.implicit = False
        implicit.kind = part_kind or implicit.kind
        return
    expected = len(parts)
    if index in parts or index != expected:
        rule = rules.SUMMARY_INDEX_ORDER if summary else rules.PART_INDEX_ORDER
        again = " again" if index in parts else ""
        state.emit(
            rule,
            f"{short} opens {field} {index}{again} for {state.item_name(item)}; the next is {expected}",
            event,
            pointer=f"/{field}",
            expected=expected,
            actual=index,
        )
        if index in parts:
            return
    part = Part(index=index, kind=part_kind or ("summary_text" if summary else None))
    if isinstance(raw, dict):
        initial = raw.get(part_text_field(part_kind))
        if isinstance(initial, str) and initial:
            part.chunks.append(initial)
    parts[index] = part


def on_part_done(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    summary = kind == "response.reasoning_summary_part.done"
    short = kind.removeprefix("response.")
    item = refs.resolve(state, event, payload, short)
    if item is None:
        return
    part = find_part(state, event, payload, item, short, summary)
    if part is None or not step(state, event, item, part, summary, "part_done", short) or part.adopted:
        return
    raw = payload.get("part")
    if isinstance(raw, dict):
        field = part_text_field(as_str(raw.get("type")) or part.kind)
        text = raw.get(field)
        if isinstance(text, str):
            what = f"{short} {field} differs from the streamed text"
            check_copy(state, event, rules.PART_DONE_MISMATCH, part, text, what, f"/part/{field}")
    annotation.check_ranges(state, event, item, part)


def on_item_done(state: State, event: Event, item: Item, raw: dict[str, Any]) -> None:
    """Close the item's parts and compare them with the done item."""
    open_parts = [p.index for p in item.parts.values() if p.state in PART_OPEN and not p.adopted]
    open_summaries = [p.index for p in item.summaries.values() if p.state in PART_OPEN and not p.adopted]
    if open_parts or open_summaries:
        what = []
        if open_parts:
            what.append(f"content_index {', '.join(map(str, open_parts))}")
        if open_summaries:
            what.append(f"summary_index {', '.join(map(str, open_summaries))}")
        state.emit(
            rules.PART_NOT_DONE,
            f"output_item.done for {state.item_name(item)} with {' and '.join(what)} still open",
            event,
        )
    for part in item.parts.values():
        annotation.check_ranges(state, event, item, part)
    _compare(state, event, item, item.parts, raw.get("content"), "content")
    _compare(state, event, item, item.summaries, raw.get("summary"), "summary")


def _compare(state: State, event: Event, item: Item, parts: dict[int, Part], done: Any, field: str) -> None:
    streamed = [p for p in parts.values() if not p.adopted]
    if not streamed:
        return
    if not isinstance(done, list):
        state.emit(
            rules.ITEM_DONE_MISMATCH,
            f"output_item.done for {state.item_name(item)} has no {field} list, but "
            f"{len(streamed)} part(s) were streamed",
            event,
            pointer=f"/item/{field}",
        )
        return
    if len(done) != len(parts):
        state.emit(
            rules.ITEM_DONE_MISMATCH,
            f"output_item.done for {state.item_name(item)} has {len(done)} {field} part(s); {len(parts)} were streamed",
            event,
            pointer=f"/item/{field}",
            expected=len(parts),
            actual=len(done),
        )
    for part in streamed:
        if not 0 <= part.index < len(done) or not isinstance(done[part.index], dict):
            continue
        entry = done[part.index]
        entry_kind = as_str(entry.get("type"))
        if part.kind is not None and entry_kind is not None and entry_kind != part.kind:
            state.emit(
                rules.ITEM_DONE_MISMATCH,
                f"output_item.done {field}[{part.index}] is {entry_kind}; the streamed part is {part.kind}",
                event,
                pointer=f"/item/{field}/{part.index}/type",
                expected=part.kind,
                actual=entry_kind,
            )
            continue
        key = part_text_field(entry_kind or part.kind)
        text = entry.get(key)
        if isinstance(text, str):
            what = f"output_item.done {field}[{part.index}].{key} differs from the streamed text"
            check_copy(state, event, rules.ITEM_DONE_MISMATCH, part, text, what, f"/item/{field}/{part.index}/{key}")


HANDLERS = {
    "response.content_part.added": on_part_added,
    "response.reasoning_summary_part.added": on_part_added,
    "response.content_part.done": on_part_done,
    "response.reasoning_summary_part.done": on_part_done,
}
