"""One live request: POST it, stream the body through the Checker as it arrives.

The body is never buffered first: every chunk httpx hands over goes straight
into ``Checker.receive_data``, and the HTTP findings go through ``Checker.emit``,
so they share the stream's selection, counting and redaction. Every wait is bounded: connecting, the response
headers (first byte), the silence between two chunks (idle) and the whole
exchange (total). Redirects are never followed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx
import orjson

from validator.checker import Checker
from validator.live.deadline import Deadline
from validator.live.decoding import DecodingFailed, decoded, layers
from validator.live.scenarios import Observation, Scenario
from validator.model import Event, HttpInfo
from validator.redact import Redactor
from validator.report import StreamReport
from validator.rules import Rule
from validator.rules import http as rules
from validator.timeline import Timeline

# How much of an error body is read to describe it.
ERROR_BODY_LIMIT = 64 * 1024
MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_EVENT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds: connecting, until the response headers, between chunks, in all, and from the
    terminal event to the end of the body (``close``)."""

    connect: float = 10.0
    first_byte: float = 60.0
    idle: float = 30.0
    total: float = 180.0
    close: float = 5.0

    def __post_init__(self) -> None:
        for name in ("connect", "first_byte", "idle", "total", "close"):
            if not getattr(self, name) > 0:
                raise ValueError(f"the {name.replace('_', '-')} timeout must be positive")


