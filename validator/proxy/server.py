"""Running the proxy: the listening socket, uvicorn, the upstream client, the stop, the captures.

uvicorn serves the ASGI application (HTTP/1.1 through h11, WebSocket
through the ``websockets`` package); httpx's ``AsyncClient`` talks to the
upstream. The socket is bound here, before uvicorn starts, so that a port
in use is a one-line error and ``--listen 127.0.0.1:0`` can say which port
it got. Signals are handled here too (uvicorn's own handlers are not
installed): the first SIGINT or SIGTERM stops accepting connections and lets
the streams in flight go on for ``Timeouts.drain`` seconds, a second one
stops at once; either way every stream seen is reported and the captures
are written. ``handling_signals`` holds them for the whole run, from before
the listening line to the last report written, so a signal at any moment
stops the proxy and never kills it half-way (a stop that comes before the
server is up ends the run as soon as it starts; one while the reports are
written has nothing left to stop).

``--`` COMMAND: the proxy runs the command with ``OPENAI_BASE_URL`` set to
itself, and stops when the command ends.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import ipaddress
import logging
import math
import os
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import uvicorn

from validator import schemas
from validator.proxy.app import ProxyApp, StreamCallback, UpstreamBroke
from validator.proxy.capture import CaptureWriter, HarWriter, NoCapture, SseWriter
from validator.proxy.redaction import SecretRedactor
from validator.proxy.settings import ProxySettings
from validator.report import Report

BASE_URL_VARIABLE = "OPENAI_BASE_URL"
CHILD_STOP_SECONDS = 5.0


class ProxyError(Exception):
    """The proxy cannot start (the port is taken, the capture cannot be written): one line, exit 2."""


class _Server(uvicorn.Server):
    """uvicorn's server without its signal handlers: the proxy installs its own."""

    @contextmanager
    def capture_signals(self) -> Any:
        yield


# What uvicorn logs about what the proxy does on purpose: cutting the streams still open at a
# forced stop, and answering a WebSocket handshake with the upstream's HTTP refusal.
_QUIRKS = ("timeout graceful shutdown exceeded", "returned without completing handshake")


