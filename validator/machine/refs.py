"""Finding the item an event refers to, by `output_index` and `item_id`."""

from __future__ import annotations

from typing import Any

from validator.machine.automata import ITEM
from validator.machine.state import Item, State, as_int, as_str
from validator.model import Event
from validator.rules import items as rules


def resolve(state: State, event: Event, payload: dict[str, Any], kind: str) -> Item | None:
    """The item an event refers to (by `output_index`, else `item_id`), or None after reporting why.

    Every finding here is reported once per item (or per unknown reference): the
    delta shortcut relies on it (see ``validator.machine.deltas``).
    """
    index = as_int(payload.get("output_index"))
    item_id = as_str(payload.get("item_id"))
    item = state.items.get(index) if index is not None else None
    if item is None and item_id is not None and item_id in state.ids:
        item = state.items[state.ids[item_id]]
        if item.index_unknown and index is not None:
            item = place(state, item, index)
        elif index is not None and state.once(rules.ITEM_ID_MISMATCH, item.index, index):
            state.emit(
                rules.ITEM_ID_MISMATCH,
                f"{kind} names output_index {index} for item {item_id}, which was added at output_index {item.index}",
                event,
                pointer="/output_index",
                expected=item.index,
                actual=index,
            )
    if item is None:
        if index is None and item_id is None:
            return None  # nothing to follow: the schema stage reports the missing fields
        if state.resumed:
            return adopt(state, index, item_id)
        if state.once(rules.UNKNOWN_ITEM, index, item_id):
            where = f"output_index {index}" if index is not None else "no output_index"
            state.emit(
                rules.UNKNOWN_ITEM,
                f"{kind} for {f'item {item_id} at ' if item_id else ''}{where} before any output_item.added for it",
                event,
                pointer="/output_index" if index is not None else "/item_id",
            )
        return None
    mismatch = item_id is not None and item.id is not None and item_id != item.id
    if mismatch and state.once(rules.ITEM_ID_MISMATCH, item.index, item_id):
        state.emit(
            rules.ITEM_ID_MISMATCH,
            f"{kind} names item_id {item_id} but output_index {item.index} is item {item.id}",
            event,
            pointer="/item_id",
            expected=item.id,
            actual=item_id,
        )
    step = ITEM[item.state]["update"]
    for rule in step.rules:  # only ITM009: the item is done
        if state.once(rule, item.index):
            state.emit(rule, f"{kind} for {state.item_name(item)} after its output_item.done", event)
    return item if step.proceed else None


def place(state: State, item: Item, index: int) -> Item:
    """An item added without an output_index, now named at ``index``: move it there."""
    if index not in state.items:
        del state.items[item.index]
        item.index = index
        state.items[index] = item
        if item.id is not None:
            state.ids[item.id] = index
        state.next_index = max(state.next_index, index + 1)
    item.index_unknown = False
    return item


def adopt(state: State, index: int | None, item_id: str | None) -> Item:
    """An item a resumed stream refers to that was added before the resume point."""
    if index is None:
        index = max(state.items, default=-1) + 1
    item = Item(index=index, id=item_id, type=None, adopted=True)
    state.items[index] = item
    if item_id is not None:
        state.ids[item_id] = index
    state.next_index = max(state.next_index, index + 1)
    return item


def on_other(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    """An event type the machine has no handler for that still names an item: check the reference."""
    if "output_index" in payload or "item_id" in payload:
        resolve(state, event, payload, kind)
