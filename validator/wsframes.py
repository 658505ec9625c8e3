"""WebSocket session records and the JSON Lines frame log that holds them.

A session is what one WebSocket connection carried: how it opened (the
handshake's URL and status), the messages in both directions, and how it
closed. The frame log is one JSON object per line (docs/websocket.md)::

    {"time": 0.0, "open": {"url": "ws://127.0.0.1:8765/v1/responses", "status": 101}}
    {"time": 0.004, "direction": "send", "text": "{\\"type\\": \\"response.create\\", ...}"}
    {"time": 0.010, "direction": "receive", "text": "{\\"type\\": \\"response.created\\", ...}"}
    {"time": 0.350, "close": {"code": 1000, "reason": "", "by": "client"}}

``time`` is seconds since the connection opened (any origin will do; only
differences are read). ``direction`` is ``send`` (client to server) or
``receive`` (server to client), as browsers name them in HAR files. A binary
message has ``binary`` (base64) instead of ``text``. The ``open`` record is
optional; the ``close`` record ends the session (``code`` null: the connection
dropped without a close frame, which clients report as 1006).

The live battery writes these logs, and ``validate`` reads them (``*.ws.jsonl``,
or any JSON Lines file whose first record is a frame record).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from validator.errors import InputError

SEND = "send"  # client to server
RECEIVE = "receive"  # server to client
DIRECTIONS = (SEND, RECEIVE)

# A production Responses WebSocket closes with 1009 on messages of this size or more.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024

# The suffix the live battery gives its frame logs.
LOG_SUFFIX = ".ws.jsonl"


@dataclass(slots=True)
class WsOpen:
    """The opening handshake: where the client connected and what the server answered."""

    url: str | None = None
    status: int | None = None  # 101 when the upgrade succeeded
    time: float | None = None
    line: int = 0


@dataclass(slots=True)
class WsMessage:
    """One WebSocket message (a text or binary frame, reassembled)."""

    direction: str
    data: str | bytes  # str for a text message, bytes for a binary one
    time: float | None = None
    line: int = 0

    @property
    def size(self) -> int:
        """The message's size in bytes on the wire (UTF-8 for text)."""
        data = self.data
        if isinstance(data, bytes):
            return len(data)
        if len(data) * 4 < MAX_MESSAGE_BYTES:  # at most four bytes per character: no need to encode
            return len(data)
        return len(data.encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class WsClose:
    """How the connection ended. ``code`` None: no close frame (the connection dropped; 1006)."""

    code: int | None = None
    reason: str = ""
    by: str | None = None  # "client", "server", or None when unknown
    time: float | None = None
    line: int = 0


WsRecord = WsOpen | WsMessage | WsClose


@dataclass(slots=True)
class FrameLogDecoder:
    """Incremental reader of a frame log: bytes in any chunking, records out (to ``take``)."""

    take: Callable[[WsRecord], object]
    name: str = "<frames>"
    _line: int = 0
    _tail: bytearray = field(default_factory=bytearray)

    def feed(self, chunk: bytes) -> None:
        if b"\n" not in chunk:
            self._tail += chunk
            return
        data = bytes(self._tail) + chunk
        self._tail = bytearray()
        lines = data.split(b"\n")
        self._tail += lines.pop()
        for raw in lines:
            self._line += 1
            self._record(raw, self._line)

    def close(self) -> None:
        if self._tail.strip():
            self._line += 1
            self._record(bytes(self._tail), self._line)
        self._tail = bytearray()

    def _record(self, raw: bytes, line: int) -> None:
        text = raw.strip()
        if not text:
            return
        if line == 1 and text.startswith(b"\xef\xbb\xbf"):
            text = text[3:]
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise InputError(f"{self.name}:{line}: not a frame record (invalid JSON)") from None
        self.take(parse_record(value, f"{self.name}:{line}", line))


def parse_record(value: Any, where: str, line: int = 0) -> WsRecord:
    """One frame-log record from its JSON value; InputError says what is wrong with it."""
    if not isinstance(value, dict):
        raise InputError(f"{where}: not a frame record (not an object)")
    time = value.get("time")
    if time is not None and (not isinstance(time, (int, float)) or isinstance(time, bool)):
        raise InputError(f"{where}: `time` must be a number of seconds")
    when = float(time) if time is not None else None
    if "direction" in value:
        direction = value["direction"]
        if direction not in DIRECTIONS:
            raise InputError(f"{where}: `direction` must be 'send' or 'receive'")
        if isinstance(value.get("text"), str):
            return WsMessage(direction, value["text"], when, line)
        if isinstance(value.get("binary"), str):
            try:
                return WsMessage(direction, base64.b64decode(value["binary"], validate=True), when, line)
            except (binascii.Error, ValueError):
                raise InputError(f"{where}: `binary` is not valid base64") from None
        raise InputError(f"{where}: a message record needs `text` (a string) or `binary` (base64)")
    if "close" in value:
        close = value["close"]
        if not isinstance(close, dict):
            raise InputError(f"{where}: `close` must be an object")
        code = close.get("code")
        if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
            raise InputError(f"{where}: `close.code` must be an integer or null")
        reason = close.get("reason")
        by = close.get("by")
        return WsClose(
            code,
            reason if isinstance(reason, str) else "",
            by if by in ("client", "server") else None,
            when,
            line,
        )
    if "open" in value:
        opening = value["open"]
        if not isinstance(opening, dict):
            raise InputError(f"{where}: `open` must be an object")
        url = opening.get("url")
        status = opening.get("status")
        return WsOpen(
            url if isinstance(url, str) else None,
            status if isinstance(status, int) and not isinstance(status, bool) else None,
            when,
            line,
        )
    raise InputError(f"{where}: not a frame record (needs `direction`, `open` or `close`)")


def is_frame_log(first_line: bytes) -> bool:
    """Whether a JSON Lines file's first record is a frame record (not an event object)."""
    try:
        value = orjson.loads(first_line.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, dict) and "type" not in value and any(k in value for k in ("direction", "open", "close"))


def record_line(record: WsRecord) -> bytes:
    """One frame-log line (with its newline) for a record."""
    out: dict[str, Any] = {}
    if record.time is not None:
        out["time"] = round(record.time, 6)
    if isinstance(record, WsMessage):
        out["direction"] = record.direction
        if isinstance(record.data, bytes):
            out["binary"] = base64.b64encode(record.data).decode("ascii")
        else:
            out["text"] = record.data
    elif isinstance(record, WsClose):
        out["close"] = {"code": record.code, "reason": record.reason, "by": record.by}
    else:
        out["open"] = {"url": record.url, "status": record.status}
    return orjson.dumps(out) + b"\n"
