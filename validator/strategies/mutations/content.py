"""CNT defects: content and summary parts, their deltas, `.done` texts and annotations."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from validator.strategies.model import Json
from validator.strategies.mutations.core import (
    Context,
    Outcome,
    edit_one,
    operator,
    remove_one,
    renumber,
    send_to_item,
)
from validator.strategies.mutations.declaring import Needs, declares, is_type
from validator.strategies.mutations.tables import ARGUMENT_DELTAS, CALL_KINDS, CONTENT_DELTAS, TEXT_DELTAS

MESSAGE = Needs(kinds=("message",))
# Messages with text or with a refusal.
TEXT = Needs(kinds=("message", "refusal"))
REASONING = Needs(kinds=("reasoning",))

# Item kinds the validator does not yet judge for CNT004 (it gives item types it does not
# list the benefit of the doubt). Open disagreement, pinned by an xfail(strict) test in
# conformance_tests/test_properties.py; remove a kind here when the validator learns it.
CNT004_OPEN_TARGETS: frozenset[str] = frozenset()


def _first_deltas(ctx: Context, types: Sequence[str]) -> list[int]:
    """Indices of the first delta of each part (the event right after its part.added)."""
    return [
        i
        for i in ctx.of_type(*types)
        if ctx.events[i - 1].get("type") in ("response.content_part.added", "response.reasoning_summary_part.added")
    ]


@operator("delta-before-part", "send a part's first delta before its `content_part.added`", "CNT001", needs=TEXT)
def _delta_before_part(ctx: Context) -> Outcome | None:
    index = ctx.chosen(_first_deltas(ctx, CONTENT_DELTAS))
    if index is None:
        return None
    return ctx.change(renumber(ctx.swapped(index - 1)), f"{ctx.label(index)} before its part")


@operator("skip-content-index", "open a message's last part at the wrong content_index", "CNT002", needs=TEXT)
def _skip_content_index(ctx: Context) -> Outcome | None:
    last_parts = [
        (k, len(item.parts) - 1) for k, item in enumerate(ctx.plan.items) if item.kind in ("message", "refusal")
    ]
    chosen = ctx.chosen([(k, c) for k, c in last_parts if c >= 0])
    if chosen is None:
        return None
    k, c = chosen
    return ctx.change(_renumbered(ctx, k, "content_index", c), f"item {k} part {c} sent as content_index {c + 1}")


def _renumbered(ctx: Context, output_index: int, field: str, index: int) -> list[Json]:
    """A copy of the events with every ``field == index`` of one item made ``index + 1``."""
    events = ctx.copy()
    for event in events:
        if event.get("output_index") == output_index and event.get(field) == index:
            event[field] = index + 1
    return events


@operator(
    "delta-kind-mismatch",
    "stream an `output_text` part's delta as `refusal.delta`",
    "CNT003",
    needs=MESSAGE,
)
def _delta_kind_mismatch(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        event["type"] = "response.refusal.delta"
        event.pop("logprobs", None)
        return "retyped as refusal.delta"

    return edit_one(ctx, ctx.of_type("response.output_text.delta"), edit)


@operator(
    "text-on-wrong-item",
    "send an `output_text.delta` to an item that is not a message",
    "CNT004",
    needs=Needs(kinds=("function_call", "reasoning", "web_search_call")),
)
def _text_on_wrong_item(ctx: Context) -> Outcome | None:
    k = ctx.chosen(
        [
            k
            for k, item in enumerate(ctx.plan.items)
            if item.kind not in ("message", "refusal") and item.kind not in CNT004_OPEN_TARGETS
        ]
    )
    if k is None:
        return None
    detail = f"output_text.delta sent to a {ctx.plan.items[k].kind}"
    return send_to_item(ctx, k, "response.output_text.delta", detail, content_index=0, delta="stray", logprobs=[])


@operator(
    "corrupt-delta",
    "change one delta so the `.done` value is no longer the concatenation",
    declares(CNT005=is_type(*TEXT_DELTAS), FCA001=is_type(*ARGUMENT_DELTAS)),
    needs=Needs(kinds=("message", "refusal", *CALL_KINDS, "reasoning")),
)
def _corrupt_delta(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        event["delta"] += "\u2063"
        return "gained an invisible separator"

    return edit_one(ctx, ctx.of_type(*TEXT_DELTAS, *ARGUMENT_DELTAS), edit)


@operator("part-done-text", "close a content part with another text than it streamed", "CNT006", needs=MESSAGE)
def _part_done_text(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        event["part"]["text"] += "!"
        return "text changed"

    closings = ctx.where(
        lambda e: e.get("type") == "response.content_part.done" and e["part"].get("type") == "output_text"
    )
    return edit_one(ctx, closings, edit)


@operator(
    "item-done-content",
    "close a message whose content text differs from the streamed parts",
    "CNT007",
    needs=TEXT,
)
def _item_done_content(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        part = event["item"]["content"][0]
        part["refusal" if part["type"] == "refusal" else "text"] += "!"
        return "content changed"

    closings = ctx.where(
        lambda e: (
            e.get("type") == "response.output_item.done"
            and e["item"].get("type") == "message"
            and bool(e["item"].get("content"))
        )
    )
    return edit_one(ctx, closings, edit)


@operator("drop-text-done", "close a part without its `output_text.done`/`refusal.done`", "CNT008", needs=TEXT)
def _drop_text_done(ctx: Context) -> Outcome | None:
    return remove_one(ctx, ctx.of_type(*(TEXT_DELTAS[delta] for delta in CONTENT_DELTAS)))


@operator("drop-part-done", "close a message without one of its `content_part.done`", "CNT009", needs=TEXT)
def _drop_part_done(ctx: Context) -> Outcome | None:
    return remove_one(
        ctx,
        ctx.where(
            lambda e: e.get("type") == "response.content_part.done" and e["part"].get("type") != "reasoning_text"
        ),
    )


@operator(
    "drop-summary-text-done",
    "close a summary part without its `reasoning_summary_text.done`",
    "CNT015",
    needs=REASONING,
)
def _drop_summary_text_done(ctx: Context) -> Outcome | None:
    return remove_one(ctx, ctx.of_type("response.reasoning_summary_text.done"))


@operator("delta-after-part-done", "send a delta after its part's `content_part.done`", "CNT010", needs=TEXT)
def _delta_after_part_done(ctx: Context) -> Outcome | None:
    index = ctx.chosen(ctx.of_type(*CONTENT_DELTAS))
    if index is None:
        return None
    at = ctx.events[index]
    part_done = ctx.where(
        lambda e: (
            e.get("type") == "response.content_part.done"
            and e.get("output_index") == at["output_index"]
            and e.get("content_index") == at["content_index"]
        )
    )[0]
    events = ctx.copy()
    extra = copy.deepcopy(at)
    extra["delta"] = "late"
    events.insert(part_done + 1, extra)
    return ctx.change(renumber(events), f"a delta after {ctx.label(part_done)}")


@operator(
    "summary-delta-before-part",
    "send a summary delta before its summary part is added",
    "CNT011",
    needs=REASONING,
)
def _summary_delta_before_part(ctx: Context) -> Outcome | None:
    index = ctx.chosen(_first_deltas(ctx, ("response.reasoning_summary_text.delta",)))
    if index is None:
        return None
    return ctx.change(renumber(ctx.swapped(index - 1)), f"{ctx.label(index)} before its summary part")


@operator(
    "skip-summary-index",
    "open a reasoning item's last summary part at the wrong summary_index",
    "CNT012",
    needs=REASONING,
)
def _skip_summary_index(ctx: Context) -> Outcome | None:
    chosen = ctx.chosen([(k, len(item.summaries) - 1) for k, item in enumerate(ctx.plan.items) if item.summaries])
    if chosen is None:
        return None
    k, s = chosen
    return ctx.change(_renumbered(ctx, k, "summary_index", s), f"item {k} summary {s} sent as summary_index {s + 1}")


@operator(
    "skip-annotation-index",
    "number an annotation past the part's next annotation_index",
    "CNT013",
    needs=MESSAGE,
)
def _skip_annotation_index(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        event["annotation_index"] += 1
        return "index skipped"

    return edit_one(ctx, ctx.of_type("response.output_text.annotation.added"), edit)


@operator(
    "annotation-out-of-range",
    "an annotation whose end_index lies past the part's text",
    "CNT014",
    needs=MESSAGE,
)
def _annotation_out_of_range(ctx: Context) -> Outcome | None:
    def edit(event: Json) -> str:
        event["annotation"]["end_index"] += 10_000
        return "end_index past the text"

    return edit_one(ctx, ctx.of_type("response.output_text.annotation.added"), edit)
