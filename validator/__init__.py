"""responses-conformance: a conformance validator for streaming Responses API events."""

from validator.checker import Checker, assert_conformant, check, check_stream, iter_findings
from validator.errors import ConformanceError, InputError
from validator.model import Event, Finding, HttpInfo, Severity
from validator.report import Report, StreamReport
from validator.rules import Rule, catalogue
from validator.session import SessionChecker, check_session
from validator.sources import Stream, streams_from_bytes, streams_from_path

__version__ = "0.1.0"

__all__ = [
    "Checker",
    "ConformanceError",
    "Event",
    "Finding",
    "HttpInfo",
    "InputError",
    "Report",
    "Rule",
    "SessionChecker",
    "Severity",
    "Stream",
    "StreamReport",
    "assert_conformant",
    "catalogue",
    "check",
    "check_session",
    "check_stream",
    "iter_findings",
    "streams_from_bytes",
    "streams_from_path",
]