class _UvicornLines(logging.Handler):
    """uvicorn's own complaints as one line each (no traceback), through ``note``; the proxy's
    deliberate connection drops (``UpstreamBroke``) are not complaints."""

    def __init__(self, note: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self._note = note

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        message = record.getMessage()
        if isinstance(exc, UpstreamBroke) or any(quirk in message for quirk in _QUIRKS):
            return
        text = message.strip().splitlines()[0] if message.strip() else record.levelname
        if exc is not None:
            text += f" ({type(exc).__name__}: {exc})"
        self._note(f"uvicorn: {text}")


def make_capture(settings: ProxySettings, redactor: SecretRedactor) -> CaptureWriter:
    capture = settings.capture
    if capture is None:
        return NoCapture()
    try:
        if capture.format == "sse":
            return SseWriter(capture.path, redactor)
        return HarWriter(capture.path, redactor)
    except OSError as exc:
        raise ProxyError(f"cannot write the capture at {capture.path}: {exc.strerror or exc}") from None


class Proxy:
    """One proxy run: ``bind``, then ``run`` (until stopped), then ``report`` and ``close``."""

    def __init__(
        self,
        settings: ProxySettings,
        *,
        on_stream: StreamCallback | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.redactor = SecretRedactor(settings.secrets)
        upstream = urlsplit(settings.upstream)
        if upstream.password:
            self.redactor.add(upstream.password)
            self.redactor.add(unquote(upstream.password))
        self.on_stream = on_stream
        self.on_note = on_note
        self.capture = make_capture(settings, self.redactor)
        self.app: ProxyApp | None = None
        self.child_status: int | None = None
        self.stopped_by: str | None = None
        self._socket: socket.socket | None = None
        self._server: _Server | None = None
        self._stops = 0
        self._closed = False

    # ---- starting --------------------------------------------------------------------------------

    def bind(self) -> str:
        """Open the listening socket; the proxy's URL (with the port it got)."""
        host, port = self.settings.host, self.settings.port
        family = socket.AF_INET6 if _is_ipv6(host) else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(2048)
        except OSError as exc:
            sock.close()
            raise ProxyError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
        sock.setblocking(False)
        self._socket = sock
        return self.url

    @property
    def port(self) -> int:
        if self._socket is None:
            return self.settings.port
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        host = self.settings.host
        shown = f"[{host}]" if _is_ipv6(host) else host
        return f"http://{shown}:{self.port}"

    # ---- running ---------------------------------------------------------------------------------

    async def run(self, command: Sequence[str] | None = None) -> None:
        """Serve until ``stop`` (a signal, or the command ending); then every open exchange is ended."""
        if self._socket is None:
            self.bind()
        assert self._socket is not None
        settings = self.settings
        timeouts = settings.timeouts
        note = self._note
        logger = logging.getLogger("uvicorn")
        handler = _UvicornLines(note)
        logger.addHandler(handler)
        propagate, logger.propagate = logger.propagate, False
        access = logging.getLogger("uvicorn.access")
        access_disabled, access.disabled = access.disabled, True
        # The upstream client keeps no cookies (a cookie of one client is no business of another's).
        jar = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        client = httpx.AsyncClient(
            cookies=jar,
            follow_redirects=False,
            timeout=httpx.Timeout(timeouts.connect),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )
        try:
            app = ProxyApp(settings, client, self.redactor, self.capture, on_stream=self.on_stream, on_note=note)
            self.app = app
            config = uvicorn.Config(
                app,
                log_config=None,
                access_log=False,
                server_header=False,
                date_header=False,
                http="h11",
                loop="asyncio",
                ws=_websocket_implementation(),
                lifespan="off",
                timeout_graceful_shutdown=math.ceil(timeouts.drain),
                timeout_keep_alive=5,
            )
            server = _Server(config)
            self._server = server
            if self._stops:  # stopped while starting up: serve nothing
                server.should_exit = True
            # Compile the profile's schemas before the first stream, not while it waits (about a second).
            await asyncio.to_thread(warm_up, settings.check.profile)
            with self._signals():
                child = asyncio.create_task(self._run_child(command, server)) if command else None
                await server.serve(sockets=[self._socket])
                tasks = list(server.server_state.tasks)
                if tasks:
                    await asyncio.wait(tasks, timeout=2)
                if child is not None:
                    if not child.done():
                        child.cancel()  # the proxy was stopped first: the command is stopped too
                    await asyncio.gather(child, return_exceptions=True)
            app.abandon_all("the proxy stopped")
        finally:
            await client.aclose()
            logger.removeHandler(handler)
            logger.propagate = propagate
            access.disabled = access_disabled

    def stop(self, why: str = "stopped") -> None:
        """Stop accepting; the first call lets open streams drain, a second ends them at once."""
        self._stops += 1
        if self.stopped_by is None:
            self.stopped_by = why
        server = self._server
        if server is None:
            return
        if self._stops == 1:
            server.should_exit = True
        else:
            server.force_exit = True

    @contextmanager
    def handling_signals(self) -> Any:
        """SIGINT and SIGTERM call ``stop`` (not KeyboardInterrupt) until the block ends; then as before."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        names = dict(_SIGNALS)

        def handler(signum: int, _frame: FrameType | None) -> None:
            self.stop(names[signum])

        previous = {}
        for sig, _name in _SIGNALS:
            if signal.getsignal(sig) is signal.SIG_IGN:
                continue  # whoever started the proxy chose to ignore it (nohup, a background job)
            previous[sig] = signal.signal(sig, handler)
        try:
            yield
        finally:
            for sig, before in previous.items():
                signal.signal(sig, before)

    @contextmanager
    def _signals(self) -> Any:
        """Inside the event loop, the same handlers through the loop (which they then wake at once)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        installed = {}
        for sig, name in _SIGNALS:
            handler = signal.getsignal(sig)
            if handler is signal.SIG_IGN:
                continue  # as above
            loop.add_signal_handler(sig, self.stop, name)
            installed[sig] = handler
        try:
            yield
        finally:
            for sig, handler in installed.items():
                loop.remove_signal_handler(sig)  # which leaves Python's default handler, not the one before
                signal.signal(sig, handler)

    async def _run_child(self, command: Sequence[str], server: _Server) -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.01)
        env = {**os.environ, BASE_URL_VARIABLE: self.url}
        try:
            process = await asyncio.create_subprocess_exec(*command, env=env)
        except OSError as exc:
            self._note(f"cannot run {command[0]}: {exc.strerror or exc}")
            self.child_status = 127 if isinstance(exc, FileNotFoundError) else 126
            self.stop("the command could not start")
            return
        try:
            status = await process.wait()
        except asyncio.CancelledError:
            await _end_child(process)
            raise
        finally:
            if process.returncode is None:
                await _end_child(process)
        self.child_status = status if status >= 0 else 128 - status
        self.stop("the command ended")

    # ---- the end ---------------------------------------------------------------------------------

    def report(self) -> Report:
        """Every stream seen, in the order the requests arrived."""
        report = Report(self.settings.check.profile)
        if self.app is not None:
            report.streams = [stream for i in sorted(self.app.reports) for stream in self.app.reports[i]]
        return report

    def close(self) -> list[str]:
        """Write the captures; the paths written."""
        if self._closed:
            return []
        self._closed = True
        if self._socket is not None:
            self._socket.close()
        try:
            return self.capture.close()
        except OSError as exc:
            raise ProxyError(f"cannot write the capture: {exc.strerror or exc}") from None

    def _note(self, text: str) -> None:
        if self.on_note is not None:
            self.on_note(self.redactor.text(text))


_SIGNALS: tuple[tuple[int, str], ...] = ((signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM"))


def warm_up(profile: str) -> None:
    """Compile every event schema of the profile now (they are otherwise compiled on first use)."""
    for event_type in schemas.event_types(profile):
        schemas.compiled(profile, event_type)


async def _end_child(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), CHILD_STOP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


def _is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host.strip("[]")), ipaddress.IPv6Address)
    except ValueError:
        return False


def _websocket_implementation() -> str:
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "none"
    return "auto"


def capture_path_kind(path: Path) -> str:
    """The capture format a path implies: a ``.har`` file, else a directory of ``.sse`` files."""
    return "har" if path.suffix.lower() == ".har" else "sse"
