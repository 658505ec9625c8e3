"""SEQ defects: events lost, repeated or out of order, and broken sequence numbers.

Dropping or repeating an event also breaks whatever that event carried (a
part's opening, a delta of a `.done` text, an item's closing), so those
operators declare further codes under conditions on the event they chose.
"""

from __future__ import annotations

import copy

from validator.strategies.mutations.core import Context, Outcome, operator
from validator.strategies.mutations.declaring import (
    ANY_STREAM,
    FINAL,
    WITH_ITEMS,
    closes_deltas,
    declares,
    delta_of,
    is_type,
)
from validator.strategies.mutations.tables import (
    ARGUMENT_DELTAS,
    CONTENT_DELTAS,
    FUNCTION_ARGUMENTS_DONE,
    MESSAGE_PARTS,
    OTHER_ARGUMENT_DONES,
    TERMINAL_TYPES,
    TEXT_DELTAS,
    hosted_completed,
)


def _opens_message_part(ctx: Context, at: int) -> bool:
    event = ctx.events[at]
    return event.get("type") == "response.content_part.added" and event["part"]["type"] in MESSAGE_PARTS


def _streamed_arguments(ctx: Context, at: int) -> bool:
    # Arguments sent only whole in their `.done` are accepted (servers that do not stream
    # arguments), so a lone delta's loss shows only as the sequence gap.
    event = ctx.events[at]
    return delta_of(ARGUMENT_DELTAS)(ctx, at) and any(
        i != at and e.get("type") == event["type"] and e.get("output_index") == event["output_index"]
        for i, e in enumerate(ctx.events)
    )


def _closes_listed_item(ctx: Context, at: int) -> bool:
    return ctx.events[at].get("type") == "response.output_item.done" and ctx.plan.ending in FINAL


@operator(
    "drop",
    "remove one event from the middle of the stream",
    declares(
        "SEQ004",
        CNT001=_opens_message_part,
        CNT011=is_type("response.reasoning_summary_part.added"),
        CNT008=is_type(*(TEXT_DELTAS[delta] for delta in CONTENT_DELTAS)),
        CNT009=is_type("response.content_part.done"),
        CNT015=is_type("response.reasoning_summary_text.done"),
        CNT005=delta_of(TEXT_DELTAS),
        FCA001=_streamed_arguments,
        FCA005=closes_deltas(FUNCTION_ARGUMENTS_DONE),
        FCA006=closes_deltas(*OTHER_ARGUMENT_DONES),
        ITM001=is_type("response.output_item.added"),
        ITM007=_closes_listed_item,
        TOL003=lambda ctx, at: hosted_completed(ctx.events[at].get("type")),
    ),
    needs=WITH_ITEMS,
)
def _drop(ctx: Context) -> Outcome | None:
    index = ctx.chosen(range(1, len(ctx.events) - 1))
    if index is None:
        return None
    events = ctx.copy()
    del events[index]
    return ctx.change(events, f"dropped {ctx.label(index)}", at=index)


@operator(
    "duplicate",
    "send one event twice (same sequence_number)",
    declares(
        "SEQ002",
        LIF003=is_type("response.created"),
        LIF005=is_type("response.in_progress"),
        LIF008=is_type(*TERMINAL_TYPES),
        ITM003=is_type("response.output_item.added"),
        ITM006=is_type("response.output_item.done"),
        CNT005=delta_of(TEXT_DELTAS),
        FCA001=delta_of(ARGUMENT_DELTAS),
    ),
    needs=WITH_ITEMS,
)
def _duplicate(ctx: Context) -> Outcome | None:
    index = ctx.chosen(ctx.where(lambda e: e.get("type") != "error"))
    if index is None:
        return None
    events = ctx.copy()
    events.insert(index + 1, copy.deepcopy(events[index]))
    return ctx.change(events, f"duplicated {ctx.label(index)}", at=index)


@operator("swap", "exchange two neighbouring events (each keeps its sequence_number)", "SEQ002", needs=WITH_ITEMS)
def _swap(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = ctx.pick(len(ctx.events) - 1)
    return ctx.change(ctx.swapped(index), f"swapped {ctx.label(index)} with the next")


# --- the numbers themselves ---------------------------------------------------------------------


@operator(
    "drop-sequence-number",
    "remove `sequence_number` from one event of a numbered stream",
    "SEQ005",
    needs=WITH_ITEMS,
)
def _drop_sequence_number(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = ctx.pick(len(ctx.events))
    events = ctx.copy()
    del events[index]["sequence_number"]
    return ctx.change(events, f"no sequence_number on {ctx.label(index)}")


@operator("strip-sequence-numbers", "send every event without `sequence_number`", "SEQ001", needs=ANY_STREAM)
def _strip_sequence_numbers(ctx: Context) -> Outcome | None:
    events = ctx.copy()
    for event in events:
        del event["sequence_number"]
    return ctx.change(events, "no event is numbered")


@operator("repeat-sequence-number", "give one event the previous event's sequence_number", "SEQ002", needs=WITH_ITEMS)
def _repeat_sequence_number(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = 1 + ctx.pick(len(ctx.events) - 1)
    events = ctx.copy()
    events[index]["sequence_number"] = events[index - 1]["sequence_number"]
    return ctx.change(events, f"{ctx.label(index)} repeats the previous number")


@operator("gap-sequence-number", "skip sequence numbers from one event on", "SEQ004", needs=WITH_ITEMS)
def _gap_sequence_number(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = 1 + ctx.pick(len(ctx.events) - 1)
    jump = 1 + ctx.pick(5)
    events = ctx.copy()
    for event in events[index:]:
        event["sequence_number"] += jump
    return ctx.change(events, f"numbers jump by {jump + 1} at {ctx.label(index)}")


@operator("offset-sequence-number", "number the events from 1 (or more) instead of 0", "SEQ003", needs=ANY_STREAM)
def _offset_sequence_number(ctx: Context) -> Outcome | None:
    start = 1 + ctx.pick(3)
    events = ctx.copy()
    for event in events:
        event["sequence_number"] += start
    return ctx.change(events, f"numbered from {start}")
