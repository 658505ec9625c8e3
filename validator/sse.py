"""An incremental decoder for the WHATWG event-stream format, on bytes.

It follows "Interpreting an event stream" (WHATWG HTML, 9.2.6): lines end in
CRLF, LF or CR; one leading UTF-8 BOM is dropped; lines starting with a colon
are comments; a field line is split at its first colon and one space after the
colon is dropped; a line without a colon is a field with an empty value;
``data`` lines are joined with LF; a blank line dispatches the event, unless
no ``data`` line was seen. Two departures, both so that a validator can
report what a client would silently do:

* the frame that is still open at end of input is returned with
  ``terminated=False`` instead of being discarded;
* every frame records the line number and byte offset where it began.

Feeding the bytes in any chunking gives the same frames.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any, Generic, TypeVar, overload

_BOM = b"\xef\xbb\xbf"
_EOL = re.compile(rb"\r\n|\r|\n")
# The usual frame, ``event: X`` then ``data: Y`` and a blank line; anchored at line
# starts so that a search never rescans a long line.
_USUAL_FRAME = re.compile(rb"(?m)^event: ([^\n]+)\ndata: ([^\n]*)\n\n")
# Bytes of a usual frame besides its name and data.
USUAL_OVERHEAD = len(b"event: \ndata: \n\n")
# An unfinished frame longer than this is taken apart line by line, so no
# chunk re-copies a growing remainder.
_MAX_PENDING = 1 << 16


def event_name(raw: bytes, names: dict[bytes, str]) -> str:
    """The ``event:`` value as text, remembered in ``names`` (up to a bound: names repeat)."""
    name = raw.decode("utf-8", "replace")
    if len(names) < 4096:
        names[raw] = name
    return name


@dataclass(slots=True)
class Frame:
    """One dispatched event: its data (lines joined with LF) and fields."""

    data: bytes
    event: str | None
    id: str | None
    retry: int | None
    line: int
    data_line: int
    offset: int
    terminated: bool = True


T = TypeVar("T")

# What a decoder builds from each frame, called as Frame is:
# (data, event, id, retry, line, data_line, offset, terminated).
FrameFactory = Callable[[bytes, "str | None", "str | None", "int | None", int, int, int, bool], T]
# What a decoder may call instead for a run of usual frames (``event: X``, ``data: Y``,
# blank line, LF line ends): their (X, Y) byte pairs, the line number of the first
# frame's ``event:`` line and the first frame's byte offset. It returns what the
# decoder returns for those frames.
UsualFramesHandler = Callable[[list[tuple[bytes, bytes]], int, int], list[T]]


class SSEDecoder(Generic[T]):
    """Push bytes in with ``feed``; call ``close`` at end of input.

    By default it returns ``Frame`` objects; ``SSEDecoder(make)`` builds each
    frame with ``make`` instead (the sources build events directly, which
    saves an object per event on the hot path). With ``usual`` as well, runs
    of frames of the usual shape go to ``usual`` in one call.
    """

    @overload
    def __init__(self: SSEDecoder[Frame]) -> None: ...

    @overload
    def __init__(self, make: FrameFactory[T]) -> None: ...

    @overload
    def __init__(self, make: FrameFactory[T], usual: UsualFramesHandler[T]) -> None: ...

    def __init__(self, make: Any = Frame, usual: Any = None) -> None:
        self._make = make
        self._usual = usual
        self._buf = b""
        # A line still waiting for its end. One growing buffer, not a list of chunks: freed
        # chunks would stay in the process's heap while the joined line is copied out.
        self._tail = bytearray()
        self._buf_offset = 0  # stream offset of self._buf[0]
        self._line_no = 0  # number of lines completed
        self._started = False  # the BOM question is settled
        self._skip_lf = False  # the last chunk ended in CR: a leading LF belongs to it
        self._names: dict[bytes, str] = {}  # decoded event names, which repeat
        self._reset_frame()

    def _reset_frame(self) -> None:
        self._data: list[bytes] = []
        self._data_size = 0
        self._event: bytes | None = None
        self._id: bytes | None = None
        self._retry: int | None = None
        self._frame_line = 0
        self._frame_offset = -1
        self._data_line = 0

    def feed(self, chunk: bytes) -> list[T]:
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
                self._buf_offset += 1
        if b"\n" not in chunk and b"\r" not in chunk and self._started:
            # Still inside one long line: keep the chunk, join once the line ends.
            if self._buf:
                self._tail += self._buf
                self._buf = b""
            self._tail += chunk
            return []
        if self._tail:
            buf = self._take_tail(chunk)
        elif self._buf:
            buf = self._buf + chunk
        else:
            buf = chunk
        if not self._started:
            if len(buf) < len(_BOM) and _BOM.startswith(buf):
                self._buf = buf
                return []
            self._started = True
            if buf.startswith(_BOM):
                buf = buf[len(_BOM) :]
                self._buf_offset += len(_BOM)
        frames: list[T] = []
        base = self._buf_offset
        pos = 0
        if self._idle() and b"\r" not in buf:
            pos = self._usual_frames(buf, base, frames)
            if pos == 0:
                pieces = buf.split(b"\n\n")
                if len(pieces) > 1:
                    pos = self._complete_frames(pieces, base, frames)
        if pos == 0 or len(buf) - pos > _MAX_PENDING:
            pos = self._lines(buf, pos, base, frames)
        self._buf = buf[pos:]
        self._buf_offset = base + pos
        return frames

    def _take_tail(self, more: bytes) -> bytes:
        """The waiting line with ``self._buf`` and ``more`` after it, as bytes; the tail is emptied."""
        self._tail += self._buf
        self._tail += more
        joined = bytes(self._tail)
        self._tail = bytearray()
        return joined

    def _idle(self) -> bool:
        """No frame is half read, so the bytes ahead start a frame."""
        return self._frame_offset < 0 and not self._skip_lf

    def _lines(self, buf: bytes, pos: int, base: int, frames: list[T]) -> int:
        """The exact rules, one line at a time; returns where the unfinished line starts."""
        end = len(buf)
        search = _EOL.search
        while pos < end:
            match = search(buf, pos)
            if match is None:
                break
            eol_start, eol_end = match.span()
            if eol_end == end and buf[eol_start] == 0x0D and eol_end - eol_start == 1:
                # A CR at the end of the chunk: an LF may follow in the next one.
                self._skip_lf = True
            self._line_no += 1
            self._line(buf, pos, eol_start, base + pos, frames)
            pos = eol_end
        return pos

    def _usual_frames(self, buf: bytes, base: int, frames: list[T]) -> int:
        """Decode LF-only bytes that hold nothing but usual frames; 0 when they hold anything else.

        One regular-expression pass finds the frames; they cover the bytes up to
        the last blank line exactly when their lengths add up to it, since
        matches do not overlap. Returns how many bytes were consumed.
        """
        end = buf.rfind(b"\n\n") + 2
        if end < 2:
            return 0
        found = _USUAL_FRAME.findall(buf, 0, end)
        if USUAL_OVERHEAD * len(found) + sum(map(len, chain.from_iterable(found))) != end:
            return 0
        line_no = self._line_no
        if self._usual is not None:
            frames.extend(self._usual(found, line_no + 1, base))
            self._line_no = line_no + 3 * len(found)
            return end
        offset = base
        append = frames.append
        make = self._make
        names = self._names
        for raw_name, data in found:
            name = names.get(raw_name) or event_name(raw_name, names)
            append(make(data, name, None, None, line_no + 1, line_no + 2, offset, True))
            offset += len(raw_name) + len(data) + USUAL_OVERHEAD
            line_no += 3
        self._line_no = line_no
        return end

    def _complete_frames(self, pieces: list[bytes], base: int, frames: list[T]) -> int:
        """Decode LF-only bytes split at blank lines; the last piece is unfinished.

        Frames of the two usual shapes (``event: X`` then ``data: Y``, or a lone
        ``data: Y``) are taken apart directly; any other frame goes through the
        line rules. Returns how many bytes were consumed.
        """
        offset = base
        line_no = self._line_no
        append = frames.append
        make = self._make
        names = self._names
        for piece in pieces[:-1]:
            start = offset
            offset += len(piece) + 2
            newline = piece.find(b"\n")
            if (
                newline > 7
                and piece.startswith(b"event: ")
                and piece.startswith(b"data: ", newline + 1)
                and piece.find(b"\n", newline + 7) < 0
            ):
                raw_name = piece[7:newline]
                name = names.get(raw_name) or event_name(raw_name, names)
                line_no += 3
                append(make(piece[newline + 7 :], name, None, None, line_no - 2, line_no - 1, start, True))
                continue
            if newline == 0:  # a blank line before the frame
                piece = piece[1:]
                start += 1
                line_no += 1
                newline = piece.find(b"\n")
            if not piece:
                line_no += 2
            elif newline < 0 and piece.startswith(b"data: "):
                append(make(piece[6:], None, None, None, line_no + 1, line_no + 1, start, True))
                line_no += 2
            else:
                self._line_no = line_no
                line_start = start
                for line in piece.split(b"\n"):
                    self._line_no += 1
                    self._line(line, 0, len(line), line_start, frames)
                    line_start += len(line) + 1
                self._line_no += 1
                self._line(b"", 0, 0, line_start, frames)
                line_no = self._line_no
        self._line_no = line_no
        return offset - base

    def close(self) -> list[T]:
        """End of input: return the open frame, if any, marked unterminated."""
        frames: list[T] = []
        if self._tail:
            self._buf = self._take_tail(b"")
        if not self._started and self._buf:
            self._started = True
            if self._buf.startswith(_BOM):
                self._buf = self._buf[len(_BOM) :]
                self._buf_offset += len(_BOM)
        buf = self._buf
        if buf:
            pos = self._lines(buf, 0, self._buf_offset, frames)
            if pos < len(buf):
                self._line_no += 1
                self._line(buf, pos, len(buf), self._buf_offset + pos, frames)
            self._buf_offset += len(buf)
            self._buf = b""
        if self._data:
            frames.append(self._frame(terminated=False))
        self._reset_frame()
        return frames

    @property
    def pending(self) -> int:
        """Bytes held for the frame that is still open: what an endless event would grow."""
        return len(self._tail) + len(self._buf) + self._data_size

    def _line(self, buf: bytes, start: int, end: int, offset: int, frames: list[T]) -> None:
        """The line ``buf[start:end]``, which begins at stream ``offset``; only its value is copied out."""
        if start == end:
            if self._data:
                frames.append(self._frame(terminated=True))
            self._reset_frame()
            return
        if self._frame_offset < 0:
            self._frame_offset = offset
            self._frame_line = self._line_no
        if buf[start] == 0x3A:  # ':' starts a comment
            return
        colon = buf.find(b":", start, end)
        if colon < 0:
            name, value = buf[start:end], b""
        else:
            value_start = colon + 2 if buf[colon + 1 : colon + 2] == b" " and colon + 1 < end else colon + 1
            name, value = buf[start:colon], buf[value_start:end]
        if name == b"data":
            if not self._data:
                self._data_line = self._line_no
            self._data.append(value)
            self._data_size += len(value)
        elif name == b"event":
            self._event = value
        elif name == b"id":
            if b"\x00" not in value:
                self._id = value
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)

    def _frame(self, *, terminated: bool) -> T:
        data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        return self._make(  # type: ignore[no-any-return]
            data,
            None if self._event is None else self._event.decode("utf-8", "replace"),
            None if self._id is None else self._id.decode("utf-8", "replace"),
            self._retry,
            self._frame_line,
            self._data_line,
            self._frame_offset,
            terminated,
        )
