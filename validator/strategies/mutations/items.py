"""ITM defects: output items referenced, numbered, identified and closed wrongly."""

from __future__ import annotations

import copy

from validator.strategies.model import Json
from validator.strategies.mutations.core import Context, Outcome, edit_one, operator, remove_one, renumber
from validator.strategies.mutations.declaring import FINAL, WITH_ITEMS, Needs


def _item_events(ctx: Context) -> list[int]:
    return ctx.where(lambda e: "item_id" in e and "output_index" in e)


def _item_closings(ctx: Context) -> list[int]:
    """The `output_item.done` events whose item has a status."""
    return ctx.where(lambda e: e.get("type") == "response.output_item.done" and "status" in e["item"])


@operator(
    "unknown-item",
    "point an item event at an item (output_index and item_id) never added",
    "ITM001",
    needs=WITH_ITEMS,
)
def _unknown_item(ctx: Context) -> Outcome | None:
    index = ctx.chosen(_item_events(ctx))
    if index is None:
        return None
    events = ctx.copy()
    events[index]["output_index"] = len(ctx.plan.items) + 3
    events[index]["item_id"] = "msg_" + "e" * 48
    return ctx.change(events, f"output_index changed on {ctx.label(index)}")


@operator("change-item-id", "give an item event another item_id than its item's", "ITM005", needs=WITH_ITEMS)
def _change_item_id(ctx: Context) -> Outcome | None:
    index = ctx.chosen(_item_events(ctx))
    if index is None:
        return None
    events = ctx.copy()
    events[index]["item_id"] += "x"
    return ctx.change(events, f"item_id changed on {ctx.label(index)}")


def _retarget_item(
    ctx: Context, output_index: int, new_index: int | None = None, new_id: str | None = None
) -> list[Json]:
    """Every event and final-output entry of one item, with its index and/or id replaced."""
    events = ctx.copy()
    old_id = ctx.plan.items[output_index].id
    for event in events:
        if event.get("output_index") == output_index:
            if new_index is not None:
                event["output_index"] = new_index
            if new_id is not None:
                if "item_id" in event:
                    event["item_id"] = new_id
                if isinstance(event.get("item"), dict):
                    event["item"]["id"] = new_id
        response = event.get("response")
        if new_id is not None and isinstance(response, dict):
            for item in response.get("output") or []:
                if item.get("id") == old_id:
                    item["id"] = new_id
    return events


@operator(
    "skip-output-index",
    "number an item's output_index one past the next free index",
    "ITM002",
    needs=WITH_ITEMS,
)
def _skip_output_index(ctx: Context) -> Outcome | None:
    if not ctx.plan.items:
        return None
    last = len(ctx.plan.items) - 1
    events = _retarget_item(ctx, last, new_index=last + 1)
    return ctx.change(events, f"item {last} sent at output_index {last + 1}")


@operator(
    "reuse-output-index",
    "add an item at an output_index another item already has",
    "ITM003",
    needs=Needs(min_items=2),
)
def _reuse_output_index(ctx: Context) -> Outcome | None:
    if len(ctx.plan.items) < 2:
        return None
    last = len(ctx.plan.items) - 1
    events = _retarget_item(ctx, last, new_index=last - 1)
    return ctx.change(events, f"item {last} sent at output_index {last - 1}")


@operator("reuse-item-id", "give an item the id of an earlier item", "ITM004", needs=Needs(min_items=2))
def _reuse_item_id(ctx: Context) -> Outcome | None:
    if len(ctx.plan.items) < 2:
        return None
    last = len(ctx.plan.items) - 1
    other = ctx.pick(last)
    events = _retarget_item(ctx, last, new_id=ctx.plan.items[other].id)
    return ctx.change(events, f"item {last} reuses the id of item {other}")


@operator("item-done-twice", "send an item's `output_item.done` a second time", "ITM006", needs=WITH_ITEMS)
def _item_done_twice(ctx: Context) -> Outcome | None:
    index = ctx.chosen(ctx.of_type("response.output_item.done"))
    if index is None:
        return None
    events = ctx.copy()
    events.insert(index + 1, copy.deepcopy(events[index]))
    return ctx.change(renumber(events), f"{ctx.label(index)} sent twice")


@operator(
    "item-not-done",
    "never close an item with `output_item.done`",
    "ITM007",
    needs=Needs(endings=FINAL),
)
def _item_not_done(ctx: Context) -> Outcome | None:
    return remove_one(ctx, ctx.of_type("response.output_item.done"))


@operator(
    "item-done-identity",
    "change the id or type of the item in `output_item.done`",
    "ITM008",
    needs=WITH_ITEMS,
)
def _item_done_identity(ctx: Context) -> Outcome | None:
    index = ctx.chosen(ctx.of_type("response.output_item.done"))
    if index is None:
        return None
    events = ctx.copy()
    item = events[index]["item"]
    if ctx.pick(2):
        item["id"] += "x"
        what = "id"
    else:
        item["type"] = "function_call" if item["type"] == "message" else "message"
        what = "type"
    return ctx.change(events, f"{what} changed in {ctx.label(index)}")


@operator(
    "event-after-item-done",
    "send an item's event after its `output_item.done`",
    "ITM009",
    needs=WITH_ITEMS,
)
def _event_after_item_done(ctx: Context) -> Outcome | None:
    pairs: list[tuple[int, int]] = []
    for done in ctx.of_type("response.output_item.done"):
        k = ctx.events[done]["output_index"]
        pairs.extend((i, done) for i, e in enumerate(ctx.events) if e.get("output_index") == k and "item_id" in e)
    chosen = ctx.chosen(pairs)
    if chosen is None:
        return None
    src, done = chosen
    events = renumber(ctx.moved(src, done + 1))
    return ctx.change(events, f"{ctx.label(src)} moved after its item's done")


@operator(
    "item-done-in-progress",
    "close an item with status `in_progress`",
    "ITM010",
    needs=Needs(kinds=("message", "function_call", "reasoning", "web_search_call")),
)
def _item_done_in_progress(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        event["item"]["status"] = "in_progress"
        return "says in_progress"

    return edit_one(ctx, _item_closings(ctx), edit)


@operator(
    "incomplete-item-not-last",
    "end an item `incomplete` while another item follows it",
    "ITM011",
    needs=Needs(min_items=2, kinds=("message", "function_call", "reasoning")),
)
def _incomplete_item_not_last(ctx: Context) -> Outcome | None:
    index = ctx.chosen([i for i in _item_closings(ctx) if ctx.events[i]["output_index"] < len(ctx.plan.items) - 1])
    if index is None:
        return None
    events = ctx.copy()
    events[index]["item"]["status"] = "incomplete"
    k = events[index]["output_index"]
    terminal = ctx.terminal
    if terminal is not None and isinstance(events[terminal].get("response"), dict):
        output = events[terminal]["response"].get("output") or []
        if k < len(output):
            output[k]["status"] = "incomplete"
    return ctx.change(events, f"item {k} incomplete but not last")
