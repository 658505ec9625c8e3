"""Exceptions the package raises.

    ValueError
     └── InputError           the input cannot be read as streams (CLI exit 2)
          └── Interrupted     reading was stopped on request (Ctrl-C): the findings so far stand
    AssertionError
     └── ConformanceError     assert_conformant() found errors
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from validator.report import Report


class InputError(ValueError):
    """The input is unreadable, empty, binary, or of an unknown format."""


class Interrupted(InputError):
    """Raised by a read hook to stop reading a stream; the stream is reported as far as it was read."""


class ConformanceError(AssertionError):
    """A stream broke rules that ``assert_conformant`` was asked to enforce."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report
