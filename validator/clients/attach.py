"""``validate --clients``: the client outcomes of each checked stream, attached to its report."""

from __future__ import annotations

from collections.abc import Iterable

from validator.clients.harness import DEFAULT_TIMEOUT, Matrix, StreamInput, inputs_of, replay
from validator.errors import InputError
from validator.report import Report
from validator.sources import streams_from_path


def attach_outcomes(report: Report, files: Iterable[str], timeout: float = DEFAULT_TIMEOUT) -> Matrix:
    """Replay every stream of ``files`` into the installed clients; fill ``clients`` in the report."""
    inputs: list[StreamInput] = []
    for path in files:
        try:
            inputs.extend(i for s in streams_from_path(path) for i in inputs_of(s, report.profile))
        except InputError:
            continue  # the check already reported it
    matrix = replay(inputs, timeout=timeout)
    report.clients = [status.to_dict() for status in matrix.clients]
    outcomes = {result.name: [o.to_dict() for o in result.outcomes.values()] for result in matrix.streams}
    for stream in report.streams:
        if stream.name in outcomes:
            stream.clients = outcomes[stream.name]
    return matrix
