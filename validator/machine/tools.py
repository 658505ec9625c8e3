"""FCA and TOL checks: tool-call arguments and hosted-tool progress events."""

from __future__ import annotations

from typing import Any

from validator.machine import refs
from validator.machine.content import check_done_text, clip, difference
from validator.machine.state import Item, Part, State, hot_target
from validator.model import Event
from validator.rules import tools as rules

# Argument streams: event prefix -> (item type, field of the `.done` event, field of the item).
ARGUMENT_EVENTS = {
    "response.function_call_arguments": ("function_call", "arguments", "arguments"),
    "response.custom_tool_call_input": ("custom_tool_call", "input", "input"),
    "response.mcp_call_arguments": ("mcp_call", "arguments", "arguments"),
    "response.code_interpreter_call_code": ("code_interpreter_call", "code", "code"),
}
# Hosted-tool progress: event prefix -> item type; suffix -> stage.
TOOL_EVENTS = {
    "response.web_search_call": "web_search_call",
    "response.file_search_call": "file_search_call",
    "response.code_interpreter_call": "code_interpreter_call",
    "response.image_generation_call": "image_generation_call",
    "response.mcp_call": "mcp_call",
    "response.mcp_list_tools": "mcp_list_tools",
}
STAGES = {
    "in_progress": 1,
    "searching": 2,
    "interpreting": 2,
    "generating": 2,
    "partial_image": 2,
    "completed": 3,
    "failed": 3,
}
_STAGE_NAMES = {1: "in_progress", 2: "working", 3: "completed/failed"}


def on_arguments(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    prefix, _, suffix = kind.rpartition(".")
    item_type, done_field, _ = ARGUMENT_EVENTS[prefix]
    item = refs.resolve(state, event, payload, kind)
    if item is None:
        return
    short = kind.removeprefix("response.")
    if item.type is not None and item.type != item_type and not item.adopted:
        key = ("FCA003", item.index)
        if key not in state.reported:
            state.reported.add(key)
            state.emit(
                rules.ARGS_WRONG_ITEM,
                f"{short} for {state.item_name(item)}, a {item.type} item",
                event,
                expected=item_type,
                actual=item.type,
            )
        return
    args = item.args
    if args is None:
        args = item.args = Part(index=0, kind=done_field, adopted=item.adopted)
    if args.text_done:
        key = ("FCA004", item.index)
        if key not in state.reported:
            state.reported.add(key)
            state.emit(rules.ARGS_AFTER_DONE, f"{short} for {state.item_name(item)} after its .done event", event)
        return
    if suffix == "delta":
        delta = payload.get("delta")
        if isinstance(delta, str):
            args.add(delta)
            state.hot = hot_target(state, kind, payload, args)
        return
    text = payload.get(done_field)
    if not isinstance(text, str):
        return
    if args.chunks and not args.adopted:
        check_done_text(state, event, rules.ARGS_DONE_MISMATCH, short, done_field, args.text(), text)
    args.done_text = text


def on_progress(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    prefix, _, suffix = kind.rpartition(".")
    item_type = TOOL_EVENTS[prefix]
    stage = STAGES[suffix]
    item = refs.resolve(state, event, payload, kind)
    if item is None:
        return
    short = kind.removeprefix("response.")
    if item.type is not None and item.type != item_type and not item.adopted:
        key = ("TOL001", item.index)
        if key not in state.reported:
            state.reported.add(key)
            state.emit(
                rules.TOOL_WRONG_ITEM,
                f"{short} for {state.item_name(item)}, a {item.type} item",
                event,
                expected=item_type,
                actual=item.type,
            )
        return
    if stage < item.tool_stage or (stage == 3 and item.tool_stage == 3):
        state.emit(
            rules.TOOL_ORDER,
            f"{short} for {state.item_name(item)} after it reached {_STAGE_NAMES[item.tool_stage]}",
            event,
        )
    item.tool_stage = max(item.tool_stage, stage)


def on_item_done(state: State, event: Event, item: Item, raw: dict[str, Any]) -> None:
    if item.tool_stage in (1, 2) and item.type in TOOL_EVENTS.values():
        state.emit(
            rules.TOOL_NOT_FINISHED,
            f"output_item.done for {state.item_name(item)} without a completed or failed event",
            event,
        )
    args = item.args
    if args is None or args.adopted or not (args.chunks or args.text_done):
        return
    field = args.kind or "arguments"  # the `.done` field and the item field share a name
    value = raw.get(field)
    streamed = args.done_text if args.done_text is not None else args.text()
    if isinstance(value, str) and value != streamed:
        state.emit(
            rules.ARGS_ITEM_MISMATCH,
            f"output_item.done {state.item_name(item)} {field} differs from the streamed value: "
            f"{difference(streamed, value)}",
            event,
            pointer=f"/item/{field}",
            expected=clip(streamed),
            actual=clip(value),
        )
