"""Reproducible sample streams without Hypothesis: valid ones and mutated ones, from a seed.

``responses-conformance generate`` writes these to files; the tests use
them where a fixed, cheap sample per operator is enough.
"""

from __future__ import annotations

import random

from validator.strategies.model import GeneratedStream, Profile
from validator.strategies.mutations import OPERATORS, Mutation, applies_in, mutate
from validator.strategies.plans import RandomChooser, Sizes, draw_plan


def valid_stream(seed: int, profile: Profile = "openai", *, sizes: Sizes | None = None) -> GeneratedStream:
    """A valid stream drawn from ``seed``."""
    return GeneratedStream.from_plan(draw_plan(RandomChooser(seed), profile, sizes=sizes))


def mutated_stream(
    seed: int,
    profile: Profile = "openai",
    *,
    operator: str | None = None,
    fmt: str = "sse",
    attempts: int = 60,
) -> Mutation | None:
    """One mutation drawn from ``seed`` (of ``operator``, else of any operator that fits).

    Streams are drawn to suit the operator (its ``Needs``); None when no
    attempt gave it anything to break.
    """
    rng = random.Random(seed)
    names = [operator] if operator is not None else [n for n in sorted(OPERATORS) if applies_in(n, profile)]
    if not names or not applies_in(names[0], profile):
        return None
    for _ in range(attempts):
        name = names[rng.randrange(len(names))]
        stream = _suited_stream(rng.randrange(1 << 30), profile, name)
        if stream is None:
            continue
        mutation = mutate(stream.plan, stream.events, OPERATORS[name], fmt=fmt, pick=rng.randrange)
        if mutation is not None:
            return mutation
    return None


def _suited_stream(seed: int, profile: Profile, name: str) -> GeneratedStream | None:
    wanted = OPERATORS[name].needs
    kinds = wanted.kinds_in(profile)
    if kinds is not None and not kinds:
        return None
    sizes = Sizes(min_items=wanted.min_items, max_items=max(3, wanted.min_items))
    plan = draw_plan(
        RandomChooser(seed),
        profile,
        kinds=kinds,
        endings=wanted.ending_list(),
        background=wanted.background,
        sizes=sizes,
    )
    return GeneratedStream.from_plan(plan)
