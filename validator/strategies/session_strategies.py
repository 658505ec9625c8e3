"""The Hypothesis strategies for WebSocket sessions: valid sessions and sessions with one defect."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import reject
from hypothesis import strategies as st

from validator.strategies.generators import _check_profile, _DrawChooser
from validator.strategies.model import ENDINGS, Ending, Profile
from validator.strategies.mutations.websocket import SESSION_OPERATORS, SessionMutation, mutate_session
from validator.strategies.plans import Sizes, draw_plan
from validator.strategies.session_model import SHAPES, GeneratedSession, SessionPlan, build_session

_ALPHABET = st.characters(exclude_categories=["Cs"])


def sessions(
    profile: str = "openai",
    *,
    shapes: Sequence[str] | None = None,
    min_responses: int = 1,
    max_responses: int = 3,
    not_found: bool | None = None,
    max_items: int = 2,
    max_deltas: int = 3,
) -> st.SearchStrategy[GeneratedSession]:
    """Valid WebSocket sessions of ``profile``.

    Each example is a ``GeneratedSession``: ``.records`` (open, messages both ways,
    close), ``.frame_log()`` and ``.har()`` (bytes), ``.turns()`` (each client message
    with the server messages that answer it) and ``.plan``. ``shapes`` pins the shapes
    (``sequential``, ``continuation``, and in the openai profile ``lanes`` and
    ``steering``); ``not_found`` the failing continuation from an unknown id.
    """
    checked = _check_profile(profile)
    allowed = [s for s in (shapes or SHAPES) if checked == "openai" or s not in ("lanes", "steering")]
    if not allowed or any(s not in SHAPES for s in allowed):
        raise ValueError(f"shapes must be chosen from {', '.join(SHAPES)} (lanes and steering: openai only)")
    sizes = Sizes(min_items=0, max_items=max_items, max_deltas=max_deltas)

    @st.composite
    def build(draw: st.DrawFn) -> GeneratedSession:
        shape = draw(st.sampled_from(allowed))
        low = max(min_responses, 2 if shape == "steering" else 1)
        count = draw(st.integers(low, max(low, max_responses)))
        chooser = _DrawChooser(draw, _ALPHABET)
        plans = []
        for n in range(count):
            endings: tuple[Ending, ...] = ENDINGS
            if shape == "steering":
                endings = ("completed",) if n == 0 else tuple(e for e in ENDINGS if e != "error_only")
            elif shape == "continuation":
                endings = tuple(e for e in ENDINGS if e != "error_only")
            plans.append(draw_plan(chooser, checked, endings=endings, sizes=sizes))
        missing = draw(st.booleans()) if not_found is None else not_found
        return build_session(SessionPlan(checked, plans, shape, missing))

    return build()


def mutated_sessions(
    profile: str = "openai",
    *,
    operators: Sequence[str] | None = None,
    base: st.SearchStrategy[GeneratedSession] | None = None,
) -> st.SearchStrategy[SessionMutation]:
    """A valid session with exactly one WebSocket defect; ``.codes`` are the WSS codes it must trigger."""
    checked: Profile = _check_profile(profile)
    names = sorted(SESSION_OPERATORS) if operators is None else list(operators)
    unknown = [n for n in names if n not in SESSION_OPERATORS]
    if unknown or not names:
        raise ValueError(f"unknown session operators {unknown}; choose from {', '.join(sorted(SESSION_OPERATORS))}")
    chosen = [SESSION_OPERATORS[n] for n in names if checked in SESSION_OPERATORS[n].profiles]
    if not chosen:
        raise ValueError(f"none of the session operators {names} applies in the {checked} profile")
    valid = base if base is not None else sessions(checked, min_responses=2)

    @st.composite
    def build(draw: st.DrawFn) -> SessionMutation:
        start = draw(st.sampled_from(range(len(chosen))))
        session = draw(valid)
        for operator in chosen[start:] + chosen[:start]:
            mutation = mutate_session(session, operator, lambda n: draw(st.integers(0, n - 1)))
            if mutation is not None:
                return mutation
        reject()

    return build()
