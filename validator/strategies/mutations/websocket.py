"""Session mutation operators: one precise WebSocket defect in an otherwise valid session.

Each operator is a name, a one-line description, the WSS codes it must trigger,
where it applies (profiles, session shapes), and a function that, given a valid
``GeneratedSession`` and a source of choices, returns the broken records, or
None when the session offers it nothing to break (so it never claims codes for
a no-op). As with the stream operators, declared codes are the ones the defect
triggers whatever else the session holds; the codes of rules the profile does
not check are removed (``SessionMutation.codes``).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from validator.rules import catalogue
from validator.strategies.session_model import SHAPES, GeneratedSession, ws_error
from validator.wsframes import MAX_MESSAGE_BYTES, RECEIVE, SEND, WsClose, WsMessage, WsOpen, WsRecord, record_line

Pick = Callable[[int], int]
TERMINAL = ("response.completed", "response.incomplete", "response.failed")


@dataclass(frozen=True)
class SessionMutation:
    """A broken session: its records, the operator, and the codes it must trigger in its profile."""

    operator: str
    profile: str
    records: list[WsRecord]
    declared: frozenset[str]
    detail: str

    @property
    def codes(self) -> frozenset[str]:
        rules = catalogue()
        return frozenset(c for c in self.declared if self.profile in rules[c].severity)

    def frame_log(self) -> bytes:
        return b"".join(record_line(r) for r in self.records)


@dataclass(frozen=True)
class SessionOperator:
    name: str
    description: str
    codes: tuple[str, ...]
    apply: Callable[[GeneratedSession, Pick], tuple[list[WsRecord], str] | None]
    profiles: tuple[str, ...] = ("openai", "openresponses")
    shapes: tuple[str, ...] = SHAPES
    needs_not_found: bool = False

    def admits(self, session: GeneratedSession) -> bool:
        return (
            session.profile in self.profiles
            and session.plan.shape in self.shapes
            and (session.plan.not_found or not self.needs_not_found)
        )


SESSION_OPERATORS: dict[str, SessionOperator] = {}


def session_operator(
    name: str,
    description: str,
    *codes: str,
    profiles: tuple[str, ...] = ("openai", "openresponses"),
    shapes: tuple[str, ...] = SHAPES,
    needs_not_found: bool = False,
) -> Callable[[Callable[[GeneratedSession, Pick], Any]], Callable[[GeneratedSession, Pick], Any]]:
    def register(func: Callable[[GeneratedSession, Pick], Any]) -> Callable[[GeneratedSession, Pick], Any]:
        if name in SESSION_OPERATORS:
            raise ValueError(f"session operator {name} is already registered")
        SESSION_OPERATORS[name] = SessionOperator(name, description, codes, func, profiles, shapes, needs_not_found)
        return func

    return register


def mutate_session(session: GeneratedSession, operator: SessionOperator, pick: Pick) -> SessionMutation | None:
    """The operator's defect in ``session``, or None when it does not apply there."""
    if not operator.admits(session):
        return None
    result = operator.apply(session, pick)
    if result is None:
        return None
    records, detail = result
    return SessionMutation(operator.name, session.profile, records, frozenset(operator.codes), detail)


# ---- helpers ------------------------------------------------------------------------------------


@dataclass
class _View:
    """The session's records with each message's decoded value, for editing."""

    records: list[WsRecord]
    values: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, session: GeneratedSession) -> _View:
        records = copy.deepcopy(session.records)
        view = cls(records)
        for i, record in enumerate(records):
            if isinstance(record, WsMessage) and isinstance(record.data, str):
                view.values[i] = orjson.loads(record.data)
        return view

    def server(self, *types: str) -> list[int]:
        return [i for i, v in self.values.items()
                if self.records[i].direction == RECEIVE and (not types or v.get("type") in types)]  # type: ignore[union-attr]

    def client(self, kind: str) -> list[int]:
        return [i for i, v in self.values.items()
                if self.records[i].direction == SEND and v.get("type") == kind]  # type: ignore[union-attr]

    def set(self, index: int, value: Any) -> None:
        record = self.records[index]
        assert isinstance(record, WsMessage)
        self.records[index] = WsMessage(record.direction, orjson.dumps(value).decode(), record.time, record.line)
        self.values[index] = value

    def insert(self, index: int, direction: str, data: str) -> None:
        before = self.records[index - 1] if index > 0 else None
        when = before.time if before is not None else 0.0
        self.records.insert(index, WsMessage(direction, data, when))

    def close(self) -> WsClose:
        last = self.records[-1]
        assert isinstance(last, WsClose)
        return last


def _choose(items: list[int], pick: Pick) -> int | None:
    return items[pick(len(items))] if items else None


# ---- operators ----------------------------------------------------------------------------------


@session_operator("drop-create", "remove the response.create a response answers", "WSS001",
                  shapes=("sequential", "continuation"))
