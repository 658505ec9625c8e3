"""One live request: POST it, stream the body through the Checker as it arrives.

The body is never buffered first: every chunk httpx hands over goes straight
into ``SSEDecoder``, each frame it completes becomes an ``Event`` and is fed
to ``Checker.feed`` at once. Every wait is bounded: connecting, the response
headers (first byte), the silence between two chunks (idle) and the whole
exchange (total). Redirects are never followed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from validator.checker import Checker
from validator.emitter import Emitter
from validator.live.scenarios import Observation, Scenario
from validator.model import Event, Finding, HttpInfo
from validator.redact import Redactor
from validator.report import StreamReport
from validator.rules import http as rules
from validator.sources import event_factory
from validator.sse import SSEDecoder

# How much of an error body is read to describe it.
ERROR_BODY_LIMIT = 64 * 1024
MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_EVENT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds: connecting, until the response headers, between chunks, and in all."""

    connect: float = 10.0
    first_byte: float = 60.0
    idle: float = 30.0
    total: float = 180.0

    def __post_init__(self) -> None:
        for name in ("connect", "first_byte", "idle", "total"):
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
        return self.base_url.rstrip("/") + "/responses"

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
        redactor.add_headers(self.headers)
        return redactor


class _Run:
    """The state of one scenario's exchange."""

    def __init__(
        self,
        target: Target,
        scenario: Scenario,
        profile: str,
        select: list[str] | None,
        ignore: list[str] | None,
        redactor: Redactor,
    ) -> None:
        self.target = target
        self.scenario = scenario
        self.redactor = redactor
        capture = target.capture_dir / f"{scenario.name}.sse" if target.capture_dir else None
        self.capture_path = capture
        self.capture: bytearray | None = bytearray() if capture is not None else None
        source = str(capture) if capture is not None else f"live:{scenario.name}"
        self.checker = Checker(profile, select=select, ignore=ignore, source=source, transport="sse")
        self.emitter = Emitter(profile, source, select, ignore)
        self.report = StreamReport(
            scenario.name,
            profile,
            "live",
            http=HttpInfo(method="POST", url=redactor.text(target.url)),
            scenario=scenario.name,
        )
        self.observation = Observation()
        self.decoder = SSEDecoder(event_factory())
        self.index = 0
        self.last_event: Event | None = None
        self.bytes = 0

    # --- feeding -------------------------------------------------------------------

    def feed_bytes(self, chunk: bytes) -> None:
        self.bytes += len(chunk)
        if self.capture is not None:
            self.capture.extend(chunk)
        for event in self.decoder.feed(chunk):
            self._feed_event(event)

    def _feed_event(self, event: Event) -> None:
        self.index += 1
        self.last_event = event
        self._add(self.checker.feed(event))
        if isinstance(event.payload, dict):
            self.observation.feed(event.payload)
        self._flush_http()

    def finish_stream(self) -> None:
        for event in self.decoder.close():
            self._feed_event(event)
        self._add(self.checker.close())
        self.report.events = self.checker.events

    # --- HTTP findings ---------------------------------------------------------------

    def emit(self, rule: Any, message: str, **kwargs: Any) -> None:
        self.emitter.emit(rule, self.redactor.text(message), self.last_event, **kwargs)
        self._flush_http()

    def _flush_http(self) -> None:
        self._add(self.emitter.take())

    def _add(self, findings: list[Finding]) -> None:
        # A server may echo what it was sent, the key included: redact everything that is text.
        text = self.redactor.text
        for finding in findings:
            finding.message = text(finding.message)
            finding.expected = _redact_value(finding.expected, text)
            finding.actual = _redact_value(finding.actual, text)
        self.report.findings.extend(findings)

    def save_capture(self) -> None:
        if self.capture is not None and self.capture_path is not None:
            self.capture_path.parent.mkdir(parents=True, exist_ok=True)
            self.capture_path.write_bytes(bytes(self.capture))


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
) -> StreamReport:
    """Send one scenario's request and check its answer as it streams in."""
    redactor = target.redactor()
    run = _Run(target, scenario, profile, select, ignore, redactor)
    headers = target.request_headers(extra_headers)
    redactor.add_headers(headers)
    timeouts = target.timeouts
    started = time.monotonic()
    request = client.build_request(
        "POST",
        target.url,
        content=orjson.dumps(body if body is not None else scenario.body(target.model)),
        headers=headers,
        timeout=httpx.Timeout(
            connect=timeouts.connect,
            read=min(timeouts.first_byte, timeouts.total),
            write=timeouts.connect,
            pool=timeouts.connect,
        ),
    )
    try:
        response = client.send(request, stream=True, follow_redirects=False)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
        run.emit(rules.CONNECTION_FAILED, f"cannot connect to {target.url}: {_describe(exc)}")
        run.report.error = run.redactor.text(f"cannot connect: {_describe(exc)}")
        return run.report
    except httpx.ReadTimeout:
        run.emit(
            rules.FIRST_BYTE_TIMEOUT,
            f"no response headers within {min(timeouts.first_byte, timeouts.total):g} s",
        )
        return run.report
    except httpx.HTTPError as exc:
        run.emit(rules.BODY_TRUNCATED, f"the exchange failed before the response headers: {_describe(exc)}")
        return run.report
    try:
        _handle_response(run, request, response, started)
    finally:
        response.close()
    run.save_capture()
    return run.report


