"""Where streams come from: files, directories, stdin, bytes, HAR archives.

Every source becomes a sequence of ``Stream`` objects whose events are read
lazily, so a large capture is never held in memory as a whole (JSON arrays and
HAR archives are the exception: they are one JSON document and are parsed
whole).

Formats: ``sse`` (text/event-stream), ``jsonl`` (one event object per line),
``json`` (an array of events, or an array of such arrays), ``har`` (every
``text/event-stream`` response in the archive). Gzip is recognised by its
magic bytes. ``auto`` sniffs the content.
"""

from __future__ import annotations

import base64
import gzip
import io
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

import orjson

from validator.errors import InputError
from validator.model import Event, HttpInfo
from validator.redact import Redactor
from validator.sse import DATA_ONLY_OVERHEAD, USUAL_OVERHEAD, Frame, Run, SSEDecoder, event_name

FORMATS = ("auto", "sse", "jsonl", "json", "har")

# Extensions a directory walk picks up (each also with ``.gz``).
STREAM_EXTENSIONS = (".sse", ".jsonl", ".ndjson", ".json", ".har", ".txt", ".events")

CHUNK_SIZE = 1 << 16
_SNIFF_SIZE = 1 << 12
_HAR_START = re.compile(rb'^\{\s*"log"\s*:')
_SSE_START = re.compile(rb"^(?:data|event|id|retry)(?::|\r|\n)|^:")
DONE_SENTINEL = b"[DONE]"


@dataclass(slots=True)
class Stream:
    """One response stream: a name for reports and its events, read on demand."""

    name: str
    events: Iterable[Event]
    format: str
    http: HttpInfo | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # The bytes ``events`` decodes (SSE or JSON Lines), for a checker that reads them directly;
    # read one or the other.
    body: Iterable[bytes] | None = None

    @property
    def transport(self) -> str:
        """What the events kept of their wire form: ``sse`` (SSE framing), ``jsonl`` or ``events``."""
        if self.format in ("sse", "har"):
            return "sse"
        return "jsonl" if self.format == "jsonl" else "events"


