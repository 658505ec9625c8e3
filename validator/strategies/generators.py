"""The Hypothesis strategies: valid streams, mutated streams, single events."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from validator.strategies.model import ENDINGS, ITEM_KINDS, Ending, GeneratedStream, Json, Profile
from validator.strategies.mutations import OPERATORS, Mutation, applies_in, first_applicable
from validator.strategies.plans import Chooser, Sizes, draw_plan

T = TypeVar("T")

_LIST_LIMIT = 32

FORMATS = ("sse", "jsonl", "json")

# Text that exercises parsers: any non-surrogate code point (JSON cannot carry lone
# surrogates), weighted towards the ASCII a shrunk example shows best.
_TEXT_ALPHABET = st.characters(exclude_categories=["Cs"])


class _DrawChooser:
    """A plan Chooser over Hypothesis's ``draw``: shrinks to small numbers and short text."""

    def __init__(self, draw: st.DrawFn, alphabet: st.SearchStrategy[str]) -> None:
        self._draw = draw
        self._alphabet = alphabet

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def boolean(self) -> bool:
        return self._draw(st.booleans())

    def text(self, max_size: int) -> str:
        return self._draw(st.text(self._alphabet, max_size=max_size))

    def many(self, low: int, high: int, make: Callable[[Chooser], T]) -> list[T]:
        alphabet = self._alphabet

        @st.composite
        def element(draw: st.DrawFn) -> T:
            return make(_DrawChooser(draw, alphabet))

        high = max(low, high)
        if high <= _LIST_LIMIT:
            return self._draw(st.lists(element(), min_size=low, max_size=high))
        # Thousands of separately drawn values overrun Hypothesis's choice budget: draw a
        # few and repeat them to the drawn length.
        count = self._draw(st.integers(low, high))
        drawn = self._draw(st.lists(element(), min_size=1, max_size=_LIST_LIMIT))
        return [copy.deepcopy(drawn[i % len(drawn)]) for i in range(count)]


def _check_profile(profile: str) -> Profile:
    if profile not in ITEM_KINDS:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(ITEM_KINDS)}")
    return profile  # type: ignore[return-value]


