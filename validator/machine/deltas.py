"""Deltas, and the one shortcut the machine takes for them.

Most events of a long stream are deltas (``response.output_text.delta``,
``response.function_call_arguments.delta``, ...) to the part the previous delta
grew. A delta is handled in two steps:

1. **finding its target**: the item (``refs.resolve``) and the part or the call's
   arguments it grows, with every check that involves them (``texts.on_text``,
   ``tools.on_arguments``, ``parts``); then
2. **accepting it** (``accept``): the checks on the delta itself
   (``PER_DELTA_CHECKS``), then its text is appended.

``take_delta`` is the shortcut: for the next delta to the target the last delta
grew (the *hot target*), it repeats only step 2. That is safe because

* every finding of step 1 is reported once per target, through ``State.once``, so
  a second delta to the same target could only repeat it;
* the hot target is set only after a delta passed both steps, and dropped by any
  event that is not such a delta, so the target's state (and the response's) has
  not changed since;
* the fields step 1 looked at (``HOT_FIELDS`` plus the kind's index field) are read
  and compared by ``take_delta`` itself, with their JSON types, and the sequence
  number must follow on, so the SEQ and LIF checks would pass again.

ADDING A CHECK ON DELTAS: a check of the target (item, part, their states) goes
in step 1 and reports through ``state.once(rule, <the target>)``; a check of the
delta's own value goes in ``PER_DELTA_CHECKS``, which both paths run (the
shortcut turns down a delta that fails one, so the full path reports it at its
event). ``conformance_tests/test_delta_shortcut.py`` fails when a report in step
1 is not once-keyed, or when a per-delta check is not honoured by the shortcut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from validator.machine.state import COMPACT_AFTER
from validator.model import Event
from validator.rules import Rule

if TYPE_CHECKING:
    from validator.machine.state import Part, State

# The field that numbers the part each kind of delta grows; arguments, one per item, have
# none, and output_index stands in for it.
DELTA_INDEX_FIELD = {
    "response.output_text.delta": "content_index",
    "response.refusal.delta": "content_index",
    "response.reasoning_text.delta": "content_index",
    "response.reasoning.delta": "content_index",  # Open Responses' name for reasoning text
    "response.reasoning_summary_text.delta": "summary_index",
    "response.function_call_arguments.delta": "output_index",
    "response.custom_tool_call_input.delta": "output_index",
    "response.mcp_call_arguments.delta": "output_index",
    "response.code_interpreter_call_code.delta": "output_index",
}

# What ``take_delta`` reads of a delta, with the Python type each must have: the
# sequence number, the text, then the target's key (output_index, item_id, and the
# kind's index field appended at the end).
HOT_FIELDS: tuple[tuple[str, type], ...] = (
    ("sequence_number", int),
    ("delta", str),
    ("output_index", int),
    ("item_id", str),
)
_INDEX_TYPE = int
HOT_TYPES = (*(t for _, t in HOT_FIELDS), _INDEX_TYPE)
_JSON_TYPE = {int: "integer", str: "string"}

# A check on one delta's own value: a (rule, message) when it fails, else None.
DeltaCheck = Callable[[dict[str, Any]], "tuple[Rule, str] | None"]
PER_DELTA_CHECKS: tuple[DeltaCheck, ...] = ()


def hot_fields(kind: str) -> tuple[str, ...]:
    """The fields ``take_delta`` reads of a ``kind`` delta, in ``HOT_TYPES`` order."""
    return (*(name for name, _ in HOT_FIELDS), DELTA_INDEX_FIELD[kind])


def taken_fields(kind: str) -> dict[str, str]:
    """What ``take_delta`` has checked of a ``kind`` payload it takes: fields and their JSON types.

    The schema shortcut leaves these out (``SchemaStage.residual_check``).
    """
    return {name: _JSON_TYPE[t] for name, t in zip(hot_fields(kind), HOT_TYPES, strict=True)}


@dataclass(slots=True)
class HotTarget:
    """Where the last delta went: its kind, its key (output_index, item_id, index) and its part."""

    kind: str
    output_index: int
    item_id: str
    index: int
    index_field: str  # DELTA_INDEX_FIELD[kind]
    part: Part
    chunks: list[str]  # part.chunks (the same list: Part keeps it when it compacts), appended to inline


_READERS = {kind: itemgetter(*hot_fields(kind)) for kind in DELTA_INDEX_FIELD}


def accept(state: State, event: Event, payload: dict[str, Any], kind: str, part: Part) -> None:
    """Step 2 for a delta that went through step 1: its own checks, then its text; it becomes the hot target."""
    for check in PER_DELTA_CHECKS:
        found = check(payload)
        if found is not None:
            rule, message = found
            state.emit(rule, message, event, pointer="/delta")
    delta = payload.get("delta")
    if type(delta) is not str:
        return
    part.add(delta)
    read = _READERS.get(kind)
    if read is None:
        return
    try:
        values = read(payload)
    except KeyError:
        return
    if tuple(map(type, values)) == HOT_TYPES:
        _, _, output_index, item_id, index = values
        state.hot = HotTarget(kind, output_index, item_id, index, DELTA_INDEX_FIELD[kind], part, part.chunks)


def take_delta(state: State, payload: dict[str, Any], kind: str) -> bool:
    """Take ``payload`` in one step if it is the next delta to the hot target (see the module text).

    True: the delta was counted and appended. False changes nothing.
    """
    hot = state.hot
    if hot is None or kind != hot.kind:
        return False
    try:  # HOT_FIELDS, then the kind's index field
        seq = payload["sequence_number"]
        delta = payload["delta"]
        output_index = payload["output_index"]
        item_id = payload["item_id"]
        index = payload[hot.index_field]
    except KeyError:
        return False
    # HOT_TYPES written out: a tuple of types built and compared per delta costs twice as much.
    if (
        type(seq) is not int
        or type(delta) is not str
        or type(output_index) is not int
        or type(item_id) is not str
        or type(index) is not int
        or seq != state.seq_prev + 1  # type: ignore[operator]  # an int while hot is set
        or output_index != hot.output_index
        or item_id != hot.item_id
        or index != hot.index
    ):
        return False
    if PER_DELTA_CHECKS and any(check(payload) is not None for check in PER_DELTA_CHECKS):
        return False
    state.events += 1
    state.seq_prev = seq
    chunks = hot.chunks  # Part.add, inlined: this runs for most events of a long stream
    chunks.append(delta)
    if len(chunks) > COMPACT_AFTER:
        chunks[:] = ["".join(chunks)]
    return True


if (int, str, int, str, int) != HOT_TYPES:  # take_delta's checks above follow HOT_FIELDS
    raise AssertionError("HOT_FIELDS changed: change the type checks in take_delta to match")
