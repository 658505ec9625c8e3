"""The ASGI application: every request forwarded as it came, every answer passed back as it comes.

For each HTTP request (a ``Flight``):

1. the request goes upstream with its method, path, query, headers and body
   unchanged (``forwarding`` says which hop-by-hop headers are not passed on),
   the body streamed through as the client sends it;
2. the upstream's status and headers go to the client, then every chunk of
   the body, raw (still compressed if it was), each one sent on before the
   proxy looks at it;
3. a copy of each chunk is decoded and handed to the ``StreamCheck`` when the
   exchange is a Responses stream, and kept (bounded) for the capture.

Nothing the proxy observes can change what the client gets: the observation
runs after the chunk was sent, its failures are caught and only stop the
observation, and a finding is only ever reported. What the upstream does
wrong on the HTTP level reaches the client as close as HTTP allows: no
connection or no headers in time is a 502 or 504 answer with a JSON error
(the only thing an HTTP server can send before it has a status); a body
that breaks off is broken off for the client too, by dropping its
connection before the end of the body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import httpx
import orjson

from validator.proxy import forwarding
from validator.proxy.capture import CaptureWriter
from validator.proxy.decoding import BodyDecoder, DecodingError
from validator.proxy.exchange import Exchange, Kept
from validator.proxy.redaction import SecretRedactor
from validator.proxy.settings import ProxySettings
from validator.proxy.stream_check import StreamCheck
from validator.report import StreamReport
from validator.rules import http as rules

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# (exchange index, method, path as the client sent it, the stream's report)
StreamCallback = Callable[[int, str, str, StreamReport], None]


class UpstreamBroke(Exception):
    """Raised after the response started, so that the server drops the client's connection mid-body."""


class ClientGone(Exception):
    """The client closed its connection."""


