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
from validator.strategies.plans import RandomChooser, Sizes, draw_plan

if TYPE_CHECKING:
    from validator.strategies.generators import event_types, events, mutated_streams, streams

_HYPOTHESIS_NAMES = ("streams", "mutated_streams", "events", "event_types")

__all__ = [
    "ENDINGS",
    "ITEM_KINDS",
    "OPERATORS",
    "GeneratedStream",
    "Mutation",
    "Operator",
    "RandomChooser",
    "Sizes",
    "StreamPlan",
    "build_events",
    "draw_plan",
    "event_types",
    "events",
    "expected_reconstruction",
    "final_response",
    "mutate",
    "mutated_streams",
    "streams",
]


def __getattr__(name: str) -> Any:
    # The strategies import Hypothesis; load them only when asked for.
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
