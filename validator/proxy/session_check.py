"""One WebSocket session seen by the proxy, checked as it passes.

The messages go into ``validator.session.SessionChecker`` after each one was
forwarded, as ``validate`` feeds a session it reads from a HAR capture: the
session's own rules (WSS), and every response through its own ``Checker``.
Nothing here can touch the traffic: a failure only stops the checking of that
session, and its report says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from validator.proxy.redaction import SecretRedactor
from validator.proxy.settings import CheckSettings
from validator.report import StreamReport
from validator.session import SessionChecker
from validator.wsframes import WsClose, WsMessage, WsOpen

REPORT_FORMAT = "proxy"


class SessionCheck:
    """``message`` per message in either direction (``send``: the client's), then ``closed``."""

    def __init__(self, settings: CheckSettings, redactor: SecretRedactor, *, source: str, url: str) -> None:
        self.source = source
        self.error: str | None = None
        self.checker = SessionChecker(
            settings.profile,
            select=list(settings.select) if settings.select is not None else None,
            ignore=list(settings.ignore),
            source=source,
            max_per_rule=settings.max_per_rule,
            redact=redactor.text,  # an upstream may echo what it was sent, credentials included
            timelines=settings.timeline,
        )
        self._guard(lambda: self.checker.opened(WsOpen(redactor.text(url), 101, time.time())))

    def message(self, direction: str, data: str | bytes) -> None:
        if self.error is None:
            self._guard(lambda: self.checker.message(WsMessage(direction, data, time.time())))

    def closed(self, code: int | None, reason: str, by: str | None) -> list[StreamReport]:
        """The session's report, then one per response."""
        if self.error is None:
            self._guard(lambda: self.checker.closed(WsClose(code, reason, by, time.time())))
        reports = self.checker.reports(self.source, REPORT_FORMAT)
        if self.error is not None:
            reports[0].error = self.error
        return reports

    def _guard(self, step: Callable[[], object]) -> None:
        try:
            step()
        except Exception as exc:  # an observation that fails must not touch the traffic
            self.error = f"internal error while checking the session ({type(exc).__name__}: {exc}); not checked further"
