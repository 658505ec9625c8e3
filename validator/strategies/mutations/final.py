"""FIN defects: the terminal response disagrees with what was streamed, or lacks what it must carry.

Each operator here needs a terminal lifecycle event of the endings it
declares; the declaration guarantees which one (``Needs.endings``), so the
operators only look it up.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from validator.strategies.model import Json
from validator.strategies.mutations.core import Context, Outcome, operator
from validator.strategies.mutations.declaring import FINAL, Needs

# A response with output and usage, with and without items.
LISTED = Needs(endings=FINAL)
ANY_LISTED = Needs(min_items=0, endings=FINAL)


def _edit_terminal(ctx: Context, edit: Callable[[Json], str | None]) -> Outcome | None:
    """The stream with its terminal response changed by ``edit``, which says what it did (None: nothing to do)."""
    terminal = ctx.terminal_response
    if terminal is None:
        return None
    events = ctx.copy()
    detail = edit(events[terminal]["response"])
    return None if detail is None else ctx.change(events, detail)


@operator(
    "final-output-missing",
    "leave a streamed item out of the terminal response's output",
    "FIN001",
    needs=LISTED,
)
def _final_output_missing(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str | None:
        if not ctx.plan.items:
            return None
        k = ctx.pick(len(ctx.plan.items))
        del response["output"][k]
        return f"item {k} missing from the final output"

    return _edit_terminal(ctx, edit)


@operator(
    "final-output-identity",
    "change the id of an item in the terminal response's output",
    "FIN002",
    needs=LISTED,
)
def _final_output_identity(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str | None:
        if not ctx.plan.items:
            return None
        k = ctx.pick(len(ctx.plan.items))
        response["output"][k]["id"] += "x"
        return f"final item {k} has another id"

    return _edit_terminal(ctx, edit)


_UNSTREAMED = {
    "id": "msg_" + "f" * 48,
    "type": "message",
    "status": "completed",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "never streamed", "annotations": [], "logprobs": []}],
}


@operator(
    "final-output-unstreamed",
    "add an item to the terminal output that was never streamed",
    "FIN003",
    needs=ANY_LISTED,
)
def _final_output_unstreamed(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str:
        response["output"].append(copy.deepcopy(_UNSTREAMED))
        return "an extra message in the final output"

    return _edit_terminal(ctx, edit)


@operator(
    "final-content",
    "change a text or arguments value in the terminal output",
    "FIN004",
    needs=Needs(kinds=("message", "function_call"), endings=FINAL),
)
def _final_content(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str | None:
        output = response["output"]
        k = ctx.chosen(
            [
                k
                for k, item in enumerate(output)
                if (item["type"] == "message" and item["content"]) or item["type"] == "function_call"
            ]
        )
        if k is None:
            return None
        item = output[k]
        if item["type"] == "function_call":
            item["arguments"] += " "
        else:
            part = item["content"][0]
            part["refusal" if part["type"] == "refusal" else "text"] += "!"
        return f"final item {k} content changed"

    return _edit_terminal(ctx, edit)


@operator(
    "usage-missing",
    "`response.completed` without `usage`",
    "FIN005",
    needs=Needs(min_items=0, endings=("completed",)),
)
def _usage_missing(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str:
        del response["usage"]
        return "usage removed"

    return _edit_terminal(ctx, edit)


@operator("usage-totals", "`usage.total_tokens` that is not input + output", "FIN006", needs=ANY_LISTED)
def _usage_totals(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str:
        response["usage"]["total_tokens"] += 1 + ctx.pick(100)
        return "total_tokens off"

    return _edit_terminal(ctx, edit)


@operator(
    "incomplete-details-missing",
    "`response.incomplete` without `incomplete_details.reason`",
    "FIN007",
    needs=Needs(min_items=0, endings=("incomplete",)),
)
def _incomplete_details_missing(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str:
        response["incomplete_details"] = None
        return "incomplete_details null"

    return _edit_terminal(ctx, edit)


@operator(
    "failed-without-error",
    "`response.failed` without an `error` object",
    "FIN008",
    needs=Needs(min_items=0, endings=("failed", "error")),
)
def _failed_without_error(ctx: Context) -> Outcome | None:
    def edit(response: Json) -> str:
        response["error"] = None
        return "error null"

    return _edit_terminal(ctx, edit)
