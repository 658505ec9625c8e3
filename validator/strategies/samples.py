"""Reproducible sample streams without Hypothesis: valid ones and mutated ones, from a seed.

WebSocket sessions too: ``valid_session`` and ``mutated_session``.

``responses-conformance generate`` writes these to files; the tests use
them where a fixed, cheap sample per operator is enough.
"""

from __future__ import annotations

import random

from validator.strategies.model import ENDINGS, Ending, GeneratedStream, Profile
from validator.strategies.mutations import OPERATORS, Mutation, applies_in, mutate
from validator.strategies.mutations.websocket import SESSION_OPERATORS, SessionMutation, mutate_session
from validator.strategies.plans import RandomChooser, Sizes, draw_plan
from validator.strategies.session_model import SHAPES, GeneratedSession, SessionPlan, build_session


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


def valid_session(
    seed: int,
    profile: Profile = "openai",
    *,
    shape: str | None = None,
    responses: int | None = None,
    not_found: bool | None = None,
) -> GeneratedSession:
    """A valid WebSocket session drawn from ``seed`` (the choices ``sessions()`` makes, without Hypothesis)."""
    rng = random.Random(seed)
    shapes = [s for s in SHAPES if profile == "openai" or s not in ("lanes", "steering")]
    chosen = shape if shape is not None else shapes[rng.randrange(len(shapes))]
    count = responses if responses is not None else 2 + rng.randrange(2)
    chooser = RandomChooser(rng.randrange(1 << 30))
    sizes = Sizes(min_items=0, max_items=2, max_deltas=3)
    plans = []
    for n in range(count):
        endings: tuple[Ending, ...] = ENDINGS
        if chosen == "steering":
            endings = ("completed",) if n == 0 else tuple(e for e in ENDINGS if e != "error_only")
        elif chosen == "continuation":
            endings = tuple(e for e in ENDINGS if e != "error_only")
        plans.append(draw_plan(chooser, profile, endings=list(endings), sizes=sizes))
    missing = rng.random() < 0.5 if not_found is None else not_found
    return build_session(SessionPlan(profile, plans, chosen, missing))


def mutated_session(
    seed: int, profile: Profile = "openai", *, operator: str | None = None, attempts: int = 40
) -> SessionMutation | None:
    """One session mutation drawn from ``seed`` (of ``operator``, else of any session operator of the profile).

    Sessions are drawn to suit the operator (its shapes, a failing continuation
    when it needs one); None when no attempt gave it anything to break.
    """
    rng = random.Random(seed)
    names = [operator] if operator is not None else sorted(SESSION_OPERATORS)
    ops = [SESSION_OPERATORS[n] for n in names if profile in SESSION_OPERATORS[n].profiles]
    if not ops:
        return None
    for _ in range(attempts):
        op = ops[rng.randrange(len(ops))]
        shapes = [s for s in op.shapes if profile == "openai" or s not in ("lanes", "steering")]
        if not shapes:
            return None
        session = valid_session(rng.randrange(1 << 30), profile, shape=shapes[rng.randrange(len(shapes))],
                                not_found=True if op.needs_not_found else None)
        mutation = mutate_session(session, op, rng.randrange)
        if mutation is not None:
            return mutation
    return None