@dataclass(slots=True)
class Target:
    """Where and how to send the battery."""

    base_url: str
    model: str = "gpt-4o-mini"
    api_key: str | None = None
    api_key_header: str = "Authorization"
    headers: dict[str, str] = field(default_factory=dict)
    timeouts: Timeouts = field(default_factory=Timeouts)
    capture_dir: Path | None = None
    max_bytes: int = MAX_BODY_BYTES
    max_event_bytes: int = MAX_EVENT_BYTES

    @property
    def url(self) -> str:
        """``{base}/responses``, the path joined before any query (Azure's ``?api-version=``), which
        every request keeps; a fragment is dropped (it is never sent)."""
        parts = urlsplit(self.base_url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/responses", parts.query, ""))

    def resource_url(self, *segments: str, query: dict[str, str] | None = None) -> str:
        """``{base}/responses/{segments...}``, the base URL's query kept and ``query`` added after it."""
        parts = urlsplit(self.base_url)
        path = parts.path.rstrip("/") + "/responses" + "".join("/" + quote(s, safe="") for s in segments)
        extra = urlencode(query or {})
        joined = "&".join(q for q in (parts.query, extra) if q)
        return urlunsplit((parts.scheme, parts.netloc, path, joined, ""))

    def request_headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", "Content-Type": "application/json"}
        headers.update(self.headers)
        if self.api_key:
            if self.api_key_header.lower() == "authorization":
                headers[self.api_key_header] = f"Bearer {self.api_key}"
            else:
                headers[self.api_key_header] = self.api_key
        headers.update(extra or {})
        return headers

    def redactor(self) -> Redactor:
        redactor = Redactor([self.api_key] if self.api_key else [])
        redactor.add_user_headers(self.headers)  # --header values: any may be a credential
        redactor.add_url(self.base_url)
        return redactor


class Exchange:
    """The state of one scenario's exchange: its Checker, what the scenario observed, the capture."""

    def __init__(
        self,
        target: Target,
        scenario: Scenario,
        profile: str,
        select: list[str] | None,
        ignore: list[str] | None,
        redactor: Redactor,
        timeline: bool = False,
    ) -> None:
        self.target = target
        self.scenario = scenario
        self.redactor = redactor
        capture = target.capture_dir / f"{scenario.name}.sse" if target.capture_dir else None
        self.capture_path = capture
        self.capture: bytearray | None = bytearray() if capture is not None else None
        self.observation = Observation()
        self.ending_since = 0.0  # when the terminal event arrived
        self.lingered = False  # the body stayed open past the close bound after the terminal event
        self.after_terminal = 0  # bytes of the chunks after the one with the terminal event (keep-alives)
        # The events, for a report that draws them (the HTML report), masked like every finding.
        self.timeline = Timeline(redact=redactor.text) if timeline else None
        self.checker = Checker(
            profile,
            select=select,
            ignore=ignore,
            source=str(capture) if capture is not None else f"live:{scenario.name}",
            transport="sse",
            on_event=self._observe,
            redact=redactor.text,  # a server may echo what it was sent, the key included
            reconstruct=timeline,
        )
        self.report = StreamReport(
            scenario.name,
            profile,
            "live",
            http=HttpInfo(method="POST", url=redactor.text(target.url)),
            scenario=scenario.name,
        )

    def _observe(self, event: Event) -> None:
        if self.timeline is not None:
            self.timeline.add(event)
        if isinstance(event.payload, dict):
            self.observation.feed(event.payload)

    def feed_bytes(self, chunk: bytes) -> None:
        if self.capture is not None:
            self.capture.extend(chunk)
        self.report.findings += self.checker.receive_data(chunk)

    def emit(self, rule: Rule, message: str, **kwargs: Any) -> None:
        self.report.findings += self.checker.emit(rule, message, **kwargs)

    def finish(self) -> None:
        self.report.findings += self.checker.close()
        self.report.events = self.checker.events
        self.report.elided = self.checker.elided()
        if self.timeline is not None:
            self.timeline.finish(self.checker.reconstruction())
            self.report.timeline = self.timeline

    def save_capture(self) -> None:
        if self.capture is not None and self.capture_path is not None:
            self.capture_path.parent.mkdir(parents=True, exist_ok=True)
            # A capture holds what the server sent with the secrets masked, as every report does
            # (the server may echo the key); masks keep the line structure the findings point at.
            self.capture_path.write_bytes(self.redactor.redact_bytes(bytes(self.capture)))


def run_scenario(
    client: httpx.Client,
    target: Target,
    scenario: Scenario,
    profile: str = "openai",
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extra_headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    timeline: bool = False,
) -> StreamReport:
    """Send one scenario's request and check its answer as it streams in.

    ``timeline`` keeps the events for a report that draws them (``report.timeline``).
    """
    return exchange(
        client, target, scenario, profile, select=select, ignore=ignore, extra_headers=extra_headers,
        body=body, timeline=timeline,
    ).report


def exchange(
    client: httpx.Client,
    target: Target,
    scenario: Scenario,
    profile: str = "openai",
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extra_headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    timeline: bool = False,
    keep_payloads: bool = False,
) -> Exchange:
    """``run_scenario``, keeping what the scenario observed (the terminal response, the items; every
    payload with ``keep_payloads``) for the scenarios that compare one exchange with another."""
    redactor = target.redactor()
    headers = target.request_headers(extra_headers)
    redactor.add_headers(headers)
    run = Exchange(target, scenario, profile, select, ignore, redactor, timeline)
    if keep_payloads:
        run.observation.payloads = []
    timeouts = target.timeouts
    started = time.monotonic()
    deadline = Deadline()  # the first-byte and total timeouts, even against a trickle (see ``deadline``)
    request = client.build_request(
        "POST",
        target.url,
        content=orjson.dumps(body if body is not None else scenario.body(target.model)),
        headers={**headers, "Connection": "close"},  # a connection of its own, whose socket the deadline knows
        extensions={"trace": deadline.trace},
        timeout=httpx.Timeout(
            connect=timeouts.connect,
            read=min(timeouts.first_byte, timeouts.total),
            write=timeouts.connect,
            pool=timeouts.connect,
        ),
    )
    first_byte = min(timeouts.first_byte, timeouts.total)
    deadline.arm(first_byte)
    try:
        response = client.send(request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        deadline.cancel()
        _failed_before_headers(run, exc, first_byte, deadline.fired)
        return run
    deadline.arm(timeouts.total - (time.monotonic() - started))
    try:
        _handle_response(run, request, response, started, deadline)
    finally:
        deadline.cancel()
        response.close()
    run.save_capture()
    return run


def _failed_before_headers(run: Exchange, exc: httpx.HTTPError, first_byte: float, fired: bool) -> None:
    """The finding for an exchange that ended before its response headers were complete."""
    if fired or isinstance(exc, httpx.ReadTimeout):  # a silent server, or one trickling its headers
        run.emit(rules.FIRST_BYTE_TIMEOUT, f"no complete response headers within {first_byte:g} s")
    elif isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)):
        run.emit(rules.CONNECTION_FAILED, f"cannot connect to {run.target.url}: {_describe(exc)}")
        run.report.error = run.redactor.text(f"cannot connect: {_describe(exc)}")
    else:
        run.emit(rules.BODY_TRUNCATED, f"the exchange failed before the response headers: {_describe(exc)}")


def _handle_response(
    run: Exchange, request: httpx.Request, response: httpx.Response, started: float, deadline: Deadline
) -> None:
    """What came back: the status and headers first, then the body as it streams in."""
    http = run.report.http
    assert http is not None
    http.status = status = response.status_code
    http.headers = run.redactor.headers({k.lower(): v for k, v in response.headers.items()})
    content_type = response.headers.get("content-type", "")
    if 300 <= status < 400:
        _redirected(run, response)
        return
    if status >= 400 or status < 200:
        _error_status(run, response, status, content_type)
        return
    if content_type.split(";", 1)[0].strip().lower() != "text/event-stream":
        shown = content_type or "no Content-Type"
        run.emit(rules.CONTENT_TYPE, f"Content-Type is {shown!r}, not 'text/event-stream'")
    stopped = _read_body(run, request, response, started, deadline)
    if stopped and not run.lingered:
        run.report.error = "the stream did not end within the limits; checked what arrived"
    stopped = stopped and not run.lingered  # a stream that lingered after its terminal event is whole
    run.finish()
    if run.checker.bytes == 0 and not stopped:
        run.emit(rules.EMPTY_BODY, f"HTTP {status} with an empty body")
    _judge_answer(run, status, stopped)


