"""ITM checks: items added in order, referred to consistently, done exactly once."""

from __future__ import annotations

from typing import Any

from validator.machine import final, parts, refs, tools
from validator.machine.automata import ITEM
from validator.machine.refs import adopt
from validator.machine.state import Item, State, as_int, as_str
from validator.model import Event
from validator.rules import items as rules


def on_added(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    index = as_int(payload.get("output_index"))
    raw = payload.get("item")
    if not isinstance(raw, dict):
        return  # the schema stage reports it
    item_id = as_str(raw.get("id"))
    item_type = as_str(raw.get("type"))
    if index is None:
        # The schema stage reports the missing output_index. The item is still added, at the
        # next index, so that the events naming it by id are not all reported again.
        if item_id is None:
            return
        status = as_str(raw.get("status"))
        _add(state, Item(state.next_index, item_id, item_type, status=status, index_unknown=True), raw)
        return
    if index in state.items:
        old = state.items[index]
        state.emit(
            rules.INDEX_REUSED,
            f"output_index {index} is already {state.item_name(old)}",
            event,
            pointer="/output_index",
            expected=state.next_index,
            actual=index,
        )
        return
    if index != state.next_index:
        state.emit(
            rules.INDEX_ORDER,
            f"output_item.added uses output_index {index}; the next is {state.next_index}",
            event,
            pointer="/output_index",
            expected=state.next_index,
            actual=index,
        )
    if item_id is not None and item_id in state.ids:
        state.emit(
            rules.ID_REUSED,
            f"item id {item_id} was already added at output_index {state.ids[item_id]}",
            event,
            pointer="/item/id",
            actual=item_id,
        )
    if state.incomplete_item is not None:
        state.emit(
            rules.INCOMPLETE_ITEM,
            f"output item added after {state.item_name(state.incomplete_item)} ended incomplete",
            event,
        )
    _add(state, Item(index=index, id=item_id, type=item_type, status=as_str(raw.get("status"))), raw)


def _add(state: State, item: Item, raw: dict[str, Any]) -> None:
    state.items[item.index] = item
    if item.id is not None and item.id not in state.ids:
        state.ids[item.id] = item.index
    state.next_index = max(state.next_index, item.index + 1)
    if state.reconstruct:
        item.rebuilt = final.rebuild_start(raw)


def on_done(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    index = as_int(payload.get("output_index"))
    raw = payload.get("item")
    if not isinstance(raw, dict):
        return
    item_id = as_str(raw.get("id"))
    item_type = as_str(raw.get("type"))
    if index is None:
        # The schema stage reports the missing output_index; the item's id still says which it is.
        if item_id is None or item_id not in state.ids:
            return
        index = state.ids[item_id]
    item = state.items.get(index)
    if item is None and item_id is not None and item_id in state.ids:
        known = state.items[state.ids[item_id]]
        if known.index_unknown:
            item = refs.place(state, known, index)
    if item is None:
        if not state.resumed:
            state.emit(
                rules.UNKNOWN_ITEM,
                f"output_item.done for {item_type} {item_id or ''} at output_index {index} that was never added",
                event,
                pointer="/output_index",
            )
            return
        item = adopt(state, index, item_id)
        item.type = item_type
    step = ITEM[item.state]["done"]
    for rule in step.rules:  # only ITM006: done already
        state.emit(rule, f"second output_item.done for {state.item_name(item)}", event)
    if not step.proceed:
        return
    if item.type is None:
        item.type = item_type
    if item.id is None and item_id is not None and item.adopted:
        item.id = item_id
    if item_type != item.type or (item_id is not None and item.id is not None and item_id != item.id):
        state.emit(
            rules.DONE_IDENTITY,
            f"output_item.done at output_index {index} is {item_type} {item_id}; "
            f"output_item.added had {item.type} {item.id}",
            event,
            pointer="/item",
            expected={"type": item.type, "id": item.id},
            actual={"type": item_type, "id": item_id},
        )
    status = as_str(raw.get("status"))
    if status == "in_progress":
        state.emit(
            rules.DONE_STATUS,
            f"output_item.done carries {state.item_name(item)} with status in_progress",
            event,
            pointer="/item/status",
            expected="completed",
            actual=status,
        )
    item.status = status
    if status == "incomplete":
        state.incomplete_item = item
    parts.on_item_done(state, event, item, raw)
    tools.on_item_done(state, event, item, raw)
    item.state = step.to
    final.keep(state, item, raw, event)


HANDLERS = {"response.output_item.added": on_added, "response.output_item.done": on_done}