def _drop_create(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    answered = [i for i in view.client("response.create")
                if i + 1 < len(view.records) and i + 1 in view.values
                and view.values[i + 1].get("type") == "response.created"]
    index = _choose(answered, pick)
    if index is None:
        return None
    del view.records[index]
    return view.records, f"the response.create at record {index} is gone"


@session_operator("create-with-stream", "a response.create that carries `stream: true`", "WSS002")
def _create_with_stream(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose(view.client("response.create"), pick)
    if index is None:
        return None
    view.set(index, {**view.values[index], "stream": True})
    return view.records, f"the response.create at record {index} carries stream"


@session_operator("interleave-responses", "the next request is sent early and its response interleaves",
                  "WSS003", "WSS004", shapes=("sequential", "continuation"))
def _interleave(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    creates = view.client("response.create")
    # Two consecutive requests each answered by a response of three events or more.
    spans = []
    for a, b in itertools.pairwise(creates):
        first = list(range(a + 1, b))
        end = next((i for i in range(b + 1, len(view.records)) if i not in view.values
                    or view.records[i].direction == SEND), len(view.records) - 1)  # type: ignore[union-attr]
        second = list(range(b + 1, end))
        if (len(first) >= 3 and len(second) >= 2 and view.values[a + 1].get("type") == "response.created"
                and view.values[b + 1].get("type") == "response.created"):
            spans.append((a, first, b, second))
    if not spans:
        return None
    a, first, b, second = spans[pick(len(spans))]
    if session.plan.shape == "continuation":
        return None  # the second request needs the first response's id
    records = view.records
    merged: list[WsRecord] = [records[a], records[b], records[first[0]], records[second[0]]]
    rest_first, rest_second = [records[i] for i in first[1:]], [records[i] for i in second[1:]]
    while rest_first or rest_second:
        if rest_first:
            merged.append(rest_first.pop(0))
        if rest_second:
            merged.append(rest_second.pop(0))
    out = records[:a] + merged + records[second[-1] + 1 :]
    return out, f"the responses to the requests at records {a} and {b} interleave"


@session_operator("drop-stream-id", "one event of a lane loses its stream_id", "WSS005", profiles=("openai",),
                  shapes=("lanes",))
def _drop_stream_id(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose([i for i in view.server() if "stream_id" in view.values[i]], pick)
    if index is None:
        return None
    value = dict(view.values[index])
    del value["stream_id"]
    view.set(index, value)
    return view.records, f"{value.get('type')} at record {index} has no stream_id"


@session_operator("drop-successor", "the steered response's successor never comes", "WSS006",
                  profiles=("openai",), shapes=("steering",))
def _drop_successor(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    accepted = view.server("response.steer.accepted")
    if not accepted:
        return None
    start = accepted[0] + 1
    end = next((i for i in range(start, len(view.records)) if i not in view.values
                or view.records[i].direction == SEND), len(view.records) - 1)  # type: ignore[union-attr]
    if end <= start:
        return None
    del view.records[start:end]
    return view.records, "the successor's events are gone"


@session_operator("stray-steer-accepted", "a response.steer.accepted that answers no response.steer", "WSS007",
                  profiles=("openai",))
def _stray_steer(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose(view.server("response.created"), pick)
    if index is None:
        return None
    created = view.values[index]
    event = {"type": "response.steer.accepted", "sequence_number": 0,
             "steer": {"id": "steer_stray", "previous_response_id": created["response"]["id"] + "_other"}}
    if "stream_id" in created:
        event["stream_id"] = created["stream_id"]
    view.insert(index + 1, RECEIVE, orjson.dumps(event).decode())
    return view.records, f"a stray response.steer.accepted after record {index}"


def _errors(view: _View) -> list[int]:
    return [i for i in view.server("error") if isinstance(view.values[i].get("error"), dict)]


@session_operator("flat-error", "a WebSocket error sent in the flat SSE shape", "WSS008")
def _flat_error(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose(_errors(view), pick)
    if index is None:
        return None
    value = dict(view.values[index])
    inner = value.pop("error")
    value.update(code=inner.get("code"), message=inner.get("message"), param=inner.get("param"))
    view.set(index, value)
    return view.records, f"the error at record {index} is flat"


@session_operator("drop-error-status", "a WebSocket error envelope without `status`", "WSS009",
                  profiles=("openresponses",))
def _drop_status(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose([i for i in _errors(view) if "status" in view.values[i]], pick)
    if index is None:
        return None
    value = dict(view.values[index])
    del value["status"]
    view.set(index, value)
    return view.records, f"the error at record {index} has no status"


@session_operator("wrong-not-found-code", "an unknown store=false continuation fails with another code", "WSS010",
                  needs_not_found=True)
def _wrong_code(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    found = [i for i in _errors(view) if view.values[i]["error"].get("code") == "previous_response_not_found"]
    index = _choose(found, pick)
    if index is None:
        return None
    value = copy.deepcopy(view.values[index])
    value["error"]["code"] = "invalid_request"
    view.set(index, value)
    return view.records, f"the error at record {index} says invalid_request"


@session_operator("refuse-continuation", "a store=false continuation from the last response fails", "WSS020",
                  shapes=("continuation",))
def _refuse_continuation(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    created = {v["response"]["id"] for v in view.values.values() if v.get("type") == "response.created"}
    creates = [i for i in view.client("response.create")
               if view.values[i].get("previous_response_id") in created and view.values[i].get("store") is False
               and i + 1 in view.values and view.values[i + 1].get("type") == "response.created"]
    index = _choose(creates, pick)
    if index is None:
        return None
    end = next((i for i in range(index + 1, len(view.records)) if i not in view.values
                or view.records[i].direction == SEND), len(view.records) - 1)  # type: ignore[union-attr]
    previous = view.values[index]["previous_response_id"]
    error = ws_error(400, "invalid_request_error", "previous_response_not_found",
                     f"Previous response with id '{previous}' not found.", "previous_response_id")
    records = view.records[: index + 1]
    records.append(WsMessage(RECEIVE, orjson.dumps(error).decode(), view.records[index].time))
    return records + view.records[end:], f"the continuation at record {index} fails"


@session_operator("silent-connection-limit", "the server closes after an hour without the limit error", "WSS011")
def _silent_limit(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    close = view.close()
    view.records[-1] = WsClose(1001, "", "server", (close.time or 0.0) + 3600.0, close.line)
    return view.records, "the server closes after 60 minutes with 1001 and no error"


@session_operator("done-sentinel", "a [DONE] message after a response's terminal event", "WSS012")
def _done(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose(view.server(*TERMINAL), pick)
    if index is None:
        return None
    view.insert(index + 1, RECEIVE, "[DONE]")
    return view.records, f"[DONE] after record {index}"


@session_operator("close-mid-response", "the server drops the connection (1006) in the middle of a response",
                  "WSS013")
def _close_mid(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose([i for i in view.server() if view.values[i].get("type") not in (*TERMINAL, "error")
                     and "response.steer" not in str(view.values[i].get("type"))], pick)
    if index is None:
        return None
    last = view.records[index]
    out = view.records[: index + 1]
    out.append(WsClose(None, "", "server", last.time))
    return out, f"the connection drops after record {index}"


@session_operator("unanswered-request", "a last response.create that the server never answers", "WSS014")
def _unanswered(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    creates = view.client("response.create")
    if not creates:
        return None
    request = dict(view.values[creates[-1]], input="One more.")
    request.pop("previous_response_id", None)
    view.insert(len(view.records) - 1, SEND, orjson.dumps(request).decode())
    close = view.close()
    view.records[-1] = WsClose(1000, "", "server", close.time, close.line)
    return view.records, "the last request gets no answer before the server closes"


@session_operator("huge-message", "one server message of 16 MiB", "WSS015")
def _huge(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose(view.server("response.created"), pick)
    if index is None:
        return None
    value = copy.deepcopy(view.values[index])
    value["response"]["metadata"] = {"padding": "x" * MAX_MESSAGE_BYTES}
    view.set(index, value)
    return view.records, f"the response.created at record {index} is 16 MiB"


@session_operator("stray-error", "an error between turns, when no request waits for one", "WSS016",
                  shapes=("sequential", "continuation", "steering"))
def _stray_error(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    ends = [i for i in view.server(*TERMINAL)
            if i + 1 < len(view.records) and (i + 1 not in view.values or view.records[i + 1].direction == SEND)]  # type: ignore[union-attr]
    index = _choose(ends, pick)
    if index is None:
        return None
    error = ws_error(500, "server_error", "server_error", "An error meant for an earlier request.")
    view.insert(index + 1, RECEIVE, orjson.dumps(error).decode())
    return view.records, f"an error with no request after record {index}"


@session_operator("response-done", "a response ends with response.done", "WSS017")
def _response_done(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose(view.server("response.completed"), pick)
    if index is None:
        return None
    view.set(index, {**view.values[index], "type": "response.done"})
    return view.records, f"the response.completed at record {index} is response.done"


@session_operator("upgrade-refused", "the handshake is answered with HTTP 400", "WSS018")
def _refused(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    first = view.records[0]
    if not isinstance(first, WsOpen):
        return None
    view.records[0] = WsOpen(first.url, 400, first.time, first.line)
    return view.records, "the upgrade got HTTP 400"


@session_operator("not-json-message", "one server message is not JSON", "WSS019")
def _not_json(session: GeneratedSession, pick: Pick) -> tuple[list[WsRecord], str] | None:
    view = _View.of(session)
    index = _choose(view.server(), pick)
    if index is None:
        return None
    record = view.records[index]
    assert isinstance(record, WsMessage)
    view.records[index] = WsMessage(RECEIVE, '{"type": "response.output_text.delta", ', record.time)
    return view.records, f"record {index} is not JSON"
