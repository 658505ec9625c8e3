"""A plain model of a valid WebSocket session: requests and the responses that answer them.

Nothing here knows about Hypothesis. A ``SessionPlan`` lists the responses (each a
``StreamPlan``, the same model SSE streams are generated from) and the session's
shape: sequential turns, a continuation chain (``previous_response_id`` with
``store=false``), a continuation from an unknown id that the server fails with
``previous_response_not_found``, two ``stream_id`` lanes whose events interleave
(openai), and a steered response followed by its successor (openai).
``build_session(plan)`` gives the records (``validator.wsframes``) a conforming
server and a conforming client exchange, as a frame log or a HAR file.

Over WebSocket every error is the envelope (``status``, a nested ``error`` with
``code``); sequence numbers count per response.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from validator.strategies.model import Json, Profile, StreamPlan, build_events
from validator.wsframes import RECEIVE, SEND, WsClose, WsMessage, WsOpen, WsRecord, record_line

URL = "ws://127.0.0.1:8765/v1/responses"
LANES = ("lane-a", "lane-b")
UNKNOWN_ID = "resp_0000000000000000000000000000000000000000000000ff"
STEER_ID = "steer_0001"
SHAPES = ("sequential", "continuation", "lanes", "steering")


@dataclass
class SessionPlan:
    """What decides a valid session.

    ``shape``: ``sequential`` (one request, then its response, then the next),
    ``continuation`` (each later request continues the previous response,
    ``store=false``), ``lanes`` (openai: every request is sent at once on two
    ``stream_id`` lanes; each lane answers in order, the lanes interleave) or
    ``steering`` (openai: the client steers the first response, which ends
    ``incomplete`` (``steered``); the second response is its automatic successor).
    ``not_found``: one more request continues from an id the connection never
    had, and is failed with ``previous_response_not_found``.
    """

    profile: Profile
    responses: list[StreamPlan]
    shape: str = "sequential"
    not_found: bool = False

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"unknown session shape {self.shape!r}; choose from {', '.join(SHAPES)}")
        if self.shape in ("lanes", "steering") and self.profile != "openai":
            raise ValueError(f"the {self.shape} shape exists only in the openai profile")
        if self.shape == "steering" and (
            len(self.responses) < 2
            or self.responses[0].ending != "completed"
            or self.responses[1].ending == "error_only"
        ):
            raise ValueError(
                "the steering shape needs a completed first response (it is steered) and a second that is one "
                "(its successor)"
            )
        if not self.responses:
            raise ValueError("a session plan needs at least one response")
        if self.shape == "continuation" and any(p.ending == "error_only" for p in self.responses):
            # A failed continuation would be a refusal (WSS020), a failed first link a dangling one (WSS010).
            raise ValueError("a continuation chain needs a response at every link (no error_only ending)")


@dataclass(frozen=True)
class GeneratedSession:
    """A valid session: its plan and its records (open, messages both ways, close)."""

    plan: SessionPlan
    records: list[WsRecord]

    @property
    def profile(self) -> Profile:
        return self.plan.profile

    def messages(self) -> list[WsMessage]:
        return [r for r in self.records if isinstance(r, WsMessage)]

    def frame_log(self) -> bytes:
        return b"".join(record_line(r) for r in self.records)

    def har(self) -> bytes:
        return har_bytes(self.records)

    def turns(self) -> list[tuple[Json | None, list[Json]]]:
        """Each client message with the server messages that follow it (before the next client message)."""
        out: list[tuple[Json | None, list[Json]]] = []
        for message in self.messages():
            value = orjson.loads(message.data)
            if message.direction == SEND:
                out.append((value, []))
            elif out:
                out[-1][1].append(value)
            else:
                out.append((None, [value]))
        return out

    def __repr__(self) -> str:
        return (
            f"<GeneratedSession {self.profile} {self.plan.shape}: {len(self.plan.responses)} responses, "
            f"{len(self.messages())} messages; .frame_log() for the bytes>"
        )


def ws_error(status: int, kind: str, code: str, message: str, param: str | None = None) -> Json:
    """A WebSocket error envelope."""
    error = {"type": kind, "code": code, "message": message, "param": param}
    return {"type": "error", "status": status, "error": error}


def response_events(plan: StreamPlan, number: int) -> list[Json]:
    """One response's server messages over WebSocket: its SSE events, errors as envelopes."""
    plan = _unique(plan, number)
    out = []
    for event in build_events(plan):
        if event["type"] == "error":
            inner = event.get("error") or {k: event.get(k) for k in ("code", "message", "param")}
            envelope = ws_error(500, "server_error", str(inner.get("code") or "server_error"), str(inner["message"]))
            if plan.ending != "error_only":  # an error inside a response keeps its place in the numbering
                envelope["sequence_number"] = event["sequence_number"]
            out.append(envelope)
        else:
            out.append(event)
    return out


def _unique(plan: StreamPlan, number: int) -> StreamPlan:
    """The plan with ids unique in the session (the response's number in their last hex digits)."""
    tail = f"{number:02x}"
    items = []
    for item in plan.items:
        item = copy.deepcopy(item)
        item.id = item.id[:-6] + tail + item.id[-4:]
        if item.call_id:
            item.call_id = item.call_id[:-6] + tail + item.call_id[-4:]
        items.append(item)
    return replace(plan, response_id=plan.response_id[:-2] + tail, items=items)


