"""One WebSocket scenario: open a socket, send each turn, check every message as it arrives.

Every message goes straight into a ``SessionChecker`` (one ``Checker`` per response
inside it), as HTTP bodies go into a ``Checker``; the transport's own findings go
through ``SessionChecker.emit``, with the same selection, counting and redaction.
Every wait is bounded: the opening handshake (connect + first byte), the silence
between two messages (idle) and the whole scenario (total). A message larger than
the event limit closes the socket (1009). With ``capture_dir`` the session is saved
as a frame log (``SCENARIO.ws.jsonl``) that ``validate`` reads back.

The WebSocket protocol is the ``websockets`` package's threaded client.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from validator.live.client import Target
from validator.live.scenarios import Observation
from validator.live.ws_scenarios import Context, Emit, Outcome, WsScenario
from validator.model import Event, HttpInfo
from validator.redact import Redactor
from validator.report import StreamReport
from validator.rules import Rule
from validator.rules import http as rules
from validator.session import SessionChecker
from validator.wsframes import RECEIVE, SEND, WsClose, WsMessage, WsOpen, WsRecord, record_line

CLOSE_TIMEOUT = 2.0
# How long the last turn listens on after every request was answered: a stray late message
# (a response answering a request that an error already answered) still gets checked.
GRACE = 0.1


def ws_url(base_url: str) -> str:
    """The WebSocket URL of ``BASE_URL/responses``: http becomes ws, https wss; a query is kept."""
    parts = urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme.lower(), parts.scheme.lower())
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/responses", parts.query, ""))


def ws_headers(target: Target) -> dict[str, str]:
    """The upgrade's headers: the credentials and the caller's extra headers (no content negotiation)."""
    return {k: v for k, v in target.request_headers().items() if k.lower() not in ("accept", "content-type")}


class _WsRun:
    """One scenario's socket: its SessionChecker, the observations per response, the capture."""

    def __init__(
        self, target: Target, scenario: WsScenario, profile: str, select: list[str] | None,
        ignore: list[str] | None, redactor: Redactor, timeline: bool = False,
    ) -> None:
        self.target = target
        self.scenario = scenario
        self.redactor = redactor
        self.capture_path = target.capture_dir / f"{scenario.name}.ws.jsonl" if target.capture_dir else None
        self.records: list[WsRecord] = []
        self.observations: dict[int, Observation] = {}
        self.session = SessionChecker(
            profile,
            select=select,
            ignore=[*(ignore or []), *scenario.ignore],
            source=str(self.capture_path) if self.capture_path is not None else f"live:{scenario.name}",
            redact=redactor.text,  # a server may echo what it was sent, the key included
            on_event=self._observe,
            timelines=timeline,
        )
        self.started = time.monotonic()
        self.bytes = 0
        self.closed = False

    def _observe(self, number: int, event: Event) -> None:
        if isinstance(event.payload, dict):
            self.observations.setdefault(number, Observation()).feed(event.payload)

    def now(self) -> float:
        return round(time.monotonic() - self.started, 6)

    def record(self, record: WsRecord) -> None:
        if self.capture_path is not None:
            self.records.append(record)
        if isinstance(record, WsClose):
            self.closed = True
            self.session.closed(record)
        else:
            self.session.feed(record)

    def emit(self, rule: Rule, message: str) -> None:
        self.session.emit(rule, message)

    def save_capture(self) -> None:
        if self.capture_path is not None:
            self.capture_path.parent.mkdir(parents=True, exist_ok=True)
            self.capture_path.write_bytes(b"".join(record_line(r) for r in self.records))