def _redirected(run: Exchange, response: httpx.Response) -> None:
    location = run.redactor.text(response.headers.get("location", "(no Location header)"))
    run.emit(rules.REDIRECT, f"HTTP {response.status_code} redirect to {location} was not followed")
    if run.scenario.expect == "reject":
        run.emit(rules.INVALID_REQUEST_ACCEPTED, f"the invalid request was answered with HTTP {response.status_code}")


def _error_status(run: Exchange, response: httpx.Response, status: int, content_type: str) -> None:
    text = _read_limited(response)
    if run.scenario.expect == "reject" and 400 <= status < 500:
        _check_error_body(run, status, content_type, text)
        return
    if run.scenario.expect == "answer-or-reject" and 400 <= status < 500:
        _check_error_body(run, status, content_type, text)  # a clean refusal of an input it does not support
        return
    if run.scenario.expect == "reject":
        run.emit(
            rules.INVALID_REQUEST_ACCEPTED,
            f"the invalid request was answered with HTTP {status}, not a 4xx: {_snippet(text)}",
        )
    elif run.scenario.expect == "answer-or-reject" and status >= 500:
        run.emit(
            rules.OPTIONAL_INPUT_SERVER_ERROR,
            f"{run.scenario.name}: HTTP {status}, where an unsupported input is a 4xx and a supported one a "
            f"stream: {_snippet(text)}",
        )
    else:
        run.emit(rules.STATUS_NOT_2XX, f"HTTP {status} for a streaming request: {_snippet(text)}")
    _check_error_body(run, status, content_type, text)


def _read_body(
    run: Exchange, request: httpx.Request, response: httpx.Response, started: float, deadline: Deadline
) -> bool:
    """Stream the body into the Checker within the limits; True when a limit stopped it."""
    timeouts = run.target.timeouts
    target = run.target
    checker = run.checker
    # After the headers, a read may wait at most the idle timeout (or what is left of the total).
    remaining = timeouts.total - (time.monotonic() - started)
    timeout = request.extensions.get("timeout")
    if isinstance(timeout, dict):
        timeout["read"] = max(0.001, min(timeouts.idle, remaining))
    # gzip and deflate are undone here, a bounded piece at a time per layer (see ``decoding``);
    # httpx is left only what we do not decode ourselves (br, zstd).
    ending = False  # the terminal event arrived: the body must end within ``timeouts.close``
    try:
        for chunk in _body(response):
            if ending:
                run.after_terminal += len(chunk)
            run.feed_bytes(chunk)
            if not ending and run.observation.terminal is not None:
                ending = True
                run.ending_since = time.monotonic()
                deadline.arm(min(timeouts.close, max(0.0, timeouts.total - (time.monotonic() - started))))
            if ending and time.monotonic() - run.ending_since > timeouts.close:
                _open_after_terminal(run)
                return True
            if checker.bytes > target.max_bytes:
                run.emit(
                    rules.BODY_TOO_LARGE, f"the body passed {target.max_bytes:,} bytes after {checker.events} events"
                )
                return True
            if checker.pending > target.max_event_bytes:
                run.emit(
                    rules.EVENT_TOO_LARGE,
                    f"an event passed {target.max_event_bytes:,} bytes without ending, after {checker.events} events",
                )
                return True
            if time.monotonic() - started > timeouts.total:
                run.emit(rules.TOTAL_TIMEOUT, f"the stream was still open after {timeouts.total:g} s")
                return True
    except httpx.ReadTimeout:
        if ending:
            _open_after_terminal(run)
        elif time.monotonic() - started >= timeouts.total:
            run.emit(rules.TOTAL_TIMEOUT, f"the stream was still open after {timeouts.total:g} s")
        else:
            run.emit(
                rules.IDLE_TIMEOUT,
                f"no data for {timeouts.idle:g} s after {checker.bytes} bytes and {checker.events} events",
            )
        return True
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError, DecodingFailed) as exc:
        if deadline.fired and ending:  # the close bound shut a body that lingered after the terminal event
            _open_after_terminal(run)
            return True
        if deadline.fired:  # our own deadline shut the socket: the total timeout, not a broken server
            run.emit(rules.TOTAL_TIMEOUT, f"the stream was still open after {timeouts.total:g} s")
            return True
        run.emit(
            rules.BODY_TRUNCATED,
            f"the connection broke after {checker.bytes} bytes and {checker.events} events: {_describe(exc)}",
        )
        return False
    if deadline.fired and ending:
        _open_after_terminal(run)
        return True
    if deadline.fired:  # the deadline shut a body that ends with the connection: it did not end by itself
        run.emit(rules.TOTAL_TIMEOUT, f"the stream was still open after {timeouts.total:g} s")
        return True
    return False


