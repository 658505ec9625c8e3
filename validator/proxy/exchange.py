"""One request and its answer as the proxy saw them: what a capture records.

An ``Exchange`` is filled in as the traffic passes (the request, the status
and headers, the decoded body, bounded) and handed to the capture writer
when it ends. What it keeps of each body is bounded (``Kept``); the client
always gets everything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


class Kept:
    """The first ``limit`` bytes of a body, and how many there were in all."""

    __slots__ = ("data", "limit", "total")

    def __init__(self, limit: int) -> None:
        self.data = bytearray()
        self.limit = limit
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room] if len(chunk) > room else chunk

    @property
    def truncated(self) -> bool:
        return self.total > len(self.data)


@dataclass(slots=True)
class WebSocketMessage:
    """One message of a WebSocket session, in the order it passed."""

    direction: str  # "send" (client to upstream) or "receive"
    time: float  # seconds since the epoch
    data: str | bytes


@dataclass(slots=True)
class Exchange:
    """One request, its answer, and what became of it."""

    index: int
    method: str
    url: str  # where the request went upstream
    request_headers: list[tuple[str, str]]
    request_body: Kept
    http_version: str = "HTTP/1.1"
    started: float = field(default_factory=time.time)
    started_clock: float = field(default_factory=time.monotonic)
    status: int | None = None
    response_http_version: str = "HTTP/1.1"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: Kept | None = None  # decoded (Content-Encoding undone)
    response_raw_bytes: int = 0  # as they came from the upstream
    headers_clock: float | None = None
    ended_clock: float | None = None
    notes: list[str] = field(default_factory=list)  # what went wrong, for the capture's comment
    source: str | None = None  # the name findings of this exchange's stream carry
    websocket: list[WebSocketMessage] | None = None
    websocket_kept: int = 0  # bytes of WebSocket messages kept
    websocket_total: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    def answered(self, status: int, headers: list[tuple[str, str]], http_version: str) -> None:
        self.status = status
        self.response_headers = headers
        self.response_http_version = http_version
        self.headers_clock = time.monotonic()

    def end(self, note: str | None = None) -> None:
        if self.ended_clock is None:
            self.ended_clock = time.monotonic()
        if note:
            self.notes.append(note)

    def header(self, name: str, response: bool = True) -> str:
        pairs = self.response_headers if response else self.request_headers
        return next((value for key, value in pairs if key.lower() == name), "")

    def add_message(self, direction: str, data: str | bytes, limit: int) -> None:
        size = len(data)
        self.websocket_total += size
        if self.websocket is None:
            self.websocket = []
        if self.websocket_kept + size <= limit:
            self.websocket_kept += size
            self.websocket.append(WebSocketMessage(direction, time.time(), data))
