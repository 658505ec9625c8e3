"""CNT checks: content and summary parts, their deltas, `.done` texts and annotations."""

from __future__ import annotations

from typing import Any

from validator.machine import refs as item_checks
from validator.machine.state import Item, Part, State, as_int, as_str, hot_target
from validator.model import Event
from validator.rules import Rule
from validator.rules import content as rules

# Which item types may hold a part of each kind; item types named nowhere here are not judged.
# Open Responses lets a reasoning item's content hold output_text parts (its own example does).
_PART_HOLDERS: dict[str, tuple[str, ...]] = {
    "output_text": ("message", "reasoning"),
    "refusal": ("message",),
    "reasoning_text": ("reasoning",),
    "summary_text": ("reasoning",),
}
# Which item type each text event may fill: openai-python asserts `message` for output_text deltas.
_DELTA_HOLDERS: dict[str, tuple[str, ...]] = {
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
# Text events: event type -> (part kind, field holding the full text in `.done`).
TEXT_EVENTS = {
    "response.output_text": ("output_text", "text"),
    "response.refusal": ("refusal", "refusal"),
    "response.reasoning_text": ("reasoning_text", "text"),
    "response.reasoning": ("reasoning_text", "text"),  # Open Responses' name for reasoning text
}


def part_text_field(kind: str | None) -> str:
    return "refusal" if kind == "refusal" else "text"


def _once(state: State, key: tuple[Any, ...]) -> bool:
    if key in state.reported:
        return False
    state.reported.add(key)
    return True


def _wrong_holder(
    state: State, event: Event, item: Item, kind: str, what: str, table: dict[str, tuple[str, ...]]
) -> None:
    holders = table.get(kind)
    if item.adopted or item.type is None or holders is None or item.type in holders:
        return
    if item.type not in _NO_CONTENT and item.type not in _KNOWN_HOLDERS:
        return
    if _once(state, ("CNT004", item.index, kind)):
        state.emit(
            rules.WRONG_ITEM,
            f"{what} ({kind}) for {state.item_name(item)}, a {item.type} item; "
            f"{kind} belongs to {' or '.join(holders)} items",
            event,
            expected=" or ".join(holders),
            actual=item.type,
        )


def on_part_added(state: State, event: Event, payload: dict[str, Any], summary: bool = False) -> None:
    kind_name = "reasoning_summary_part.added" if summary else "content_part.added"
    item = item_checks.resolve(state, event, payload, kind_name)
    if item is None:
        return
    field = "summary_index" if summary else "content_index"
    index = as_int(payload.get(field))
    raw = payload.get("part")
    part_kind = as_str(raw.get("type")) if isinstance(raw, dict) else None
    if index is None:
        return
    if part_kind is not None:
        _wrong_holder(state, event, item, part_kind, kind_name, _PART_HOLDERS)
    parts = item.summaries if summary else item.parts
    expected = len(parts)
    if index in parts or index != expected:
        rule = rules.SUMMARY_INDEX_ORDER if summary else rules.PART_INDEX_ORDER
        again = " again" if index in parts else ""
        state.emit(
            rule,
            f"{kind_name} opens {field} {index}{again} for {state.item_name(item)}; the next is {expected}",
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


def _part(state: State, event: Event, payload: dict[str, Any], item: Item, kind: str, summary: bool) -> Part | None:
    field = "summary_index" if summary else "content_index"
    index = as_int(payload.get(field))
    parts = item.summaries if summary else item.parts
    part = parts.get(index) if index is not None else None
    if part is not None:
        return part
    if item.adopted and index is not None:
        part = Part(index=index, kind=None, adopted=True)
        parts[index] = part
        return part
    if _once(state, ("CNT001", item.index, summary, index)):
        rule = rules.SUMMARY_NOT_ADDED if summary else rules.PART_NOT_ADDED
        opener = "reasoning_summary_part.added" if summary else "content_part.added"
        where = f"{field} {index}" if index is not None else f"no {field}"
        state.emit(
            rule,
            f"{kind} for {state.item_name(item)} {where} before {opener}",
            event,
            pointer=f"/{field}",
        )
    return None


def _check_kind(state: State, event: Event, item: Item, part: Part, expected: str, kind: str) -> None:
    if part.kind is None or part.kind in _DELTA_PARTS.get(expected, (expected,)) or part.adopted:
        return
    if _once(state, ("CNT003", item.index, part.index)):
        state.emit(
            rules.PART_KIND,
            f"{kind} into {state.item_name(item)} content_index {part.index}, a {part.kind} part",
            event,
            expected=expected,
            actual=part.kind,
        )


def _after_done(state: State, event: Event, item: Item, part: Part, kind: str, summary: bool) -> bool:
    if not (part.text_done or part.closed):
        return False
    if _once(state, ("CNT010", item.index, summary, part.index)):
        closer = "its part's done event" if part.closed else "its text's .done event"
        state.emit(
            rules.AFTER_PART_DONE,
            f"{kind} for {state.item_name(item)} {'summary' if summary else 'content'}_index "
            f"{part.index} after {closer}",
            event,
        )
    return True


def on_text(state: State, event: Event, payload: dict[str, Any], kind: str, summary: bool = False) -> None:
    """A text delta or `.done` event (output_text, refusal, reasoning text or a summary's text)."""
    prefix, _, suffix = kind.rpartition(".")
    if summary:
        part_kind, done_field = "summary_text", "text"
    else:
        part_kind, done_field = TEXT_EVENTS[prefix]
    item = item_checks.resolve(state, event, payload, kind)
    if item is None:
        return
    short = kind.removeprefix("response.")
    _wrong_holder(state, event, item, part_kind, short, _DELTA_HOLDERS)
    part = _part(state, event, payload, item, short, summary)
    if part is None:
        return
    if not summary:
        _check_kind(state, event, item, part, part_kind, short)
    if _after_done(state, event, item, part, short, summary):
        return
    if suffix == "delta":
        delta = payload.get("delta")
        if isinstance(delta, str):
            part.add(delta)
            state.hot = hot_target(state, kind, payload, part)
        return
    text = payload.get(done_field)
    if not isinstance(text, str):
        return
    if not part.adopted:
        check_done_text(state, event, rules.TEXT_DONE_MISMATCH, short, done_field, part.text(), text)
    part.done_text = text


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


def on_part_done(state: State, event: Event, payload: dict[str, Any], summary: bool = False) -> None:
    kind = "reasoning_summary_part.done" if summary else "content_part.done"
    item = item_checks.resolve(state, event, payload, kind)
    if item is None:
        return
    part = _part(state, event, payload, item, kind, summary)
    if part is None:
        return
    if part.closed:
        if _once(state, ("CNT010", item.index, summary, part.index, "closed")):
            state.emit(rules.AFTER_PART_DONE, f"second {kind} for {state.item_name(item)} index {part.index}", event)
        return
    part.closed = True
    if part.adopted:
        return
    if not summary and not part.text_done:
        state.emit(
            rules.TEXT_DONE_MISSING,
            f"{kind} closes {state.item_name(item)} content_index {part.index} "
            f"without its {part.kind or 'text'}.done event",
            event,
        )
    raw = payload.get("part")
    if isinstance(raw, dict):
        field = part_text_field(as_str(raw.get("type")) or part.kind)
        text = raw.get(field)
        streamed = final_text(part)
        if isinstance(text, str) and text != streamed:
            state.emit(
                rules.PART_DONE_MISMATCH,
                f"{kind} {field} differs from the streamed text: {difference(streamed, text)}",
                event,
                pointer=f"/part/{field}",
                expected=clip(streamed),
                actual=clip(text),
            )
    _check_ranges(state, event, item, part)


def on_annotation(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    item = item_checks.resolve(state, event, payload, kind)
    if item is None:
        return
    short = kind.removeprefix("response.")
    part = _part(state, event, payload, item, short, False)
    if part is None or part.closed:
        if part is not None and _once(state, ("CNT010", item.index, False, part.index, "closed")):
            state.emit(rules.AFTER_PART_DONE, f"{short} for content_index {part.index} after content_part.done", event)
        return
    index = as_int(payload.get("annotation_index"))
    if index is not None and index != part.annotations:
        state.emit(
            rules.ANNOTATION_ORDER,
            f"annotation_index {index} for {state.item_name(item)} content_index "
            f"{part.index}; the next is {part.annotations}",
            event,
            pointer="/annotation_index",
            expected=part.annotations,
            actual=index,
        )
    part.annotations += 1
    annotation = payload.get("annotation")
    if isinstance(annotation, dict):
        start = as_int(annotation.get("start_index"))
        end = as_int(annotation.get("end_index"))
        if start is not None and end is not None:
            part.ranges.append((index if index is not None else part.annotations - 1, start, end))


def _check_ranges(state: State, event: Event, item: Item, part: Part) -> None:
    if not part.ranges:
        return
    text = final_text(part)
    limit = max(len(text), len(text.encode("utf-16-le", "surrogatepass")) // 2)
    for index, start, end in part.ranges:
        if not 0 <= start <= end <= limit:
            state.emit(
                rules.ANNOTATION_RANGE,
                f"annotation {index} of {state.item_name(item)} content_index {part.index} spans "
                f"[{start}, {end}) but the text has {len(text)} characters",
                event,
                expected=f"0 <= start <= end <= {limit}",
                actual=[start, end],
            )
    part.ranges.clear()


def on_item_done(state: State, event: Event, item: Item, raw: dict[str, Any]) -> None:
    """Close the item's parts and compare them with the done item."""
    open_parts = [p.index for p in item.parts.values() if not p.closed and not p.adopted]
    open_summaries = [p.index for p in item.summaries.values() if not p.closed and not p.adopted]
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
        _check_ranges(state, event, item, part)
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
        if part.index >= len(done) or not isinstance(done[part.index], dict):
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
        streamed_text = final_text(part)
        if isinstance(text, str) and text != streamed_text:
            state.emit(
                rules.ITEM_DONE_MISMATCH,
                f"output_item.done {field}[{part.index}].{key} differs from the streamed text: "
                f"{difference(streamed_text, text)}",
                event,
                pointer=f"/item/{field}/{part.index}/{key}",
                expected=clip(streamed_text),
                actual=clip(text),
            )


def final_text(part: Part) -> str:
    """The part's text as finished: the `.done` text when there was one, else the deltas."""
    return part.done_text if part.done_text is not None else part.text()


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
