"""responses-conformance: a conformance validator for streaming Responses API events.

The public names below are imported on first use (PEP 562), so ``responses-conformance
--version`` or ``rules`` does not load the checker, and ``import validator.sse`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from validator.checker import Checker, assert_conformant, check, check_stream, iter_findings
    from validator.errors import ConformanceError, InputError
    from validator.model import Event, Finding, HttpInfo, Severity
    from validator.report import Report, StreamReport
    from validator.rules import Rule, catalogue
    from validator.session import SessionChecker, check_session
    from validator.sources import Stream, streams_from_bytes, streams_from_path

__version__ = "0.1.0"

_WHERE = {
    "Checker": "checker",
    "assert_conformant": "checker",
    "check": "checker",
    "check_stream": "checker",
    "iter_findings": "checker",
    "ConformanceError": "errors",
    "InputError": "errors",
    "Event": "model",
    "Finding": "model",
    "HttpInfo": "model",
    "Severity": "model",
    "Report": "report",
    "StreamReport": "report",
    "Rule": "rules",
    "catalogue": "rules",
    "SessionChecker": "session",
    "check_session": "session",
    "Stream": "sources",
    "streams_from_bytes": "sources",
    "streams_from_path": "sources",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'validator' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"validator.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
