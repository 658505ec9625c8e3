"""Mutation operators: one precise defect in an otherwise valid stream.

An operator is a name, a one-line description, the codes it can declare,
what it needs of a stream, and a function that, given a valid stream (its
plan and events), the profile, the output format and a source of choices,
either returns the mutated stream or None when the stream offers it nothing
to break (so it never claims codes for a no-op). All but the function are
declared on its registration (``core.operator``, ``declaring``).

Declared codes are the ones the defect triggers whatever else the stream
holds; an operator may trigger more (a dropped event also leaves a sequence
gap, for instance, which it declares; knock-on effects it cannot guarantee
it does not). Codes for rules that the profile does not check are removed
before they are reported (``Mutation.codes``).

One module per rule group, as in ``validator.rules``: ``framing`` (SSE),
``schema`` (SCH), ``sequence`` (SEQ, with dropped, repeated and swapped
events), ``lifecycle`` (LIF), ``items`` (ITM), ``content`` (CNT), ``tools``
(FCA, TOL), ``final`` (FIN). ``websocket`` (WSS) breaks WebSocket sessions
rather than streams: its operators take a generated session and keep a
registry of their own (``SESSION_OPERATORS``). ``core`` holds the context, the registry and
applying; ``declaring`` what a registration declares; ``tables`` the event
tables, derived from the state machine's; ``draft`` the SSE framing of a
mutated stream.
"""

from __future__ import annotations

# The group modules register their operators when imported.
from validator.strategies.mutations import content, final, framing, items, lifecycle, schema, sequence, tools
from validator.strategies.mutations.content import CNT004_OPEN_TARGETS
from validator.strategies.mutations.core import (
    OPERATORS,
    Context,
    Mutation,
    Operator,
    Outcome,
    Pick,
    applicable_codes,
    applies_in,
    first_applicable,
    mutate,
    operator,
    renumber,
    with_format,
)
from validator.strategies.mutations.declaring import Declares, Needs, declares
from validator.strategies.mutations.draft import Draft
from validator.strategies.mutations.tables import (
    ARGUMENT_DELTAS,
    CONTENT_DELTAS,
    HOSTED_PROGRESS,
    TERMINAL_TYPES,
    TEXT_DELTAS,
)
from validator.strategies.mutations.websocket import SESSION_OPERATORS, SessionMutation, SessionOperator, mutate_session

GROUPS = (framing, schema, sequence, lifecycle, items, content, tools, final)

__all__ = [
    "ARGUMENT_DELTAS",
    "CNT004_OPEN_TARGETS",
    "CONTENT_DELTAS",
    "GROUPS",
    "HOSTED_PROGRESS",
    "OPERATORS",
    "SESSION_OPERATORS",
    "TERMINAL_TYPES",
    "TEXT_DELTAS",
    "Context",
    "Declares",
    "Draft",
    "Mutation",
    "Needs",
    "Operator",
    "Outcome",
    "Pick",
    "SessionMutation",
    "SessionOperator",
    "applicable_codes",
    "applies_in",
    "declares",
    "first_applicable",
    "mutate",
    "mutate_session",
    "operator",
    "renumber",
    "with_format",
]