def run_ws_scenario(
    target: Target,
    scenario: WsScenario,
    profile: str = "openai",
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    timeline: bool = False,
    context: Context | None = None,
) -> list[StreamReport]:
    """Run one scenario on its own socket: the session's report, then one per response; then its
    ``then`` scenario on a new socket, which starts from what this one produced (``context``).

    ``timeline`` keeps each response's events (``report.timeline``) for the HTML report.
    """
    context = context if context is not None else Context(target.model)
    reports = _run_one_socket(target, scenario, profile, select, ignore, timeline, context)
    if scenario.then is not None:
        reports += run_ws_scenario(target, scenario.then, profile, select=select, ignore=ignore, timeline=timeline,
                                   context=context)
    return reports


def _run_one_socket(
    target: Target, scenario: WsScenario, profile: str, select: list[str] | None, ignore: list[str] | None,
    timeline: bool, context: Context,
) -> list[StreamReport]:
    redactor = target.redactor()
    headers = ws_headers(target)
    redactor.add_headers(headers)
    run = _WsRun(target, scenario, profile, select, ignore, redactor, timeline)
    url = ws_url(target.base_url)
    timeouts = target.timeouts
    shown = redactor.text(url)
    http = HttpInfo(method="GET", url=shown)
    outcome = Outcome({}, [], [])
    if scenario.compact_first is not None and context.compacted is None:
        context.compacted = _compact_first(run, target, scenario.compact_first(target.model))
        if context.compacted is None:
            return _finish(run, http, outcome)
    try:
        socket = connect(
            url,
            additional_headers=headers,
            open_timeout=min(timeouts.connect + timeouts.first_byte, timeouts.total),
            close_timeout=CLOSE_TIMEOUT,
            max_size=target.max_event_bytes,
            compression=None,
            user_agent_header="responses-conformance",
        )
    except InvalidStatus as exc:
        http.status = exc.response.status_code
        run.record(WsOpen(shown, http.status, run.now()))
        run.record(WsClose(None, "", "server", run.now()))
        return _finish(run, http, outcome)
    except TimeoutError:
        waited = timeouts.connect + timeouts.first_byte
        run.emit(rules.FIRST_BYTE_TIMEOUT, f"no WebSocket handshake within {waited:g} s")
        return _finish(run, http, outcome)
    except (OSError, InvalidURI, InvalidHandshake) as exc:
        run.emit(rules.CONNECTION_FAILED, f"cannot open a WebSocket to {shown}: {_describe(exc)}")
        return _finish(run, http, outcome, error=redactor.text(f"cannot connect: {_describe(exc)}"))
    http.status = 101
    run.record(WsOpen(shown, 101, run.now()))
    with socket:
        _converse(run, socket, outcome, context)
        if not run.closed:
            socket.close()
            run.record(WsClose(1000, "", "client", run.now()))
    run.save_capture()
    return _finish(run, http, outcome)


def _converse(run: _WsRun, socket: ClientConnection, outcome: Outcome, context: Context) -> None:
    """Every turn: send its messages, then read until each request is answered or a limit stops it."""
    for turn in run.scenario.turns:
        before = len(run.session.runs)
        errors_before = _errors(run)
        for message in turn(context):
            text = orjson.dumps(message).decode()
            try:
                socket.send(text)
            except ConnectionClosed as exc:
                run.record(_close_of(exc, run.now()))
                return
            run.record(WsMessage(SEND, text, run.now()))
        stopped = _read_answers(run, socket)
        outcome.turn_responses.append(list(range(before, len(run.session.runs))))
        outcome.turn_errors.append(_errors(run)[len(errors_before):])
        context.response_ids = [r.response_id for r in run.session.runs if r.response_id is not None]
        if stopped or run.closed:
            return
    _drain(run, socket)
    outcome.observations.update(run.observations)


def _drain(run: _WsRun, socket: ClientConnection) -> None:
    """Listen for ``GRACE`` seconds more, then stop; a late message is checked like any other."""
    deadline = time.monotonic() + GRACE
    while (left := deadline - time.monotonic()) > 0:
        try:
            data = socket.recv(timeout=left)
        except TimeoutError:
            return
        except ConnectionClosed as exc:
            run.record(_close_of(exc, run.now()))
            return
        run.record(WsMessage(RECEIVE, data, run.now()))
        if run.session.awaiting:
            _read_answers(run, socket)