class ProxyApp:
    """Forwards to ``settings.upstream``; reports each stream to ``on_stream`` and anything else to ``on_note``."""

    def __init__(
        self,
        settings: ProxySettings,
        client: httpx.AsyncClient,
        redactor: SecretRedactor,
        capture: CaptureWriter,
        *,
        on_stream: StreamCallback | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.redactor = redactor
        self.capture = capture
        self.on_stream = on_stream
        self.on_note = on_note
        self.exchanges = 0  # the next exchange's index
        self.reports: dict[int, list[StreamReport]] = {}  # by exchange: a stream's, or a session's and its responses'
        self.in_flight: dict[int, Flight] = {}
        self.capture_failed: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await Flight(self, scope, receive, send).run()
        elif scope["type"] == "websocket":
            from validator.proxy.websocket import relay

            await relay(self, scope, receive, send)

    def open_exchange(self, scope: Scope, kept: int) -> Exchange:
        """A new exchange, numbered in the order the requests arrived."""
        index = self.exchanges
        self.exchanges += 1
        headers = forwarding.decode_headers(scope["headers"])
        self.redactor.add_header_pairs(headers)
        exchange = Exchange(
            index=index,
            method=scope.get("method", "GET"),
            url=self.upstream_url(scope),
            request_headers=headers,
            request_body=Kept(kept),
            http_version=f"HTTP/{scope.get('http_version', '1.1')}",
        )
        return exchange

    def upstream_url(self, scope: Scope, base: str | None = None) -> str:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url = (base or self.settings.upstream_base) + raw_path.decode("latin-1")
        query: bytes = scope.get("query_string", b"")
        return url + "?" + query.decode("latin-1") if query else url

    def note(self, text: str) -> None:
        if self.on_note is not None:
            self.on_note(self.redactor.text(text))

    def finished(self, exchange: Exchange, path: str, report: StreamReport | None) -> None:
        """An exchange ended: record it, say how its stream went."""
        try:
            self.capture.add(exchange)
        except (OSError, ValueError) as exc:
            if self.capture_failed is None:
                self.capture_failed = str(exc)
                self.note(f"cannot write the capture ({exc}); traffic goes on unrecorded")
        if report is not None:
            self.reports[exchange.index] = [report]
            if self.on_stream is not None:
                self.on_stream(exchange.index, exchange.method, path, report)

    def finished_session(self, exchange: Exchange, path: str, reports: list[StreamReport]) -> None:
        """A checked WebSocket session ended: its report, then one per response."""
        self.finished(exchange, path, None)
        self.reports[exchange.index] = reports
        if self.on_stream is not None:
            for report in reports:
                self.on_stream(exchange.index, "WebSocket", path, report)

    def abandon_all(self, why: str) -> None:
        """At shutdown: every exchange still open ends as it is."""
        for flight in list(self.in_flight.values()):
            flight.finish_abandoned(why)


class Flight:
    """One HTTP exchange in flight."""

    def __init__(self, app: ProxyApp, scope: Scope, receive: Receive, send: Send) -> None:
        self.app = app
        self.scope = scope
        self.receive = receive
        self.send = send
        settings = app.settings
        self.limits = settings.limits
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.query = scope.get("query_string", b"").decode("latin-1")
        self.exchange = app.open_exchange(scope, self.limits.other_bytes)
        self.check: StreamCheck | None = None
        self.decoder: BodyDecoder | None = None
        self.body: Kept | None = None
        self.client_gone = False
        self.body_done = False  # the whole request body was received
        self.sending_done = False
        self.ended = False
        self._watcher: asyncio.Task[None] | None = None
        self._task = asyncio.current_task()

    # ---- the exchange ----------------------------------------------------------------------------

    async def run(self) -> None:
        app = self.app
        app.in_flight[self.exchange.index] = self
        try:
            await self._exchange()
        except asyncio.CancelledError:
            if not self.client_gone:
                self.finish_abandoned("the proxy stopped")
                raise
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            self.finish_abandoned("the client closed the connection")
        except ClientGone:
            self.finish_abandoned("the client closed the connection")
        finally:
            if self._watcher is not None:
                self._watcher.cancel()
            app.in_flight.pop(self.exchange.index, None)

    async def _exchange(self) -> None:
        app = self.app
        timeouts = app.settings.timeouts
        headers = forwarding.forwardable(self.exchange.request_headers)
        has_body = any(name.lower() in ("content-length", "transfer-encoding") for name, _ in
                       self.exchange.request_headers)
        if not has_body:
            await self._read_empty_body()
            self.body_done = True
            self._watch_client()
        # A Request made directly, not with client.build_request: the client adds no headers and no cookies
        # of its own; httpx only sets Host, and Content-Length or Transfer-Encoding when the body needs them.
        request = httpx.Request(
            self.method,
            self.exchange.url,
            headers=headers,
            content=self._request_body() if has_body else None,
            extensions={
                "timeout": httpx.Timeout(
                    connect=timeouts.connect, read=timeouts.first_byte, write=timeouts.idle, pool=timeouts.connect
                ).as_dict()
            },
        )
        try:
            response = await app.client.send(request, stream=True, follow_redirects=False)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
            await self._no_answer(502, "upstream_unreachable", rules.CONNECTION_FAILED,
                                  f"cannot connect to the upstream: {_describe(exc)}")
            return
        except httpx.ReadTimeout:
            await self._no_answer(504, "upstream_timeout", rules.FIRST_BYTE_TIMEOUT,
                                  f"no response headers within {timeouts.first_byte:g} s")
            return
        except httpx.HTTPError as exc:
            await self._no_answer(502, "upstream_error", rules.BODY_TRUNCATED,
                                  f"the upstream failed before the response headers: {_describe(exc)}")
            return
        try:
            await self._relay(request, response)
        finally:
            await response.aclose()

    async def _read_empty_body(self) -> None:
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            if not message.get("more_body", False):
                return

    async def _request_body(self) -> AsyncIterator[bytes]:
        kept = self.exchange.request_body
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.client_gone = True
                raise ClientGone
            chunk = message.get("body", b"")
            if chunk:
                kept.add(chunk)
                yield chunk
            if not message.get("more_body", False):
                self.body_done = True
                # The client's request is in: from now on a disconnect ends the exchange, even while
                # the upstream has not answered yet.
                self._watch_client()
                break

    async def _drain_request(self) -> None:
        """The rest of a request body the upstream never took (it could not be reached), kept like the rest."""
        kept = self.exchange.request_body
        while not self.body_done:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            kept.add(message.get("body", b""))
            self.body_done = not message.get("more_body", False)

    def _watch_client(self) -> None:
        """Once the request body is in, a disconnect of the client ends the exchange (and the upstream one)."""
        if self._watcher is not None:
            return

        async def watch() -> None:
            while True:
                message = await self.receive()
                if message["type"] == "http.disconnect":
                    if not self.sending_done and self._task is not None:
                        self.client_gone = True
                        self._task.cancel()
                    return

        self._watcher = asyncio.get_running_loop().create_task(watch())

    async def _relay(self, request: httpx.Request, response: httpx.Response) -> None:
        timeouts = self.app.settings.timeouts
        raw_headers = forwarding.decode_headers(response.headers.raw)
        self.exchange.answered(response.status_code, raw_headers, response.http_version)
        await self.send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": forwarding.encode_headers(forwarding.forwardable(raw_headers, forwarding.HOP_BY_HOP)),
            }
        )
        self.app.redactor.add_header_pairs(raw_headers)
        self._observe_start(response.status_code, [(name.lower(), value) for name, value in raw_headers])
        # After the headers, a read may wait at most the idle timeout.
        timeout = request.extensions.get("timeout")
        if isinstance(timeout, dict):
            timeout["read"] = timeouts.idle
        send = self.send
        try:
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                self.exchange.response_raw_bytes += len(chunk)
                self._observe(chunk)
        except httpx.ReadTimeout:
            self._finish_broken(rules.IDLE_TIMEOUT, f"no data for {timeouts.idle:g} s")
            raise UpstreamBroke from None
        except httpx.HTTPError as exc:
            self._finish_broken(rules.BODY_TRUNCATED, f"the upstream broke the body: {_describe(exc)}")
            raise UpstreamBroke from None
        self.sending_done = True
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        self._finish()

    async def _no_answer(self, status: int, code: str, rule: Any, message: str) -> None:
        """No answer from the upstream: the client gets a gateway error; a stream's report says why."""
        redacted = self.app.redactor.text(message)
        await self._drain_request()
        body = orjson.dumps(
            {"error": {"message": f"responses-conformance proxy: {redacted}", "type": "proxy_error", "code": code,
                       "param": None}}
        )
        if self._is_stream_request():
            self._make_check()
        self.exchange.answered(status, [("content-type", "application/json")], "HTTP/1.1")
        self.exchange.response_body = Kept(self.limits.other_bytes)
        self.exchange.response_body.add(body)
        self.exchange.response_raw_bytes = len(body)
        self.exchange.end(f"no answer from the upstream ({redacted}); the proxy answered {status}")
        report = self.check.unreachable(rule, message) if self.check is not None else None
        if report is None:
            self.app.note(f"#{self.exchange.index} {self.method} {self.path}: {message}; answered {status}")
        self._end(report)
        self.sending_done = True
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body, "more_body": False})

    # ---- observing (never allowed to fail the exchange) ------------------------------------------

    def _is_stream_request(self) -> bool:
        if forwarding.is_responses_post(self.method, self.path):
            kept = self.exchange.request_body
            return forwarding.asks_for_stream(bytes(kept.data), not kept.truncated)
        return forwarding.is_responses_resume(self.method, self.path, self.query)

    def _make_check(self) -> None:
        app = self.app
        self.check = StreamCheck(
            app.settings.check,
            self.limits,
            app.redactor,
            source=app.capture.source_for(self.exchange),
            method=self.method,
            url=self.exchange.url,
            resumed_after=forwarding.resumed_after(self.query) if self.method == "GET" else None,
        )
        self.exchange.meta["checked_as_stream"] = False

    def _observe_start(self, status: int, headers: list[tuple[str, str]]) -> None:
        try:
            path_matches = forwarding.is_responses_post(self.method, self.path) or (
                self.method == "GET" and forwarding.is_responses_resume(self.method, self.path, self.query)
            )
            content_type = next((value for name, value in headers if name == "content-type"), "")
            if path_matches and (self._is_stream_request() or forwarding.is_event_stream(content_type)):
                self._make_check()
                assert self.check is not None
                self.check.start(status, headers)
                self.exchange.meta["checked_as_stream"] = self.check.as_stream
            capture = self.app.capture
            checked = self.check is not None and self.check.as_stream
            if capture.keeps_body(checked):
                self.body = Kept(self.limits.stream_bytes if checked else self.limits.other_bytes)
                self.exchange.response_body = self.body
            if self.check is not None or self.body is not None:
                encoding = next((value for name, value in headers if name == "content-encoding"), "")
                try:
                    self.decoder = BodyDecoder(encoding)
                except DecodingError as exc:
                    self._stop_observing(f"{exc}; the body went to the client unchecked")
        except Exception as exc:  # an observation that fails must not touch the traffic
            self._internal_error(exc)

    def _observe(self, chunk: bytes) -> None:
        decoder = self.decoder
        if decoder is None:
            return
        try:
            check = self.check
            budget = self.limits.stream_bytes + 1
            data = chunk if decoder.identity else decoder.feed(chunk, budget)
            if self.body is not None:
                self.body.add(data)
            if check is not None:
                check.feed(data)
            if (check is None or check.stopped) and (self.body is None or self.body.truncated):
                self.decoder = None  # nothing more to keep or check: stop decoding
        except DecodingError as exc:
            self._stop_observing(f"{exc}; the rest went to the client unchecked")
        except Exception as exc:  # as above
            self._internal_error(exc)

    def _stop_observing(self, why: str) -> None:
        self.decoder = None
        self.exchange.notes.append(why)
        if self.check is not None:
            self.check.stop(why)

    def _internal_error(self, exc: Exception) -> None:
        why = f"internal error while observing ({type(exc).__name__}: {exc}); the traffic was not affected"
        self._stop_observing(why)
        self.app.note(f"#{self.exchange.index} {self.method} {self.path}: {why}")

    # ---- the end ---------------------------------------------------------------------------------

    def _finish(self) -> None:
        if self.ended:
            return
        self.exchange.end()
        report = None
        if self.check is not None:
            try:
                report = self.check.finish()
            except Exception as exc:  # as above
                self._internal_error(exc)
                report = self.check.report
        self._end(report)

    def _finish_broken(self, rule: Any, message: str) -> None:
        if self.ended:
            return
        self.exchange.end(f"{message}; the client's connection was dropped before the end of the body")
        report = None
        if self.check is not None:
            try:
                report = self.check.broken(rule, message)
            except Exception as exc:  # as above
                self._internal_error(exc)
                report = self.check.report
        else:
            self.app.note(f"#{self.exchange.index} {self.method} {self.path}: {message}")
        self._end(report)

    def finish_abandoned(self, why: str) -> None:
        if self.ended:
            return
        if self.check is None and self.exchange.status is None and self._is_stream_request():
            self._make_check()  # a stream request the upstream had not answered yet: reported all the same
            why += " before the upstream answered"
        self.exchange.end(why)
        report = self.check.abandoned(why) if self.check is not None else None
        self._end(report)

    def _end(self, report: StreamReport | None) -> None:
        self.ended = True
        self.app.finished(self.exchange, self.path, report)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
