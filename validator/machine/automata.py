"""The machine's automata as tables: the response, an output item, a hosted tool call, a text.

Each automaton is a set of states and, per state, what every kind of event does
there: the state it leads to, the ordering rules it breaks on the way, and
whether the event is processed further (``proceed``). The ordering rules read
these tables and nothing else; what the tables cannot say (texts, ids, usage,
indexes) stays code in the modules beside this one. ``tools/gen_state_docs.py``
draws ``docs/state-machines.md`` from the same tables, and a test keeps the two
in step.

So "what may follow ``output_text.done``?" has one answer: look up the part's
state ``TEXT_DONE`` in ``CONTENT_PART``.

A rule in a step is reported once per thing the automaton belongs to (the
stream, the item, the part), as ``State.once`` does; ``report_once`` says which.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from validator.rules import Rule
from validator.rules import content as cnt
from validator.rules import items as itm
from validator.rules import lifecycle as lif
from validator.rules import tools as tol

S = TypeVar("S", bound=enum.Enum)


@dataclass(frozen=True, slots=True)
class Step(Generic[S]):
    """What one event does in one state."""

    to: S
    rules: tuple[Rule, ...] = ()
    proceed: bool = True  # False: the event's other checks are skipped (it is out of place)


def _table(
    states: Iterable[S], rows: Mapping[S, Mapping[str, Step[S]]], events: tuple[str, ...]
) -> dict[S, dict[str, Step[S]]]:
    """A table that is checked to say what every event does in every state, and nothing else."""
    for state in states:
        said = set(rows.get(state, {}))
        if said != set(events):
            raise ValueError(f"{state}: the table says {sorted(said)}, the events are {sorted(events)}")
    return {state: dict(row) for state, row in rows.items()}


# ---- the response ------------------------------------------------------------------------------


class Response(enum.Enum):
    START = "start"  # nothing seen yet
    RESUMED = "resumed"  # nothing seen yet of a stream that resumes an earlier one
    HEADLESS = "headless"  # events, but no response.created (resumed, or LIF001 was reported)
    OPEN = "open"  # response.created seen
    ERRORED = "errored"  # an `error` event after response.created: only response.failed may follow
    ERROR_ONLY = "error-only"  # an `error` event before any response.created: nothing may follow
    ENDED = "ended"  # a terminal event


# Each event type's part in the response's life; every other type is "other".
RESPONSE_EVENT = {
    "response.created": "created",
    "response.queued": "queued",
    "response.in_progress": "in_progress",
    "response.completed": "terminal",
    "response.incomplete": "terminal",
    "response.failed": "failed",
    "error": "error",
}
RESPONSE_EVENTS = ("created", "queued", "in_progress", "terminal", "failed", "error", "other")
TERMINAL_EVENTS = frozenset(k for k, v in RESPONSE_EVENT.items() if v in ("terminal", "failed"))
LIFECYCLE_EVENTS = frozenset(k for k in RESPONSE_EVENT if k != "error")

_LATE = Step(Response.ENDED, (lif.AFTER_TERMINAL,), proceed=False)


def _refused(state: Response) -> Step[Response]:
    return Step(state, (lif.AFTER_TERMINAL,), proceed=False)


def _beginning(first: Mapping[str, Step[Response]]) -> dict[str, Step[Response]]:
    """A state before response.created: the stream may still open or end."""
    row: dict[str, Step[Response]] = {
        "created": Step(Response.OPEN),
        "queued": Step(Response.HEADLESS),
        "in_progress": Step(Response.HEADLESS),
        "terminal": Step(Response.ENDED),
        "failed": Step(Response.ENDED),
        "error": Step(Response.ERROR_ONLY),
        "other": Step(Response.HEADLESS),
    }
    row.update(first)
    return row


RESPONSE = _table(
    Response,
    {
        Response.START: _beginning(
            {
                "queued": Step(Response.HEADLESS, (lif.QUEUED_WITHOUT_CREATED,)),
                "in_progress": Step(Response.HEADLESS, (lif.FIRST_EVENT,)),
                "terminal": Step(Response.ENDED, (lif.FIRST_EVENT,)),
                "failed": Step(Response.ENDED, (lif.FIRST_EVENT,)),
                "other": Step(Response.HEADLESS, (lif.FIRST_EVENT,)),
            }
        ),
        Response.RESUMED: _beginning({}),
        Response.HEADLESS: _beginning({}),
        Response.OPEN: {
            "created": Step(Response.OPEN, (lif.DUPLICATE_CREATED,)),
            "queued": Step(Response.OPEN),
            "in_progress": Step(Response.OPEN),
            "terminal": Step(Response.ENDED),
            "failed": Step(Response.ENDED),
            "error": Step(Response.ERRORED),
            "other": Step(Response.OPEN),
        },
        Response.ERRORED: {
            **dict.fromkeys(RESPONSE_EVENTS, _refused(Response.ERRORED)),
            "failed": Step(Response.ENDED),
        },
        Response.ERROR_ONLY: {
            **dict.fromkeys(RESPONSE_EVENTS, _refused(Response.ERROR_ONLY)),
            "failed": Step(Response.ENDED),
        },
        Response.ENDED: {
            **dict.fromkeys(RESPONSE_EVENTS, _LATE),
            "created": Step(Response.ENDED, (lif.AFTER_TERMINAL, lif.DUPLICATE_CREATED), proceed=False),
        },
    },
    RESPONSE_EVENTS,
)
# What the end of the stream means in each state.
RESPONSE_END: dict[Response, tuple[Rule, ...]] = {
    Response.START: (),
    Response.RESUMED: (),
    Response.HEADLESS: (lif.NO_TERMINAL,),
    Response.OPEN: (lif.NO_TERMINAL,),
    Response.ERRORED: (lif.ERROR_NOT_FOLLOWED,),
    Response.ERROR_ONLY: (),
    Response.ENDED: (),
}


# ---- an output item ----------------------------------------------------------------------------


class ItemState(enum.Enum):
    ADDED = "added"  # output_item.added seen (or adopted in a resumed stream)
    DONE = "done"  # output_item.done seen


ITEM_EVENTS = ("update", "done")  # any event that names the item; output_item.done
ITEM = _table(
    ItemState,
    {
        ItemState.ADDED: {"update": Step(ItemState.ADDED), "done": Step(ItemState.DONE)},
        ItemState.DONE: {
            "update": Step(ItemState.DONE, (itm.EVENT_AFTER_DONE,), proceed=False),
            "done": Step(ItemState.DONE, (itm.DONE_TWICE,), proceed=False),
        },
    },
    ITEM_EVENTS,
)
# An item still in these states when the response completes was never closed (ITM007).
ITEM_OPEN = frozenset({ItemState.ADDED})


# ---- a hosted tool call's progress events ------------------------------------------------------


class ToolState(enum.Enum):
    IDLE = "idle"  # no progress event yet
    STARTED = "started"  # `.in_progress`
    WORKING = "working"  # `.searching`, `.interpreting`, `.generating`, `.partial_image`
    FINISHED = "finished"  # `.completed` or `.failed`


TOOL_EVENT = {
    "in_progress": "started",
    "searching": "working",
    "interpreting": "working",
    "generating": "working",
    "partial_image": "working",
    "completed": "finished",
    "failed": "finished",
}
TOOL_EVENTS = ("started", "working", "finished")
_TOOL_ORDER = (tol.TOOL_ORDER,)
TOOL = _table(
    ToolState,
    {
        ToolState.IDLE: {
            "started": Step(ToolState.STARTED),
            "working": Step(ToolState.WORKING),
            "finished": Step(ToolState.FINISHED),
        },
        ToolState.STARTED: {
            "started": Step(ToolState.STARTED),
            "working": Step(ToolState.WORKING),
            "finished": Step(ToolState.FINISHED),
        },
        ToolState.WORKING: {
            "started": Step(ToolState.WORKING, _TOOL_ORDER),
            "working": Step(ToolState.WORKING),
            "finished": Step(ToolState.FINISHED),
        },
        ToolState.FINISHED: dict.fromkeys(TOOL_EVENTS, Step(ToolState.FINISHED, _TOOL_ORDER)),
    },
    TOOL_EVENTS,
)
# A hosted call closed by output_item.done in these states never finished (TOL003).
TOOL_UNFINISHED = frozenset({ToolState.STARTED, ToolState.WORKING})


# ---- a streamed text: a content part, a summary part, or a call's arguments ------------------


class PartState(enum.Enum):
    OPEN = "open"  # opened (content_part.added, summary_part.added, or the first argument event)
    TEXT_DONE = "text-done"  # its `*.done` text event seen
    CLOSED = "closed"  # content_part.done / reasoning_summary_part.done seen


PART_EVENTS = ("delta", "text_done", "part_done", "annotation")
_AFTER_DONE = Step(PartState.CLOSED, (cnt.AFTER_PART_DONE,), proceed=False)


def _part_table(closed_without_text: tuple[Rule, ...]) -> dict[PartState, dict[str, Step[PartState]]]:
    return _table(
        PartState,
        {
            PartState.OPEN: {
                "delta": Step(PartState.OPEN),
                "text_done": Step(PartState.TEXT_DONE),
                "part_done": Step(PartState.CLOSED, closed_without_text),
                "annotation": Step(PartState.OPEN),
            },
            PartState.TEXT_DONE: {
                "delta": Step(PartState.TEXT_DONE, (cnt.AFTER_PART_DONE,), proceed=False),
                "text_done": Step(PartState.TEXT_DONE, (cnt.AFTER_PART_DONE,), proceed=False),
                "part_done": Step(PartState.CLOSED),
                "annotation": Step(PartState.TEXT_DONE),
            },
            PartState.CLOSED: dict.fromkeys(PART_EVENTS, _AFTER_DONE),
        },
        PART_EVENTS,
    )


# A content part closed before its text's `.done` event breaks CNT008, a summary part CNT015.
CONTENT_PART = _part_table((cnt.TEXT_DONE_MISSING,))
SUMMARY_PART = _part_table((cnt.SUMMARY_TEXT_DONE_MISSING,))
# A part still in these states when its item is done was never closed (CNT009).
PART_OPEN = frozenset({PartState.OPEN, PartState.TEXT_DONE})

ARGUMENT_EVENTS = ("delta", "text_done")
# Arguments have no part of their own to close: they end with their `.done` event.
ARGUMENTS = _table(
    (PartState.OPEN, PartState.TEXT_DONE),
    {
        PartState.OPEN: {"delta": Step(PartState.OPEN), "text_done": Step(PartState.TEXT_DONE)},
        PartState.TEXT_DONE: dict.fromkeys(
            ARGUMENT_EVENTS, Step(PartState.TEXT_DONE, (tol.ARGS_AFTER_DONE,), proceed=False)
        ),
    },
    ARGUMENT_EVENTS,
)

# Arguments still in these states when their item is done never got their `.done` event
# (FCA005 for a function call, FCA006 for the other calls).
ARGUMENTS_OPEN = frozenset({PartState.OPEN})

AUTOMATA: dict[str, Mapping[Any, Mapping[str, Step[Any]]]] = {
    "response": RESPONSE,
    "output item": ITEM,
    "hosted tool call": TOOL,
    "content part": CONTENT_PART,
    "summary part": SUMMARY_PART,
    "arguments": ARGUMENTS,
}
