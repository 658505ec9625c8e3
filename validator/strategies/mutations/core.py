"""What every operator works with: the context, its outcome, the registry, applying one.

An operator is registered where it is written::

    @operator("item-not-done", "never close an item with `output_item.done`", "ITM007", needs=Needs(endings=FINAL))
    def _item_not_done(ctx: Context) -> Outcome | None: ...

The decorator carries all that is known about the operator without running
it: its name and description, the codes it declares (``declaring.Declares``)
and what it needs of a stream (``declaring.Needs``). The function receives
the valid stream and a source of choices, and returns the broken stream
(an ``Outcome``) or None when the stream offers it nothing to break, so it
never claims codes for a no-op. It names no code: the operator works out the
declared codes from its declaration and the event the outcome says it
changed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from validator.rules import catalogue
from validator.strategies.model import Json, StreamPlan
from validator.strategies.mutations.declaring import Declares, Needs
from validator.strategies.mutations.draft import Draft
from validator.strategies.mutations.tables import TERMINAL_TYPES

T = TypeVar("T")

Pick = Callable[[int], int]
"""``pick(n)`` returns a choice in ``range(n)``; it must shrink towards 0."""


@dataclass
class Context:
    """What an operator sees: the valid stream, where it goes, and a source of choices."""

    plan: StreamPlan
    events: list[Json]
    profile: str
    fmt: str
    pick: Pick

    def draft(self, events: list[Any] | None = None) -> Draft:
        return Draft(self.copy() if events is None else events, done=self.profile == "openresponses")

    def change(self, events: list[Any], detail: str, *, at: int | None = None) -> Outcome:
        """The outcome of writing ``events`` as the profile's server would, having changed event ``at``."""
        return Outcome(self.draft(events), detail, at)

    def choose(self, options: Sequence[T]) -> T:
        return options[self.pick(len(options))]

    def chosen(self, options: Sequence[T]) -> T | None:
        """One of ``options``, or None when there are none (then nothing is picked)."""
        return self.choose(options) if options else None

    def copy(self) -> list[Json]:
        return copy.deepcopy(self.events)

    def where(self, predicate: Callable[[Json], bool]) -> list[int]:
        return [i for i, e in enumerate(self.events) if predicate(e)]

    def of_type(self, *types: str) -> list[int]:
        return self.where(lambda e: e.get("type") in types)

    @property
    def terminal(self) -> int | None:
        """The index of the last event if it ends the stream (a terminal event or ``error``)."""
        last = len(self.events) - 1
        if last >= 0 and self.events[last].get("type") in (*TERMINAL_TYPES, "error"):
            return last
        return None

    @property
    def terminal_response(self) -> int | None:
        """The index of the last event if it is a terminal lifecycle event (one carrying the response)."""
        terminal = self.terminal
        if terminal is None or self.events[terminal].get("type") == "error":
            return None
        return terminal

    def item_done(self, output_index: int) -> int:
        """The index of the ``output_item.done`` of the item at ``output_index``."""
        return self.where(
            lambda e: e.get("type") == "response.output_item.done" and e.get("output_index") == output_index
        )[0]

    def moved(self, src: int, dst: int) -> list[Json]:
        """A copy of the events with event ``src`` moved to stand before event ``dst``."""
        out = self.copy()
        event = out.pop(src)
        out.insert(dst if dst <= src else dst - 1, event)
        return out

    def swapped(self, index: int) -> list[Json]:
        """A copy of the events with events ``index`` and ``index + 1`` exchanged."""
        out = self.copy()
        out[index], out[index + 1] = out[index + 1], out[index]
        return out

    def label(self, index: int) -> str:
        return f"event #{index} ({self.events[index].get('type')})"


@dataclass(frozen=True)
class Outcome:
    """What an operator did: the broken stream, what changed, and the index of the event it changed.

    ``at`` is what an operator's conditional codes look at (``Declares.when``).
    """

    draft: Draft
    detail: str
    at: int | None = None


Apply = Callable[[Context], "Outcome | None"]


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


@dataclass(frozen=True)
class Operator:
    """One kind of defect: its declaration and the function that makes it."""

    name: str
    description: str
    declares: Declares
    needs: Needs
    apply: Apply

    @property
    def may_declare(self) -> frozenset[str]:
        """Every code the operator can ever declare."""
        return self.declares.codes

    @property
    def sse_only(self) -> bool:
        """Whether the defect exists only on the SSE wire."""
        return tuple(self.needs.formats) == ("sse",)

    def __call__(self, ctx: Context) -> Mutation | None:
        if not self.needs.admits(ctx.profile, ctx.fmt, ctx.plan.ending):
            return None
        outcome = self.apply(ctx)
        if outcome is None:
            return None
        codes = applicable_codes(self.declares.for_change(ctx, outcome.at), ctx.profile)
        if not codes:
            return None
        return Mutation(self.name, self.description, outcome.detail, ctx.profile, ctx.fmt, codes, outcome.draft)


OPERATORS: dict[str, Operator] = {}


def operator(name: str, description: str, codes: str | Declares, *, needs: Needs) -> Callable[[Apply], Apply]:
    """Register the decorated function as the operator ``name`` (a single code or ``declares(...)``)."""
    declared = codes if isinstance(codes, Declares) else Declares((codes,))

    def register(fn: Apply) -> Apply:
        if name in OPERATORS:
            raise ValueError(f"operator {name!r} is registered twice")
        OPERATORS[name] = Operator(name, description, declared, needs, fn)
        return fn

    return register


def applies_in(name: str, profile: str) -> bool:
    """Whether the operator's defect is a violation in ``profile`` at all."""
    return profile in OPERATORS[name].needs.profiles


def renumber(events: list[Any]) -> list[Any]:
    """Sequence numbers 0, 1, 2, ... in list order (for moves that must not show as SEQ defects)."""
    for i, event in enumerate(events):
        if isinstance(event, dict) and "sequence_number" in event:
            event["sequence_number"] = i
    return events


def edit_one(ctx: Context, candidates: Sequence[int], edit: Callable[[Json], str]) -> Outcome | None:
    """The stream with one of the events at ``candidates`` changed by ``edit``, which says what it did."""
    index = ctx.chosen(candidates)
    if index is None:
        return None
    events = ctx.copy()
    what = edit(events[index])
    return ctx.change(events, f"{ctx.label(index)} {what}", at=index)


def remove_one(ctx: Context, candidates: Sequence[int]) -> Outcome | None:
    """The stream without one of the events at ``candidates``, renumbered (None when there are none)."""
    index = ctx.chosen(candidates)
    if index is None:
        return None
    events = ctx.copy()
    del events[index]
    return ctx.change(renumber(events), f"{ctx.label(index)} removed", at=index)


def send_to_item(ctx: Context, output_index: int, kind: str, detail: str, **fields: Any) -> Outcome:
    """The stream with an event of ``kind`` for the item at ``output_index`` just before its closing, renumbered."""
    event = {
        "type": kind,
        "sequence_number": 0,
        "item_id": ctx.plan.items[output_index].id,
        "output_index": output_index,
        **fields,
    }
    events = ctx.copy()
    events.insert(ctx.item_done(output_index), event)
    return ctx.change(renumber(events), detail)


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
    return op(Context(plan, events, plan.profile, fmt, pick))


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
