"""FCA and TOL checks: tool-call arguments and hosted-tool progress events."""

from __future__ import annotations

from typing import Any

from validator.machine import deltas, refs
from validator.machine.automata import ARGUMENTS, ARGUMENTS_OPEN, TOOL, TOOL_EVENT, TOOL_UNFINISHED, ToolState
from validator.machine.compare import check_copy, check_done_text
from validator.machine.state import Item, Part, State
from validator.model import Event
from validator.rules import tools as rules

# Argument streams: event prefix -> (item type, field of the `.done` event and of the item).
ARGUMENT_EVENTS = {
    "response.function_call_arguments": ("function_call", "arguments"),
    "response.custom_tool_call_input": ("custom_tool_call", "input"),
    "response.mcp_call_arguments": ("mcp_call", "arguments"),
    "response.code_interpreter_call_code": ("code_interpreter_call", "code"),
}
# Hosted-tool progress: event prefix -> item type; the suffixes are automata.TOOL_EVENT's.
TOOL_EVENTS = {
    "response.web_search_call": "web_search_call",
    "response.file_search_call": "file_search_call",
    "response.code_interpreter_call": "code_interpreter_call",
    "response.image_generation_call": "image_generation_call",
    "response.mcp_call": "mcp_call",
    "response.mcp_list_tools": "mcp_list_tools",
}
_HOSTED = frozenset(TOOL_EVENTS.values())
_REACHED = {ToolState.STARTED: "in_progress", ToolState.WORKING: "working", ToolState.FINISHED: "completed/failed"}


def _arguments(state: State, event: Event, payload: dict[str, Any], kind: str, what: str) -> Part | None:
    """The arguments an argument event grows, after every check of the item and its arguments
    (each once per item)."""
    item_type, done_field = ARGUMENT_EVENTS[kind.rpartition(".")[0]]
    item = refs.resolve(state, event, payload, kind)
    if item is None:
        return None
    short = kind.removeprefix("response.")
    if item.type is not None and item.type != item_type and not item.adopted:
        if state.once(rules.ARGS_WRONG_ITEM, item.index):
            state.emit(
                rules.ARGS_WRONG_ITEM,
                f"{short} for {state.item_name(item)}, a {item.type} item",
                event,
                expected=item_type,
                actual=item.type,
            )
        return None
    args = item.args
    if args is None:
        args = item.args = Part(index=0, kind=done_field, adopted=item.adopted)
    move = ARGUMENTS[args.state][what]
    for rule in move.rules:  # only FCA004: after the `.done` event
        if state.once(rule, item.index):
            state.emit(rule, f"{short} for {state.item_name(item)} after its .done event", event)
    args.state = move.to
    return args if move.proceed else None


def on_arguments_delta(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    args = _arguments(state, event, payload, kind, "delta")
    if args is not None:
        deltas.accept(state, event, payload, kind, args)


def on_arguments_done(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    """The arguments' `.done` event: its value must be the deltas concatenated."""
    args = _arguments(state, event, payload, kind, "text_done")
    if args is None:
        return
    _, done_field = ARGUMENT_EVENTS[kind.rpartition(".")[0]]
    text = payload.get(done_field)
    if not isinstance(text, str):
        return
    if args.chunks and not args.adopted:
        short = kind.removeprefix("response.")
        check_done_text(state, event, rules.ARGS_DONE_MISMATCH, short, done_field, args, text)
    args.done_text = text


def on_progress(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    prefix, _, suffix = kind.rpartition(".")
    item_type = TOOL_EVENTS[prefix]
    item = refs.resolve(state, event, payload, kind)
    if item is None:
        return
    short = kind.removeprefix("response.")
    if item.type is not None and item.type != item_type and not item.adopted:
        if state.once(rules.TOOL_WRONG_ITEM, item.index):
            state.emit(
                rules.TOOL_WRONG_ITEM,
                f"{short} for {state.item_name(item)}, a {item.type} item",
                event,
                expected=item_type,
                actual=item.type,
            )
        return
    move = TOOL[item.tool][TOOL_EVENT[suffix]]
    for rule in move.rules:  # only TOL002: out of order
        state.emit(rule, f"{short} for {state.item_name(item)} after it reached {_REACHED[item.tool]}", event)
    item.tool = move.to


def on_item_done(state: State, event: Event, item: Item, raw: dict[str, Any]) -> None:
    if item.tool in TOOL_UNFINISHED and item.type in _HOSTED:
        state.emit(
            rules.TOOL_NOT_FINISHED,
            f"output_item.done for {state.item_name(item)} without a completed or failed event",
            event,
        )
    args = item.args
    if args is None or args.adopted or not (args.chunks or args.done_text is not None):
        return
    if args.state in ARGUMENTS_OPEN:
        rule = rules.ARGS_DONE_MISSING if item.type == "function_call" else rules.OTHER_ARGS_DONE_MISSING
        done = next(f"{prefix[9:]}.done" for prefix, (kind, _) in ARGUMENT_EVENTS.items() if kind == item.type)
        state.emit(rule, f"output_item.done for {state.item_name(item)} without {done}", event)
    field = args.kind or "arguments"  # the `.done` field and the item field share a name
    value = raw.get(field)
    if isinstance(value, str):
        what = f"output_item.done {state.item_name(item)} {field} differs from the streamed value"
        check_copy(state, event, rules.ARGS_ITEM_MISMATCH, args, value, what, f"/item/{field}")


HANDLERS = {
    **{f"{prefix}.delta": on_arguments_delta for prefix in ARGUMENT_EVENTS},
    **{f"{prefix}.done": on_arguments_done for prefix in ARGUMENT_EVENTS},
    **{f"{prefix}.{suffix}": on_progress for prefix in TOOL_EVENTS for suffix in TOOL_EVENT},
}
