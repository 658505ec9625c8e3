"""LIF checks: one response, opened once, ended by exactly one terminal event."""

from __future__ import annotations

from typing import Any

from validator.machine.state import State, as_int, as_str
from validator.model import Event
from validator.rules import lifecycle as rules

LIFECYCLE = frozenset(
    {
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.completed",
        "response.failed",
        "response.incomplete",
    }
)
TERMINAL = frozenset({"response.completed", "response.failed", "response.incomplete"})
_STATUS = {
    "response.created": ("in_progress", "queued"),
    "response.queued": ("queued",),
    "response.in_progress": ("in_progress",),
    "response.completed": ("completed",),
    "response.failed": ("failed",),
    "response.incomplete": ("incomplete",),
}


def before_event(state: State, event: Event, payload: dict[str, Any], kind: str) -> bool:
    """Checks that come before everything else; False when the event must not be processed further."""
    if state.events == 1:
        _first(state, event, payload, kind)
    if state.terminal is not None:
        if not state.after_terminal_reported:
            state.after_terminal_reported = True
            state.emit(rules.AFTER_TERMINAL, f"{kind} after the terminal {state.terminal}", event)
        if kind == "response.created" and not state.second_lifecycle_reported:
            state.second_lifecycle_reported = True
            state.emit(
                rules.DUPLICATE_CREATED,
                f"response.created after the terminal {state.terminal}: a second lifecycle in the same body",
                event,
            )
        return False
    if state.error_event is not None and kind != "response.failed":
        if not state.after_terminal_reported:
            state.after_terminal_reported = True
            state.emit(
                rules.AFTER_TERMINAL,
                f"{kind} after the error event on line {state.error_event.line}: only response.failed may follow",
                event,
            )
        return False
    return True


def _first(state: State, event: Event, payload: dict[str, Any], kind: str) -> None:
    state.first_type = kind
    if kind in ("response.created", "error"):
        return
    seq = as_int(payload.get("sequence_number"))
    if seq is not None and seq > 0:
        state.resumed = True
        return
    if kind == "response.queued":
        state.emit(
            rules.QUEUED_WITHOUT_CREATED,
            "stream opens with response.queued; OpenAI sends response.created (status queued) first",
            event,
            expected="response.created",
            actual=kind,
        )
        return
    state.emit(
        rules.FIRST_EVENT,
        f"first event is {kind}, not response.created",
        event,
        pointer="/type",
        expected="response.created",
        actual=kind,
    )


def on_lifecycle(state: State, event: Event, payload: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """Track one lifecycle event; return its response snapshot when it has one."""
    response = payload.get("response")
    if kind == "response.created":
        if state.created and not state.second_lifecycle_reported:
            state.second_lifecycle_reported = True
            state.emit(rules.DUPLICATE_CREATED, "second response.created: a new lifecycle in the same stream", event)
        state.created = True
    elif kind == "response.in_progress":
        state.in_progress += 1
        if state.in_progress > 1:
            state.emit(rules.IN_PROGRESS_REPEATED, f"response.in_progress #{state.in_progress}", event)
        elif state.items:
            state.emit(
                rules.IN_PROGRESS_LATE,
                f"response.in_progress after {len(state.items)} output item(s) were added",
                event,
            )
    if kind in TERMINAL:
        state.terminal = kind
    if not isinstance(response, dict):
        return None
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
    _stable_fields(state, event, response, kind)
    return response


def _stable_fields(state: State, event: Event, response: dict[str, Any], kind: str) -> None:
    model = response.get("model")
    if isinstance(model, str) and model:
        if state.model is None:
            state.model = model
        elif model != state.model:
            state.emit(
                rules.FIELD_CHANGED,
                f"{kind} reports model {model!r}, earlier lifecycle events {state.model!r}",
                event,
                pointer="/response/model",
                expected=state.model,
                actual=model,
            )
    created_at = response.get("created_at")
    if isinstance(created_at, (int, float)) and not isinstance(created_at, bool):
        if state.created_at is None:
            state.created_at = created_at
        elif created_at != state.created_at:
            state.emit(
                rules.FIELD_CHANGED,
                f"{kind} reports created_at {created_at}, earlier lifecycle events {state.created_at}",
                event,
                pointer="/response/created_at",
                expected=state.created_at,
                actual=created_at,
            )


def on_error(state: State, event: Event) -> None:
    state.error_event = event


def close(state: State) -> None:
    if state.events == 0:
        return
    last = state.last
    if state.terminal is None and state.error_event is None:
        state.emit(
            rules.NO_TERMINAL,
            f"stream ends after {state.events} event(s) without response.completed, "
            "response.failed or response.incomplete",
            last,
        )
    if state.error_event is not None and state.terminal is None and state.created:
        state.emit(
            rules.ERROR_NOT_FOLLOWED,
            f"the error event on line {state.error_event.line} is not followed by response.failed",
            last,
        )
