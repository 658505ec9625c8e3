"""A one-line progress display on stderr, for long runs on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Redraws ``files, MB read, events, rate`` at most every ``interval`` seconds; silent off a terminal.

    ``read`` is called for every chunk read in this process, so a single large
    file shows progress while it is read; ``advance`` when a file is done.
    """

    def __init__(self, total_files: int, *, enabled: bool | None = None, stream: TextIO | None = None,
                 interval: float = 0.2) -> None:
        self._stream = stream or sys.stderr
        self.enabled = self._stream.isatty() if enabled is None else enabled
        self._total = total_files
        self._files = 0
        self._events = 0
        self._bytes = 0
        self._start = time.monotonic()
        self._last = 0.0
        self._interval = interval
        self._drawn = False

    @property
    def files(self) -> int:
        return self._files

    @property
    def total(self) -> int:
        return self._total

    def read(self, size: int) -> None:
        self._bytes += size
        if self.enabled:
            now = time.monotonic()
            if now - self._last >= self._interval:
                self._last = now
                self._draw(now)

    def advance(self, events: int) -> None:
        self._files += 1
        self._events += events
        now = time.monotonic()
        if self.enabled and (now - self._last >= self._interval or self._files == self._total):
            self._last = now
            self._draw(now)

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self._start, 1e-9)
        text = f"{self._files}/{self._total} files"
        if self._bytes:
            text += f", {self._bytes / 1e6:,.1f} MB read ({self._bytes / 1e6 / elapsed:,.1f} MB/s)"
        return text + f", {self._events:,} events, {self._events / elapsed:,.0f} events/s"

    def _draw(self, now: float) -> None:
        self._stream.write("\r\x1b[2K" + self.line(now))
        self._stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