def _open_after_terminal(run: Exchange) -> None:
    close = run.target.timeouts.close
    # Bytes that carried no event after the terminal one are keep-alives (comments): they hold the body open.
    kept = f"; {run.after_terminal} bytes of keep-alives came after it" if run.after_terminal else ""
    run.emit(
        rules.OPEN_AFTER_TERMINAL,
        f"the body was still open {close:g} s after the terminal event ({run.observation.types[-1]} was the last"
        f"{kept})",
    )
    run.lingered = True


def _judge_answer(run: Exchange, status: int, stopped: bool) -> None:
    """Whether the stream answered the scenario's request as it should."""
    obs = run.observation
    scenario = run.scenario
    if scenario.expect == "reject":
        if not obs.failed_cleanly:
            run.emit(
                rules.INVALID_REQUEST_ACCEPTED,
                f"the invalid request was answered with HTTP {status} and a stream that "
                f"{'ends ' + repr(obs.status) if obs.status else 'has no error event'}; "
                "expected an HTTP 4xx or an error / response.failed event",
            )
        elif obs.error_event is not None:
            nested = obs.error_event.get("error")  # the openresponses shape nests it, OpenAI's is flat
            code = nested.get("code") if isinstance(nested, dict) else obs.error_event.get("code")
            _check_error_code(run, code, "the error event")
        return
    if scenario.verify is not None and obs.types and not stopped:
        scenario.verify(obs, run)


def _check_error_body(run: Exchange, status: int, content_type: str, text: str) -> None:
    if not content_type.lower().startswith("application/json"):
        run.emit(
            rules.ERROR_BODY_NOT_JSON,
            f"HTTP {status} error body is {content_type or 'untyped'!r}, not application/json: {_snippet(text)}",
        )
        return
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        run.emit(rules.ERROR_BODY_NOT_JSON, f"HTTP {status} error body is not valid JSON: {_snippet(text)}")
        return
    if not isinstance(body, dict) or not ("error" in body or "message" in body or "detail" in body):
        run.emit(rules.ERROR_BODY_NOT_JSON, f"HTTP {status} error body has no error object: {_snippet(text)}")
        return
    problems = error_shape_problems(body)
    if problems:
        run.emit(
            rules.ERROR_SHAPE,
            f"HTTP {status} error body: {'; '.join(problems)}: {_snippet(text)}",
            actual=body.get("error", body),
        )
    if run.scenario.expect == "reject" and 400 <= status < 500:
        error = body.get("error")
        _check_error_code(run, error.get("code") if isinstance(error, dict) else None, f"the HTTP {status} error")


def _check_error_code(run: Exchange, code: Any, where: str) -> None:
    """The rejection carries the ``error.code`` its scenario documents (if it names one)."""
    wanted = run.scenario.error_code
    if wanted is not None and code != wanted:
        run.emit(rules.REJECTION_CODE, f"{where} has error.code {code!r}, not {wanted!r}", expected=wanted, actual=code)


def error_shape_problems(body: dict[str, Any]) -> list[str]:
    """What an error body lacks of ``{"error": {"type", "code", "message", "param"}}``."""
    error = body.get("error")
    if not isinstance(error, dict):
        return ["`error` is not an object"]
    problems = [
        f"`error.{name}` is not a string" for name in ("message", "type") if not isinstance(error.get(name), str)
    ]
    problems += [
        f"`error.{name}` is {'missing' if name not in error else 'neither a string nor null'}"
        for name in ("code", "param")
        if not (name in error and (error[name] is None or isinstance(error[name], str)))
    ]
    return problems


def _body(response: httpx.Response) -> Iterator[bytes]:
    """The decoded body: gzip and deflate undone here, a bounded piece at a time per layer (see
    ``decoding``); httpx is left only what we do not decode ourselves (br, zstd)."""
    codings = layers(response.headers.get("content-encoding", ""))
    return decoded(response.iter_raw(), codings) if codings else response.iter_bytes()


def _read_limited(response: httpx.Response) -> str:
    data = bytearray()
    try:
        for chunk in _body(response):
            data.extend(chunk)
            if len(data) >= ERROR_BODY_LIMIT:
                break
    except (httpx.HTTPError, DecodingFailed):
        pass
    return bytes(data[:ERROR_BODY_LIMIT]).decode("utf-8", "replace")


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
