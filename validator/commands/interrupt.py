"""Ctrl-C during a run: stop reading soon, report what was found, exit 130.

The first Ctrl-C only raises a flag. Readers look at it between chunks
(``check_read``, a ``ReadHook``) and the command loops between files or
scenarios (``requested``), so the stream being read ends cleanly as far as
it got and its findings are kept. A second Ctrl-C raises KeyboardInterrupt
at once, for a read that is blocked (a terminal or a pipe that sends
nothing); the stream it was reading is then lost, the ones before it are not.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from validator.errors import Interrupted


class CtrlC:
    """The flag a SIGINT handler raises; install it with ``watching()``."""

    def __init__(self) -> None:
        self.requested = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check_read(self, size: int) -> None:
        """A read hook: stops the read once Ctrl-C was pressed."""
        if self.requested:
            raise Interrupted("interrupted")

    @contextmanager
    def watching(self) -> Iterator[CtrlC]:
        # Signal handlers can only be set from the main thread (a test runner may use another).
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            yield self  # whoever started us chose to ignore Ctrl-C (nohup, a background job)
            return
        previous = signal.signal(signal.SIGINT, self._handler)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)
