"""LIF checks: one response, opened once, ended by exactly one terminal event.

The order of lifecycle events is the response automaton (``automata.RESPONSE``);
this module reports its steps and checks the values the lifecycle events carry
(the response id, status, model and creation time, ``in_progress`` repeats).
"""

from __future__ import annotations

from typing import Any

from validator import nonstandard
from validator.machine import final
from validator.machine.automata import RESPONSE, RESPONSE_END, RESPONSE_EVENT, TERMINAL_EVENTS, Response
from validator.machine.state import State, as_str
from validator.model import Event
from validator.rules import Rule
from validator.rules import lifecycle as rules

_STATUS = {
    "response.created": ("in_progress", "queued"),
    "response.queued": ("queued",),
    "response.in_progress": ("in_progress",),
    "response.completed": ("completed",),
    "response.failed": ("failed",),
    "response.incomplete": ("incomplete",),
}


def before_event(state: State, event: Event, payload: dict[str, Any], kind: str) -> bool:
    """Take the response automaton's step for this event; False when the event is out of place."""
    current = state.response
    step = RESPONSE[current][RESPONSE_EVENT.get(kind, "other")]
    for rule in step.rules:
        _report(state, event, kind, rule, current)
    if step.to is Response.ENDED and current is not Response.ENDED:
        state.terminal = kind
    elif kind == "error" and step.proceed:
        state.error_event = event
    state.response = step.to
    return step.proceed


def _report(state: State, event: Event, kind: str, rule: Rule, current: Response) -> None:
    if rule is rules.FIRST_EVENT:
        state.emit(
            rule,
            f"first event is {kind}, not response.created",
            event,
            pointer="/type",
            expected="response.created",
            actual=kind,
        )
    elif rule is rules.QUEUED_WITHOUT_CREATED:
        state.emit(
            rule,
            "stream opens with response.queued; OpenAI sends response.created (status queued) first",
            event,
            expected="response.created",
            actual=kind,
        )
    elif rule is rules.DUPLICATE_CREATED:
        if state.once(rule):
            if current is Response.ENDED:
                message = f"response.created after the terminal {state.terminal}: a second lifecycle in the same body"
            else:
                message = "second response.created: a new lifecycle in the same stream"
            state.emit(rule, message, event)
    elif rule is rules.AFTER_TERMINAL:
        if state.once(rule):
            if current is Response.ENDED:
                message = f"{kind} after the terminal {state.terminal}"
            else:
                line = state.error_event.line if state.error_event is not None else 0
                message = f"{kind} after the error event on line {line}: only response.failed may follow"
            state.emit(rule, message, event)
    else:  # pragma: no cover - a table names a rule this module does not know how to word
        raise AssertionError(f"no message for {rule.code}")


def on_lifecycle(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    """The values a lifecycle event carries; a terminal event also goes to the FIN checks."""
    if kind == "response.in_progress":
        state.in_progress += 1
        if state.in_progress > 1:
            state.emit(rules.IN_PROGRESS_REPEATED, f"response.in_progress #{state.in_progress}", event)
        elif state.items:
            state.emit(
                rules.IN_PROGRESS_LATE,
                f"response.in_progress after {len(state.items)} output item(s) were added",
                event,
            )
    raw = payload.get("response")
    response = raw if isinstance(raw, dict) else None
    if response is not None:
        _response_values(state, event, response, kind)
    if kind in TERMINAL_EVENTS:
        final.on_terminal(state, event, response, kind)


def _response_values(state: State, event: Event, response: dict[str, Any], kind: str) -> None:
    rid = as_str(response.get("id"))
    if rid is not None:
        if state.response_id is None:
            state.response_id = rid
        elif rid != state.response_id:
            state.emit(
                rules.RESPONSE_ID_CHANGED,
                f"{kind} is for response {rid}, the stream's response is {state.response_id}",
                event,
                pointer="/response/id",
                expected=state.response_id,
                actual=rid,
            )
    status = response.get("status")
    if isinstance(status, str):
        allowed = _STATUS[kind]
        if status not in allowed:
            state.emit(
                rules.STATUS_MISMATCH,
                f"{kind} carries response.status {status!r}",
                event,
                pointer="/response/status",
                expected=" or ".join(allowed),
                actual=status,
            )
        state.response_status = status
    model = response.get("model")
    if isinstance(model, str) and model:
        if state.model is None:
            state.model = model
        elif model != state.model:
            _changed(state, event, kind, "model", state.model, model)
    created_at = response.get("created_at")
    if isinstance(created_at, (int, float)) and not isinstance(created_at, bool):
        if state.created_at is None:
            state.created_at = created_at
        elif created_at != state.created_at:
            _changed(state, event, kind, "created_at", state.created_at, created_at)


def _changed(state: State, event: Event, kind: str, field: str, before: Any, now: Any) -> None:
    shown_now = repr(now) if isinstance(now, str) else now
    shown_before = repr(before) if isinstance(before, str) else before
    state.emit(
        rules.FIELD_CHANGED,
        f"{kind} reports {field} {shown_now}, earlier lifecycle events {shown_before}",
        event,
        pointer=f"/response/{field}",
        expected=before,
        actual=now,
    )


def close(state: State, last: Event | None) -> None:
    """What the end of the stream means in the response's state."""
    for rule in RESPONSE_END[state.response]:
        if rule is rules.NO_TERMINAL:
            message = (
                f"stream ends after {state.events} event(s) without response.completed, "
                f"response.failed or response.incomplete{_lookalike_ending(state)}"
            )
        else:
            line = state.error_event.line if state.error_event is not None else 0
            message = f"the error event on line {line} is not followed by response.failed"
        state.emit(rule, message, last)


def _lookalike_ending(state: State) -> str:
    """A stream whose last event is a look-alike (response.done, response.error) is told so by name."""
    if state.lookalike is None or state.lookalike[1] != state.events:
        return ""
    return f" (it ends with the non-standard {state.lookalike[0]}, which is no terminal event)"


def on_lookalike(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    """A non-standard terminal (``validator.nonstandard``): remembered for the end-of-stream message."""
    state.lookalike = (kind, state.events)


def on_error(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    """An `error` event: its place in the stream is the response automaton's (``before_event``)."""


HANDLERS = {
    **dict.fromkeys(_STATUS, on_lifecycle),
    "error": on_error,
    **{entry.name: on_lookalike for entry in nonstandard.REGISTRY if entry.origin == "terminal"},
}
