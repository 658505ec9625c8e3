"""A wall-clock deadline on one exchange, kept even while a server trickles bytes.

httpx's timeouts bound each socket read: a server that sends its response
headers one byte a second never lets a read time out, so the first-byte and
total timeouts would never fire. A ``Deadline`` learns the exchange's socket
from httpx's ``trace`` request extension (``connection.connect_tcp.complete``
and ``connection.start_tls.complete`` hand over the network stream) and, when
the time is up, shuts the socket down from a timer thread: the blocked read
returns at once and the caller, seeing ``fired``, reports the timeout. Each
request asks for its own connection (``Connection: close``), so the trace
always names the socket.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any


class Deadline:
    """Shuts the exchange's socket down when armed time runs out."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self.fired = False

    def trace(self, name: str, info: dict[str, Any]) -> None:
        """httpx's ``trace`` extension: remember the socket once it is connected (or wrapped in TLS)."""
        if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._socket = sock
                    if self.fired:
                        self._shut()

    def arm(self, seconds: float) -> None:
        """Fire ``seconds`` from now (replacing an earlier arming)."""
        self.cancel()
        timer = threading.Timer(max(0.0, seconds), self._fire)
        timer.daemon = True
        self._timer = timer
        timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
