"""What an operator declares: the codes it triggers and the streams it applies to.

Both are written once, on the operator's registration (``core.operator``),
so they can be read without running it (``generate --list-operators``, the
strategies choosing streams to draw, the tests that hold the declarations
to the rule catalogue).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from validator.rules import PROFILES
from validator.strategies.model import ENDINGS, ITEM_KINDS, Ending
from validator.writers import FORMATS

if TYPE_CHECKING:
    from validator.strategies.mutations.core import Context

Condition = Callable[["Context", int], bool]
"""Whether a code holds for the change an operator made: ``(ctx, index of the changed event)``."""


@dataclass(frozen=True)
class Declares:
    """The codes an operator declares.

    ``always``: the codes its defect triggers whatever else the stream
    holds. ``when``: codes it triggers only under a condition on the event it
    changed (a dropped text delta breaks the part's `.done` text, a dropped
    `output_item.added` orphans the item's events). An operator may trigger
    more than it declares (knock-on effects it cannot guarantee); it must
    trigger all it declares.
    """

    always: tuple[str, ...]
    when: tuple[tuple[str, Condition], ...] = ()

    @property
    def codes(self) -> frozenset[str]:
        """Every code the operator can ever declare."""
        return frozenset(self.always) | {code for code, _ in self.when}

    def for_change(self, ctx: Context, at: int | None) -> frozenset[str]:
        """The codes declared for a change to event ``at`` of ``ctx.events``."""
        if not self.when:
            return frozenset(self.always)
        if at is None:
            raise AssertionError("an operator with conditional codes must say which event it changed (Outcome.at)")
        return frozenset(self.always) | {code for code, holds in self.when if holds(ctx, at)}


def declares(*always: str, **when: Condition) -> Declares:
    """``declares("SEQ004", CNT005=is_text_delta)``: codes always declared, and codes under a condition."""
    return Declares(always, tuple(when.items()))


@dataclass(frozen=True)
class Needs:
    """Where an operator's defect exists, and the streams that offer it something to break.

    Enforced (the operator makes no mutation elsewhere): ``profiles``, where
    the defect is a violation at all; ``formats``, the wire formats it exists
    on (transport defects exist only in ``sse``); ``endings``, the terminal
    outcomes of the streams it can break (None: any).

    Drawn for (the strategies pick streams to suit the operator; it may still
    find something to break elsewhere): ``kinds``, item kinds of which one
    suffices (intersected with the profile's kinds); ``min_items``, the fewest
    output items; ``background``, the queued opening on or off.
    """

    profiles: tuple[str, ...] = PROFILES
    formats: tuple[str, ...] = FORMATS
    endings: tuple[Ending, ...] | None = None
    kinds: tuple[str, ...] | None = None
    min_items: int = 1
    background: bool | None = None

    def admits(self, profile: str, fmt: str, ending: str) -> bool:
        return profile in self.profiles and fmt in self.formats and (self.endings is None or ending in self.endings)

    def kinds_in(self, profile: str) -> list[str] | None:
        """The wanted item kinds the profile has (None: no wish; empty: none in this profile)."""
        if self.kinds is None:
            return None
        return [k for k in self.kinds if k in ITEM_KINDS[profile]]

    def ending_list(self) -> list[Ending] | None:
        """The wanted endings in ``ENDINGS`` order (None: any)."""
        return [e for e in ENDINGS if e in self.endings] if self.endings else None


# The needs most operators share.
ANY_STREAM = Needs(min_items=0)
WITH_ITEMS = Needs()
# Endings where a response exists (everything but a lone `error` event), and where it carries output and usage.
WITH_RESPONSE: tuple[Ending, ...] = ("completed", "incomplete", "failed", "error")
FINAL: tuple[Ending, ...] = ("completed", "incomplete")
OPENAI = ("openai",)
OPEN_RESPONSES = ("openresponses",)
SSE_ONLY = ("sse",)


# --- conditions on the changed event -----------------------------------------------------------


def is_type(*types: str) -> Condition:
    """The changed event is of one of ``types``."""
    return lambda ctx, at: ctx.events[at].get("type") in types


def closes_deltas(*dones: str) -> Condition:
    """The changed event is a `.done` of ``dones`` that ends a run of deltas (same type stem, same item)."""

    def holds(ctx: Context, at: int) -> bool:
        done = ctx.events[at]
        kind = done.get("type")
        if kind not in dones:
            return False
        delta = str(kind).removesuffix(".done") + ".delta"
        return any(e.get("type") == delta and e.get("output_index") == done.get("output_index") for e in ctx.events)

    return holds


def delta_of(deltas: Mapping[str, str]) -> Condition:
    """The changed event is a non-empty delta of one of the types ``deltas`` maps to their `.done`."""
    return lambda ctx, at: ctx.events[at].get("type") in deltas and bool(ctx.events[at].get("delta"))
