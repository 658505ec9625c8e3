"""Generated Responses API streams for testing parsers, clients and validators.

Valid streams and precisely broken ones, as Hypothesis strategies::

    from hypothesis import given
    from validator.strategies import streams, mutated_streams

    @given(streams("openai"))
    def test_my_parser_reads_every_valid_stream(stream):
        result = my_parser.parse(stream.sse())
        assert result.text == ...

    @given(mutated_streams("openai"))
    def test_my_parser_rejects_broken_streams(mutation):
        ...  # mutation.to_bytes(), mutation.operator, mutation.codes

WebSocket sessions too: ``sessions`` and ``mutated_sessions`` (Hypothesis), over the
plain ``SessionPlan``/``build_session`` (``validator.strategies.session_model``) and the
``SESSION_OPERATORS`` (``validator.strategies.mutations.websocket``).

``streams``, ``mutated_streams`` and ``events`` need Hypothesis (the
``hypothesis`` extra). The plain model underneath does not: ``StreamPlan`` and
``build_events`` (``validator.strategies.model``), ``draw_plan`` with a
``RandomChooser`` (``validator.strategies.plans``), and the mutation
``OPERATORS`` (``validator.strategies.mutations``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from validator.strategies.model import (
    ENDINGS,
    ITEM_KINDS,
    GeneratedStream,
    StreamPlan,
    build_events,
    expected_reconstruction,
    final_response,
)
from validator.strategies.mutations import OPERATORS, Mutation, Operator, mutate
from validator.strategies.mutations.websocket import SESSION_OPERATORS, SessionMutation, mutate_session
from validator.strategies.plans import RandomChooser, Sizes, draw_plan
from validator.strategies.session_model import GeneratedSession, SessionPlan, build_session

if TYPE_CHECKING:
    from validator.strategies.generators import event_types, events, mutated_streams, streams
    from validator.strategies.session_strategies import mutated_sessions, sessions

_HYPOTHESIS_NAMES = ("streams", "mutated_streams", "events", "event_types")
_SESSION_NAMES = ("sessions", "mutated_sessions")

__all__ = [
    "ENDINGS",
    "ITEM_KINDS",
    "OPERATORS",
    "SESSION_OPERATORS",
    "GeneratedSession",
    "GeneratedStream",
    "Mutation",
    "Operator",
    "RandomChooser",
    "SessionMutation",
    "SessionPlan",
    "Sizes",
    "StreamPlan",
    "build_events",
    "build_session",
    "draw_plan",
    "event_types",
    "events",
    "expected_reconstruction",
    "final_response",
    "mutate",
    "mutate_session",
    "mutated_sessions",
    "mutated_streams",
    "sessions",
    "streams",
]


def __getattr__(name: str) -> Any:
    # The strategies import Hypothesis; load them only when asked for.
    if name in _SESSION_NAMES:
        return getattr(importlib.import_module("validator.strategies.session_strategies"), name)
    if name in _HYPOTHESIS_NAMES:
        try:
            module = importlib.import_module("validator.strategies.generators")
        except ModuleNotFoundError as exc:
            if exc.name != "hypothesis":
                raise
            raise ImportError(
                f"validator.strategies.{name} needs Hypothesis: pip install 'responses-conformance[hypothesis]'",
                name="hypothesis",
            ) from None

        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