def _handle_response(run: _Run, request: httpx.Request, response: httpx.Response, started: float) -> None:
    scenario = run.scenario
    timeouts = run.target.timeouts
    http = run.report.http
    assert http is not None
    http.status = response.status_code
    http.headers = run.redactor.headers({k.lower(): v for k, v in response.headers.items()})
    status = response.status_code
    content_type = response.headers.get("content-type", "")
    is_sse = content_type.split(";", 1)[0].strip().lower() == "text/event-stream"

    if 300 <= status < 400:
        location = run.redactor.text(response.headers.get("location", "(no Location header)"))
        run.emit(rules.REDIRECT, f"HTTP {status} redirect to {location} was not followed")
        if scenario.expect == "reject":
            run.emit(rules.INVALID_REQUEST_ACCEPTED, f"the invalid request was answered with HTTP {status}")
        return
    if status >= 400 or status < 200:
        text = _read_limited(response)
        if scenario.expect == "reject" and 400 <= status < 500:
            _check_error_body(run, status, content_type, text)
            return
        if scenario.expect == "reject":
            run.emit(
                rules.INVALID_REQUEST_ACCEPTED,
                f"the invalid request was answered with HTTP {status}, not a 4xx: {_snippet(text)}",
            )
        else:
            run.emit(rules.STATUS_NOT_2XX, f"HTTP {status} for a streaming request: {_snippet(text)}")
        _check_error_body(run, status, content_type, text)
        return

    if not is_sse:
        shown = content_type or "no Content-Type"
        run.emit(rules.CONTENT_TYPE, f"Content-Type is {shown!r}, not 'text/event-stream'")

    # After the headers, a read may wait at most the idle timeout (or what is left of the total).
    remaining = timeouts.total - (time.monotonic() - started)
    timeout = request.extensions.get("timeout")
    if isinstance(timeout, dict):
        timeout["read"] = max(0.001, min(timeouts.idle, remaining))
    stopped = False
    target = run.target
    try:
        for chunk in response.iter_bytes():
            run.feed_bytes(chunk)
            if run.bytes > target.max_bytes:
                run.emit(rules.BODY_TOO_LARGE, f"the body passed {target.max_bytes:,} bytes after {run.index} events")
                stopped = True
                break
            if run.decoder.pending > target.max_event_bytes:
                run.emit(
                    rules.EVENT_TOO_LARGE,
                    f"an event passed {target.max_event_bytes:,} bytes without ending, after {run.index} events",
                )
                stopped = True
                break
            if time.monotonic() - started > timeouts.total:
                run.emit(rules.TOTAL_TIMEOUT, f"the stream was still open after {timeouts.total:g} s")
                stopped = True
                break
    except httpx.ReadTimeout:
        stopped = True
        if time.monotonic() - started >= timeouts.total:
            run.emit(rules.TOTAL_TIMEOUT, f"the stream was still open after {timeouts.total:g} s")
        else:
            run.emit(
                rules.IDLE_TIMEOUT,
                f"no data for {timeouts.idle:g} s after {run.bytes} bytes and {run.index} events",
            )
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
        run.emit(
            rules.BODY_TRUNCATED,
            f"the connection broke after {run.bytes} bytes and {run.index} events: {_describe(exc)}",
        )
    if stopped:
        run.report.error = "the stream did not end within the limits; checked what arrived"
    run.finish_stream()
    if run.bytes == 0 and not stopped:
        run.emit(rules.EMPTY_BODY, f"HTTP {status} with an empty body")
    obs = run.observation
    if scenario.expect == "reject":
        if not obs.failed_cleanly:
            run.emit(
                rules.INVALID_REQUEST_ACCEPTED,
                f"the invalid request was answered with HTTP {status} and a stream that "
                f"{'ends ' + repr(obs.status) if obs.status else 'has no error event'}; "
                "expected an HTTP 4xx or an error / response.failed event",
            )
        return
    if scenario.verify is not None and obs.types and not stopped:
        scenario.verify(obs, run.emitter)
        run._flush_http()


def _check_error_body(run: _Run, status: int, content_type: str, text: str) -> None:
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


def _read_limited(response: httpx.Response) -> str:
    data = bytearray()
    try:
        for chunk in response.iter_bytes():
            data.extend(chunk)
            if len(data) >= ERROR_BODY_LIMIT:
                break
    except httpx.HTTPError:
        pass
    return bytes(data[:ERROR_BODY_LIMIT]).decode("utf-8", "replace")


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _redact_value(value: Any, text: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, (dict, list)):
        try:
            dumped = orjson.dumps(value).decode()
        except TypeError:
            return value
        cleaned = text(dumped)
        return value if cleaned == dumped else orjson.loads(cleaned)
    return value


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
