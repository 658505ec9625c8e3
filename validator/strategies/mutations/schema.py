"""SCH defects: events their schema rejects, and event types no spec defines."""

from __future__ import annotations

from validator.strategies.mutations.core import Context, Outcome, operator, renumber
from validator.strategies.mutations.declaring import ANY_STREAM, OPEN_RESPONSES, WITH_ITEMS, Needs

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
    name = ctx.choose(("response.keepalive", "ping", "response.vendor_progress"))
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