def streams(
    profile: str = "openai",
    *,
    kinds: Sequence[str] | None = None,
    endings: Sequence[Ending] | None = None,
    background: bool | None = None,
    min_items: int = 0,
    max_items: int = 4,
    max_parts: int = 3,
    max_deltas: int = 6,
    max_text: int = 12,
    min_deltas: int = 1,
    alphabet: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[GeneratedStream]:
    """Valid streams of ``profile`` (``openai`` or ``openresponses``).

    Each example is a ``GeneratedStream``: ``.events`` (the event objects),
    ``.sse()``/``.jsonl()``/``.json()`` (bytes as a server of the profile sends
    them), ``.plan`` (what was drawn) and ``.expected()`` (the response a
    correct reader reconstructs).

    ``kinds`` pins the output item kinds (``ITEM_KINDS[profile]``: message,
    refusal, function_call, reasoning and, in the openai profile,
    web_search_call, file_search_call, code_interpreter_call,
    image_generation_call, mcp_call, mcp_list_tools, custom_tool_call);
    ``endings`` the terminal outcomes (``completed``, ``incomplete``,
    ``failed``, ``error``, ``error_only``); ``background`` the queued opening.
    ``min_items``/``max_items`` bound the output items, ``max_parts`` the parts
    of a message or reasoning summary, ``min_deltas``/``max_deltas`` the
    deltas per text, ``max_text`` each delta's length: ``min_deltas=500``
    gives streams of thousands of events. ``alphabet`` draws the text (default: any Unicode
    character but lone surrogates).
    """
    checked = _check_profile(profile)
    sizes = Sizes(min_items, max_items, max_parts, max_deltas, max_text, min_deltas)
    chars = alphabet if alphabet is not None else _TEXT_ALPHABET
    # Fail at definition time, not inside a test, on bad options.
    draw_plan(_FixedChooser(), checked, kinds=kinds, endings=endings, background=background, sizes=sizes)

    @st.composite
    def build(draw: st.DrawFn) -> GeneratedStream:
        plan = draw_plan(
            _DrawChooser(draw, chars), checked, kinds=kinds, endings=endings, background=background, sizes=sizes
        )
        return GeneratedStream.from_plan(plan)

    return build()


class _FixedChooser:
    def integer(self, low: int, high: int) -> int:
        return low

    def boolean(self) -> bool:
        return False

    def text(self, max_size: int) -> str:
        return ""

    def many(self, low: int, high: int, make: Callable[[Chooser], T]) -> list[T]:
        return [make(self) for _ in range(low)]


def mutated_streams(
    profile: str = "openai",
    *,
    operators: Sequence[str] | None = None,
    formats: Sequence[str] = ("sse",),
    base: st.SearchStrategy[GeneratedStream] | None = None,
) -> st.SearchStrategy[Mutation]:
    """A valid stream with exactly one defect from the operator catalogue.

    Each example is a ``Mutation``: ``.operator`` (its name), ``.detail`` (what
    was changed), ``.codes`` (the rule codes a validator must report for it in
    this profile and format), ``.events`` and ``.to_bytes()``. ``operators``
    restricts the catalogue (names from ``OPERATORS``); ``formats`` the wire
    formats drawn from (``sse``, ``jsonl``, ``json``; transport defects occur
    only in ``sse``); ``base`` the valid streams to start from (default
    ``streams(profile)``).
    """
    checked = _check_profile(profile)
    names = sorted(OPERATORS) if operators is None else list(operators)
    unknown = [n for n in names if n not in OPERATORS]
    if unknown or not names:
        raise ValueError(f"unknown operators {unknown}; choose from {', '.join(sorted(OPERATORS))}")
    bad_formats = [f for f in formats if f not in FORMATS]
    if bad_formats or not formats:
        raise ValueError(f"formats must be chosen from {', '.join(FORMATS)}")
    names = [n for n in names if applies_in(n, checked)]
    if not names:
        raise ValueError(f"none of the operators {list(operators or [])} is a violation in the {checked} profile")
    valid = base if base is not None else _base_for(names, checked)
    chosen = [OPERATORS[n] for n in names]

    @st.composite
    def build(draw: st.DrawFn) -> Mutation:
        # The operator and format come first so that they keep their place in
        # Hypothesis's choice sequence whatever size the stream is.
        start = draw(st.sampled_from(range(len(chosen))))
        fmt = draw(st.sampled_from(list(formats)))
        stream = draw(valid)
        if stream.profile != checked:
            raise ValueError(f"base stream is {stream.profile}, not {checked}")
        order = chosen[start:] + chosen[:start]

        def pick(n: int) -> int:
            return draw(st.integers(0, n - 1))

        mutation = first_applicable(stream.plan, stream.events, order, fmt=fmt, pick=pick)
        if mutation is None:
            from hypothesis import reject

            reject()
        assert mutation is not None
        return mutation

    return build()


def _base_for(names: Sequence[str], profile: Profile) -> st.SearchStrategy[GeneratedStream]:
    """Valid streams that the named operators can break (each operator's ``Needs``)."""
    if len(names) != 1:
        return streams(profile, min_items=1)
    wanted = OPERATORS[names[0]].needs
    kinds = wanted.kinds_in(profile)
    endings = wanted.ending_list()
    if kinds is None:
        return streams(profile, min_items=wanted.min_items, endings=endings, background=wanted.background)
    # One item of a wanted kind, among others of any kind.
    extra = streams(profile, min_items=max(0, wanted.min_items - 1), max_items=2, endings=endings)

    @st.composite
    def with_wanted(draw: st.DrawFn) -> GeneratedStream:
        from validator.strategies.model import StreamPlan

        stream = draw(extra)
        plan = stream.plan
        if plan.ending == "error_only":
            return stream
        chosen = draw(streams(profile, kinds=kinds, min_items=1, max_items=1, endings=["completed"]))
        item = chosen.plan.items[0]
        position = draw(st.integers(0, len(plan.items)))
        items = list(plan.items)
        # Never the id of a drawn item: those end in their position.
        item.id = item.id[:-4] + "ffff"
        if item.call_id:
            item.call_id = item.call_id[:-4] + "ffff"
        items.insert(position, item)
        merged = StreamPlan(
            profile=plan.profile,
            response_id=plan.response_id,
            model=plan.model,
            created_at=plan.created_at,
            items=items,
            ending=plan.ending,
            background=plan.background,
            error_style=plan.error_style,
        )
        return GeneratedStream.from_plan(merged)

    return with_wanted()


def events(type: str, profile: str = "openai") -> st.SearchStrategy[Json]:
    """Single valid event objects of ``type`` (any type the profile's streams carry).

    The event is cut from a valid stream, so its fields are consistent with
    a real stream (ids, indices, ``sequence_number`` in place).
    """
    checked = _check_profile(profile)
    kinds, endings = _producers(type, checked)

    def pick(stream: GeneratedStream) -> list[Json]:
        return [e for e in stream.events if e.get("type") == type]

    return (
        streams(checked, kinds=kinds, endings=endings, min_items=1 if kinds else 0, max_items=2)
        .map(pick)
        .filter(bool)
        .flatmap(st.sampled_from)
    )


def event_types(profile: str = "openai") -> list[str]:
    """Every event type ``events()`` can produce in ``profile``."""
    checked = _check_profile(profile)
    return sorted(_EVENT_SOURCES[checked])


def _producers(kind: str, profile: Profile) -> tuple[list[str] | None, list[Ending] | None]:
    try:
        return _EVENT_SOURCES[profile][kind]
    except KeyError:
        raise ValueError(
            f"{profile} streams have no {kind!r} events; choose from {', '.join(event_types(profile))}"
        ) from None


def _sources(profile: Profile) -> dict[str, tuple[list[str] | None, list[Ending] | None]]:
    from validator.strategies.model import Item, StreamPlan, TextPart, build_events

    table: dict[str, tuple[list[str] | None, list[Ending] | None]] = {}
    for ending in ENDINGS:
        plan = StreamPlan(profile=profile, ending=ending, background=True)
        for event in build_events(plan):
            table.setdefault(event["type"], (None, [ending]))
    for kind in ITEM_KINDS[profile]:
        item = Item(kind=kind, id="x_0", parts=[TextPart(["a"], refusal=kind == "refusal")], chunks=["a"])
        item.summaries = [["a"]]
        item.reasoning = [["a"]]
        item.partial_images = ["AA=="]
        item.commands = [["a"]]
        if kind == "message":
            item.parts[0].annotations = [_annotation()]
        for event in build_events(StreamPlan(profile=profile, items=[item])):
            table.setdefault(event["type"], ([kind], ["completed"]))
    return table


def _annotation() -> Any:
    from validator.strategies.model import Annotation

    return Annotation("https://example.com", "t", 0, 1)


_EVENT_SOURCES: dict[str, dict[str, tuple[list[str] | None, list[Ending] | None]]] = {
    p: _sources(p) for p in ("openai", "openresponses")
}
