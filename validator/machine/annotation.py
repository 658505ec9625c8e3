"""CNT checks on annotations: numbered in order per part, within the part's text."""

from __future__ import annotations

from typing import Any

from validator.machine import parts, refs
from validator.machine.state import Item, Part, State, as_int
from validator.model import Event
from validator.rules import content as rules


def on_annotation(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    item = refs.resolve(state, event, payload, kind)
    if item is None:
        return
    short = kind.removeprefix("response.")
    part = parts.find_part(state, event, payload, item, short, False)
    if part is None or not parts.step(state, event, item, part, False, "annotation", short):
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


def check_ranges(state: State, event: Event, item: Item, part: Part) -> None:
    """CNT014: each annotation's range lies within the part's finished text (checked once, when it is)."""
    if not part.ranges:
        return
    text = part.truth()
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


HANDLERS = {"response.output_text.annotation.added": on_annotation}
