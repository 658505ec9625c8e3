"""FCA and TOL defects: tool-call arguments and hosted-tool progress events."""

from __future__ import annotations

from validator.strategies.model import Json
from validator.strategies.mutations.core import Context, Outcome, edit_one, operator, remove_one, renumber, send_to_item
from validator.strategies.mutations.declaring import OPENAI, Needs, closes_deltas, declares
from validator.strategies.mutations.tables import (
    ARGUMENT_DELTAS,
    CALL_FIELDS,
    CALL_KINDS,
    FINISHED,
    FUNCTION_ARGUMENTS_DONE,
    HOSTED_KINDS,
    HOSTED_PROGRESS,
    OTHER_ARGUMENT_DONES,
    hosted_completed,
)

CALLS = Needs(kinds=CALL_KINDS)
HOSTED = Needs(kinds=HOSTED_KINDS, profiles=OPENAI)


@operator(
    "tool-item-arguments",
    "close a call whose item arguments/input differ from the streamed ones",
    "FCA002",
    needs=CALLS,
)
def _tool_item_arguments(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        item = event["item"]
        item[CALL_FIELDS[item["type"]]] += " "
        return "arguments changed"

    closings = ctx.where(lambda e: e.get("type") == "response.output_item.done" and e["item"]["type"] in CALL_FIELDS)
    return edit_one(ctx, closings, edit)


@operator(
    "arguments-on-wrong-item",
    "send function-call arguments to an item that is not a function call",
    "FCA003",
    needs=Needs(kinds=("message", "reasoning", "web_search_call")),
)
def _arguments_on_wrong_item(ctx: Context) -> Outcome | None:
    k = ctx.chosen([k for k, item in enumerate(ctx.plan.items) if item.kind != "function_call"])
    if k is None:
        return None
    detail = f"arguments delta sent to a {ctx.plan.items[k].kind}"
    return send_to_item(ctx, k, "response.function_call_arguments.delta", detail, delta="{}")


@operator("arguments-after-done", "send an arguments delta after the arguments' `.done`", "FCA004", needs=CALLS)
def _arguments_after_done(ctx: Context) -> Outcome | None:
    index = ctx.chosen(ctx.of_type(*ARGUMENT_DELTAS.values()))
    if index is None:
        return None
    done_event = ctx.events[index]
    delta_type = next(d for d, v in ARGUMENT_DELTAS.items() if v == done_event["type"])
    extra = {
        "type": delta_type,
        "sequence_number": 0,
        "item_id": done_event["item_id"],
        "output_index": done_event["output_index"],
        "delta": "x",
    }
    events = ctx.copy()
    events.insert(index + 1, extra)
    return ctx.change(renumber(events), f"a delta after {ctx.label(index)}")


@operator(
    "drop-arguments-done",
    "close a call whose arguments were streamed without their `.done` event",
    declares(FCA005=closes_deltas(FUNCTION_ARGUMENTS_DONE), FCA006=closes_deltas(*OTHER_ARGUMENT_DONES)),
    needs=CALLS,
)
def _drop_arguments_done(ctx: Context) -> Outcome | None:
    streamed = closes_deltas(*ARGUMENT_DELTAS.values())
    return remove_one(ctx, [i for i in ctx.of_type(*ARGUMENT_DELTAS.values()) if streamed(ctx, i)])


def _hosted_completions(ctx: Context) -> list[int]:
    """The `completed` events of hosted tool calls."""
    return ctx.where(lambda e: "item_id" in e and hosted_completed(e.get("type")))


@operator(
    "tool-event-on-wrong-item",
    "send a hosted tool's progress event to a message item",
    "TOL001",
    needs=Needs(kinds=("message", "function_call"), profiles=OPENAI),
)
def _tool_event_on_wrong_item(ctx: Context) -> Outcome | None:
    k = ctx.chosen([k for k, item in enumerate(ctx.plan.items) if item.kind in ("message", "refusal", "function_call")])
    if k is None:
        return None
    kind = ctx.choose(("web_search_call.searching", "file_search_call.in_progress", "image_generation_call.generating"))
    return send_to_item(ctx, k, f"response.{kind}", f"response.{kind} sent to a {ctx.plan.items[k].kind}")


@operator(
    "tool-progress-out-of-order",
    "send a hosted tool's `completed` before its earlier progress event",
    "TOL002",
    needs=HOSTED,
)
def _tool_progress_out_of_order(ctx: Context) -> Outcome | None:
    def after_progress(i: int) -> bool:
        """Whether event ``i`` follows an earlier-stage progress event of its own call."""
        before, event = ctx.events[i - 1], ctx.events[i]
        stage = HOSTED_PROGRESS.get(before.get("type", ""), FINISHED)
        return stage != FINISHED and before.get("item_id") == event.get("item_id")

    index = ctx.chosen([i for i in _hosted_completions(ctx) if after_progress(i)])
    if index is None:
        return None
    return ctx.change(renumber(ctx.swapped(index - 1)), f"{ctx.label(index)} before {ctx.events[index - 1]['type']}")


@operator(
    "tool-call-not-finished",
    "close a hosted tool call without its `completed` event",
    "TOL003",
    needs=HOSTED,
)
def _tool_call_not_finished(ctx: Context) -> Outcome | None:
    return remove_one(ctx, _hosted_completions(ctx))
