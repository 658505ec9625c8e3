"""Where streams come from: files, directories, stdin, bytes, HAR archives.

Every source becomes a sequence of ``Stream`` objects whose events are read
lazily, so a large capture is never held in memory as a whole (JSON arrays and
HAR archives are the exception: they are one JSON document and are parsed
whole).

Formats: ``sse`` (text/event-stream), ``jsonl`` (one event object per line),
``json`` (an array of events, or an array of such arrays), ``har`` (every
``text/event-stream`` response in the archive, and every WebSocket session
that browsers record as ``_webSocketMessages``), ``ws`` (a WebSocket frame
log, ``validator.wsframes``). Gzip is recognised by its magic bytes. ``auto``
sniffs the content. A WebSocket session is a ``Stream`` whose ``frames`` hold
its records; ``validator.session`` checks it.

Regular files are opened twice (a peek at the head, then the read); standard
input, FIFOs (``<(cat f.sse)``), character devices (``/dev/stdin`` on a
terminal) and sockets can be read only once, so their head is replayed.

A directory walk (``walk_stream_files``) takes the files a ``FileSelection``
wants: by default every stream extension, leaving out what is never a capture
(version control, virtual environments, README, LICENSE and the like) and
``.txt``/``.json`` files whose first bytes do not look like a stream.
"""

from __future__ import annotations

import base64
import fnmatch
import gzip
import io
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

import orjson

from validator.errors import InputError
from validator.model import Event, HttpInfo
from validator.redact import Redactor
from validator.sse import DATA_ONLY_OVERHEAD, USUAL_OVERHEAD, Frame, Run, SSEDecoder, event_name
from validator.wsframes import LOG_SUFFIX, RECEIVE, SEND, FrameLogDecoder, WsMessage, WsOpen, WsRecord, is_frame_log

FORMATS = ("auto", "sse", "jsonl", "json", "har", "ws")

# Extensions a directory walk picks up (each also with ``.gz``).
STREAM_EXTENSIONS = (".sse", ".jsonl", ".ndjson", ".json", ".har", ".txt", ".events")
# Extensions shared with files that are not captures: a walk takes such a file only when its
# first bytes look like a stream (``looks_like_stream``).
AMBIGUOUS_EXTENSIONS = (".json", ".txt")
DEFAULT_INCLUDE = tuple(f"*{ext}{gz}" for ext in STREAM_EXTENSIONS for gz in ("", ".gz"))
# Never captures, though some share an extension with them: version control, environments and
# caches (as directories), and the documents and manifests a project keeps beside its captures.
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis",
    "README*", "LICENSE*", "LICENCE*", "COPYING*", "NOTICE*", "CHANGELOG*", "CHANGES*", "HISTORY*",
    "AUTHORS*", "CONTRIBUTING*", "*.md", "*.rst", "package.json", "package-lock.json", "tsconfig*.json",
    "requirements*.txt", "constraints*.txt",
)

# Called with the size of every chunk read from an input; it may raise (``Interrupted``) to stop.
ReadHook = Callable[[int], None]

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
    # Masks the secrets the source knows of (a HAR archive's credentials) in every finding.
    redact: Callable[[str], str] | None = None
    # Why the stream cannot be read at all (a HAR entry whose body does not decode): it is
    # reported with this error, unchecked, and the file's other streams are checked.
    error: str | None = None
    # A WebSocket session's records (then ``events`` is empty): see ``validator.session``.
    frames: Iterable[WsRecord] | None = None

    @property
    def transport(self) -> str:
        """What the events kept of their wire form: ``sse`` (SSE framing), ``jsonl`` or ``events``."""
        if self.format in ("sse", "har"):
            return "sse"
        return "jsonl" if self.format == "jsonl" else "events"


