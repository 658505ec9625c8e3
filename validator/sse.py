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
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Protocol

_BOM = b"\xef\xbb\xbf"
_EOL = re.compile(rb"\r\n|\r|\n")
# The usual frames: an optional ``event: X`` line, one ``data: Y`` line and a blank line;
# anchored at line starts so that a search never rescans a long line. The two shapes on
# their own are for the common bodies that use only one of them (a pattern with the
# optional line costs a fifth more per frame).
_USUAL_FRAME = re.compile(rb"(?m)^(?:event: ([^\n]+)\n)?data: ([^\n]*)\n\n")
_NAMED_FRAME = re.compile(rb"(?m)^event: ([^\n]+)\ndata: ([^\n]*)\n\n")
_DATA_FRAME = re.compile(rb"(?m)^data: ([^\n]*)\n\n")
# Bytes of a usual frame besides its name and data: with an ``event:`` line, and without.
USUAL_OVERHEAD = len(b"event: \ndata: \n\n")
DATA_ONLY_OVERHEAD = len(b"data: \n\n")
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
    """One dispatched event: its data (lines joined with LF) and fields.

    ``line`` is the frame's first line, ``data_line`` its first ``data:`` line
    (both 1-based), ``offset`` the byte offset of its first line.
    """

    data: bytes
    event: str | None
    id: str | None
    retry: int | None
    line: int
    data_line: int
    offset: int
    terminated: bool = True


# A run of usual frames, as ``findall`` gives them: (event name or b"", data) pairs.
Run = list[tuple[bytes, bytes]]


class FrameSink(Protocol):
    """Where a decoder puts what it decodes, in stream order."""

    def frame(self, frame: Frame) -> None:
        """Any frame."""

    def run(self, frames: Run, line: int, offset: int) -> None:
        """Frames of the usual shape, in one call: ``line`` is the first one's first line and
        ``offset`` its byte offset; each frame takes 3 lines with a name, 2 without."""