def _read_answers(run: _WsRun, socket: ClientConnection) -> bool:
    """Read until nothing is awaited; True when a limit or the server ended the conversation."""
    timeouts = run.target.timeouts
    session = run.session
    while session.awaiting:
        remaining = timeouts.total - (time.monotonic() - run.started)
        if remaining <= 0:
            run.emit(rules.TOTAL_TIMEOUT, f"the scenario was still waiting after {timeouts.total:g} s")
            return True
        try:
            data = socket.recv(timeout=min(timeouts.idle, remaining))
        except TimeoutError:
            if time.monotonic() - run.started >= timeouts.total:
                run.emit(rules.TOTAL_TIMEOUT, f"the scenario was still waiting after {timeouts.total:g} s")
            else:
                run.emit(rules.IDLE_TIMEOUT, f"no message for {timeouts.idle:g} s with {session.awaiting} "
                         "request(s) or response(s) outstanding")
            return True
        except ConnectionClosed as exc:
            close = _close_of(exc, run.now())
            if close.by == "client" and close.code == 1009:
                run.emit(rules.EVENT_TOO_LARGE,
                         f"a message passed {run.target.max_event_bytes:,} bytes; the socket was closed (1009)")
            run.record(close)
            return True
        run.bytes += len(data)
        run.record(WsMessage(RECEIVE, data, run.now()))
        if run.bytes > run.target.max_bytes:
            run.emit(rules.BODY_TOO_LARGE, f"the session passed {run.target.max_bytes:,} bytes")
            return True
    return False


def _close_of(exc: ConnectionClosed, when: float) -> WsClose:
    """How the connection ended, from the client library's account of it."""
    if exc.rcvd is not None and (exc.sent is None or exc.rcvd_then_sent):
        return WsClose(exc.rcvd.code, exc.rcvd.reason, "server", when)
    if exc.sent is not None:
        return WsClose(exc.sent.code, exc.sent.reason, "client", when)
    return WsClose(None, "", "server", when)  # no close frame either way: the connection dropped (1006)


def _errors(run: _WsRun) -> list[dict[str, object]]:
    return list(run.session.errors)


def _finish(run: _WsRun, http: HttpInfo, outcome: Outcome, error: str | None = None) -> list[StreamReport]:
    if not run.closed:
        run.session.closed(None)
    if not outcome.observations:
        outcome.observations.update(run.observations)
    if run.scenario.verify is not None and outcome.turn_responses:
        run.scenario.verify(outcome, Emit(run.session.emit))
    reports = run.session.reports(run.scenario.name, "live")
    reports[0].http = http
    reports[0].error = error
    for report in reports:
        report.scenario = run.scenario.name
    return reports


def _compact_first(run: _WsRun, target: Target, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """``POST /responses/compact`` over HTTP: its ``output`` list, or None after an HTT037 finding."""
    import httpx  # here: only the scenarios that compact first need it

    from validator.live.exchanges import bounded_json, compact_problems

    url = target.resource_url("compact")
    with httpx.Client(follow_redirects=False) as client:
        answer = bounded_json(client, target, "POST", url, body)
    status, data = answer.status, answer.data
    text = run.redactor.text(answer.failed or data[:300].decode("utf-8", "replace"))
    if answer.failed is not None or status != 200:
        said = f"HTTP {status}" if answer.failed is None else "no answer"
        run.emit(rules.COMPACT_INVALID, f"POST /responses/compact, to start a new chain, got {said}: {text}")
        return None
    try:
        compacted = orjson.loads(data)
    except orjson.JSONDecodeError:
        compacted = None
    problems = compact_problems(compacted)
    if problems or not isinstance(compacted, dict):
        run.emit(rules.COMPACT_INVALID, f"the compact answer {problems[0] if problems else 'is not an object'}")
        return None
    return [item for item in compacted["output"] if isinstance(item, dict)]


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__