def _json_error(exc: orjson.JSONDecodeError, data: bytes) -> str:
    _raise_if_out_of_memory(exc)  # never "invalid JSON" for valid JSON that did not fit
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
    """Every ``text/event-stream`` response in a HAR archive, in entry order.

    The credentials any entry carries (credential headers, bearer tokens, credential parameters
    in URLs) are masked in every stream's name, headers and findings, so a server that echoed
    the request's key is not quoted with it. An entry whose body cannot be decoded (bad base64)
    becomes a stream with an ``error``; the others are checked.
    """
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
            request = _member(entry, "request")
            redactor.add_headers(_har_headers(request.get("headers")))
            redactor.add_headers(_har_headers(_member(entry, "response").get("headers")))
            if isinstance(request.get("url"), str):
                redactor.add_url(request["url"])
    for i, entry in enumerate(entries):
        stream = _har_entry_stream(entry, f"{name}#entries[{i}]", redactor)
        if stream is None:
            stream = har_websocket_session(entry, f"{name}#entries[{i}]", redactor)
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
    error = None
    body = b""
    if content.get("encoding") == "base64":
        try:
            body = base64.b64decode(text, validate=False)
        except ValueError as exc:
            error = f"{name}: response body is not valid base64 ({exc}); the other entries are checked"
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
    pieces = [body[i : i + CHUNK_SIZE] for i in range(0, len(body), CHUNK_SIZE)]  # so the event limit applies
    stream = Stream(
        redactor.text(label), iter_sse_events(pieces), "har", http=http, body=pieces, redact=redactor.text,
        error=redactor.text(error) if error is not None else None,
    )
    resumed_after = _resumed_after(method, url)
    if resumed_after is not None:
        stream.meta["resumed_after"] = resumed_after
    return stream