class FrameList:
    """The default sink: every frame as a ``Frame``, collected until ``take``."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self._names: dict[bytes, str] = {}

    def frame(self, frame: Frame) -> None:
        self.frames.append(frame)

    def run(self, frames: Run, line: int, offset: int) -> None:
        append = self.frames.append
        names = self._names
        for raw_name, data in frames:
            if raw_name:
                name = names.get(raw_name) or event_name(raw_name, names)
                append(Frame(data, name, None, None, line, line + 1, offset))
                offset += len(raw_name) + len(data) + USUAL_OVERHEAD
                line += 3
            else:
                append(Frame(data, None, None, None, line, line, offset))
                offset += len(data) + DATA_ONLY_OVERHEAD
                line += 2

    def take(self) -> list[Frame]:
        frames = self.frames
        self.frames = []
        return frames


class SSEDecoder:
    """Push bytes in with ``feed``; call ``close`` at end of input.

    Frames go to ``sink`` (a ``FrameSink``) as they are completed. Without one,
    ``feed`` and ``close`` return them as ``Frame`` objects.

    Two paths: runs of frames of the usual shapes (an optional ``event:`` line,
    one ``data:`` line, LF line ends) are found with one regular-expression pass
    and handed over in one call; anything else goes through the WHATWG line
    rules one line at a time (``_lines``).
    """

    def __init__(self, sink: FrameSink | None = None) -> None:
        self._list = FrameList() if sink is None else None
        self._sink: FrameSink = sink if sink is not None else self._list  # type: ignore[assignment]
        self._buf = b""
        # A line still waiting for its end. One growing buffer, not a list of chunks: freed
        # chunks would stay in the process's heap while the joined line is copied out.
        self._tail = bytearray()
        self._buf_offset = 0  # stream offset of self._buf[0]
        self._line_no = 0  # number of lines completed
        self._started = False  # the BOM question is settled
        self._skip_lf = False  # the last chunk ended in CR: a leading LF belongs to it
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

    def _taken(self) -> list[Frame]:
        return self._list.take() if self._list is not None else []

    def feed(self, chunk: bytes) -> list[Frame]:
        """Decode ``chunk``; returns the frames it completed when there is no sink."""
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
        base = self._buf_offset
        pos = 0
        if self._idle() and b"\r" not in buf:
            pos = self._usual_runs(buf, base)
        if pos == 0 or len(buf) - pos > _MAX_PENDING:
            pos = self._lines(buf, pos, base)
        self._buf = buf[pos:]
        self._buf_offset = base + pos
        return self._taken()

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

    def _lines(self, buf: bytes, pos: int, base: int, *, one_frame: bool = False) -> int:
        """The exact rules, one line at a time, from ``pos`` to the last complete line (or, with
        ``one_frame``, through the next blank line); returns where it stopped."""
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
            self._line(buf, pos, eol_start, base + pos)
            blank = eol_start == pos
            pos = eol_end
            if one_frame and blank:
                break
        return pos

    def _usual_runs(self, buf: bytes, base: int) -> int:
        """Decode LF-only bytes up to their last blank line: runs of usual frames through the sink's
        ``run``, any other frame through the line rules. Returns how many bytes were consumed.

        One ``findall`` pass finds the usual frames of one shape; when their lengths add up
        to the bytes (matches never overlap, so they tile them) that is the whole answer.
        Otherwise the bytes are walked: the usual frames at the current position, then
        one frame by the line rules, and so on.
        """
        end = buf.rfind(b"\n\n") + 2
        if end < 2:
            return 0
        named: Run = _NAMED_FRAME.findall(buf, 0, end)
        if USUAL_OVERHEAD * len(named) + sum(map(len, chain.from_iterable(named))) == end:
            self._run(named, base, 3 * len(named))
            return end
        if not named:
            values: list[bytes] = _DATA_FRAME.findall(buf, 0, end)
            if DATA_ONLY_OVERHEAD * len(values) + sum(map(len, values)) == end:
                self._run([(b"", v) for v in values], base, 2 * len(values))
                return end
        match = _USUAL_FRAME.match
        pos = 0
        while pos < end:
            run: Run = []
            start = pos
            while (found_one := match(buf, pos, end)) is not None:
                raw_name, value = found_one.groups()
                run.append((raw_name or b"", value))
                pos = found_one.end()
            if run:
                self._run(run, base + start, 2 * len(run) + _named(run))
            if pos < end:
                pos = self._lines(buf, pos, base, one_frame=True)
        return pos

    def _run(self, run: Run, offset: int, lines: int) -> None:
        line_no = self._line_no
        self._sink.run(run, line_no + 1, offset)
        self._line_no = line_no + lines

    def close(self) -> list[Frame]:
        """End of input: the open frame, if any, marked unterminated; returned when there is no sink."""
        if self._tail:
            self._buf = self._take_tail(b"")
        if not self._started and self._buf:
            self._started = True
            if self._buf.startswith(_BOM):
                self._buf = self._buf[len(_BOM) :]
                self._buf_offset += len(_BOM)
        buf = self._buf
        if buf:
            pos = self._lines(buf, 0, self._buf_offset)
            if pos < len(buf):
                self._line_no += 1
                self._line(buf, pos, len(buf), self._buf_offset + pos)
            self._buf_offset += len(buf)
            self._buf = b""
        if self._data:
            self._sink.frame(self._frame(terminated=False))
        self._reset_frame()
        return self._taken()

    @property
    def pending(self) -> int:
        """Bytes held for the frame that is still open: what an endless event would grow."""
        return len(self._tail) + len(self._buf) + self._data_size

    def _line(self, buf: bytes, start: int, end: int, offset: int) -> None:
        """The line ``buf[start:end]``, which begins at stream ``offset``; only its value is copied out."""
        if start == end:
            if self._data:
                self._sink.frame(self._frame(terminated=True))
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

    def _frame(self, *, terminated: bool) -> Frame:
        data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        return Frame(
            data=data,
            event=None if self._event is None else self._event.decode("utf-8", "replace"),
            id=None if self._id is None else self._id.decode("utf-8", "replace"),
            retry=self._retry,
            line=self._frame_line,
            data_line=self._data_line,
            offset=self._frame_offset,
            terminated=terminated,
        )


def _named(run: Run) -> int:
    """How many frames of a run have an ``event:`` line."""
    return sum(map(bool, map(itemgetter(0), run)))