def _json_error(exc: orjson.JSONDecodeError, data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as uni:
        return f"invalid UTF-8 at byte {uni.start}"
    if not data.strip():
        return "empty data"
    return f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def decode_event(
    data: bytes, index: int, line: int, offset: int, name: str | None, ident: str | None, terminated: bool
) -> Event:
    """The Event for one frame's data: its JSON value, the [DONE] sentinel, or why it is neither."""
    if data == DONE_SENTINEL:
        return Event(None, index, line, offset, name, ident, None, True, terminated)
    try:
        return Event(orjson.loads(data), index, line, offset, name, ident, None, False, terminated)
    except orjson.JSONDecodeError as exc:
        error = _json_error(exc, data)
    return Event(None, index, line, offset, name, ident, error, False, terminated)


def frame_event(frame: Frame, index: int) -> Event:
    """The Event for one decoded SSE frame, numbered ``index``."""
    return decode_event(
        frame.data, index, frame.data_line or frame.line, frame.offset, frame.event, frame.id, frame.terminated
    )


class EventSink:
    """An SSE ``FrameSink`` that numbers the frames and hands each on as an Event to ``take``."""

    def __init__(self, take: Callable[[Event], object], start: int = 0) -> None:
        self._take = take
        self.count = start  # frames seen, so the next frame's index
        self._names: dict[bytes, str] = {}

    def frame(self, frame: Frame) -> None:
        index = self.count
        self.count = index + 1
        self._take(frame_event(frame, index))

    def run(self, frames: Run, line: int, offset: int) -> None:
        take = self._take
        names = self._names
        index = self.count
        for raw_name, data in frames:
            if raw_name:
                name: str | None = names.get(raw_name) or event_name(raw_name, names)
                take(decode_event(data, index, line + 1, offset, name, None, True))
                offset += len(raw_name) + len(data) + USUAL_OVERHEAD
                line += 3
            else:
                take(decode_event(data, index, line, offset, None, None, True))
                offset += len(data) + DATA_ONLY_OVERHEAD
                line += 2
            index += 1
        self.count = index


def iter_sse_events(chunks: Iterable[bytes]) -> Iterator[Event]:
    """Decode SSE bytes, in any chunking, into events."""
    events: list[Event] = []
    decoder = SSEDecoder(EventSink(events.append))
    for chunk in chunks:
        decoder.feed(chunk)
        yield from events
        events.clear()
    decoder.close()
    yield from events


class JSONLDecoder:
    """One JSON value per line, decoded incrementally into numbered Events; blank lines are skipped."""

    def __init__(self, take: Callable[[Event], object], start: int = 0) -> None:
        self._take = take
        self.count = start
        self._line_no = 0
        self._offset = 0
        self._tail = bytearray()  # a line still waiting for its newline

    def feed(self, chunk: bytes) -> None:
        if b"\n" not in chunk:
            self._tail += chunk
            return
        if self._tail:
            self._tail += chunk
            chunk = bytes(self._tail)
            self._tail = bytearray()
        lines = chunk.split(b"\n")
        self._tail += lines.pop()
        for raw in lines:
            self._line_no += 1
            self._record(raw, self._line_no)
            self._offset += len(raw) + 1

    def close(self) -> None:
        if self._tail:
            pending = bytes(self._tail)
            self._tail = bytearray()
            self._record(pending, self._line_no + 1)
            self._offset += len(pending)

    @property
    def pending(self) -> int:
        """Bytes held for the line that is still open."""
        return len(self._tail)

    def _record(self, raw: bytes, line_no: int) -> None:
        text = raw.strip()
        if not text:
            return
        if self._offset == 0 and text.startswith(b"\xef\xbb\xbf"):
            text = text[3:]
        index = self.count
        self.count = index + 1
        self._take(decode_event(text, index, line_no, self._offset, None, None, True))


def iter_jsonl_events(chunks: Iterable[bytes]) -> Iterator[Event]:
    """One JSON object per line; blank lines are skipped."""
    events: list[Event] = []
    decoder = JSONLDecoder(events.append)
    for chunk in chunks:
        decoder.feed(chunk)
        yield from events
        events.clear()
    decoder.close()
    yield from events


def json_document_streams(document: Any, name: str) -> list[Stream]:
    """A JSON array of events is one stream; an array of arrays is several."""
    if not isinstance(document, list):
        raise InputError(f"{name}: a JSON stream must be an array of events")
    if document and all(isinstance(item, list) for item in document):
        return [
            Stream(f"{name}#{i}", _json_events(items), "json") for i, items in enumerate(document)
        ]
    return [Stream(name, _json_events(document), "json")]


def _json_events(items: list[Any]) -> list[Event]:
    return [Event(payload=item, index=i) for i, item in enumerate(items)]


def har_streams(document: Any, name: str) -> list[Stream]:
    """Every ``text/event-stream`` response in a HAR archive, in entry order."""
    try:
        entries = document["log"]["entries"]
    except (TypeError, KeyError):
        raise InputError(f"{name}: not a HAR archive (no log.entries)") from None
    if not isinstance(entries, list):
        raise InputError(f"{name}: not a HAR archive (log.entries is not a list)")
    streams: list[Stream] = []
    redactor = Redactor()
    for entry in entries:
        # Secrets from any request or response are masked in every stream's name and headers.
        if isinstance(entry, dict):
            redactor.add_headers(_har_headers(_member(entry, "request").get("headers")))
            redactor.add_headers(_har_headers(_member(entry, "response").get("headers")))
    for i, entry in enumerate(entries):
        stream = _har_entry_stream(entry, f"{name}#entries[{i}]", redactor)
        if stream is not None:
            streams.append(stream)
    return streams


def _har_entry_stream(entry: Any, name: str, redactor: Redactor) -> Stream | None:
    if not isinstance(entry, dict):
        return None
    request = _member(entry, "request")
    response = _member(entry, "response")
    content = _member(response, "content")
    headers = _har_headers(response.get("headers"))
    mime = str(content.get("mimeType") or headers.get("content-type") or "")
    if not mime.lower().startswith("text/event-stream"):
        return None
    text = content.get("text")
    if not isinstance(text, str):
        return None
    if content.get("encoding") == "base64":
        try:
            body = base64.b64decode(text, validate=False)
        except ValueError as exc:
            raise InputError(f"{name}: response body is not valid base64 ({exc})") from None
    else:
        body = text.encode("utf-8", "surrogatepass")
    method = request.get("method")
    url = request.get("url")
    http = HttpInfo(
        status=response.get("status") if isinstance(response.get("status"), int) else None,
        headers=redactor.headers(headers),
        method=method if isinstance(method, str) else None,
        url=redactor.text(url) if isinstance(url, str) else None,
    )
    label = f"{name} {http.method or ''} {http.url or ''}".rstrip()
    stream = Stream(label, iter_sse_events([body]), "har", http=http, body=[body])
    resumed_after = _resumed_after(method, url)
    if resumed_after is not None:
        stream.meta["resumed_after"] = resumed_after
    return stream


def _resumed_after(method: Any, url: Any) -> int | None:
    """N when the request resumes a stream: ``GET .../responses/{id}?stream=true&starting_after=N``."""
    if method != "GET" or not isinstance(url, str):
        return None
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    after = query.get("starting_after", [""])[-1]
    if "/responses/" not in parts.path or query.get("stream", [""])[-1] != "true" or not after.isdigit():
        return None
    return int(after)


def _member(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _har_headers(raw: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                headers[item["name"].lower()] = str(item.get("value", ""))
    return headers


def sniff_format(head: bytes, name: str = "") -> str:
    """Guess the format from the first bytes (after any gzip layer)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lower = name.lower().removesuffix(".gz")
    if lower.endswith(".har"):
        return "har"
    if not text:
        return "sse" if lower.endswith((".sse", ".txt", ".events")) else "jsonl"
    if text[:1] == b"[":
        return "json"
    if text[:1] == b"{":
        return "har" if _HAR_START.match(text) else "jsonl"
    if _SSE_START.match(text):
        return "sse"
    if _looks_binary(head):
        raise InputError(f"{name or 'input'}: binary data, not an event stream")
    return "sse"


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is not binary.
        return exc.start < len(head) - 3
    return False


class _Input:
    """A byte source with a peek at its head, undoing gzip transparently.

    A file is opened twice: once to sniff its head, and again, from the
    start, when its events are read. So a Stream can be read long after the
    list of streams was made, and a directory never holds more than one file
    open. Standard input cannot be reopened: its head is replayed instead.
    """

    def __init__(self, name: str, *, path: Path | None = None, handle: IO[bytes] | None = None) -> None:
        self.name = name
        self._path = path
        self._handle = handle
        if path is not None:
            with self._open_path(path) as raw:
                self._head = self._read(self._decompressed(raw), _SNIFF_SIZE)
        else:
            assert handle is not None
            self._reader = self._decompressed(handle)
            self._head = self._read(self._reader, _SNIFF_SIZE)

    def _open_path(self, path: Path) -> IO[bytes]:
        try:
            return path.open("rb")
        except OSError as exc:
            raise InputError(f"{self.name}: cannot read ({exc.strerror or _short(exc)})") from None

    def _decompressed(self, raw: IO[bytes]) -> IO[bytes]:
        head = self._read(raw, 2)
        stream = _Prefixed(head, raw)
        if head == b"\x1f\x8b":
            return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
        return io.BufferedReader(stream, CHUNK_SIZE)

    def _read(self, reader: IO[bytes], size: int) -> bytes:
        try:
            return reader.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{self.name}: cannot read ({_short(exc)})") from None

    @property
    def head(self) -> bytes:
        return self._head

    def chunks(self) -> Iterator[bytes]:
        if self._path is not None:
            with self._open_path(self._path) as raw:
                yield from self._chunks_of(self._decompressed(raw))
        else:
            if self._head:
                yield self._head
            yield from self._chunks_of(self._reader)

    def _chunks_of(self, reader: IO[bytes]) -> Iterator[bytes]:
        while True:
            chunk = self._read(reader, CHUNK_SIZE)
            if not chunk:
                return
            yield chunk

    def read_all(self) -> bytes:
        return b"".join(self.chunks())


class _Prefixed(io.RawIOBase):
    """A stream that first replays bytes already read from it."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _short(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def streams_from_input(source: _Input, fmt: str = "auto") -> list[Stream]:
    name = source.name
    if fmt == "auto":
        fmt = sniff_format(source.head, name)
    if fmt == "sse":
        chunks = source.chunks()
        return [Stream(name, iter_sse_events(chunks), "sse", body=chunks)]
    if fmt == "jsonl":
        chunks = source.chunks()
        return [Stream(name, iter_jsonl_events(chunks), "jsonl", body=chunks)]
    if fmt not in ("json", "har"):
        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    data = source.read_all()
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if fmt == "har":
        return har_streams(document, name)
    return json_document_streams(document, name)


def streams_from_bytes(data: bytes, name: str = "<bytes>", fmt: str = "auto") -> list[Stream]:
    return streams_from_input(_Input(name, handle=io.BytesIO(data)), fmt)


def streams_from_path(path: str | os.PathLike[str], fmt: str = "auto") -> Iterator[Stream]:
    """The streams in one file, stdin (``-``), or every stream file under a directory."""
    text = os.fspath(path)
    if text == "-":
        yield from streams_from_input(_Input("<stdin>", handle=sys.stdin.buffer), fmt)
        return
    target = Path(text)
    if target.is_dir():
        files = list(walk_stream_files(target))
        if not files:
            raise InputError(f"{text}: no stream files found (looked for {', '.join(STREAM_EXTENSIONS)})")
        for file in files:
            yield from _file_streams(file, fmt)
        return
    yield from _file_streams(target, fmt)


def _file_streams(path: Path, fmt: str) -> list[Stream]:
    if not path.is_file() and path.exists():
        raise InputError(f"{path}: not a regular file")
    return streams_from_input(_Input(str(path), path=path), fmt)


def walk_stream_files(root: Path) -> Iterator[Path]:
    """Stream files below ``root`` in sorted order, never following symlinked directories."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for filename in sorted(filenames):
            lower = filename.lower().removesuffix(".gz")
            if lower.endswith(STREAM_EXTENSIONS):
                yield Path(dirpath) / filename
