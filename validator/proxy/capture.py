"""Captures the proxy writes: one HAR archive, or one ``.sse`` file per stream. Both are redacted.

**HAR** (the default): every exchange, in the order the requests arrived, as
HAR 1.2 entries (the request with its headers and body, the upstream's status,
headers and decoded body, timings; a WebSocket session's messages under
``_webSocketMessages``, as browsers record them). ``validate capture.har``
checks every ``text/event-stream`` answer in it, and the proxy names each
stream it checked as ``validate`` will: ``capture.har#entries[N] POST URL``.
Finished entries are spooled to an unnamed temporary file beside the capture
(memory stays bounded however long the proxy runs); the archive is assembled
when the proxy stops, with every secret learned by then masked again.

**SSE**: each Responses stream's decoded body as ``DIR/STAMP-NNNN.sse`` (the
proxy's start time and the exchange number); nothing of other exchanges.
``validate DIR`` checks them.

What is masked, everywhere: the values of credential headers (shown as
``[REDACTED]``), every ``--redact`` value, and each of them in the spellings of
``redaction.spellings``, in URLs, headers and bodies. A body that is not UTF-8
text is masked as bytes and stored base64-encoded.
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import orjson

from validator import __version__
from validator.proxy.exchange import Exchange
from validator.proxy.redaction import SecretRedactor


class CaptureWriter(Protocol):
    """Where finished exchanges go."""

    def source_for(self, exchange: Exchange) -> str:
        """The name the findings of this exchange's stream carry (where ``validate`` finds them)."""
        ...

    def keeps_body(self, checked: bool) -> bool:
        """Whether this writer needs the response body of an exchange (checked or not)."""
        ...

    def session_source(self, exchange: Exchange) -> str:
        """The name a WebSocket session's reports start with (where ``validate`` finds it)."""
        ...

    def add(self, exchange: Exchange) -> None: ...

    def close(self) -> list[str]:
        """Write what is left; the paths written."""
        ...


class NoCapture:
    """``--no-capture``: nothing is written; streams are named after their request."""

    def source_for(self, exchange: Exchange) -> str:
        return f"proxy#{exchange.index} {exchange.method} {exchange.url}"

    def session_source(self, exchange: Exchange) -> str:
        return f"proxy#{exchange.index} WebSocket {exchange.url}"

    def keeps_body(self, checked: bool) -> bool:
        return False

    def add(self, exchange: Exchange) -> None:
        return

    def close(self) -> list[str]:
        return []


# --- HAR ------------------------------------------------------------------------------------------


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ms(start: float, end: float | None) -> float:
    return round(max(0.0, (end if end is not None else start) - start) * 1000, 3)


