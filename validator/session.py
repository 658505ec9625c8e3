"""The model of a WebSocket session: many responses on one connection, each checked as over SSE.

``SessionChecker`` is I/O-free, as ``Checker`` is: the caller owns the socket
or the capture and hands over what happened, in order: ``opened`` (the
handshake), ``message`` (a message in either direction), ``closed`` (how the
connection ended; None when the capture just stops). Each call returns the
findings it completes.

Inside, every response gets its own ``Checker`` (``transport="events"``: the
SSE framing rules do not apply; sequence numbers count per response), fed
the server events that belong to it, so the state machine is the one SSE
streams go through. The session itself checks the WSS rules
(``validator.rules.websocket``): which request each response answers, lanes
and ordering, the error envelope, continuation, steering, how the connection
ended. Its findings go through one ``Emitter`` of their own, with the same
selection, counting and redaction.

Requests are answered in order per lane: a response, or an error with no
response in flight, takes the oldest unanswered ``response.create`` of its
lane. Lanes are the ``stream_id`` values in the ``openai`` profile (requests
without one share the default lane); in ``openresponses`` the connection is
one lane. An event goes to the in-flight response of its lane; when a fault
leaves several in flight it goes to the one its response id, item id or next
sequence number names.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from validator.checker import Checker, check_stream
from validator.emitter import Emitter
from validator.errors import InputError
from validator.model import Elided, Event, Finding
from validator.report import StreamReport
from validator.rules import PROFILES, Rule
from validator.rules import websocket as rules
from validator.sources import Stream
from validator.timeline import Timeline
from validator.wsframes import MAX_MESSAGE_BYTES, SEND, WsClose, WsMessage, WsOpen, WsRecord

TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})
STARTS = frozenset({"response.created", "response.queued"})
TRANSPORT_FIELDS = ("stream", "stream_options", "background")
CONNECTION_LIMIT = "websocket_connection_limit_reached"
NOT_FOUND = "previous_response_not_found"
CONNECTION_MINUTES = 60
# Close codes worth naming in a message (RFC 6455, 7.4.1).
CLOSE_NAMES = {1000: "normal", 1001: "going away", 1006: "abnormal, no close frame", 1009: "message too big",
               1011: "internal error"}


@dataclass(slots=True)
class Request:
    """A ``response.create`` the client sent, waiting for its answer."""

    event: Event
    lane: str | None
    previous_response_id: str | None
    store: Any


@dataclass(slots=True)
class ResponseRun:
    """One response inside the session, with the Checker that judges it."""

    number: int
    checker: Checker
    lane: str | None
    request: Request | None
    findings: list[Finding] = field(default_factory=list)
    response_id: str | None = None
    last_seq: int | None = None
    ended: bool = False  # its terminal event (or an error) was seen
    errored: bool = False
    status: str | None = None
    root: tuple[str, int | None] | None = None  # a session finding its end-of-stream findings follow from
    last_index: int = -1  # the session message index of its last event
    timeline: Timeline | None = None


@dataclass(slots=True)
class Lane:
    key: str | None
    pending: deque[Request] = field(default_factory=deque)
    active: list[ResponseRun] = field(default_factory=list)
    steered: ResponseRun | None = None  # ended `incomplete` (steered): its successor is due
    steers: int = 0  # accepted steering submissions not yet committed to a successor


class SessionChecker:
    """Checks one WebSocket session: its records in, findings out (the session's and its responses')."""

    def __init__(
        self,
        profile: str = "openai",
        *,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        source: str = "<session>",
        max_per_rule: int | None = None,
        shortcuts: bool = True,
        redact: Callable[[str], str] | None = None,
        on_event: Callable[[int, Event], object] | None = None,
        timelines: bool = False,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
        self.profile = profile
        self.source = source
        self._options: dict[str, Any] = {
            "select": select, "ignore": ignore, "max_per_rule": max_per_rule, "shortcuts": shortcuts, "redact": redact,
        }
        self._emitter = Emitter(profile, f"{source}#session", select, ignore, max_per_rule, redact=redact)
        self._on_event = on_event  # (response number, event): what each response received
        self._timelines = timelines  # each response keeps a Timeline of its events (the HTML report)
        self.findings: list[Finding] = []  # the session's own
        self.errors: list[dict[str, Any]] = []  # every error message the server sent
        self.runs: list[ResponseRun] = []
        self._lanes: dict[str | None, Lane] = {}
        self._by_id: dict[str, ResponseRun] = {}
        self._by_item: dict[str, ResponseRun] = {}
        self._produced: set[str] = set()  # response ids this connection produced and still holds
        self._latest: str | None = None  # the most recent response id
        self._steers: dict[str, int] = {}  # previous_response_id -> steers sent and not yet answered
        self._accepted: set[str] = set()  # steering ids accepted
        self._opening: WsOpen | None = None
        self._first_time: float | None = None
        self._limit_error = False
        self.messages = 0
        self._seen: set[tuple[int, str]] = set()
        self._unreadable: tuple[str, int] | None = None  # the last server message that was no event
        self._fresh: list[Finding] = []  # the responses' findings since the last call returned
        self._closed = False

    # ---- input ----------------------------------------------------------------------------------

    def feed(self, record: WsRecord) -> list[Finding]:
        """One record of a capture, whatever its kind."""
        if isinstance(record, WsMessage):
            return self.message(record)
        if isinstance(record, WsOpen):
            return self.opened(record)
        return self.closed(record)

    def opened(self, opening: WsOpen) -> list[Finding]:
        self._opening = opening
        if opening.time is not None and self._first_time is None:
            self._first_time = opening.time
        if opening.status is not None and opening.status != 101:
            event = Event(None, -1, opening.line)
            self._emit(rules.UPGRADE_REFUSED, f"the WebSocket upgrade was answered with HTTP {opening.status}, not 101",
                       event, expected=101, actual=opening.status)
        return self._take()

    def message(self, message: WsMessage) -> list[Finding]:
        """One message in either direction; the findings it completes."""
        if self._closed:
            raise RuntimeError("message() after closed()")
        index = self.messages
        self.messages += 1
        if message.time is not None and self._first_time is None:
            self._first_time = message.time
        size = message.size
        payload, problem = _decode(message.data)
        event = Event(payload, index, message.line, error=problem)
        if size >= MAX_MESSAGE_BYTES:
            side = "client" if message.direction == SEND else "server"
            self._emit(rules.FRAME_TOO_LARGE, f"a {side} message of {size:,} bytes (16 MiB or more)", event,
                       actual=size)
        if message.direction == SEND:
            self._client(event, payload)
        else:
            self._server(event, payload, message.data)
        return self._take()

    def closed(self, close: WsClose | None) -> list[Finding]:
        """The end of the session: ``close`` as recorded, or None when the capture stops without one."""
        if self._closed:
            return []
        self._closed = True
        where = Event(None, self.messages, close.line if close is not None else 0)
        if close is not None:
            self._judge_close(close, where)
        for lane in self._lanes.values():
            if lane.steered is not None:
                self._emit(rules.STEERED_WITHOUT_SUCCESSOR,
                           f"response[{lane.steered.number}] ended steered; the session ended with no successor",
                           where)
        for run in self.runs:
            finished = self._finish(run)
            run.findings += finished
            self._fresh += finished
        return self._take()

    def emit(self, rule: Rule, message: str, *, response: int | None = None, **where: Any) -> list[Finding]:
        """A finding of the caller's own (a live transport's, a scenario's), located at the last message.

        With ``response=N`` it belongs to that response, through its Checker.
        """
        if response is not None:
            run = self.runs[response]
            new = run.checker.emit(rule, message, **where)
            run.findings += new
            return new
        self._emit(rule, message, Event(None, max(0, self.messages - 1)), **where)
        return self._take()

    # ---- what was seen --------------------------------------------------------------------------

    @property
    def awaiting(self) -> int:
        """Requests not answered yet plus responses still in flight (0: the client may stop waiting)."""
        return sum(len(lane.pending) + sum(1 for run in lane.active if not run.ended) for lane in self._lanes.values())

    def reports(self, name: str | None = None, fmt: str = "ws") -> list[StreamReport]:
        """The session's report, then one per response (after ``closed``)."""
        base = name or self.source
        session = StreamReport(f"{base}#session", self.profile, fmt, events=self.messages, findings=self.findings,
                               elided=self._emitter.elided())
        return [session] + [
            StreamReport(f"{base}#response[{run.number}]", self.profile, fmt, events=run.checker.events,
                         findings=run.findings, elided=run.checker.elided(), timeline=run.timeline)
            for run in self.runs
        ]

    def elided(self) -> list[Elided]:
        return self._emitter.elided()

    # ---- client messages ------------------------------------------------------------------------

    def _client(self, event: Event, payload: Any) -> None:
        if not isinstance(payload, dict):
            return  # what the client sends is the server's to refuse
        kind = payload.get("type")
        if kind == "response.create":
            sent = [name for name in TRANSPORT_FIELDS if name in payload]
            if sent:
                self._emit(rules.TRANSPORT_FIELD_SENT,
                           f"response.create carries {', '.join(sent)}, which WebSocket requests must not send",
                           event, pointer=f"/{sent[0]}")
            previous = payload.get("previous_response_id")
            request = Request(event, self._lane_key(payload), previous if isinstance(previous, str) else None,
                              payload.get("store"))
            self._lane(request.lane).pending.append(request)
        elif kind == "response.steer" and self.profile == "openai":
            target = payload.get("previous_response_id")
            if isinstance(target, str):
                self._steers[target] = self._steers.get(target, 0) + 1

    def _lane_key(self, payload: dict[str, Any]) -> str | None:
        if self.profile != "openai":
            return None
        key = payload.get("stream_id")
        return key if isinstance(key, str) else None

    def _lane(self, key: str | None) -> Lane:
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = Lane(key)
        return lane

    # ---- server messages ------------------------------------------------------------------------

    def _server(self, event: Event, payload: Any, data: str | bytes) -> None:
        if payload is None or not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            text = data.strip() if isinstance(data, str) else data.strip().decode("utf-8", "replace")
            done = text in ("[DONE]", "data: [DONE]")
            self._unreadable = (rules.DONE_SENTINEL.code if done else rules.MESSAGE_NOT_EVENT.code, event.index)
            if done:
                self._emit(rules.DONE_SENTINEL, "the server sent [DONE] over the WebSocket", event)
            elif event.error is not None:
                self._emit(rules.MESSAGE_NOT_EVENT, f"a server message is not JSON ({event.error})", event)
            elif not isinstance(payload, dict):
                self._emit(rules.MESSAGE_NOT_EVENT, f"a server message is JSON {type(payload).__name__}, "
                           "not an event object", event)
            else:
                self._emit(rules.MESSAGE_NOT_EVENT, "a server message has no string `type`", event, pointer="/type")
            return
        kind = payload["type"]
        if kind == "error":
            self._error(event, payload)
        elif kind.startswith("response.steer.") and self.profile == "openai":
            self._steer_event(event, payload, kind)
        elif kind == "response.done":
            self._nonstandard_end(event, payload)
        else:
            self._response_event(event, payload, kind)

    def _event_lane(self, payload: dict[str, Any]) -> tuple[Lane, bool]:
        """The lane an event belongs to, and whether it lacks that lane's ``stream_id`` (WSS005)."""
        key = self._lane_key(payload)
        if key is not None or self.profile != "openai":
            return self._lane(key), False
        default = self._lanes.get(None)
        if default is not None and (default.active or default.pending or default.steered):
            return default, False
        busy = [lane for lane in self._lanes.values() if lane.key is not None and (lane.active or lane.pending)]
        if not busy:
            return self._lane(None), False
        # The lane it must belong to: the one with a response in flight, else the one with the oldest request.
        lane = next((b for b in busy if b.active), None) or min(busy, key=lambda b: b.pending[0].event.index)
        return lane, True

    def _unechoed(self, run: ResponseRun | None, lane: Lane, event: Event, kind: str) -> None:
        if run is None or self._once(run, rules.STREAM_ID_NOT_ECHOED):
            self._emit(rules.STREAM_ID_NOT_ECHOED,
                       f"{kind} has no stream_id; the request of lane {lane.key!r} supplied one",
                       event, pointer="/stream_id", expected=lane.key)

    def _response_event(self, event: Event, payload: dict[str, Any], kind: str) -> None:
        run = self._owner(payload, kind)
        if run is not None and run.ended and kind in STARTS and self._lane(run.lane).pending:
            run = None  # a new response that reuses an earlier id
        if run is None:
            lane, unechoed = self._event_lane(payload)
            run = self._route(lane, payload) if kind not in STARTS else None
            if run is None:
                run = self._start(lane, event, payload, kind)
            if unechoed:
                self._unechoed(run, lane, event, kind)
        elif (
            self.profile == "openai"
            and run.lane is not None
            and payload.get("stream_id") != run.lane
            and self._once(run, rules.STREAM_ID_NOT_ECHOED)
        ):
            self._emit(rules.STREAM_ID_NOT_ECHOED,
                       f"{kind} of response[{run.number}] carries stream_id {payload.get('stream_id')!r}, "
                       f"its lane is {run.lane!r}", event, pointer="/stream_id", expected=run.lane,
                       actual=payload.get("stream_id"))
        self._deliver(run, event, payload, kind)

    def _owner(self, payload: dict[str, Any], kind: str) -> ResponseRun | None:
        """The response an event names by its response id or item id (a new item names none), if any."""
        response = payload.get("response")
        if isinstance(response, dict):
            rid = response.get("id")
            if isinstance(rid, str) and rid in self._by_id:
                return self._by_id[rid]
        if kind == "response.output_item.added":
            return None
        item_id = payload.get("item_id")
        if not isinstance(item_id, str):
            item = payload.get("item")
            item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str):
            return self._by_item.get(item_id)
        return None

    def _route(self, lane: Lane, payload: dict[str, Any]) -> ResponseRun | None:
        """The in-flight response of the lane this event continues (by its next sequence number when several)."""
        live = [run for run in lane.active if not run.ended]
        if len(live) <= 1:
            return live[0] if live else None
        seq = payload.get("sequence_number")
        if type(seq) is int:
            for run in live:
                if run.last_seq is not None and run.last_seq + 1 == seq:
                    return run
        return live[-1]

    def _start(self, lane: Lane, event: Event, payload: dict[str, Any], kind: str) -> ResponseRun:
        """A new response in the lane: whose request it answers, and whether it may start now."""
        live = [run for run in lane.active if not run.ended]
        if live:
            older = live[0]
            # An unreadable message after the older response's last event may have been its end.
            cause = self._unreadable if self._unreadable and self._unreadable[1] > older.last_index else None
            if cause is not None:
                older.root = cause
            if self.profile == "openresponses":
                self._emit(rules.MULTIPLEXED,
                           f"{kind} starts response[{len(self.runs)}] while response[{older.number}] is in flight",
                           event, caused_by=cause)
            else:
                self._emit(rules.LANE_NOT_FIFO,
                           f"{kind} starts response[{len(self.runs)}] in lane {lane.key!r} while "
                           f"response[{older.number}] of that lane is in flight", event, caused_by=cause)
        request: Request | None = None
        successor = self._successor(lane, payload)
        if not successor:
            if lane.steered is not None:
                self._emit(rules.STEERED_WITHOUT_SUCCESSOR,
                           f"response[{lane.steered.number}] ended steered, but the next response answers a request",
                           event)
                lane.steered = None
            if lane.pending:
                request = lane.pending.popleft()
            else:
                self._emit(rules.RESPONSE_WITHOUT_REQUEST,
                           f"{kind} starts response[{len(self.runs)}] with no response.create waiting"
                           + (f" in lane {lane.key!r}" if lane.key is not None else ""), event)
        if request is not None and self._unknown_continuation(request):
            self._emit(rules.CONTINUATION_NOT_REJECTED,
                       f"the store=false continuation from {request.previous_response_id!r} (request at message "
                       f"#{request.event.index}), which this connection does not hold, got a response instead of "
                       f"{NOT_FOUND}", event, expected=NOT_FOUND)
        number = len(self.runs)
        timeline = Timeline(redact=self._options["redact"]) if self._timelines else None
        checker = Checker(self.profile, source=f"{self.source}#response[{number}]", transport="events",
                          reconstruct=timeline is not None, on_event=timeline.add if timeline else None,
                          **self._options)
        run = ResponseRun(number, checker, lane.key, request, timeline=timeline)
        self.runs.append(run)
        lane.active.append(run)
        return run

    def _successor(self, lane: Lane, payload: dict[str, Any]) -> bool:
        """Whether a starting response is the automatic successor of a steered (or steered-into) response.

        With a request waiting too, only a response that continues the steered one is its successor.
        """
        if self.profile != "openai" or (lane.steered is None and not lane.steers):
            return False
        response = payload.get("response")
        previous = response.get("previous_response_id") if isinstance(response, dict) else None
        if lane.pending and (lane.steered is None or previous != lane.steered.response_id):
            return False
        lane.steered = None
        lane.steers = 0
        return True

    def _deliver(self, run: ResponseRun, event: Event, payload: dict[str, Any], kind: str) -> None:
        """Hand an event to its response's Checker, keeping what routing needs."""
        if "stream_id" in payload:
            payload = {k: v for k, v in payload.items() if k != "stream_id"}
            event = Event(payload, event.index, event.line, event.offset)
        response = payload.get("response")
        if isinstance(response, dict) and isinstance(response.get("id"), str):
            rid = response["id"]
            if run.response_id is None:
                run.response_id = rid
                self._by_id[rid] = run
                self._produced.add(rid)
                self._latest = rid
        if kind == "response.output_item.added":
            item = payload.get("item")
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self._by_item[item["id"]] = run
        seq = payload.get("sequence_number")
        if type(seq) is int:
            run.last_seq = seq
        if kind in TERMINAL and not run.ended:
            self._end(run, kind, response)
        if self._on_event is not None:
            self._on_event(run.number, event)
        run.last_index = event.index
        new = run.checker.feed(event)
        run.findings += new
        self._fresh += new

    def _end(self, run: ResponseRun, kind: str, response: Any) -> None:
        run.ended = True
        lane = self._lane(run.lane)
        if run in lane.active:
            lane.active.remove(run)
        status = response.get("status") if isinstance(response, dict) else None
        run.status = status if isinstance(status, str) else kind.removeprefix("response.")
        details = response.get("incomplete_details") if isinstance(response, dict) else None
        if (
            self.profile == "openai"
            and kind == "response.incomplete"
            and isinstance(details, dict)
            and details.get("reason") == "steered"
        ):
            lane.steered = run

    def _nonstandard_end(self, event: Event, payload: dict[str, Any]) -> None:
        run = self._owner(payload, "response.done")
        if run is None:
            run = self._route(self._event_lane(payload)[0], payload)
        self._emit(rules.NONSTANDARD_TERMINAL,
                   "response.done is not a Responses event; a response ends with response.completed, "
                   "response.failed or response.incomplete", event, pointer="/type", actual="response.done")
        if run is not None and not run.ended:
            run.root = (rules.NONSTANDARD_TERMINAL.code, event.index)
            self._end(run, "response.done", payload.get("response"))

    # ---- errors ---------------------------------------------------------------------------------

    def _error(self, event: Event, payload: dict[str, Any]) -> None:
        self.errors.append(payload)
        error = payload.get("error")
        details = error if isinstance(error, dict) else None
        if details is None or not isinstance(details.get("message"), str):
            flat = "a flat error (the SSE shape)" if "message" in payload else "no `error` object with a `message`"
            self._emit(rules.ERROR_NOT_NESTED, f"the WebSocket error envelope has {flat}", event, pointer="/error")
        code = details.get("code") if details is not None else payload.get("code")
        if self.profile == "openresponses":
            status = payload.get("status")
            missing = []
            if type(status) is not int:
                missing.append("integer `status`")
            if details is None or not isinstance(details.get("code"), str):
                missing.append("string `error.code`")
            if missing:
                self._emit(rules.ERROR_STATUS_OR_CODE,
                           f"the WebSocket error envelope has no {' and no '.join(missing)}",
                           event, pointer="/status" if type(status) is not int else "/error/code")
        if code == CONNECTION_LIMIT:
            self._limit_error = True
        lane, unechoed = self._event_lane(payload)
        run = self._owner(payload, "error") or self._route(lane, payload)
        if unechoed:
            self._unechoed(run, lane, event, "error")
        if run is not None:
            # An error during a response belongs to it: the response's Checker sees the SSE error event it stands for.
            run.errored = True
            run.ended = True
            if run in lane.active:
                lane.active.remove(run)
            self._deliver(run, event, self._as_sse_error(run, payload, details), "error")
            return
        if lane.pending:
            request = lane.pending.popleft()
            unknown = self._unknown_continuation(request)
            if request.previous_response_id is not None:
                self._produced.discard(request.previous_response_id)  # a failed continuation evicts its id
            latest = request.previous_response_id is not None and request.previous_response_id == self._latest
            if latest and request.store is False:
                self._emit(rules.CONTINUATION_REFUSED,
                           f"the store=false continuation from the connection's most recent response "
                           f"{request.previous_response_id!r} failed with {code!r}", event, actual=code)
            if unknown and code != NOT_FOUND:
                self._emit(rules.CONTINUATION_NOT_REJECTED,
                           f"the store=false continuation from {request.previous_response_id!r} failed with "
                           f"{code!r}, not {NOT_FOUND}", event, pointer="/error/code", expected=NOT_FOUND, actual=code)
            return
        if code != CONNECTION_LIMIT:
            self._emit(rules.ERROR_WITHOUT_REQUEST,
                       f"an error ({code!r}) with no response in flight and no request waiting"
                       + (f" in lane {lane.key!r}" if lane.key is not None else ""), event)

    def _as_sse_error(
        self, run: ResponseRun, payload: dict[str, Any], details: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The SSE `error` event a WebSocket error envelope stands for (its own shape is WSS008/WSS009's)."""
        source = details if details is not None else payload
        inner = {
            "type": source.get("type") if isinstance(source.get("type"), str) and details is not None else "error",
            "code": source.get("code") if isinstance(source.get("code"), str) else None,
            "message": source.get("message") if isinstance(source.get("message"), str) else "",
            "param": source.get("param") if isinstance(source.get("param"), str) else None,
        }
        out: dict[str, Any] = {"type": "error", "error": inner}
        seq = payload.get("sequence_number")
        if type(seq) is int:
            out["sequence_number"] = seq
        elif run.last_seq is not None:
            out["sequence_number"] = run.last_seq + 1
        return out

    def _unknown_continuation(self, request: Request) -> bool:
        """A store=false continuation from a response this connection does not hold."""
        previous = request.previous_response_id
        return previous is not None and request.store is False and previous not in self._produced

    # ---- steering (openai) ----------------------------------------------------------------------

    def _steer_event(self, event: Event, payload: dict[str, Any], kind: str) -> None:
        steer = payload.get("steer")
        steer = steer if isinstance(steer, dict) else {}
        target = steer.get("previous_response_id")
        target = target if isinstance(target, str) else None
        steer_id = steer.get("id") if isinstance(steer.get("id"), str) else None
        run = self._by_id.get(target) if target is not None else None
        if run is not None and run.lane is not None and payload.get("stream_id") != run.lane:
            self._emit(rules.STREAM_ID_NOT_ECHOED,
                       f"{kind} for response[{run.number}] does not carry its lane's stream_id {run.lane!r}",
                       event, pointer="/stream_id", expected=run.lane, actual=payload.get("stream_id"))
        if kind in ("response.steer.accepted", "response.steer.failed"):
            sent = self._steers.get(target, 0) if target is not None else 0
            if sent == 0:
                self._emit(rules.STEER_EVENT_OUT_OF_PLACE,
                           f"{kind} for {target!r}, but no response.steer for it awaits an answer", event,
                           pointer="/steer/previous_response_id")
            else:
                self._steers[target] = sent - 1  # type: ignore[index]
            if kind == "response.steer.accepted":
                if steer_id is not None:
                    self._accepted.add(steer_id)
                if run is not None:
                    self._lane(run.lane).steers += 1
        elif kind == "response.steer.pending":
            if steer_id is None or steer_id not in self._accepted:
                self._emit(rules.STEER_EVENT_OUT_OF_PLACE,
                           f"response.steer.pending names steering id {steer_id!r}, which was never accepted",
                           event, pointer="/steer/id")
            elif run is None or run.status != "completed":
                self._emit(rules.STEER_EVENT_OUT_OF_PLACE,
                           f"response.steer.pending for {target!r} before that response completed", event,
                           pointer="/steer/previous_response_id")

    # ---- the end --------------------------------------------------------------------------------

    def _judge_close(self, close: WsClose, where: Event) -> None:
        code = "no close frame (1006)" if close.code is None else f"close code {close.code}"
        if close.code in CLOSE_NAMES:
            code += f" ({CLOSE_NAMES[close.code]})"
        gave_up = close.by == "client"  # the client closed first: its own timeouts say why
        for lane in self._lanes.values():
            if gave_up:
                continue
            for run in lane.active:
                if not run.ended:
                    self._emit(rules.CLOSED_MID_RESPONSE,
                               f"the connection ended ({code}) while response[{run.number}] was in flight", where)
                    run.root = (rules.CLOSED_MID_RESPONSE.code, where.index)
            if not self._limit_error:
                for request in lane.pending:
                    self._emit(rules.REQUEST_NOT_ANSWERED,
                               f"the response.create at message #{request.event.index} was never answered before "
                               f"the connection ended ({code})", where)
        start = self._opening.time if self._opening is not None and self._opening.time is not None else (
            self._first_time)
        if close.time is not None and start is not None and close.by != "client" and not self._limit_error:
            minutes = (close.time - start) / 60
            if minutes >= CONNECTION_MINUTES:
                self._emit(rules.CONNECTION_LIMIT_WITHOUT_ERROR,
                           f"the connection ended ({code}) after {minutes:.0f} minutes without a "
                           f"{CONNECTION_LIMIT} error", where)

    def _finish(self, run: ResponseRun) -> list[Finding]:
        findings = run.checker.close()
        if run.timeline is not None:
            run.timeline.finish(run.checker.reconstruction())
        if run.root is not None:
            for finding in findings:
                if finding.code == "LIF007" and finding.caused_by is None:
                    finding.caused_by = run.root
        return findings

    # ---- inside ---------------------------------------------------------------------------------

    def _once(self, run: ResponseRun, rule: Rule) -> bool:
        """True the first time ``rule`` is reported for ``run``."""
        key = (run.number, rule.code)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _emit(self, rule: Rule, message: str, event: Event | None, **where: Any) -> None:
        self._emitter.emit(rule, message, event, **where)

    def _take(self) -> list[Finding]:
        """The findings since the last call: the session's, then the responses'."""
        new = self._emitter.take()
        self.findings += new
        fresh, self._fresh = self._fresh, []
        return new + fresh


def _decode(data: str | bytes) -> tuple[Any, str | None]:
    """A message's JSON value, or None and why it is not JSON."""
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError as exc:
        if isinstance(data, bytes):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as uni:
                return None, f"invalid UTF-8 at byte {uni.start}"
        if not data.strip():
            return None, "empty message"
        return None, f"invalid JSON: {exc.msg}"


def check_session(
    records: Iterable[WsRecord],
    profile: str = "openai",
    *,
    name: str = "<session>",
    fmt: str = "ws",
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    max_per_rule: int | None = None,
    shortcuts: bool = True,
    timelines: bool = False,
) -> list[StreamReport]:
    """Check a whole session: the session's report first, then one per response.

    A capture that cannot be read to its end keeps what was read; the session
    report carries the reason. ``timelines`` keeps each response's events for a
    report that draws them (the HTML report), as ``check_stream(timeline=...)`` does.
    """
    checker = SessionChecker(profile, select=select, ignore=ignore, source=name, max_per_rule=max_per_rule,
                             shortcuts=shortcuts, timelines=timelines)
    error = None
    closed = False
    try:
        for record in records:
            if isinstance(record, WsClose):
                checker.closed(record)
                closed = True
                break
            checker.feed(record)
    except InputError as exc:
        error = str(exc)
    if not closed:
        checker.closed(None)
    reports = checker.reports(name, fmt)
    reports[0].error = error
    return reports


def check_any(
    stream: Stream,
    profile: str = "openai",
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    max_per_rule: int | None = None,
    shortcuts: bool = True,
    resumed_after: int | None = None,
    timeline: bool = False,
    max_bytes: int | None = None,
    max_event_bytes: int | None = None,
) -> list[StreamReport]:
    """The reports of one stream: one for a response stream, the session's and each response's for a session.

    ``timeline``: each response keeps a ``Timeline`` of its events (``check_stream(timeline=...)``).
    ``max_bytes``/``max_event_bytes`` bound a response stream (``check_stream``); a session's
    messages are bounded by its own rules (WSS, 16 MiB a message) and its source's read limit.
    """
    if stream.frames is not None:
        reports = check_session(stream.frames, profile, name=stream.name, fmt=stream.format, select=select,
                                ignore=ignore, max_per_rule=max_per_rule, shortcuts=shortcuts, timelines=timeline)
        reports[0].http = stream.http
        return reports
    return [check_stream(stream, profile, select=select, ignore=ignore, max_per_rule=max_per_rule,
                         shortcuts=shortcuts, resumed_after=resumed_after,
                         timeline=Timeline() if timeline else None, max_bytes=max_bytes,
                         max_event_bytes=max_event_bytes)]
