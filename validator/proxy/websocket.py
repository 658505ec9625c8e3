"""WebSocket sessions (the Responses API's WebSocket mode on ``/responses``), passed through.

The client's handshake is repeated upstream with its path, query, headers and
subprotocols (each side negotiates its own extensions and keys); the
upstream's answer decides the client's: accepted with the subprotocol the
upstream chose, or refused with the upstream's own HTTP status, headers and
body. Then every message goes on as it came, text as text and binary as
binary, in both directions, and a close on one side closes the other with
the same code and reason. Redirects are passed to the client, never followed.

Sessions are recorded in the HAR capture (``_webSocketMessages``, bounded by
``Limits.stream_bytes``), redacted like everything else. A session on a
``.../responses`` path is checked as it passes (``session_check``: each message
after it was forwarded), as ``validate`` checks it in the HAR capture; the
session and each of its responses get a report.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from validator.proxy import forwarding
from validator.proxy.exchange import Exchange, Kept
from validator.proxy.session_check import SessionCheck

if TYPE_CHECKING:
    from validator.proxy.app import ProxyApp, Receive, Scope, Send

# Close codes that may not be sent in a close frame (RFC 6455 section 7.4.1), and what the client gets instead.
_NOT_SENDABLE = {1005: 1000, 1006: 1011, 1015: 1011}


class _NoRedirects(connect):
    """``connect`` that hands a redirect back as the upstream's answer instead of following it."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


def websocket_url(http_url: str) -> str:
    return "ws" + http_url[len("http") :] if http_url.startswith("http") else http_url


async def relay(app: ProxyApp, scope: Scope, receive: Receive, send: Send) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    exchange = app.open_exchange(scope, app.settings.limits.other_bytes)
    exchange.url = websocket_url(exchange.url)
    path = scope["path"]
    headers = forwarding.forwardable(
        exchange.request_headers, forwarding.NOT_FORWARDED | forwarding.WEBSOCKET_HANDSHAKE
    )
    limits = app.settings.limits
    try:
        upstream = await _NoRedirects(
            exchange.url,
            additional_headers=headers,
            subprotocols=scope.get("subprotocols") or None,
            user_agent_header=None,  # the client's own User-Agent is among the forwarded headers
            open_timeout=app.settings.timeouts.connect,
            ping_interval=None,  # the proxy adds no traffic of its own
            max_size=limits.event_bytes,
        )
    except InvalidStatus as exc:
        await _refused(app, exchange, send, exc.response.status_code,
                       list(exc.response.headers.raw_items()),
                       bytes(exc.response.body or b""), scope)
        return
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        text = f"cannot open the WebSocket upstream: {str(exc) or type(exc).__name__}"
        body = orjson.dumps({"error": {"message": f"responses-conformance proxy: {app.redactor.text(text)}",
                                       "type": "proxy_error", "code": "upstream_unreachable", "param": None}})
        exchange.notes.append(text)
        await _refused(app, exchange, send, 502, [("content-type", "application/json")], body, scope)
        return
    response = upstream.response
    assert response is not None
    upstream_headers = list(response.headers.raw_items())
    app.redactor.add_header_pairs(upstream_headers)
    exchange.answered(101, upstream_headers, "HTTP/1.1")
    accept: dict[str, Any] = {
        "type": "websocket.accept",
        "subprotocol": upstream.subprotocol,
        "headers": forwarding.encode_headers(
            forwarding.forwardable(upstream_headers, forwarding.HOP_BY_HOP | forwarding.WEBSOCKET_HANDSHAKE)
        ),
    }
    await send(accept)
    check = None
    if path.rstrip("/").endswith("/responses"):  # the Responses API's WebSocket mode
        check = SessionCheck(app.settings.check, app.redactor, source=app.capture.session_source(exchange),
                             url=exchange.url)
    code, reason, how = await _pass_messages(app, exchange, upstream, receive, send, limits.stream_bytes, check)
    exchange.end(how)
    count = len(exchange.websocket or [])
    app.note(
        f"#{exchange.index} WebSocket {path}: {how} ({code}{' ' + reason if reason else ''}); "
        f"{count} messages passed through, " + ("checked as a Responses session" if check is not None
                                                 else "not checked (not a Responses path)")
    )
    if check is not None:
        by = "client" if how.startswith("the client") else "server"
        app.finished_session(exchange, path, check.closed(code, reason, by))
    else:
        app.finished(exchange, path, None)


async def _pass_messages(
    app: ProxyApp, exchange: Exchange, upstream: ClientConnection, receive: Receive, send: Send, limit: int,
    check: SessionCheck | None,
) -> tuple[int, str, str]:
    """Both directions until one side closes; (close code, reason, who closed)."""
    outcome: dict[str, Any] = {}

    async def from_client() -> None:
        while True:
            message = await receive()
            if message["type"] == "websocket.receive":
                text, raw = message.get("text"), message.get("bytes")
                data: str | bytes = text if isinstance(text, str) else bytes(raw or b"")
                exchange.add_message("send", data, limit)
                try:
                    await upstream.send(data)
                except ConnectionClosed:
                    return
                if check is not None:  # after it was forwarded
                    check.message("send", data)
            elif message["type"] == "websocket.disconnect":
                code = int(message.get("code", 1000))
                reason = str(message.get("reason") or "")
                if not outcome:  # the upstream did not close first
                    outcome.update(code=code, reason=reason, how="the client closed the session")
                await upstream.close(code=_NOT_SENDABLE.get(code, code), reason=reason)
                return

    async def from_upstream() -> None:
        try:
            async for data in upstream:
                exchange.add_message("receive", data, limit)
                await send({"type": "websocket.send", "text": data} if isinstance(data, str)
                           else {"type": "websocket.send", "bytes": data})
                if check is not None:  # after it was forwarded
                    check.message("receive", data)
        except ConnectionClosed:
            pass
        code = upstream.close_code if upstream.close_code is not None else 1006
        reason = upstream.close_reason or ""
        outcome.setdefault("code", code)
        outcome.setdefault("reason", reason)
        outcome.setdefault("how", "the upstream closed the session")
        await send({"type": "websocket.close", "code": _NOT_SENDABLE.get(code, code), "reason": reason})

    tasks = [asyncio.create_task(from_client()), asyncio.create_task(from_upstream())]
    try:
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed, OSError):
                await task
    finally:
        for task in tasks:
            task.cancel()
        await upstream.close()
    return int(outcome.get("code", 1006)), str(outcome.get("reason", "")), str(outcome.get("how", "ended"))


async def _refused(
    app: ProxyApp,
    exchange: Exchange,
    send: Send,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    scope: Scope,
) -> None:
    """The upstream refused the handshake (or could not be reached): the client gets that answer."""
    app.redactor.add_header_pairs(headers)
    exchange.answered(status, headers, "HTTP/1.1")
    exchange.response_body = Kept(app.settings.limits.other_bytes)
    exchange.response_body.add(body)
    exchange.response_raw_bytes = len(body)
    exchange.end()
    app.finished(exchange, scope["path"], None)
    app.note(f"#{exchange.index} WebSocket {scope['path']}: the upstream answered HTTP {status}")
    if "websocket.http.response" in scope.get("extensions", {}):
        passed = forwarding.forwardable(headers, forwarding.HOP_BY_HOP)
        passed = [(n, v) for n, v in passed if n.lower() != "content-length"]
        passed.append(("content-length", str(len(body))))
        await send({"type": "websocket.http.response.start", "status": status,
                    "headers": forwarding.encode_headers(passed)})
        await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
    else:
        await send({"type": "websocket.close", "code": 1011, "reason": ""})
