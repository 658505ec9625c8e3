"""SSE defects: frames whose data is no event object, and the SSE wire itself.

The first three hold for every format. The rest (the ``event:`` line,
``[DONE]``, an unterminated frame, the SSE ``id`` field) exist only on the
SSE wire, so their operators apply only when the stream is written as SSE.
"""

from __future__ import annotations

import copy
from typing import Any

from validator.strategies.model import Json
from validator.strategies.mutations.core import Context, Outcome, edit_one, operator
from validator.strategies.mutations.declaring import ANY_STREAM, OPEN_RESPONSES, OPENAI, SSE_ONLY, Needs, declares
from validator.writers import RawData

ANY_SSE = Needs(min_items=0, formats=SSE_ONLY)
OPEN_RESPONSES_SSE = Needs(min_items=0, formats=SSE_ONLY, profiles=OPEN_RESPONSES)


@operator(
    "not-json",
    "replace one event's data with text that is not JSON",
    "SSE001",
    needs=Needs(min_items=0, formats=("sse", "jsonl")),  # a JSON array cannot hold broken JSON
)
def _not_json(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    events: list[Any] = ctx.copy()
    events[index] = RawData('{"type": "response.output_text.delta", ')
    return ctx.change(events, f"{ctx.label(index)} is not JSON")


@operator("not-object", "replace one event with a JSON value that is not an object", "SSE002", needs=ANY_STREAM)
def _not_object(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    events: list[Any] = ctx.copy()
    events[index] = RawData(ctx.choose(("[1, 2]", '"text"', "42", "null")))
    if ctx.fmt == "json":
        events[index] = [1, 2]
    return ctx.change(events, f"{ctx.label(index)} is not an object")


@operator("drop-type", "remove the `type` member of one event", "SSE003", needs=ANY_STREAM)
def _drop_type(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        del event["type"]
        return "lost its type"

    return edit_one(ctx, range(len(ctx.events)), edit)


# --- the SSE wire -------------------------------------------------------------------------------


def _framed_as(ctx: Context, index: int, name: str | None, detail: str) -> Outcome:
    """The stream with frame ``index`` given the ``event:`` line ``name`` (None: no such line)."""
    draft = ctx.draft()
    names: list[str | None] = [e.get("type") for e in ctx.events]
    names[index] = name
    draft.names = names
    return Outcome(draft, detail)


@operator("wrong-event-line", "an `event:` line naming another type than the data", "SSE004", needs=ANY_SSE)
def _wrong_event_line(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    name = ctx.choose(("message", "response.output_text.delta", "delta"))
    if name == ctx.events[index].get("type"):
        name = "message"
    return _framed_as(ctx, index, name, f"{ctx.label(index)} framed as event: {name}")


@operator("drop-event-line", "a frame with `data:` but no `event:` line", "SSE005", needs=OPEN_RESPONSES_SSE)
def _drop_event_line(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    return _framed_as(ctx, index, None, f"{ctx.label(index)} has no event: line")


@operator("drop-done", "end the body without `data: [DONE]`", "SSE006", needs=OPEN_RESPONSES_SSE)
def _drop_done(ctx: Context) -> Outcome | None:
    draft = ctx.draft()
    draft.done = False
    return Outcome(draft, "no [DONE]")


@operator(
    "data-after-done",
    "send an event after `data: [DONE]`",
    declares("SSE007", "SSE008"),  # SSE008 ([DONE] at all) only where the profile checks it
    needs=ANY_SSE,
)
def _data_after_done(ctx: Context) -> Outcome | None:
    draft = ctx.draft()
    draft.done = True
    draft.after_done = [copy.deepcopy(ctx.events[-1])]
    return Outcome(draft, "the last event repeated after [DONE]")


@operator(
    "add-done",
    "end an OpenAI stream with `data: [DONE]`",
    "SSE008",
    needs=Needs(min_items=0, formats=SSE_ONLY, profiles=OPENAI),
)
def _add_done(ctx: Context) -> Outcome | None:
    draft = ctx.draft()
    draft.done = True
    return Outcome(draft, "[DONE] appended")


@operator("cut-mid-event", "end the body inside its last frame (no blank line after it)", "SSE009", needs=ANY_SSE)
def _cut_mid_event(ctx: Context) -> Outcome | None:
    draft = ctx.draft()
    draft.cut = 1 + ctx.pick(2)
    return Outcome(draft, f"last {draft.cut} byte(s) cut")


@operator("sse-id", "frames that set the SSE `id` field", "SSE010", needs=OPEN_RESPONSES_SSE)
def _sse_id(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    draft = ctx.draft()
    ids: list[str | None] = [None] * len(ctx.events)
    ids[index] = str(index)
    draft.ids = ids
    return Outcome(draft, f"{ctx.label(index)} has id: {index}")
