"""The fence around the machine's one shortcut (``validator.machine.deltas``).

``take_delta`` skips step 1 (finding the delta's target, with its checks) for
the next delta to the same target. Two things keep that sound as the code grows,
and these tests fail when either is broken:

* every report that step 1 can make for a delta is reported once per target
  (``state.once``), so skipping it for a repeat cannot lose a finding;
* a check of each delta's own value lives in ``PER_DELTA_CHECKS``, which the
  shortcut honours.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from validator import Checker, check
from validator.machine import _HANDLERS as HANDLERS
from validator.machine import DELTA_INDEX_FIELD, deltas
from validator.rules import Rule
from validator.rules import content as content_rules
from validator.writers import to_sse


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            yield child


def _callee(call: ast.Call, scope: dict[str, Any]) -> Any:
    """The object a call names, when it is a plain name or ``module.name`` in ``scope``."""
    func = call.func
    if isinstance(func, ast.Name):
        return scope.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = scope.get(func.value.id)
        if isinstance(owner, ModuleType):
            return getattr(owner, func.attr, None)
    return None


def _machine_function(obj: Any) -> bool:
    return inspect.isfunction(obj) and obj.__module__.startswith("validator.machine")


def reached_from_delta_handlers() -> list[Callable[..., Any]]:
    """The machine functions a delta event can run, stopping at step 2 (``deltas.accept``)."""
    roots = {HANDLERS[kind] for kind in DELTA_INDEX_FIELD}
    seen: dict[str, Callable[..., Any]] = {}
    todo = list(roots)
    while todo:
        func = todo.pop()
        name = f"{func.__module__}.{func.__qualname__}"
        if name in seen or func is deltas.accept:
            continue
        seen[name] = func
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
        for call in _calls(tree):
            callee = _callee(call, func.__globals__)
            if _machine_function(callee):
                todo.append(callee)
    return list(seen.values())


def unguarded_reports(func: Callable[..., Any]) -> list[str]:
    """``emit`` calls in ``func`` that are not inside an ``if`` that asks ``state.once``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    found = []
    for call in _calls(tree):
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "emit"):
            continue
        node: ast.AST | None = call
        guarded = False
        while node is not None and not guarded:
            node = parents.get(node)
            if isinstance(node, ast.If):
                guarded = any(
                    isinstance(c.func, ast.Attribute) and c.func.attr == "once" for c in _calls(node.test)
                )
        if not guarded:
            found.append(f"{func.__module__}.{func.__qualname__} line {call.lineno}")
    return found


def test_the_delta_path_is_found() -> None:
    names = {f.__qualname__ for f in reached_from_delta_handlers()}
    # A sanity check on the call-graph walk itself: it sees the item lookup and the part lookup.
    assert {"resolve", "find_part", "step", "wrong_holder", "check_kind"} <= names


def test_every_report_before_accepting_a_delta_is_once_per_target() -> None:
    unguarded = [where for func in reached_from_delta_handlers() for where in unguarded_reports(func)]
    assert unguarded == [], (
        "these reports on the delta path are not once-keyed, so the delta shortcut would skip "
        "their repeats: guard them with state.once(rule, <target>) or move a check of the delta's "
        "own value into validator.machine.deltas.PER_DELTA_CHECKS"
    )


def test_the_guard_check_catches_an_unguarded_report() -> None:
    def sample(state: Any, rule: Any) -> None:
        if state.once(rule):
            state.emit(rule, "fine")
        state.emit(rule, "per delta")

    assert unguarded_reports(sample) == [f"{__name__}.{sample.__qualname__} line 4"]


def _message(deltas_: list[str]) -> list[dict[str, Any]]:
    item = {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    text = "".join(deltas_)
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.content_part.added", **where, "part": {"type": "output_text", "text": ""}},
        *({"type": "response.output_text.delta", **where, "delta": d, "logprobs": []} for d in deltas_),
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
    ]
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return events


CANARY: Rule = content_rules.TEXT_DONE_MISMATCH  # any enabled rule will do as the canary's


def _canary(payload: dict[str, Any]) -> tuple[Rule, str] | None:
    return (CANARY, "canary delta") if payload.get("delta") == "CANARY" else None


@pytest.mark.parametrize("shortcuts", [True, False])
@pytest.mark.parametrize("way", ["bytes", "events"])
def test_a_per_delta_check_is_honoured_by_the_shortcut(
    monkeypatch: pytest.MonkeyPatch, shortcuts: bool, way: str
) -> None:
    monkeypatch.setattr(deltas, "PER_DELTA_CHECKS", (_canary,))
    events = _message(["a", "b", "c", "CANARY", "d", "e"])
    canary_index = next(i for i, e in enumerate(events) if e.get("delta") == "CANARY")
    checker = Checker("openai", shortcuts=shortcuts)
    found = checker.run_data([to_sse(events)]) if way == "bytes" else checker.run(events)
    hits = [f for f in found if f.message == "canary delta"]
    assert [f.event_index for f in hits] == [canary_index]


def test_without_the_canary_the_stream_is_clean() -> None:
    # The canary stream is otherwise valid apart from what a bare stream lacks (no terminal event).
    codes = {f.code for f in check(_message(["a", "CANARY", "b"])).findings}
    assert CANARY.code not in codes


def test_take_delta_reads_and_type_checks_exactly_the_hot_fields() -> None:
    """``taken_fields`` (what the schema shortcut leaves out) is derived from HOT_FIELDS; this holds
    ``take_delta``'s code to the same list: it reads each field and checks its type."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(deltas.take_delta)))
    read: dict[str, str] = {}  # local name -> field
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Subscript)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "payload"
        ):
            key = node.value.slice
            field = key.value if isinstance(key, ast.Constant) else "<index field>"
            read[node.targets[0].id] = field  # type: ignore[attr-defined]
    checked: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Call):
            call = node.left
            if isinstance(call.func, ast.Name) and call.func.id == "type" and isinstance(call.args[0], ast.Name):
                checked[read[call.args[0].id]] = node.comparators[0].id  # type: ignore[attr-defined]
    expected = {name: kind.__name__ for name, kind in deltas.HOT_FIELDS} | {"<index field>": "int"}
    assert checked == expected
    assert set(deltas.taken_fields("response.output_text.delta")) == {n for n, _ in deltas.HOT_FIELDS} | {
        "content_index"
    }