def request_for(plan: StreamPlan, number: int) -> Json:
    return {"type": "response.create", "model": plan.model, "input": f"Turn {number}: say something."}


@dataclass
class _Writer:
    records: list[WsRecord] = field(default_factory=list)
    clock: float = 0.0

    def add(self, direction: str, value: Any) -> None:
        self.clock += 0.001
        self.records.append(WsMessage(direction, orjson.dumps(value).decode(), round(self.clock, 6)))


def build_session(plan: SessionPlan) -> GeneratedSession:
    """The records of a valid session, in order."""
    out = _Writer([WsOpen(URL, 101, 0.0)])
    answers = [response_events(p, n) for n, p in enumerate(plan.responses)]
    requests = [request_for(p, n) for n, p in enumerate(plan.responses)]
    ids = [_unique(p, n).response_id for n, p in enumerate(plan.responses)]
    if plan.shape == "lanes":
        _lanes(out, requests, answers)
    elif plan.shape == "steering":
        _steering(out, requests, answers, ids)
    else:
        for n, (request, events) in enumerate(zip(requests, answers, strict=True)):
            if plan.shape == "continuation" and n > 0:
                request.update(previous_response_id=ids[n - 1], store=False)
            out.add(SEND, request)
            for event in events:
                out.add(RECEIVE, event)
    if plan.not_found:
        request = dict(requests[0], previous_response_id=UNKNOWN_ID, store=False, input="Go on.")
        error = ws_error(400, "invalid_request_error", "previous_response_not_found",
                         f"Previous response with id '{UNKNOWN_ID}' not found.", "previous_response_id")
        if plan.shape == "lanes":
            request["stream_id"] = error["stream_id"] = LANES[0]
        out.add(SEND, request)
        out.add(RECEIVE, error)
    out.clock += 0.001
    out.records.append(WsClose(1000, "", "client", round(out.clock, 6)))
    return GeneratedSession(plan, out.records)


def _lanes(out: _Writer, requests: list[Json], answers: list[list[Json]]) -> None:
    """Every request at once, alternating lanes; each lane answers in order, one event per lane in turn."""
    queues: dict[str, list[Json]] = {lane: [] for lane in LANES}
    for n, (request, events) in enumerate(zip(requests, answers, strict=True)):
        lane = LANES[n % 2]
        request["stream_id"] = lane
        out.add(SEND, request)
        queues[lane].extend(dict(event, stream_id=lane) for event in events)
    while any(queues.values()):
        for lane in LANES:
            if queues[lane]:
                out.add(RECEIVE, queues[lane].pop(0))


def _steering(out: _Writer, requests: list[Json], answers: list[list[Json]], ids: list[str]) -> None:
    """Request 0; the client steers it; it ends steered; the server accepts, then the successor runs."""
    first, successor = answers[0], answers[1]
    out.add(SEND, requests[0])
    out.add(RECEIVE, first[0])
    out.add(SEND, {"type": "response.steer", "previous_response_id": ids[0], "input": "Actually, be brief."})
    for event in first[1:-1]:
        out.add(RECEIVE, event)
    terminal = copy.deepcopy(first[-1])
    if terminal["type"] == "response.completed":
        terminal["type"] = "response.incomplete"
        terminal["response"].update(status="incomplete", incomplete_details={"reason": "steered"}, completed_at=None)
    out.add(RECEIVE, terminal)
    out.add(RECEIVE, {
        "type": "response.steer.accepted",
        "sequence_number": terminal["sequence_number"] + 1,
        "steer": {"id": STEER_ID, "previous_response_id": ids[0]},
    })
    for event in successor:
        if event["type"] in ("response.created", "response.in_progress") or "response" in event:
            event = copy.deepcopy(event)
            event["response"]["previous_response_id"] = ids[0]
        out.add(RECEIVE, event)
    for request, events in zip(requests[2:], answers[2:], strict=True):
        out.add(SEND, request)
        for event in events:
            out.add(RECEIVE, event)


def har_bytes(records: list[WsRecord]) -> bytes:
    """A HAR archive with the session as one entry, as browsers record WebSocket traffic."""
    opening = next((r for r in records if isinstance(r, WsOpen)), WsOpen(URL, 101, 0.0))
    start = 1_750_000_000.0
    messages = [
        {
            "type": r.direction,
            "time": start + (r.time or 0.0),
            "opcode": 1 if isinstance(r.data, str) else 2,
            "data": r.data if isinstance(r.data, str) else base64.b64encode(r.data).decode(),
        }
        for r in records
        if isinstance(r, WsMessage)
    ]
    entry = {
        "startedDateTime": "2026-06-15T12:00:00.000Z",
        "time": 0,
        "request": {"method": "GET", "url": opening.url or URL, "httpVersion": "HTTP/1.1", "headers": []},
        "response": {"status": opening.status or 101, "statusText": "Switching Protocols", "headers": [],
                     "content": {"size": 0, "mimeType": "x-unknown"}},
        "_resourceType": "websocket",
        "_webSocketMessages": messages,
    }
    return orjson.dumps({"log": {"version": "1.2", "creator": {"name": "responses-conformance"}, "entries": [entry]}},
                        option=orjson.OPT_INDENT_2)
