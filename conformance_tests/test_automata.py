"""The machine's automata: complete tables, reachable states, and the generated page."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from validator import check
from validator.machine import automata
from validator.machine.automata import AUTOMATA, CONTENT_PART, RESPONSE, PartState, Response

ROOT = Path(__file__).resolve().parents[1]


def _load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_state_page_is_current() -> None:
    page = (ROOT / "docs" / "state-machines.md").read_text(encoding="utf-8")
    assert page == _load_tool("gen_state_docs").render(), "docs/state-machines.md is stale: run tools/gen_state_docs.py"


@pytest.mark.parametrize("name", list(AUTOMATA))
def test_every_state_of_a_table_is_reachable_and_says_what_every_event_does(name: str) -> None:
    table = AUTOMATA[name]
    events = {frozenset(row) for row in table.values()}
    assert len(events) == 1, "every state must answer the same events"
    starts = {next(iter(table))} | ({Response.RESUMED} if name == "response" else set())
    reached = set(starts)
    todo = list(starts)
    while todo:
        for step in table[todo.pop()].values():
            if step.to not in reached:
                reached.add(step.to)
                todo.append(step.to)
    assert reached == set(table)


def test_an_incomplete_table_is_refused() -> None:
    with pytest.raises(ValueError, match="the table says"):
        automata._table(
            PartState,
            {PartState.OPEN: {"delta": automata.Step(PartState.OPEN)}},
            ("delta", "text_done"),
        )


def test_what_may_follow_a_text_done_event() -> None:
    row = CONTENT_PART[PartState.TEXT_DONE]
    assert not row["delta"].proceed and not row["text_done"].proceed
    assert row["part_done"].to is PartState.CLOSED and row["part_done"].proceed
    assert row["annotation"].proceed


def _stream(*kinds: str) -> list[dict[str, object]]:
    return [
        {"type": kind, "sequence_number": i, "response": {"id": "r", "status": _STATUS.get(kind, "in_progress")}}
        if kind.startswith("response.")
        else {"type": kind, "sequence_number": i, "code": "x", "message": "m", "param": None}
        for i, kind in enumerate(kinds)
    ]


_STATUS = {"response.completed": "completed", "response.failed": "failed", "response.incomplete": "incomplete"}


@pytest.mark.parametrize(
    ("kinds", "codes"),
    [
        (("response.created", "response.completed"), set()),
        (("response.in_progress", "response.completed"), {"LIF001"}),
        (("response.created", "response.created", "response.completed"), {"LIF003"}),
        (("response.created", "response.completed", "response.in_progress"), {"LIF008"}),
        (("response.created", "response.completed", "response.created"), {"LIF008", "LIF003"}),
        (("response.created", "error", "response.completed"), {"LIF008"}),  # LIF010: openresponses only
        (("response.created", "error", "response.failed"), set()),
        (("error",), set()),
        (("response.created",), {"LIF007"}),
    ],
)
def test_the_response_table_is_what_the_rules_report(kinds: tuple[str, ...], codes: set[str]) -> None:
    found = {f.code for f in check(_stream(*kinds)).findings if f.code.startswith("LIF")}
    assert found == codes


def test_an_error_left_without_response_failed_ends_in_errored() -> None:
    found = {f.code for f in check(_stream("response.created", "error"), "openresponses").findings}
    assert "LIF010" in found and "LIF007" not in found


def test_the_end_of_a_stream_in_each_response_state_is_in_the_table() -> None:
    assert set(automata.RESPONSE_END) == set(RESPONSE)
