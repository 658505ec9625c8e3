"""LIF defects: how the response opens, repeats, changes and ends."""

from __future__ import annotations

import copy

from validator.strategies.mutations.core import Context, Outcome, operator, renumber
from validator.strategies.mutations.declaring import OPEN_RESPONSES, OPENAI, WITH_ITEMS, WITH_RESPONSE, Needs, declares
from validator.strategies.mutations.tables import TERMINAL_TYPES

# Any stream that has a response (everything but a lone `error` event), items or not.
ANY_RESPONSE = Needs(min_items=0, endings=WITH_RESPONSE)


def _opens_with_created(ctx: Context) -> bool:
    return ctx.events[0].get("type") == "response.created"


@operator(
    "not-created-first",
    "open with another event than `response.created` (renumbered from 0)",
    "LIF001",
    needs=Needs(min_items=0, endings=WITH_RESPONSE, background=False),
)
def _not_created_first(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2 or not _opens_with_created(ctx):
        return None
    if ctx.events[1].get("type") == "response.queued":
        return None
    events = renumber(ctx.moved(0, 2))
    return ctx.change(events, f"response.created moved behind {ctx.events[1].get('type')}")


@operator(
    "queued-first",
    "a background stream that opens with `response.queued`",
    "LIF002",
    needs=Needs(min_items=0, endings=WITH_RESPONSE, background=True, profiles=OPENAI),
)
def _queued_first(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2 or ctx.events[1].get("type") != "response.queued":
        return None
    events = renumber(copy.deepcopy(ctx.events[1:]))
    return ctx.change(events, "response.created dropped; the stream opens with response.queued")


@operator(
    "second-lifecycle",
    "append a second created...terminal lifecycle to the same body",
    declares("LIF003", "LIF008"),
    needs=ANY_RESPONSE,
)
def _second_lifecycle(ctx: Context) -> Outcome | None:
    if not _opens_with_created(ctx) or ctx.terminal is None:
        return None
    events = renumber(ctx.copy() + ctx.copy())
    return ctx.change(events, "the stream repeats itself after its terminal event")


@operator("created-again", "send `response.created` again in the middle of the stream", "LIF003", needs=ANY_RESPONSE)
def _created_again(ctx: Context) -> Outcome | None:
    terminal = ctx.terminal
    if not _opens_with_created(ctx) or terminal is None or terminal < 2:
        return None
    at = 1 + ctx.pick(terminal - 1)
    events = ctx.copy()
    events.insert(at, copy.deepcopy(ctx.events[0]))
    return ctx.change(renumber(events), f"response.created again before event #{at}")


def _later_response_changed(ctx: Context, field: str, suffix: str, what: str) -> Outcome | None:
    """``suffix`` appended to ``response[field]`` of one lifecycle event after `response.created`."""
    if not _opens_with_created(ctx):
        return None
    index = ctx.chosen(ctx.where(lambda e: isinstance(e.get("response"), dict) and e.get("type") != "response.created"))
    if index is None:
        return None
    events = ctx.copy()
    events[index]["response"][field] += suffix
    return ctx.change(events, f"{what} changed on {ctx.label(index)}")


@operator(
    "change-response-id",
    "give the terminal (or in_progress) event another response id",
    "LIF004",
    needs=ANY_RESPONSE,
)
def _change_response_id(ctx: Context) -> Outcome | None:
    return _later_response_changed(ctx, "id", "x", "response id")


@operator("response-model-changed", "change `response.model` in a later lifecycle event", "LIF011", needs=ANY_RESPONSE)
def _response_model_changed(ctx: Context) -> Outcome | None:
    return _later_response_changed(ctx, "model", "-alias", "model")


@operator("repeat-in-progress", "send `response.in_progress` a second time", "LIF005", needs=ANY_RESPONSE)
def _repeat_in_progress(ctx: Context) -> Outcome | None:
    found = ctx.of_type("response.in_progress")
    if not found:
        return None
    index = found[0]
    events = ctx.copy()
    events.insert(index + 1, copy.deepcopy(events[index]))
    return ctx.change(renumber(events), "response.in_progress twice")


@operator("late-in-progress", "send `response.in_progress` after output has started", "LIF006", needs=WITH_ITEMS)
def _late_in_progress(ctx: Context) -> Outcome | None:
    found = ctx.of_type("response.in_progress")
    added = ctx.of_type("response.output_item.added")
    if not found or not added:
        return None
    events = renumber(ctx.moved(found[0], added[0] + 1))
    return ctx.change(events, "response.in_progress after the first output_item.added")


@operator("truncate", "cut the stream short before its terminal event", "LIF007", needs=ANY_RESPONSE)
def _truncate(ctx: Context) -> Outcome | None:
    stops = ctx.of_type("error", *TERMINAL_TYPES)
    if not stops or stops[0] < 1 or not _opens_with_created(ctx):
        return None
    keep = 1 + ctx.pick(stops[0])
    return ctx.change(copy.deepcopy(ctx.events[:keep]), f"stream cut after {keep} events")


@operator(
    "terminal-status-mismatch",
    "terminal event whose response.status disagrees with it",
    "LIF009",
    needs=ANY_RESPONSE,
)
def _terminal_status(ctx: Context) -> Outcome | None:
    terminal = ctx.terminal_response
    if terminal is None:
        return None
    events = ctx.copy()
    events[terminal]["response"]["status"] = "in_progress"
    return ctx.change(events, "terminal response says in_progress")


@operator(
    "move-after-terminal",
    "move an event after the terminal event",
    declares("LIF008", "SEQ002"),
    needs=Needs(endings=WITH_RESPONSE),
)
def _move_after_terminal(ctx: Context) -> Outcome | None:
    terminal = ctx.terminal_response
    if terminal is None:
        return None
    candidates = list(range(1, terminal))
    if ctx.plan.ending == "error":
        candidates = [i for i in candidates if ctx.events[i].get("type") != "error"]
    index = ctx.chosen(candidates)
    if index is None:
        return None
    events = ctx.moved(index, len(ctx.events))
    return ctx.change(events, f"moved {ctx.label(index)} after the terminal event")


@operator(
    "error-without-failed",
    "an `error` event not followed by `response.failed`",
    "LIF010",
    needs=Needs(min_items=0, endings=("error",), profiles=OPEN_RESPONSES),
)
def _error_without_failed(ctx: Context) -> Outcome | None:
    errors = ctx.of_type("error")
    if not errors or not _opens_with_created(ctx):
        return None
    return ctx.change(copy.deepcopy(ctx.events[: errors[0] + 1]), "response.failed removed")
