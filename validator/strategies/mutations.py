"""Mutation operators: one precise defect in an otherwise valid stream.

An operator is a name, a one-line description, the codes it can ever
declare, and a function that, given a valid stream (its plan and events), the
profile, the output format and a source of choices, either returns the
mutated stream with the rule codes it *must* trigger there, or None when the
stream offers it nothing to break (so it never claims codes for a no-op).

Declared codes are the ones the defect triggers whatever else the stream
holds; an operator may trigger more (a dropped event also leaves a sequence
gap, for instance, which it declares; knock-on effects it cannot guarantee
it does not). Codes for rules that the profile does not check are removed
before they are reported (``Mutation.codes``).

Transport defects (the ``event:`` line, ``[DONE]``, an unterminated frame,
the SSE ``id`` field) exist only on the SSE wire, so those operators apply only
when the stream is written as SSE.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from validator.rules import catalogue
from validator.strategies.model import Json, StreamPlan
from validator.writers import RawData, write

Pick = Callable[[int], int]
"""``pick(n)`` returns a choice in ``range(n)``; it must shrink towards 0."""

TEXT_DELTAS = {
    "response.output_text.delta": "response.output_text.done",
    "response.refusal.delta": "response.refusal.done",
    "response.reasoning_summary_text.delta": "response.reasoning_summary_text.done",
    "response.reasoning_text.delta": "response.reasoning_text.done",
    "response.reasoning.delta": "response.reasoning.done",
}
ARGUMENT_DELTAS = {
    "response.function_call_arguments.delta": "response.function_call_arguments.done",
    "response.custom_tool_call_input.delta": "response.custom_tool_call_input.done",
    "response.mcp_call_arguments.delta": "response.mcp_call_arguments.done",
}
CONTENT_DELTAS = ("response.output_text.delta", "response.refusal.delta")
TERMINAL_TYPES = ("response.completed", "response.incomplete", "response.failed")
HOSTED_PROGRESS = {
    "web_search_call": ("in_progress", "searching", "completed"),
    "file_search_call": ("in_progress", "searching", "completed"),
    "image_generation_call": ("in_progress", "generating", "completed"),
    "mcp_list_tools": ("in_progress", "completed"),
    "mcp_call": ("in_progress", "completed"),
    "code_interpreter_call": ("in_progress", "interpreting", "completed"),
}


@dataclass
class Draft:
    """A stream on its way to the wire: events plus SSE framing choices.

    ``names`` overrides each frame's ``event:`` line (None: derive from the
    type); ``ids`` sets SSE ``id:`` lines; ``done`` appends ``data: [DONE]``;
    ``after_done`` events follow the sentinel; ``cut`` drops that many bytes
    from the end of the SSE body.
    """

    events: list[Any]
    done: bool = False
    names: list[str | None] | None = None
    ids: list[str | None] | None = None
    after_done: list[Any] = field(default_factory=list)
    cut: int = 0

    def to_bytes(self, fmt: str) -> bytes:
        if fmt != "sse":
            return write(self.events, fmt)
        body = _sse(self.events, self.names, self.ids, self.done)
        if self.after_done:
            body += write(self.after_done, "sse")
        return body[: len(body) - self.cut] if self.cut else body


def _sse(
    events: Sequence[Any], names: Sequence[str | None] | None, ids: Sequence[str | None] | None, done: bool
) -> bytes:
    if ids is None:
        return write(events, "sse", names=names, done=done)
    chunks: list[bytes] = []
    for i, event in enumerate(events):
        frame = write([event], "sse", names=None if names is None else [names[i]])
        if ids[i] is not None:
            frame = f"id: {ids[i]}\n".encode() + frame
        chunks.append(frame)
    if done:
        chunks.append(b"data: [DONE]\n\n")
    return b"".join(chunks)


@dataclass
class Context:
    """What an operator sees: the valid stream, where it goes, and a source of choices."""

    plan: StreamPlan
    events: list[Json]
    profile: str
    fmt: str
    pick: Pick

    @property
    def sse(self) -> bool:
        return self.fmt == "sse"

    def draft(self, events: list[Any] | None = None) -> Draft:
        return Draft(copy.deepcopy(self.events) if events is None else events, done=self.profile == "openresponses")

    def choose(self, options: Sequence[Any]) -> Any:
        return options[self.pick(len(options))]

    def where(self, predicate: Callable[[Json], bool]) -> list[int]:
        return [i for i, e in enumerate(self.events) if predicate(e)]

    def of_type(self, *types: str) -> list[int]:
        return self.where(lambda e: e.get("type") in types)

    @property
    def terminal(self) -> int | None:
        last = len(self.events) - 1
        if last >= 0 and self.events[last].get("type") in (*TERMINAL_TYPES, "error"):
            return last
        return None

    def kind_at(self, output_index: int) -> str:
        return str(self.plan.items[output_index].kind)


@dataclass(frozen=True)
class Outcome:
    draft: Draft
    codes: frozenset[str]
    detail: str = ""


Apply = Callable[[Context], "Outcome | None"]


@dataclass(frozen=True)
class Operator:
    """One kind of defect. ``may_declare`` lists every code ``apply`` can ever declare."""

    name: str
    description: str
    may_declare: frozenset[str]
    apply: Apply
    sse_only: bool = False

    def __call__(self, ctx: Context) -> Outcome | None:
        if self.sse_only and not ctx.sse:
            return None
        outcome = self.apply(ctx)
        if outcome is None:
            return None
        undeclared = outcome.codes - self.may_declare
        if undeclared:
            raise AssertionError(f"operator {self.name} declared {sorted(undeclared)} outside may_declare")
        return outcome


@dataclass(frozen=True)
class Mutation:
    """A mutated stream: what was done and which codes the validator must report."""

    operator: str
    description: str
    detail: str
    profile: str
    format: str
    codes: frozenset[str]
    draft: Draft

    @property
    def events(self) -> list[Any]:
        return self.draft.events

    def to_bytes(self) -> bytes:
        return self.draft.to_bytes(self.format)


OPERATORS: dict[str, Operator] = {}


def operator(name: str, description: str, codes: Sequence[str], *, sse_only: bool = False) -> Callable[[Apply], Apply]:
    def register(fn: Apply) -> Apply:
        OPERATORS[name] = Operator(name, description, frozenset(codes), fn, sse_only)
        return fn

    return register


def renumber(events: list[Any]) -> list[Any]:
    """Sequence numbers 0, 1, 2, ... in list order (for moves that must not show as SEQ defects)."""
    for i, event in enumerate(events):
        if isinstance(event, dict) and "sequence_number" in event:
            event["sequence_number"] = i
    return events


def _moved(events: list[Json], src: int, dst: int) -> list[Json]:
    out = copy.deepcopy(events)
    event = out.pop(src)
    out.insert(dst if dst <= src else dst - 1, event)
    return out


def _out(ctx: Context, events: list[Any], *codes: str, detail: str = "") -> Outcome:
    return Outcome(ctx.draft(events), frozenset(codes), detail)


def _label(ctx: Context, index: int) -> str:
    return f"event #{index} ({ctx.events[index].get('type')})"


# --- drop, duplicate, swap, move ----------------------------------------------------------------

_DROP_CODES: dict[str, tuple[str, ...]] = {
    "response.content_part.added": ("CNT001",),
    "response.reasoning_summary_part.added": ("CNT011",),
    "response.output_text.done": ("CNT008",),
    "response.refusal.done": ("CNT008",),
    "response.content_part.done": ("CNT009",),
}


def _drop_codes(ctx: Context, index: int) -> tuple[str, ...]:
    event = ctx.events[index]
    kind = str(event.get("type"))
    codes: list[str] = ["SEQ004"]
    codes += _DROP_CODES.get(kind, ())
    if kind == "response.content_part.added" and event["part"]["type"] == "reasoning_text":
        codes.remove("CNT001")
    if kind in TEXT_DELTAS and event.get("delta"):
        codes.append("CNT005")
    if kind in ARGUMENT_DELTAS and event.get("delta") and _sibling_deltas(ctx, index):
        # Arguments sent only whole in their `.done` are accepted (servers that do not
        # stream arguments), so a lone delta's loss shows only as the sequence gap.
        codes.append("FCA001")
    if kind == "response.output_item.added":
        codes.append("ITM001")
    if kind == "response.output_item.done" and ctx.plan.ending in ("completed", "incomplete"):
        codes.append("ITM007")
    if kind.endswith(".completed") and kind.removeprefix("response.").split(".")[0] in HOSTED_PROGRESS:
        codes.append("TOL003")
    return tuple(codes)


def _sibling_deltas(ctx: Context, index: int) -> bool:
    event = ctx.events[index]
    return any(
        i != index and e.get("type") == event["type"] and e.get("output_index") == event["output_index"]
        for i, e in enumerate(ctx.events)
    )


@operator(
    "drop",
    "remove one event from the middle of the stream",
    ("SEQ004", "CNT001", "CNT005", "CNT008", "CNT009", "CNT011", "FCA001", "ITM001", "ITM007", "TOL003"),
)
def _drop(ctx: Context) -> Outcome | None:
    candidates = list(range(1, len(ctx.events) - 1))
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    del events[index]
    return _out(ctx, events, *_drop_codes(ctx, index), detail=f"dropped {_label(ctx, index)}")


_DUPLICATE_CODES: dict[str, tuple[str, ...]] = {
    "response.created": ("LIF003",),
    "response.in_progress": ("LIF005",),
    "response.output_item.added": ("ITM003",),
    "response.output_item.done": ("ITM006",),
    "response.completed": ("LIF008",),
    "response.incomplete": ("LIF008",),
    "response.failed": ("LIF008",),
}


@operator(
    "duplicate",
    "send one event twice (same sequence_number)",
    ("SEQ002", "LIF003", "LIF005", "LIF008", "ITM003", "ITM006", "CNT005", "FCA001"),
)
def _duplicate(ctx: Context) -> Outcome | None:
    candidates = ctx.where(lambda e: e.get("type") != "error")
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events.insert(index + 1, copy.deepcopy(events[index]))
    kind = str(ctx.events[index].get("type"))
    codes = ["SEQ002", *_DUPLICATE_CODES.get(kind, ())]
    if kind in TEXT_DELTAS and ctx.events[index].get("delta"):
        codes.append("CNT005")
    if kind in ARGUMENT_DELTAS and ctx.events[index].get("delta"):
        codes.append("FCA001")
    return _out(ctx, events, *codes, detail=f"duplicated {_label(ctx, index)}")


@operator("swap", "exchange two neighbouring events (each keeps its sequence_number)", ("SEQ002",))
def _swap(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = ctx.pick(len(ctx.events) - 1)
    events = copy.deepcopy(ctx.events)
    events[index], events[index + 1] = events[index + 1], events[index]
    return _out(ctx, events, "SEQ002", detail=f"swapped {_label(ctx, index)} with the next")


@operator("move-after-terminal", "move an event after the terminal event", ("LIF008", "SEQ002"))
def _move_after_terminal(ctx: Context) -> Outcome | None:
    terminal = ctx.terminal
    if terminal is None or ctx.events[terminal].get("type") == "error":
        return None
    candidates = list(range(1, terminal))
    if ctx.plan.ending == "error":
        candidates = [i for i in candidates if ctx.events[i].get("type") != "error"]
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = _moved(ctx.events, index, len(ctx.events))
    return _out(ctx, events, "LIF008", "SEQ002", detail=f"moved {_label(ctx, index)} after the terminal event")


# --- sequence numbers ---------------------------------------------------------------------------


@operator("drop-sequence-number", "remove `sequence_number` from one event of a numbered stream", ("SEQ005",))
def _drop_sequence_number(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = ctx.pick(len(ctx.events))
    events = copy.deepcopy(ctx.events)
    del events[index]["sequence_number"]
    return _out(ctx, events, "SEQ005", detail=f"no sequence_number on {_label(ctx, index)}")


@operator("strip-sequence-numbers", "send every event without `sequence_number`", ("SEQ001",))
def _strip_sequence_numbers(ctx: Context) -> Outcome | None:
    events = copy.deepcopy(ctx.events)
    for event in events:
        del event["sequence_number"]
    return _out(ctx, events, "SEQ001", detail="no event is numbered")


@operator("repeat-sequence-number", "give one event the previous event's sequence_number", ("SEQ002",))
def _repeat_sequence_number(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = 1 + ctx.pick(len(ctx.events) - 1)
    events = copy.deepcopy(ctx.events)
    events[index]["sequence_number"] = events[index - 1]["sequence_number"]
    return _out(ctx, events, "SEQ002", detail=f"{_label(ctx, index)} repeats the previous number")


@operator("gap-sequence-number", "skip sequence numbers from one event on", ("SEQ004",))
def _gap_sequence_number(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    index = 1 + ctx.pick(len(ctx.events) - 1)
    jump = 1 + ctx.pick(5)
    events = copy.deepcopy(ctx.events)
    for event in events[index:]:
        event["sequence_number"] += jump
    return _out(ctx, events, "SEQ004", detail=f"numbers jump by {jump + 1} at {_label(ctx, index)}")


@operator("offset-sequence-number", "number the events from 1 (or more) instead of 0", ("SEQ003",))
def _offset_sequence_number(ctx: Context) -> Outcome | None:
    start = 1 + ctx.pick(3)
    events = copy.deepcopy(ctx.events)
    for event in events:
        event["sequence_number"] += start
    return _out(ctx, events, "SEQ003", detail=f"numbered from {start}")


# --- lifecycle ----------------------------------------------------------------------------------


@operator("not-created-first", "open with another event than `response.created` (renumbered from 0)", ("LIF001",))
def _not_created_first(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2 or ctx.events[0].get("type") != "response.created":
        return None
    if ctx.events[1].get("type") == "response.queued":
        return None
    events = renumber(_moved(ctx.events, 0, 2))
    return _out(ctx, events, "LIF001", detail=f"response.created moved behind {ctx.events[1].get('type')}")


@operator("queued-first", "a background stream that opens with `response.queued`", ("LIF002",))
def _queued_first(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2 or ctx.events[1].get("type") != "response.queued":
        return None
    events = renumber(copy.deepcopy(ctx.events[1:]))
    return _out(ctx, events, "LIF002", detail="response.created dropped; the stream opens with response.queued")


@operator("second-lifecycle", "append a second created...terminal lifecycle to the same body", ("LIF003", "LIF008"))
def _second_lifecycle(ctx: Context) -> Outcome | None:
    if ctx.events[0].get("type") != "response.created" or ctx.terminal is None:
        return None
    second = copy.deepcopy(ctx.events)
    events = renumber(copy.deepcopy(ctx.events) + second)
    return _out(ctx, events, "LIF003", "LIF008", detail="the stream repeats itself after its terminal event")


@operator("created-again", "send `response.created` again in the middle of the stream", ("LIF003",))
def _created_again(ctx: Context) -> Outcome | None:
    terminal = ctx.terminal
    if ctx.events[0].get("type") != "response.created" or terminal is None or terminal < 2:
        return None
    at = 1 + ctx.pick(terminal - 1)
    events = copy.deepcopy(ctx.events)
    events.insert(at, copy.deepcopy(ctx.events[0]))
    return _out(ctx, renumber(events), "LIF003", detail=f"response.created again before event #{at}")


@operator("change-response-id", "give the terminal (or in_progress) event another response id", ("LIF004",))
def _change_response_id(ctx: Context) -> Outcome | None:
    candidates = ctx.where(lambda e: isinstance(e.get("response"), dict) and e.get("type") != "response.created")
    if not candidates or ctx.events[0].get("type") != "response.created":
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["response"]["id"] = events[index]["response"]["id"] + "x"
    return _out(ctx, events, "LIF004", detail=f"response id changed on {_label(ctx, index)}")


@operator("response-model-changed", "change `response.model` in a later lifecycle event", ("LIF011",))
def _response_model_changed(ctx: Context) -> Outcome | None:
    candidates = ctx.where(lambda e: isinstance(e.get("response"), dict) and e.get("type") != "response.created")
    if not candidates or ctx.events[0].get("type") != "response.created":
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["response"]["model"] = events[index]["response"]["model"] + "-alias"
    return _out(ctx, events, "LIF011", detail=f"model changed on {_label(ctx, index)}")


@operator("repeat-in-progress", "send `response.in_progress` a second time", ("LIF005",))
def _repeat_in_progress(ctx: Context) -> Outcome | None:
    found = ctx.of_type("response.in_progress")
    if not found:
        return None
    index = found[0]
    events = copy.deepcopy(ctx.events)
    events.insert(index + 1, copy.deepcopy(events[index]))
    return _out(ctx, renumber(events), "LIF005", detail="response.in_progress twice")


@operator("late-in-progress", "send `response.in_progress` after output has started", ("LIF006",))
def _late_in_progress(ctx: Context) -> Outcome | None:
    found = ctx.of_type("response.in_progress")
    added = ctx.of_type("response.output_item.added")
    if not found or not added:
        return None
    events = renumber(_moved(ctx.events, found[0], added[0] + 1))
    return _out(ctx, events, "LIF006", detail="response.in_progress after the first output_item.added")


@operator("truncate", "cut the stream short before its terminal event", ("LIF007",))
def _truncate(ctx: Context) -> Outcome | None:
    stops = ctx.of_type("error", *TERMINAL_TYPES)
    if not stops or stops[0] < 1 or ctx.events[0].get("type") != "response.created":
        return None
    keep = 1 + ctx.pick(stops[0])
    return _out(ctx, copy.deepcopy(ctx.events[:keep]), "LIF007", detail=f"stream cut after {keep} events")


@operator("terminal-status-mismatch", "terminal event whose response.status disagrees with it", ("LIF009",))
def _terminal_status(ctx: Context) -> Outcome | None:
    terminal = ctx.terminal
    if terminal is None or ctx.events[terminal].get("type") == "error":
        return None
    events = copy.deepcopy(ctx.events)
    events[terminal]["response"]["status"] = "in_progress"
    return _out(ctx, events, "LIF009", detail="terminal response says in_progress")


@operator("error-without-failed", "an `error` event not followed by `response.failed`", ("LIF010",))
def _error_without_failed(ctx: Context) -> Outcome | None:
    errors = ctx.of_type("error")
    if not errors or ctx.profile != "openresponses" or ctx.events[0].get("type") != "response.created":
        return None
    return _out(ctx, copy.deepcopy(ctx.events[: errors[0] + 1]), "LIF010", detail="response.failed removed")


# --- items --------------------------------------------------------------------------------------


def _item_event_indices(ctx: Context) -> list[int]:
    return ctx.where(lambda e: "item_id" in e and "output_index" in e)


@operator("unknown-item", "point an item event at an item (output_index and item_id) never added", ("ITM001",))
def _unknown_item(ctx: Context) -> Outcome | None:
    candidates = _item_event_indices(ctx)
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["output_index"] = len(ctx.plan.items) + 3
    events[index]["item_id"] = "msg_" + "e" * 48
    return _out(ctx, events, "ITM001", detail=f"output_index changed on {_label(ctx, index)}")


@operator("change-item-id", "give an item event another item_id than its item's", ("ITM005",))
def _change_item_id(ctx: Context) -> Outcome | None:
    candidates = _item_event_indices(ctx)
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["item_id"] = events[index]["item_id"] + "x"
    return _out(ctx, events, "ITM005", detail=f"item_id changed on {_label(ctx, index)}")


def _retarget_item(
    ctx: Context, output_index: int, new_index: int | None = None, new_id: str | None = None
) -> list[Json]:
    """Every event and final-output entry of one item, with its index and/or id replaced."""
    events = copy.deepcopy(ctx.events)
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


@operator("skip-output-index", "number an item's output_index one past the next free index", ("ITM002",))
def _skip_output_index(ctx: Context) -> Outcome | None:
    if not ctx.plan.items:
        return None
    last = len(ctx.plan.items) - 1
    events = _retarget_item(ctx, last, new_index=last + 1)
    return _out(ctx, events, "ITM002", detail=f"item {last} sent at output_index {last + 1}")


@operator("reuse-output-index", "add an item at an output_index another item already has", ("ITM003",))
def _reuse_output_index(ctx: Context) -> Outcome | None:
    if len(ctx.plan.items) < 2:
        return None
    last = len(ctx.plan.items) - 1
    events = _retarget_item(ctx, last, new_index=last - 1)
    return _out(ctx, events, "ITM003", detail=f"item {last} sent at output_index {last - 1}")


@operator("reuse-item-id", "give an item the id of an earlier item", ("ITM004",))
def _reuse_item_id(ctx: Context) -> Outcome | None:
    if len(ctx.plan.items) < 2:
        return None
    last = len(ctx.plan.items) - 1
    other = ctx.pick(last)
    events = _retarget_item(ctx, last, new_id=ctx.plan.items[other].id)
    return _out(ctx, events, "ITM004", detail=f"item {last} reuses the id of item {other}")


@operator("item-done-twice", "send an item's `output_item.done` a second time", ("ITM006",))
def _item_done_twice(ctx: Context) -> Outcome | None:
    done = ctx.of_type("response.output_item.done")
    if not done:
        return None
    index = ctx.choose(done)
    events = copy.deepcopy(ctx.events)
    events.insert(index + 1, copy.deepcopy(events[index]))
    return _out(ctx, renumber(events), "ITM006", detail=f"{_label(ctx, index)} sent twice")


@operator("item-not-done", "never close an item with `output_item.done`", ("ITM007",))
def _item_not_done(ctx: Context) -> Outcome | None:
    if ctx.plan.ending not in ("completed", "incomplete"):
        return None
    done = ctx.of_type("response.output_item.done")
    if not done:
        return None
    index = ctx.choose(done)
    events = copy.deepcopy(ctx.events)
    del events[index]
    return _out(ctx, renumber(events), "ITM007", detail=f"{_label(ctx, index)} removed")


@operator("item-done-identity", "change the id or type of the item in `output_item.done`", ("ITM008",))
def _item_done_identity(ctx: Context) -> Outcome | None:
    done = ctx.of_type("response.output_item.done")
    if not done:
        return None
    index = ctx.choose(done)
    events = copy.deepcopy(ctx.events)
    item = events[index]["item"]
    if ctx.pick(2):
        item["id"] = item["id"] + "x"
        what = "id"
    else:
        item["type"] = "function_call" if item["type"] == "message" else "message"
        what = "type"
    return _out(ctx, events, "ITM008", detail=f"{what} changed in {_label(ctx, index)}")


@operator("event-after-item-done", "send an item's event after its `output_item.done`", ("ITM009",))
def _event_after_item_done(ctx: Context) -> Outcome | None:
    pairs: list[tuple[int, int]] = []
    for done in ctx.of_type("response.output_item.done"):
        k = ctx.events[done]["output_index"]
        pairs.extend((i, done) for i, e in enumerate(ctx.events) if e.get("output_index") == k and "item_id" in e)
    if not pairs:
        return None
    src, done = ctx.choose(pairs)
    events = renumber(_moved(ctx.events, src, done + 1))
    return _out(ctx, events, "ITM009", detail=f"{_label(ctx, src)} moved after its item's done")


@operator("item-done-in-progress", "close an item with status `in_progress`", ("ITM010",))
def _item_done_in_progress(ctx: Context) -> Outcome | None:
    done = ctx.where(lambda e: e.get("type") == "response.output_item.done" and "status" in e["item"])
    if not done:
        return None
    index = ctx.choose(done)
    events = copy.deepcopy(ctx.events)
    events[index]["item"]["status"] = "in_progress"
    return _out(ctx, events, "ITM010", detail=f"{_label(ctx, index)} says in_progress")


@operator("incomplete-item-not-last", "end an item `incomplete` while another item follows it", ("ITM011",))
def _incomplete_item_not_last(ctx: Context) -> Outcome | None:
    done = ctx.where(lambda e: e.get("type") == "response.output_item.done" and "status" in e["item"])
    done = [i for i in done if ctx.events[i]["output_index"] < len(ctx.plan.items) - 1]
    if not done:
        return None
    index = ctx.choose(done)
    events = copy.deepcopy(ctx.events)
    events[index]["item"]["status"] = "incomplete"
    k = events[index]["output_index"]
    terminal = ctx.terminal
    if terminal is not None and isinstance(events[terminal].get("response"), dict):
        output = events[terminal]["response"].get("output") or []
        if k < len(output):
            output[k]["status"] = "incomplete"
    return _out(ctx, events, "ITM011", detail=f"item {k} incomplete but not last")


# --- content parts and text ---------------------------------------------------------------------


def _first_deltas(ctx: Context, types: Sequence[str]) -> list[int]:
    """Indices of the first delta of each part (the event right after its part.added)."""
    return [
        i
        for i in ctx.of_type(*types)
        if ctx.events[i - 1].get("type") in ("response.content_part.added", "response.reasoning_summary_part.added")
    ]


@operator("delta-before-part", "send a part's first delta before its `content_part.added`", ("CNT001",))
def _delta_before_part(ctx: Context) -> Outcome | None:
    candidates = _first_deltas(ctx, CONTENT_DELTAS)
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index - 1], events[index] = events[index], events[index - 1]
    return _out(ctx, renumber(events), "CNT001", detail=f"{_label(ctx, index)} before its part")


def _message_parts(ctx: Context) -> list[tuple[int, int]]:
    return [
        (k, c)
        for k, item in enumerate(ctx.plan.items)
        if item.kind in ("message", "refusal")
        for c in range(len(item.parts))
    ]


@operator("skip-content-index", "open a message's last part at the wrong content_index", ("CNT002",))
def _skip_content_index(ctx: Context) -> Outcome | None:
    parts = [(k, c) for k, c in _message_parts(ctx) if c == len(ctx.plan.items[k].parts) - 1]
    if not parts:
        return None
    k, c = ctx.choose(parts)
    events = copy.deepcopy(ctx.events)
    for event in events:
        if event.get("output_index") == k and event.get("content_index") == c:
            event["content_index"] = c + 1
    return _out(ctx, events, "CNT002", detail=f"item {k} part {c} sent as content_index {c + 1}")


@operator("delta-kind-mismatch", "stream an `output_text` part's delta as `refusal.delta`", ("CNT003",))
def _delta_kind_mismatch(ctx: Context) -> Outcome | None:
    candidates = ctx.of_type("response.output_text.delta")
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["type"] = "response.refusal.delta"
    events[index].pop("logprobs", None)
    return _out(ctx, events, "CNT003", detail=f"{_label(ctx, index)} retyped as refusal.delta")


# Item kinds the validator does not yet judge for CNT004 (it gives item types it does not
# list the benefit of the doubt). Open disagreement, pinned by an xfail(strict) test in
# conformance_tests/test_properties.py; remove a kind here when the validator learns it.
CNT004_OPEN_TARGETS: frozenset[str] = frozenset()


@operator("text-on-wrong-item", "send an `output_text.delta` to an item that is not a message", ("CNT004",))
def _text_on_wrong_item(ctx: Context) -> Outcome | None:
    targets = [
        k
        for k, item in enumerate(ctx.plan.items)
        if item.kind not in ("message", "refusal") and item.kind not in CNT004_OPEN_TARGETS
    ]
    if not targets:
        return None
    k = ctx.choose(targets)
    done = ctx.where(lambda e: e.get("type") == "response.output_item.done" and e.get("output_index") == k)[0]
    event = {
        "type": "response.output_text.delta",
        "sequence_number": 0,
        "item_id": ctx.plan.items[k].id,
        "output_index": k,
        "content_index": 0,
        "delta": "stray",
        "logprobs": [],
    }
    events = copy.deepcopy(ctx.events)
    events.insert(done, event)
    return _out(ctx, renumber(events), "CNT004", detail=f"output_text.delta sent to a {ctx.plan.items[k].kind}")


@operator(
    "corrupt-delta",
    "change one delta so the `.done` value is no longer the concatenation",
    ("CNT005", "FCA001"),
)
def _corrupt_delta(ctx: Context) -> Outcome | None:
    candidates = ctx.of_type(*TEXT_DELTAS, *ARGUMENT_DELTAS)
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["delta"] = events[index]["delta"] + "\u2063"
    code = "CNT005" if events[index]["type"] in TEXT_DELTAS else "FCA001"
    return _out(ctx, events, code, detail=f"{_label(ctx, index)} gained an invisible separator")


@operator("part-done-text", "close a content part with another text than it streamed", ("CNT006",))
def _part_done_text(ctx: Context) -> Outcome | None:
    candidates = ctx.where(
        lambda e: e.get("type") == "response.content_part.done" and e["part"].get("type") == "output_text"
    )
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["part"]["text"] += "!"
    return _out(ctx, events, "CNT006", detail=f"{_label(ctx, index)} text changed")


@operator("item-done-content", "close a message whose content text differs from the streamed parts", ("CNT007",))
def _item_done_content(ctx: Context) -> Outcome | None:
    candidates = ctx.where(
        lambda e: (
            e.get("type") == "response.output_item.done"
            and e["item"].get("type") == "message"
            and bool(e["item"].get("content"))
        )
    )
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    part = events[index]["item"]["content"][0]
    key = "refusal" if part["type"] == "refusal" else "text"
    part[key] += "!"
    return _out(ctx, events, "CNT007", detail=f"{_label(ctx, index)} content changed")


@operator("drop-text-done", "close a part without its `output_text.done`/`refusal.done`", ("CNT008",))
def _drop_text_done(ctx: Context) -> Outcome | None:
    candidates = ctx.of_type("response.output_text.done", "response.refusal.done")
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    del events[index]
    return _out(ctx, renumber(events), "CNT008", detail=f"{_label(ctx, index)} removed")


@operator("drop-part-done", "close a message without one of its `content_part.done`", ("CNT009",))
def _drop_part_done(ctx: Context) -> Outcome | None:
    candidates = ctx.where(
        lambda e: e.get("type") == "response.content_part.done" and e["part"].get("type") != "reasoning_text"
    )
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    del events[index]
    return _out(ctx, renumber(events), "CNT009", detail=f"{_label(ctx, index)} removed")


@operator("delta-after-part-done", "send a delta after its part's `content_part.done`", ("CNT010",))
def _delta_after_part_done(ctx: Context) -> Outcome | None:
    candidates = ctx.of_type(*CONTENT_DELTAS)
    if not candidates:
        return None
    index = ctx.choose(candidates)
    at = ctx.events[index]
    part_done = ctx.where(
        lambda e: (
            e.get("type") == "response.content_part.done"
            and e.get("output_index") == at["output_index"]
            and e.get("content_index") == at["content_index"]
        )
    )[0]
    events = copy.deepcopy(ctx.events)
    extra = copy.deepcopy(at)
    extra["delta"] = "late"
    events.insert(part_done + 1, extra)
    return _out(ctx, renumber(events), "CNT010", detail=f"a delta after {_label(ctx, part_done)}")


@operator("summary-delta-before-part", "send a summary delta before its summary part is added", ("CNT011",))
def _summary_delta_before_part(ctx: Context) -> Outcome | None:
    candidates = _first_deltas(ctx, ("response.reasoning_summary_text.delta",))
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index - 1], events[index] = events[index], events[index - 1]
    return _out(ctx, renumber(events), "CNT011", detail=f"{_label(ctx, index)} before its summary part")


@operator("skip-summary-index", "open a reasoning item's last summary part at the wrong summary_index", ("CNT012",))
def _skip_summary_index(ctx: Context) -> Outcome | None:
    targets = [(k, len(item.summaries) - 1) for k, item in enumerate(ctx.plan.items) if item.summaries]
    if not targets:
        return None
    k, s = ctx.choose(targets)
    events = copy.deepcopy(ctx.events)
    for event in events:
        if event.get("output_index") == k and event.get("summary_index") == s:
            event["summary_index"] = s + 1
    return _out(ctx, events, "CNT012", detail=f"item {k} summary {s} sent as summary_index {s + 1}")


@operator("skip-annotation-index", "number an annotation past the part's next annotation_index", ("CNT013",))
def _skip_annotation_index(ctx: Context) -> Outcome | None:
    candidates = ctx.of_type("response.output_text.annotation.added")
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    events[index]["annotation_index"] += 1
    return _out(ctx, events, "CNT013", detail=f"{_label(ctx, index)} index skipped")


@operator("annotation-out-of-range", "an annotation whose end_index lies past the part's text", ("CNT014",))
def _annotation_out_of_range(ctx: Context) -> Outcome | None:
    candidates = ctx.of_type("response.output_text.annotation.added")
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    annotation = events[index]["annotation"]
    annotation["end_index"] = annotation["end_index"] + 10_000
    return _out(ctx, events, "CNT014", detail=f"{_label(ctx, index)} end_index past the text")


# --- function-call arguments and hosted tools ---------------------------------------------------


@operator("tool-item-arguments", "close a call whose item arguments/input differ from the streamed ones", ("FCA002",))
def _tool_item_arguments(ctx: Context) -> Outcome | None:
    fields = {"function_call": "arguments", "custom_tool_call": "input", "mcp_call": "arguments"}
    candidates = ctx.where(lambda e: e.get("type") == "response.output_item.done" and e["item"]["type"] in fields)
    if not candidates:
        return None
    index = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    item = events[index]["item"]
    item[fields[item["type"]]] += " "
    return _out(ctx, events, "FCA002", detail=f"{_label(ctx, index)} arguments changed")


@operator("arguments-on-wrong-item", "send function-call arguments to an item that is not a function call", ("FCA003",))
def _arguments_on_wrong_item(ctx: Context) -> Outcome | None:
    targets = [k for k, item in enumerate(ctx.plan.items) if item.kind != "function_call"]
    if not targets:
        return None
    k = ctx.choose(targets)
    done = ctx.where(lambda e: e.get("type") == "response.output_item.done" and e.get("output_index") == k)[0]
    event = {
        "type": "response.function_call_arguments.delta",
        "sequence_number": 0,
        "item_id": ctx.plan.items[k].id,
        "output_index": k,
        "delta": "{}",
    }
    events = copy.deepcopy(ctx.events)
    events.insert(done, event)
    return _out(ctx, renumber(events), "FCA003", detail=f"arguments delta sent to a {ctx.plan.items[k].kind}")


@operator("arguments-after-done", "send an arguments delta after the arguments' `.done`", ("FCA004",))
def _arguments_after_done(ctx: Context) -> Outcome | None:
    candidates = ctx.of_type(*ARGUMENT_DELTAS.values())
    if not candidates:
        return None
    index = ctx.choose(candidates)
    done_event = ctx.events[index]
    delta_type = next(d for d, v in ARGUMENT_DELTAS.items() if v == done_event["type"])
    extra = {
        "type": delta_type,
        "sequence_number": 0,
        "item_id": done_event["item_id"],
        "output_index": done_event["output_index"],
        "delta": "x",
    }
    events = copy.deepcopy(ctx.events)
    events.insert(index + 1, extra)
    return _out(ctx, renumber(events), "FCA004", detail=f"a delta after {_label(ctx, index)}")


def _hosted_progress(ctx: Context) -> list[int]:
    return ctx.where(
        lambda e: (
            "item_id" in e
            and e.get("type", "").removeprefix("response.").split(".")[0] in HOSTED_PROGRESS
            and e.get("type", "").rsplit(".", 1)[-1]
            in ("in_progress", "searching", "generating", "interpreting", "completed")
        )
    )


@operator("tool-event-on-wrong-item", "send a hosted tool's progress event to a message item", ("TOL001",))
def _tool_event_on_wrong_item(ctx: Context) -> Outcome | None:
    targets = [k for k, item in enumerate(ctx.plan.items) if item.kind in ("message", "refusal", "function_call")]
    if not targets or ctx.profile != "openai":
        return None
    k = ctx.choose(targets)
    done = ctx.where(lambda e: e.get("type") == "response.output_item.done" and e.get("output_index") == k)[0]
    kind = ctx.choose(("web_search_call.searching", "file_search_call.in_progress", "image_generation_call.generating"))
    event = {"type": f"response.{kind}", "sequence_number": 0, "item_id": ctx.plan.items[k].id, "output_index": k}
    events = copy.deepcopy(ctx.events)
    events.insert(done, event)
    return _out(ctx, renumber(events), "TOL001", detail=f"response.{kind} sent to a {ctx.plan.items[k].kind}")


@operator(
    "tool-progress-out-of-order", "send a hosted tool's `completed` before its earlier progress event", ("TOL002",)
)
def _tool_progress_out_of_order(ctx: Context) -> Outcome | None:
    completed = [i for i in _hosted_progress(ctx) if ctx.events[i]["type"].endswith(".completed")]
    completed = [
        i
        for i in completed
        if ctx.events[i - 1]["type"].endswith(("in_progress", "searching", "generating", "interpreting"))
    ]
    completed = [i for i in completed if ctx.events[i - 1].get("item_id") == ctx.events[i].get("item_id")]
    if not completed:
        return None
    index = ctx.choose(completed)
    events = copy.deepcopy(ctx.events)
    events[index - 1], events[index] = events[index], events[index - 1]
    return _out(ctx, renumber(events), "TOL002", detail=f"{_label(ctx, index)} before {ctx.events[index - 1]['type']}")


@operator("tool-call-not-finished", "close a hosted tool call without its `completed` event", ("TOL003",))
def _tool_call_not_finished(ctx: Context) -> Outcome | None:
    completed = [i for i in _hosted_progress(ctx) if ctx.events[i]["type"].endswith(".completed")]
    if not completed:
        return None
    index = ctx.choose(completed)
    events = copy.deepcopy(ctx.events)
    del events[index]
    return _out(ctx, renumber(events), "TOL003", detail=f"{_label(ctx, index)} removed")


# --- the final response -------------------------------------------------------------------------


def _final(ctx: Context, *statuses: str) -> int | None:
    terminal = ctx.terminal
    if terminal is None:
        return None
    event = ctx.events[terminal]
    if event.get("type") not in statuses:
        return None
    return terminal


@operator("final-output-missing", "leave a streamed item out of the terminal response's output", ("FIN001",))
def _final_output_missing(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.completed", "response.incomplete")
    if terminal is None or not ctx.plan.items:
        return None
    k = ctx.pick(len(ctx.plan.items))
    events = copy.deepcopy(ctx.events)
    del events[terminal]["response"]["output"][k]
    return _out(ctx, events, "FIN001", detail=f"item {k} missing from the final output")


@operator("final-output-identity", "change the id of an item in the terminal response's output", ("FIN002",))
def _final_output_identity(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.completed", "response.incomplete")
    if terminal is None or not ctx.plan.items:
        return None
    k = ctx.pick(len(ctx.plan.items))
    events = copy.deepcopy(ctx.events)
    events[terminal]["response"]["output"][k]["id"] += "x"
    return _out(ctx, events, "FIN002", detail=f"final item {k} has another id")


@operator("final-output-unstreamed", "add an item to the terminal output that was never streamed", ("FIN003",))
def _final_output_unstreamed(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.completed", "response.incomplete")
    if terminal is None:
        return None
    events = copy.deepcopy(ctx.events)
    events[terminal]["response"]["output"].append(
        {
            "id": "msg_" + "f" * 48,
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "never streamed", "annotations": [], "logprobs": []}],
        }
    )
    return _out(ctx, events, "FIN003", detail="an extra message in the final output")


@operator("final-content", "change a text or arguments value in the terminal output", ("FIN004",))
def _final_content(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.completed", "response.incomplete")
    if terminal is None:
        return None
    output = ctx.events[terminal]["response"]["output"]
    candidates = [
        k
        for k, item in enumerate(output)
        if (item["type"] == "message" and item["content"]) or item["type"] == "function_call"
    ]
    if not candidates:
        return None
    k = ctx.choose(candidates)
    events = copy.deepcopy(ctx.events)
    item = events[terminal]["response"]["output"][k]
    if item["type"] == "function_call":
        item["arguments"] += " "
    else:
        part = item["content"][0]
        part["refusal" if part["type"] == "refusal" else "text"] += "!"
    return _out(ctx, events, "FIN004", detail=f"final item {k} content changed")


@operator("usage-missing", "`response.completed` without `usage`", ("FIN005",))
def _usage_missing(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.completed")
    if terminal is None:
        return None
    events = copy.deepcopy(ctx.events)
    del events[terminal]["response"]["usage"]
    return _out(ctx, events, "FIN005", detail="usage removed")


@operator("usage-totals", "`usage.total_tokens` that is not input + output", ("FIN006",))
def _usage_totals(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.completed", "response.incomplete")
    if terminal is None:
        return None
    events = copy.deepcopy(ctx.events)
    events[terminal]["response"]["usage"]["total_tokens"] += 1 + ctx.pick(100)
    return _out(ctx, events, "FIN006", detail="total_tokens off")


@operator("incomplete-details-missing", "`response.incomplete` without `incomplete_details.reason`", ("FIN007",))
def _incomplete_details_missing(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.incomplete")
    if terminal is None:
        return None
    events = copy.deepcopy(ctx.events)
    events[terminal]["response"]["incomplete_details"] = None
    return _out(ctx, events, "FIN007", detail="incomplete_details null")


@operator("failed-without-error", "`response.failed` without an `error` object", ("FIN008",))
def _failed_without_error(ctx: Context) -> Outcome | None:
    terminal = _final(ctx, "response.failed")
    if terminal is None:
        return None
    events = copy.deepcopy(ctx.events)
    events[terminal]["response"]["error"] = None
    return _out(ctx, events, "FIN008", detail="error null")


# --- schema -------------------------------------------------------------------------------------

# Fields both specs require on every event type that carries them.
_REQUIRED_FIELDS = (
    "item_id", "output_index", "content_index", "summary_index", "delta", "text", "refusal",
    "part", "item", "response", "annotation", "annotation_index", "partial_image_b64", "partial_image_index",
    "code", "input",
)  # fmt: skip


def _field_sites(ctx: Context) -> list[tuple[int, str]]:
    return [
        (i, name)
        for i, event in enumerate(ctx.events)
        if event.get("type") != "error"
        for name in _REQUIRED_FIELDS
        if name in event
    ]


@operator("drop-field", "remove a field the event's schema requires", ("SCH001",))
def _drop_field(ctx: Context) -> Outcome | None:
    sites = _field_sites(ctx)
    if not sites:
        return None
    index, name = ctx.choose(sites)
    events = copy.deepcopy(ctx.events)
    del events[index][name]
    return _out(ctx, events, "SCH001", detail=f"`{name}` removed from {_label(ctx, index)}")


@operator("change-field-type", "give a field a value of the wrong JSON type", ("SCH001",))
def _change_field_type(ctx: Context) -> Outcome | None:
    sites = [(i, n) for i, n in _field_sites(ctx) if n not in ("part", "item", "response", "annotation")]
    if not sites:
        return None
    index, name = ctx.choose(sites)
    events = copy.deepcopy(ctx.events)
    value = events[index][name]
    events[index][name] = str(value) if isinstance(value, int) else [value]
    return _out(ctx, events, "SCH001", detail=f"`{name}` retyped on {_label(ctx, index)}")


@operator("unknown-event", "inject an event of a type no spec defines", ("SCH002",))
def _unknown_event(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    at = 1 + ctx.pick(len(ctx.events) - 1)
    name = ctx.choose(("response.keepalive", "ping", "response.vendor_progress"))
    events = copy.deepcopy(ctx.events)
    events.insert(at, {"type": name, "sequence_number": 0})
    return _out(ctx, renumber(events), "SCH002", detail=f"`{name}` injected before event #{at}")


@operator(
    "extension-without-sequence-number",
    "inject a slug-prefixed extension event without `sequence_number`",
    ("SCH003",),
)
def _extension_without_sequence(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2 or ctx.profile != "openresponses":
        return None
    at = 1 + ctx.pick(len(ctx.events) - 1)
    events = copy.deepcopy(ctx.events)
    events.insert(at, {"type": "acme:progress", "note": "working"})
    return _out(ctx, renumber(events), "SCH003", detail=f"extension event before event #{at}")


# --- framing (the first three hold for every format) --------------------------------------------


@operator("not-json", "replace one event's data with text that is not JSON", ("SSE001",))
def _not_json(ctx: Context) -> Outcome | None:
    if ctx.fmt == "json":
        return None
    index = ctx.pick(len(ctx.events))
    events: list[Any] = copy.deepcopy(ctx.events)
    events[index] = RawData('{"type": "response.output_text.delta", ')
    return _out(ctx, events, "SSE001", detail=f"{_label(ctx, index)} is not JSON")


@operator("not-object", "replace one event with a JSON value that is not an object", ("SSE002",))
def _not_object(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    events: list[Any] = copy.deepcopy(ctx.events)
    events[index] = RawData(ctx.choose(("[1, 2]", '"text"', "42", "null")))
    if ctx.fmt == "json":
        events[index] = [1, 2]
    return _out(ctx, events, "SSE002", detail=f"{_label(ctx, index)} is not an object")


@operator("drop-type", "remove the `type` member of one event", ("SSE003",))
def _drop_type(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    events = copy.deepcopy(ctx.events)
    del events[index]["type"]
    return _out(ctx, events, "SSE003", detail=f"{_label(ctx, index)} lost its type")


@operator("wrong-event-line", "an `event:` line naming another type than the data", ("SSE004",), sse_only=True)
def _wrong_event_line(ctx: Context) -> Outcome | None:
    index = ctx.pick(len(ctx.events))
    draft = ctx.draft()
    names: list[str | None] = [e.get("type") for e in ctx.events]
    names[index] = ctx.choose(("message", "response.output_text.delta", "delta"))
    if names[index] == ctx.events[index].get("type"):
        names[index] = "message"
    draft.names = names
    return Outcome(draft, frozenset({"SSE004"}), f"{_label(ctx, index)} framed as event: {names[index]}")


@operator("drop-event-line", "a frame with `data:` but no `event:` line", ("SSE005",), sse_only=True)
def _drop_event_line(ctx: Context) -> Outcome | None:
    if ctx.profile != "openresponses":
        return None
    index = ctx.pick(len(ctx.events))
    draft = ctx.draft()
    names: list[str | None] = [e.get("type") for e in ctx.events]
    names[index] = None
    draft.names = names
    return Outcome(draft, frozenset({"SSE005"}), f"{_label(ctx, index)} has no event: line")


@operator("drop-done", "end the body without `data: [DONE]`", ("SSE006",), sse_only=True)
def _drop_done(ctx: Context) -> Outcome | None:
    if ctx.profile != "openresponses":
        return None
    draft = ctx.draft()
    draft.done = False
    return Outcome(draft, frozenset({"SSE006"}), "no [DONE]")


@operator("data-after-done", "send an event after `data: [DONE]`", ("SSE007", "SSE008"), sse_only=True)
def _data_after_done(ctx: Context) -> Outcome | None:
    draft = ctx.draft()
    draft.done = True
    draft.after_done = [copy.deepcopy(ctx.events[-1])]
    codes = {"SSE007"}
    if ctx.profile == "openai":
        codes.add("SSE008")
    return Outcome(draft, frozenset(codes), "the last event repeated after [DONE]")


@operator("add-done", "end an OpenAI stream with `data: [DONE]`", ("SSE008",), sse_only=True)
def _add_done(ctx: Context) -> Outcome | None:
    if ctx.profile != "openai":
        return None
    draft = ctx.draft()
    draft.done = True
    return Outcome(draft, frozenset({"SSE008"}), "[DONE] appended")


@operator("cut-mid-event", "end the body inside its last frame (no blank line after it)", ("SSE009",), sse_only=True)
def _cut_mid_event(ctx: Context) -> Outcome | None:
    draft = ctx.draft()
    draft.cut = 1 + ctx.pick(2)
    return Outcome(draft, frozenset({"SSE009"}), f"last {draft.cut} byte(s) cut")


@operator("sse-id", "frames that set the SSE `id` field", ("SSE010",), sse_only=True)
def _sse_id(ctx: Context) -> Outcome | None:
    if ctx.profile != "openresponses":
        return None
    index = ctx.pick(len(ctx.events))
    draft = ctx.draft()
    ids: list[str | None] = [None] * len(ctx.events)
    ids[index] = str(index)
    draft.ids = ids
    return Outcome(draft, frozenset({"SSE010"}), f"{_label(ctx, index)} has id: {index}")


# --- where each operator finds something to break ---------------------------------------------


@dataclass(frozen=True)
class Hint:
    """The valid streams an operator can break: item kinds, endings, item count, profiles.

    ``kinds`` lists item kinds of which one suffices (intersected with the
    profile's kinds); ``endings`` the terminal outcomes; ``profiles`` where the
    defect is a violation at all.
    """

    kinds: tuple[str, ...] | None = None
    endings: tuple[str, ...] | None = None
    min_items: int = 1
    profiles: tuple[str, ...] = ("openai", "openresponses")
    background: bool | None = None


_MESSAGE = ("message",)
_TEXT = ("message", "refusal")
_HOSTED = (
    "web_search_call",
    "file_search_call",
    "image_generation_call",
    "code_interpreter_call",
    "mcp_call",
    "mcp_list_tools",
)
_CALLS = ("function_call", "custom_tool_call", "mcp_call")
_FINAL = ("completed", "incomplete")
_OR = ("openresponses",)

HINTS: dict[str, Hint] = {
    "not-created-first": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error"), background=False),
    "queued-first": Hint(
        min_items=0, endings=("completed", "incomplete", "failed", "error"), background=True, profiles=("openai",)
    ),
    "created-again": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error")),
    "second-lifecycle": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error")),
    "change-response-id": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error")),
    "response-model-changed": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error")),
    "repeat-in-progress": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error")),
    "truncate": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error")),
    "terminal-status-mismatch": Hint(min_items=0, endings=("completed", "incomplete", "failed", "error")),
    "move-after-terminal": Hint(endings=("completed", "incomplete", "failed", "error")),
    "error-without-failed": Hint(min_items=0, endings=("error",), profiles=_OR),
    "item-not-done": Hint(endings=_FINAL),
    "reuse-output-index": Hint(min_items=2),
    "reuse-item-id": Hint(min_items=2),
    "incomplete-item-not-last": Hint(min_items=2, kinds=("message", "function_call", "reasoning")),
    "item-done-in-progress": Hint(kinds=("message", "function_call", "reasoning", "web_search_call")),
    "delta-before-part": Hint(kinds=_TEXT),
    "skip-content-index": Hint(kinds=_TEXT),
    "delta-kind-mismatch": Hint(kinds=_MESSAGE),
    "text-on-wrong-item": Hint(kinds=("function_call", "reasoning", "web_search_call")),
    "corrupt-delta": Hint(kinds=(*_TEXT, *_CALLS, "reasoning")),
    "part-done-text": Hint(kinds=_MESSAGE),
    "item-done-content": Hint(kinds=_TEXT),
    "drop-text-done": Hint(kinds=_TEXT),
    "drop-part-done": Hint(kinds=_TEXT),
    "delta-after-part-done": Hint(kinds=_TEXT),
    "summary-delta-before-part": Hint(kinds=("reasoning",)),
    "skip-summary-index": Hint(kinds=("reasoning",)),
    "skip-annotation-index": Hint(kinds=_MESSAGE),
    "annotation-out-of-range": Hint(kinds=_MESSAGE),
    "tool-item-arguments": Hint(kinds=_CALLS),
    "arguments-on-wrong-item": Hint(kinds=("message", "reasoning", "web_search_call")),
    "arguments-after-done": Hint(kinds=_CALLS),
    "tool-event-on-wrong-item": Hint(kinds=("message", "function_call"), profiles=("openai",)),
    "tool-progress-out-of-order": Hint(kinds=_HOSTED, profiles=("openai",)),
    "tool-call-not-finished": Hint(kinds=_HOSTED, profiles=("openai",)),
    "final-output-missing": Hint(endings=_FINAL),
    "final-output-identity": Hint(endings=_FINAL),
    "final-output-unstreamed": Hint(min_items=0, endings=_FINAL),
    "final-content": Hint(kinds=("message", "function_call"), endings=_FINAL),
    "usage-missing": Hint(min_items=0, endings=("completed",)),
    "usage-totals": Hint(min_items=0, endings=_FINAL),
    "incomplete-details-missing": Hint(min_items=0, endings=("incomplete",)),
    "failed-without-error": Hint(min_items=0, endings=("failed", "error")),
    "extension-without-sequence-number": Hint(min_items=0, profiles=_OR),
    "drop-event-line": Hint(min_items=0, profiles=_OR),
    "drop-done": Hint(min_items=0, profiles=_OR),
    "sse-id": Hint(min_items=0, profiles=_OR),
    "add-done": Hint(min_items=0, profiles=("openai",)),
    "unknown-event": Hint(min_items=0),
    "strip-sequence-numbers": Hint(min_items=0),
    "offset-sequence-number": Hint(min_items=0),
    "not-json": Hint(min_items=0),
    "not-object": Hint(min_items=0),
    "drop-type": Hint(min_items=0),
    "wrong-event-line": Hint(min_items=0),
    "data-after-done": Hint(min_items=0),
    "cut-mid-event": Hint(min_items=0),
}


def hint(name: str) -> Hint:
    return HINTS.get(name, Hint())


def applies_in(name: str, profile: str) -> bool:
    """Whether the operator's defect is a violation in ``profile`` at all."""
    return profile in hint(name).profiles


# --- applying -----------------------------------------------------------------------------------


def applicable_codes(codes: frozenset[str], profile: str) -> frozenset[str]:
    """The codes of ``codes`` that ``profile`` checks (a rule off in a profile cannot be required)."""
    rules = catalogue()
    return frozenset(c for c in codes if c in rules and rules[c].severity_for(profile) is not None)


def mutate(
    plan: StreamPlan,
    events: list[Json],
    op: Operator,
    *,
    fmt: str = "sse",
    pick: Pick,
) -> Mutation | None:
    """Apply one operator to a valid stream; None when the stream gives it nothing to break."""
    ctx = Context(plan, events, plan.profile, fmt, pick)
    outcome = op(ctx)
    if outcome is None:
        return None
    codes = applicable_codes(outcome.codes, plan.profile)
    if not codes:
        return None
    return Mutation(op.name, op.description, outcome.detail, plan.profile, fmt, codes, outcome.draft)


def first_applicable(
    plan: StreamPlan,
    events: list[Json],
    order: Sequence[Operator],
    *,
    fmt: str = "sse",
    pick: Pick,
) -> Mutation | None:
    """The first operator in ``order`` that can break this stream."""
    for op in order:
        mutation = mutate(plan, events, op, fmt=fmt, pick=pick)
        if mutation is not None:
            return mutation
    return None


def with_format(mutation: Mutation, fmt: str) -> Mutation:
    return replace(mutation, format=fmt)
