"""SCH defects: events their schema rejects, and event types no spec defines."""

from __future__ import annotations

from typing import Any

from validator.strategies.model import Json
from validator.strategies.mutations.core import Context, Outcome, operator, renumber
from validator.strategies.mutations.declaring import ANY_STREAM, OPEN_RESPONSES, WITH_ITEMS, Needs, declares

# Fields both specs require on every event type that carries them.
_REQUIRED_FIELDS = (
    "item_id", "output_index", "content_index", "summary_index", "delta", "text", "refusal",
    "part", "item", "response", "annotation", "annotation_index", "partial_image_b64", "partial_image_index",
    "code", "input",
)  # fmt: skip
# Fields holding an object, which `change-field-type` leaves alone.
_OBJECT_FIELDS = ("part", "item", "response", "annotation")


def _field_sites(ctx: Context) -> list[tuple[int, str]]:
    return [
        (i, name)
        for i, event in enumerate(ctx.events)
        if event.get("type") != "error"
        for name in _REQUIRED_FIELDS
        if name in event
    ]


@operator("drop-field", "remove a field the event's schema requires", "SCH001", needs=WITH_ITEMS)
def _drop_field(ctx: Context) -> Outcome | None:
    site = ctx.chosen(_field_sites(ctx))
    if site is None:
        return None
    index, name = site
    events = ctx.copy()
    del events[index][name]
    return ctx.change(events, f"`{name}` removed from {ctx.label(index)}")


@operator("change-field-type", "give a field a value of the wrong JSON type", "SCH001", needs=WITH_ITEMS)
def _change_field_type(ctx: Context) -> Outcome | None:
    site = ctx.chosen([(i, n) for i, n in _field_sites(ctx) if n not in _OBJECT_FIELDS])
    if site is None:
        return None
    index, name = site
    events = ctx.copy()
    value = events[index][name]
    events[index][name] = str(value) if isinstance(value, int) else [value]
    return ctx.change(events, f"`{name}` retyped on {ctx.label(index)}")


@operator("unknown-event", "inject an event of a type no spec defines", "SCH002", needs=ANY_STREAM)
def _unknown_event(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    at = 1 + ctx.pick(len(ctx.events) - 1)
    # Names no spec defines and validator.nonstandard does not list (those are SCH005-SCH007).
    name = ctx.choose(("response.keepalive", "response.heartbeat", "response.vendor_progress"))
    events = ctx.copy()
    events.insert(at, {"type": name, "sequence_number": 0})
    return ctx.change(renumber(events), f"`{name}` injected before event #{at}")


@operator(
    "extension-without-sequence-number",
    "inject a slug-prefixed extension event without `sequence_number`",
    "SCH003",
    needs=Needs(min_items=0, profiles=OPEN_RESPONSES),
)
def _extension_without_sequence(ctx: Context) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    at = 1 + ctx.pick(len(ctx.events) - 1)
    events = ctx.copy()
    events.insert(at, {"type": "acme:progress", "note": "working"})
    return ctx.change(renumber(events), f"extension event before event #{at}")


# --- unknown variants and non-standard events (SCH004-SCH007) ----------------------------------

_OPENAI_EXTENSIONS = (
    {"type": "keepalive", "sequence_number": 0},
    {"type": "response.apply_patch_call_operation_diff.delta", "sequence_number": 0, "delta": "@@"},
)
_NON_STANDARD = ({"type": "ping", "sequence_number": 0}, {"type": "response.keep_alive", "sequence_number": 0})


def _web_search_actions(node: Any) -> list[Json]:
    """Every web_search_call action object in ``node`` (items in added/done events and final outputs)."""
    found: list[Json] = []
    if isinstance(node, dict):
        if node.get("type") == "web_search_call" and isinstance(node.get("action"), dict):
            found.append(node["action"])
        for value in node.values():
            found += _web_search_actions(value)
    elif isinstance(node, list):
        for value in node:
            found += _web_search_actions(value)
    return found


@operator(
    "unknown-variant",
    "give a union member a `type` the profile does not know (a web_search_call action), everywhere it appears",
    "SCH004",
    needs=Needs(kinds=("web_search_call",), profiles=("openai",)),
)
def _unknown_variant(ctx: Context) -> Outcome | None:
    events = ctx.copy()
    actions = _web_search_actions(events)
    if not actions:
        return None
    for action in actions:
        action["type"] = "acme_lookup"
    return ctx.change(events, f"{len(actions)} web_search_call action(s) typed acme_lookup")


def _inject(ctx: Context, choices: tuple[Json, ...]) -> Outcome | None:
    if len(ctx.events) < 2:
        return None
    at = 1 + ctx.pick(len(ctx.events) - 1)
    payload = dict(ctx.choose(choices))
    events = ctx.copy()
    events.insert(at, payload)
    return ctx.change(renumber(events), f"`{payload['type']}` injected before event #{at}")


@operator(
    "openai-extension-event",
    "inject an event OpenAI sends outside its spec (keepalive, an apply_patch diff), numbered in sequence",
    "SCH005",
    needs=ANY_STREAM,
)
def _openai_extension_event(ctx: Context) -> Outcome | None:
    return _inject(ctx, _OPENAI_EXTENSIONS)


@operator(
    "non-standard-event",
    "inject another implementation's non-standard event (ping, response.keep_alive), numbered in sequence",
    "SCH006",
    needs=ANY_STREAM,
)
def _non_standard_event(ctx: Context) -> Outcome | None:
    return _inject(ctx, _NON_STANDARD)


def _no_error_event(ctx: Context, at: int) -> bool:
    """After an `error` event the missing response.failed is LIF010, not LIF007."""
    return not ctx.of_type("error")


@operator(
    "non-standard-terminal",
    "end the stream with a terminal look-alike (response.done, response.error) instead of its terminal event",
    declares("SCH007", LIF007=_no_error_event),
    needs=Needs(min_items=0, endings=("completed", "incomplete", "failed")),
)
def _non_standard_terminal(ctx: Context) -> Outcome | None:
    index = ctx.terminal
    if index is None or ctx.events[index].get("type") == "error":
        return None
    events = ctx.copy()
    name = ctx.choose(("response.done", "response.error"))
    events[index]["type"] = name
    return ctx.change(events, f"{ctx.label(index)} retyped {name}", at=index)
