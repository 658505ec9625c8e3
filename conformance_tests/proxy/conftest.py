"""Fixtures for the proxy tests: upstreams and proxies on 127.0.0.1, started and stopped here.

``running_proxy`` runs a ``Proxy`` in a thread and stops it (as Ctrl-C
would) when the block ends; ``Wire`` is an httpx transport that records the
bytes a client receives, so that what a client got through the proxy can be
compared with what it got directly, byte for byte.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from validator import reference_server
from validator.proxy import Capture, Limits, Proxy, ProxySettings, Timeouts
from validator.report import Report, StreamReport

STALL_SECONDS = 3.0
JOIN_SECONDS = 30.0  # every wait in these tests is bounded


@pytest.fixture(scope="session")
def reference() -> Iterator[str]:
    """The reference server (openai profile; faults per request)."""
    server, thread = reference_server.start(stall_seconds=STALL_SECONDS)
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Running:
    """A proxy running in a thread: its URL, what it printed, and (after the block) its report."""

    proxy: Proxy
    url: str
    verdicts: list[tuple[int, str, str, StreamReport]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: Report | None = None
    written: list[str] = field(default_factory=list)


@contextmanager
def running_proxy(
    upstream: str,
    capture: Capture | None = None,
    *,
    limits: Limits | None = None,
    timeouts: Timeouts | None = None,
    secrets: tuple[str, ...] = (),
    **check: Any,
) -> Iterator[Running]:
    from validator.proxy import CheckSettings

    settings = ProxySettings(
        upstream=upstream,
        port=0,
        capture=capture,
        limits=limits or Limits(),
        timeouts=timeouts or Timeouts(drain=1.0),
        secrets=secrets,
        check=CheckSettings(**check),
    )
    verdicts: list[tuple[int, str, str, StreamReport]] = []
    notes: list[str] = []
    proxy = Proxy(settings, on_stream=lambda *args: verdicts.append(args), on_note=notes.append)
    url = proxy.bind()
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            asyncio.run(proxy.run())
        except BaseException as exc:  # surfaced in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=serve, name="proxy", daemon=True)
    thread.start()
    running = Running(proxy, url, verdicts, notes)
    try:
        yield running
    finally:
        proxy.stop("the test ended")
        thread.join(JOIN_SECONDS)
        assert not thread.is_alive(), "the proxy did not stop"
        running.written = proxy.close()
        running.report = proxy.report()
    if failure:
        raise failure[0]


class _Recording(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, sink: bytearray) -> None:
        self._inner = inner
        self._sink = sink

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._sink.extend(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()


@dataclass
class Received:
    status: int
    headers: list[tuple[str, str]]
    body: bytearray


class Wire(httpx.BaseTransport):
    """An httpx transport that keeps, per response, the status, headers and body bytes as they came."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.received: list[Received] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        record = Received(
            response.status_code,
            [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw],
            bytearray(),
        )
        self.received.append(record)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _Recording(response.stream, record.body)
        return response

    def close(self) -> None:
        self._inner.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- a scripted upstream: answers with whatever the test says ---------------------------------------


Script = Callable[[BaseHTTPRequestHandler, bytes], None]


class _ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ScriptedServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
            raw = bytes(body)
        else:
            raw = self.rfile.read(length) if length else b""
        self.server.requests.append(
            {"method": self.command, "path": self.path, "headers": list(self.headers.items()), "body": raw}
        )
        try:
            self.server.script(self, raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _any


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, script: Script) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.script = script
        self.requests: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def scripted(script: Script) -> Iterator[ScriptedServer]:
    server = ScriptedServer(script)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def send_chunk(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    handler.wfile.flush()


def capture_path(tmp_path: Path) -> Capture:
    return Capture(tmp_path / "capture.har")