def har_websocket_session(entry: Any, name: str, redactor: Redactor) -> Stream | None:
    """A WebSocket session a browser recorded in a HAR entry (``_webSocketMessages``), or None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("_webSocketMessages"), list):
        return None
    request = _member(entry, "request")
    response = _member(entry, "response")
    url = request.get("url")
    status = response.get("status") if isinstance(response.get("status"), int) else None
    shown = redactor.text(url) if isinstance(url, str) else None
    http = HttpInfo(status=status, headers=redactor.headers(_har_headers(response.get("headers"))), method="GET",
                    url=shown)
    records: list[WsRecord] = [WsOpen(shown, status)]
    for number, message in enumerate(entry["_webSocketMessages"]):
        record = _har_ws_message(message, f"{name}._webSocketMessages[{number}]")
        if record is not None:
            records.append(record)
    return Stream(name, (), "har", http=http, frames=records)


def _har_ws_message(message: Any, where: str) -> WsMessage | None:
    """One ``_webSocketMessages`` item: ``{"type": "send"|"receive", "time", "opcode", "data"}``."""
    if not isinstance(message, dict):
        raise InputError(f"{where}: not an object")
    direction = message.get("type")
    if direction not in (SEND, RECEIVE):
        raise InputError(f"{where}: `type` must be 'send' or 'receive'")
    data = message.get("data")
    if not isinstance(data, str):
        raise InputError(f"{where}: `data` must be a string")
    opcode = message.get("opcode", 1)
    if opcode not in (1, 2):
        return None  # control frames carry no message
    time = message.get("time")
    when = float(time) if isinstance(time, (int, float)) and not isinstance(time, bool) else None
    if opcode == 2:  # browsers record a binary message in base64
        try:
            return WsMessage(direction, base64.b64decode(data, validate=True), when)
        except ValueError:
            return WsMessage(direction, data.encode("utf-8", "surrogatepass"), when)
    return WsMessage(direction, data, when)


def iter_frame_log(chunks: Iterable[bytes], name: str) -> Iterator[WsRecord]:
    """The records of a WebSocket frame log (``validator.wsframes``), read as the bytes arrive."""
    records: list[WsRecord] = []
    decoder = FrameLogDecoder(records.append, name)
    for chunk in chunks:
        decoder.feed(chunk)
        yield from records
        records.clear()
    decoder.close()
    yield from records


def ws_log_stream(source: _Input) -> Stream:
    return Stream(source.name, (), "ws", frames=iter_frame_log(source.chunks(), source.name))


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
    if lower.endswith(LOG_SUFFIX):
        return "ws"
    if not text:
        return "sse" if lower.endswith((".sse", ".txt", ".events")) else "jsonl"
    if text[:1] == b"[":
        return "json"
    if text[:1] == b"{":
        if _HAR_START.match(text):
            return "har"
        return "ws" if is_frame_log(text.split(b"\n", 1)[0]) else "jsonl"
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

    def __init__(
        self,
        name: str,
        *,
        path: Path | None = None,
        handle: IO[bytes] | None = None,
        on_read: ReadHook | None = None,
        owns_handle: bool = False,
    ) -> None:
        self.name = name
        self._path = path
        self._handle = handle
        self._on_read = on_read
        self._owns_handle = owns_handle
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

    def chunks(self) -> Generator[bytes, None, None]:
        if self._path is not None:
            with self._open_path(self._path) as raw:
                yield from self._chunks_of(self._decompressed(raw))
        else:
            try:
                if self._head:
                    if self._on_read is not None:
                        self._on_read(len(self._head))
                    yield self._head
                yield from self._chunks_of(self._reader)
            finally:
                if self._owns_handle and self._handle is not None:
                    self._handle.close()

    def _chunks_of(self, reader: IO[bytes]) -> Iterator[bytes]:
        on_read = self._on_read
        while True:
            chunk = self._read(reader, CHUNK_SIZE)
            if not chunk:
                return
            if on_read is not None:
                on_read(len(chunk))
            yield chunk

    def read_all(self, limit: int | None = None) -> bytes:
        """Everything, for a format parsed whole; past ``limit`` decoded bytes, an InputError."""
        data = bytearray()
        chunks = self.chunks()
        try:
            for chunk in chunks:
                data += chunk
                if limit is not None and len(data) > limit:
                    raise InputError(
                        f"{self.name}: larger than {limit:,} bytes (the --max-bytes limit); "
                        "JSON arrays and HAR archives are read whole"
                    )
        finally:
            chunks.close()
        return bytes(data)


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


def _raise_if_out_of_memory(exc: orjson.JSONDecodeError) -> None:
    """orjson reports a failed allocation as a JSONDecodeError; it says nothing about the data."""
    if exc.msg.startswith("Not enough memory"):
        raise MemoryError(exc.msg) from None


def streams_from_input(source: _Input, fmt: str = "auto", max_bytes: int | None = None) -> list[Stream]:
    """The streams of one input; a JSON array or HAR archive past ``max_bytes`` is an InputError."""
    name = source.name
    if fmt == "auto":
        fmt = sniff_format(source.head, name)
    if fmt == "sse":
        chunks = source.chunks()
        return [Stream(name, iter_sse_events(chunks), "sse", body=chunks)]
    if fmt == "jsonl":
        chunks = source.chunks()
        return [Stream(name, iter_jsonl_events(chunks), "jsonl", body=chunks)]
    if fmt == "ws":
        return [ws_log_stream(source)]
    if fmt not in ("json", "har"):
        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    data = source.read_all(max_bytes)
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        _raise_if_out_of_memory(exc)
        raise InputError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if fmt == "har":
        return har_streams(document, name)
    return json_document_streams(document, name)


def streams_from_bytes(
    data: bytes, name: str = "<bytes>", fmt: str = "auto", *, max_bytes: int | None = None
) -> list[Stream]:
    return streams_from_input(_Input(name, handle=io.BytesIO(data)), fmt, max_bytes)


def streams_from_path(
    path: str | os.PathLike[str],
    fmt: str = "auto",
    *,
    stdin_name: str = "<stdin>",
    on_read: ReadHook | None = None,
    selection: FileSelection | None = None,
    max_bytes: int | None = None,
) -> Iterator[Stream]:
    """The streams in one file, stdin (``-``, named ``stdin_name``), or every stream file under a directory.

    ``on_read`` is called with the size of every chunk read (for progress, or to stop the read by
    raising ``Interrupted``); ``selection`` says which files a directory walk takes; a JSON array
    or HAR archive larger than ``max_bytes`` (decoded) is an InputError (a stream read as bytes is
    bounded by the Checker instead).
    """
    text = os.fspath(path)
    if text == "-":
        yield from streams_from_input(_Input(stdin_name, handle=sys.stdin.buffer, on_read=on_read), fmt, max_bytes)
        return
    target = Path(text)
    if target.is_dir():
        files = list(walk_stream_files(target, selection or FileSelection()))
        if not files:
            raise InputError(f"{text}: no stream files found ({(selection or FileSelection()).describe()})")
        for file in files:
            yield from _file_streams(file, fmt, on_read, max_bytes)
        return
    yield from _file_streams(target, fmt, on_read, max_bytes)


def is_stream_input(path: str) -> bool:
    """Whether ``path`` can be read only once: ``-``, a FIFO, a character device or a socket."""
    if path == "-":
        return True
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _file_streams(
    path: Path, fmt: str, on_read: ReadHook | None = None, max_bytes: int | None = None
) -> list[Stream]:
    if is_stream_input(str(path)):
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or _short(exc)})") from None
        try:
            return streams_from_input(
                _Input(str(path), handle=handle, on_read=on_read, owns_handle=True), fmt, max_bytes
            )
        except BaseException:
            handle.close()
            raise
    if not path.is_file() and path.exists():
        raise InputError(f"{path}: not a regular file, FIFO or character device")
    return streams_from_input(_Input(str(path), path=path, on_read=on_read), fmt, max_bytes)


@dataclass(frozen=True, slots=True)
class FileSelection:
    """Which files a directory walk takes.

    A pattern without ``/`` is matched (``fnmatch``, case-sensitive) against a file's or a
    directory's own name; one with ``/`` against its path relative to the walked directory.
    ``include`` replaces the stream extensions; ``exclude`` adds to ``DEFAULT_EXCLUDE`` unless
    ``default_excludes`` is off. An excluded directory is not entered.
    """

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    default_excludes: bool = True

    def _excluded(self, relative: PurePosixPath) -> bool:
        patterns = (*DEFAULT_EXCLUDE, *self.exclude) if self.default_excludes else self.exclude
        return _matches(relative, patterns)

    def wants_dir(self, relative: PurePosixPath) -> bool:
        return not self._excluded(relative)

    def wants_file(self, relative: PurePosixPath) -> bool:
        return _matches(relative, self.include) and not self._excluded(relative)

    def describe(self) -> str:
        parts = [f"looked for {', '.join(self.include)}"]
        if self.exclude:
            parts.append(f"excluding {', '.join(self.exclude)}")
        return "; ".join(parts)


def _matches(relative: PurePosixPath, patterns: Iterable[str]) -> bool:
    name = relative.name
    text = relative.as_posix()
    for pattern in patterns:
        if "/" in pattern.strip("/"):
            if fnmatch.fnmatchcase(text, pattern.strip("/")):
                return True
        elif fnmatch.fnmatchcase(name, pattern.strip("/")):
            return True
    return False


def looks_like_stream(head: bytes) -> bool:
    """Whether a file's first bytes (after any gzip layer) look like a capture in some format.

    Used for extensions shared with other files (``.txt``, ``.json``): SSE fields, a JSON array,
    a HAR archive, or a first line holding a JSON object with a string ``type``.
    """
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text:
        return False
    if _SSE_START.match(text) or text[:1] == b"[" or _HAR_START.match(text):
        return True
    if text[:1] != b"{":
        return False
    line, newline, _ = text.partition(b"\n")
    if not newline and len(head) >= _SNIFF_SIZE:
        return b'"type"' in line  # a first line longer than the peek: judge by what is there
    try:
        first = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(first, dict) and isinstance(first.get("type"), str)


def walk_stream_files(
    root: Path, selection: FileSelection | None = None, unreadable: list[Path] | None = None
) -> Iterator[Path]:
    """Stream files below ``root`` in sorted order, never following symlinked directories.

    A directory that cannot be listed is never skipped in silence: it is appended to
    ``unreadable`` when that list is given, and is an InputError otherwise.
    """
    selection = selection or FileSelection()

    def failed(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename is not None else root
        if unreadable is None:
            raise InputError(f"{where}: cannot list the directory ({exc.strerror or _short(exc)})")
        unreadable.append(where)

    for dirpath, dirnames, filenames in os.walk(root, onerror=failed, followlinks=False):
        here = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
        dirnames[:] = sorted(d for d in dirnames if selection.wants_dir(here / d))
        for filename in sorted(filenames):
            if not selection.wants_file(here / filename):
                continue
            path = Path(dirpath) / filename
            if not path.is_file():
                continue  # a FIFO or a device inside a directory is no capture (and could block)
            if filename.lower().removesuffix(".gz").endswith(AMBIGUOUS_EXTENSIONS) and not _peek_is_stream(path):
                continue
            yield path


def _peek_is_stream(path: Path) -> bool:
    try:
        source = _Input(str(path), path=path)
    except InputError:
        return True  # unreadable: let the check say so rather than skip it silently
    return looks_like_stream(source.head)
