"""FIN defects: the terminal response disagrees with what was streamed, or lacks what it must carry.

Each operator here needs a terminal lifecycle event of the endings it
declares; the declaration guarantees which one (``Needs.endings``), so the
operators only look it up.
"""

from __future__ import annotations

from validator.strategies.model import Json
from validator.strategies.mutations.core import Context, Outcome, operator
from validator.strategies.mutations.declaring import FINAL, Needs

# A response with output and usage, with and without items.
LISTED = Needs(endings=FINAL)
ANY_LISTED = Needs(min_items=0, endings=FINAL)


def _terminal_copy(ctx: Context) -> tuple[list[Json], Json] | None:
    """A copy of the events and, in it, the terminal event's response (None: no terminal response)."""
    terminal = ctx.terminal_response
    if terminal is None:
        return None
    events = ctx.copy()
    return events, events[terminal]["response"]


@operator(
    "final-output-missing",
    "leave a streamed item out of the terminal response's output",
    "FIN001",
    needs=LISTED,
)
def _final_output_missing(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None or not ctx.plan.items:
        return None
    events, response = found
    k = ctx.pick(len(ctx.plan.items))
    del response["output"][k]
    return ctx.change(events, f"item {k} missing from the final output")


@operator(
    "final-output-identity",
    "change the id of an item in the terminal response's output",
    "FIN002",
    needs=LISTED,
)
def _final_output_identity(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None or not ctx.plan.items:
        return None
    events, response = found
    k = ctx.pick(len(ctx.plan.items))
    response["output"][k]["id"] += "x"
    return ctx.change(events, f"final item {k} has another id")


@operator(
    "final-output-unstreamed",
    "add an item to the terminal output that was never streamed",
    "FIN003",
    needs=ANY_LISTED,
)
def _final_output_unstreamed(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None:
        return None
    events, response = found
    response["output"].append(
        {
            "id": "msg_" + "f" * 48,
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "never streamed", "annotations": [], "logprobs": []}],
        }
    )
    return ctx.change(events, "an extra message in the final output")


@operator(
    "final-content",
    "change a text or arguments value in the terminal output",
    "FIN004",
    needs=Needs(kinds=("message", "function_call"), endings=FINAL),
)
def _final_content(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None:
        return None
    events, response = found
    k = ctx.chosen(
        [
            k
            for k, item in enumerate(response["output"])
            if (item["type"] == "message" and item["content"]) or item["type"] == "function_call"
        ]
    )
    if k is None:
        return None
    item = response["output"][k]
    if item["type"] == "function_call":
        item["arguments"] += " "
    else:
        part = item["content"][0]
        part["refusal" if part["type"] == "refusal" else "text"] += "!"
    return ctx.change(events, f"final item {k} content changed")


@operator(
    "usage-missing",
    "`response.completed` without `usage`",
    "FIN005",
    needs=Needs(min_items=0, endings=("completed",)),
)
def _usage_missing(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None:
        return None
    events, response = found
    del response["usage"]
    return ctx.change(events, "usage removed")


@operator("usage-totals", "`usage.total_tokens` that is not input + output", "FIN006", needs=ANY_LISTED)
def _usage_totals(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None:
        return None
    events, response = found
    response["usage"]["total_tokens"] += 1 + ctx.pick(100)
    return ctx.change(events, "total_tokens off")


@operator(
    "incomplete-details-missing",
    "`response.incomplete` without `incomplete_details.reason`",
    "FIN007",
    needs=Needs(min_items=0, endings=("incomplete",)),
)
def _incomplete_details_missing(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None:
        return None
    events, response = found
    response["incomplete_details"] = None
    return ctx.change(events, "incomplete_details null")


@operator(
    "failed-without-error",
    "`response.failed` without an `error` object",
    "FIN008",
    needs=Needs(min_items=0, endings=("failed", "error")),
)
def _failed_without_error(ctx: Context) -> Outcome | None:
    found = _terminal_copy(ctx)
    if found is None:
        return None
    events, response = found
    response["error"] = None
    return ctx.change(events, "error null")