class HarWriter:
    """One HAR 1.2 archive of every exchange, assembled at ``close``."""

    def __init__(self, path: Path, redactor: SecretRedactor) -> None:
        self.path = path
        self.redactor = redactor
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unnamed (O_TMPFILE where the system has it): nothing is left behind if the proxy dies.
        self._spool: IO[bytes] = tempfile.TemporaryFile(dir=path.parent, prefix=f".{path.name}.")  # noqa: SIM115
        self._where: list[tuple[int, int, int]] = []  # (exchange index, offset, length)

    def source_for(self, exchange: Exchange) -> str:
        return f"{self.path}#entries[{exchange.index}] {exchange.method} {self.redactor.text(exchange.url)}"

    def session_source(self, exchange: Exchange) -> str:
        return f"{self.path}#entries[{exchange.index}]"  # as validate names a session it reads from a HAR entry

    def keeps_body(self, checked: bool) -> bool:
        return True

    def add(self, exchange: Exchange) -> None:
        line = orjson.dumps(self.entry(exchange))
        offset = self._spool.seek(0, os.SEEK_END)
        self._spool.write(line)
        self._where.append((exchange.index, offset, len(line)))

    def close(self) -> list[str]:
        head = orjson.dumps(
            {"version": "1.2", "creator": {"name": "responses-conformance proxy", "version": __version__}}
        )
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(b'{"log":' + head[:-1] + b',"entries":[\n')
                for n, (_, offset, length) in enumerate(sorted(self._where)):
                    self._spool.seek(offset)
                    # Secrets learned after this entry was spooled are masked too, value by value.
                    entry = _redact_tree(orjson.loads(self._spool.read(length)), self.redactor.text)
                    out.write((b",\n" if n else b"") + orjson.dumps(entry))
                out.write(b"\n]}}\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            self._spool.close()
        return [str(self.path)]

    # ---- one entry -------------------------------------------------------------------------------

    def entry(self, exchange: Exchange) -> dict[str, Any]:
        redact = self.redactor
        end = exchange.ended_clock if exchange.ended_clock is not None else time.monotonic()
        wait = _ms(exchange.started_clock, exchange.headers_clock or end)
        receive = _ms(exchange.headers_clock, end) if exchange.headers_clock is not None else 0.0
        entry: dict[str, Any] = {
            "startedDateTime": _iso(exchange.started),
            "time": round(wait + receive, 3),
            "request": self._request(exchange),
            "response": self._response(exchange),
            "cache": {},
            "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0, "wait": wait,
                        "receive": receive},
        }
        if exchange.websocket is not None:
            entry["_resourceType"] = "websocket"
            entry["_webSocketMessages"] = [
                {
                    "type": message.direction,
                    "time": message.time,
                    "opcode": 1 if isinstance(message.data, str) else 2,
                    "data": redact.text(message.data) if isinstance(message.data, str)
                    else base64.b64encode(redact.bytes_(message.data)).decode(),
                }
                for message in exchange.websocket
            ]
            if exchange.websocket_total > exchange.websocket_kept:
                exchange.notes.append(
                    f"WebSocket messages kept up to {exchange.websocket_kept:,} of {exchange.websocket_total:,} bytes"
                )
        if exchange.notes:
            entry["comment"] = redact.text("; ".join(exchange.notes))
        return entry

    def _request(self, exchange: Exchange) -> dict[str, Any]:
        redact = self.redactor
        url = redact.text(exchange.url)
        request: dict[str, Any] = {
            "method": exchange.method,
            "url": url,
            "httpVersion": exchange.http_version,
            "cookies": [],
            "headers": _header_list(redact.headers_list(exchange.request_headers)),
            "queryString": [
                {"name": redact.text(name), "value": redact.text(value)}
                for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)
            ],
            "headersSize": -1,
            "bodySize": exchange.request_body.total,
        }
        body = exchange.request_body
        if body.total:
            text, encoding = self._body_text(bytes(body.data))
            request["postData"] = {"mimeType": exchange.header("content-type", response=False), "text": text}
            if encoding:
                request["postData"]["_encoding"] = encoding
            if body.truncated:
                exchange.notes.append(f"request body kept up to {len(body.data):,} of {body.total:,} bytes")
        return request

    def _response(self, exchange: Exchange) -> dict[str, Any]:
        redact = self.redactor
        content: dict[str, Any] = {"size": 0, "mimeType": exchange.header("content-type")}
        body = exchange.response_body
        if body is not None:
            content["size"] = body.total
            text, encoding = self._body_text(bytes(body.data))
            content["text"] = text
            if encoding:
                content["encoding"] = encoding
            if body.truncated:
                exchange.notes.append(f"response body kept up to {len(body.data):,} of {body.total:,} bytes")
            if body.total and exchange.response_raw_bytes != body.total:
                content["compression"] = body.total - exchange.response_raw_bytes
        status = exchange.status if exchange.status is not None else 0
        return {
            "status": status,
            "statusText": "",
            "httpVersion": exchange.response_http_version,
            "cookies": [],
            "headers": _header_list(redact.headers_list(exchange.response_headers)),
            "content": content,
            "redirectURL": redact.text(exchange.header("location")),
            "headersSize": -1,
            "bodySize": exchange.response_raw_bytes if exchange.status is not None else -1,
        }

    def _body_text(self, data: bytes) -> tuple[str, str | None]:
        """The body as HAR text: UTF-8 text as it is, anything else base64-encoded; masked either way."""
        try:
            return self.redactor.text(data.decode("utf-8")), None
        except UnicodeDecodeError:
            return base64.b64encode(self.redactor.bytes_(data)).decode(), "base64"


def _redact_tree(value: Any, redact: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_tree(item, redact) for item in value]
    if isinstance(value, dict):
        return {redact(key): _redact_tree(item, redact) for key, item in value.items()}
    return value


def _header_list(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


# --- SSE files ------------------------------------------------------------------------------------


class SseWriter:
    """Each checked stream's decoded body as ``DIR/STAMP-NNNN.sse``; other exchanges are not kept."""

    def __init__(self, directory: Path, redactor: SecretRedactor, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.redactor = redactor
        directory.mkdir(parents=True, exist_ok=True)
        self.stamp = datetime.fromtimestamp(clock(), UTC).strftime("%Y%m%dT%H%M%SZ")
        self.written: list[str] = []

    def path_for(self, exchange: Exchange) -> Path:
        return self.directory / f"{self.stamp}-{exchange.index:04d}.sse"

    def source_for(self, exchange: Exchange) -> str:
        return str(self.path_for(exchange))

    def session_source(self, exchange: Exchange) -> str:
        return f"proxy#{exchange.index} WebSocket {self.redactor.text(exchange.url)}"  # .sse files hold no session

    def keeps_body(self, checked: bool) -> bool:
        return checked

    def add(self, exchange: Exchange) -> None:
        if not exchange.meta.get("checked_as_stream") or exchange.response_body is None:
            return
        data = bytes(exchange.response_body.data)
        try:
            masked = self.redactor.text(data.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            masked = self.redactor.bytes_(data)
        path = self.path_for(exchange)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(masked)
        os.replace(tmp, path)
        self.written.append(str(path))

    def close(self) -> list[str]:
        return list(self.written)
