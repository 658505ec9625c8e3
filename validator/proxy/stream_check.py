"""One Responses stream seen by the proxy, checked as it passes.

The bytes go into ``Checker.receive_data`` as they arrive (after any
``Content-Encoding`` is undone), the HTTP side goes through ``Checker.emit``
with the HTT rules the live battery uses, and what the stream was is a
``StreamReport``. Nothing here can touch the traffic: the proxy forwards each
chunk before it hands it over.

How each kind of answer is judged (as ``check --base-url`` judges it):

* 2xx: the body is checked as an event stream; a Content-Type other than
  ``text/event-stream`` is HTT002, an empty body HTT016;
* 3xx: HTT008 (the proxy follows no redirect; the client may);
* 4xx/5xx and 1xx: HTT001, and the body must be a JSON error object (HTT015);
  an event-stream body is also checked as a stream (as ``validate`` checks it
  in the HAR capture);
* the upstream unreachable (HTT007), no headers in time (HTT005), silent for
  longer than the idle timeout (HTT004), the body broken (HTT003).

Past the limits (``Limits.stream_bytes``, ``Limits.event_bytes``) the check
stops with HTT017 or HTT018 and the stream's ``error`` says so; the client
still gets every byte.
"""

from __future__ import annotations

import orjson

from validator.checker import Checker
from validator.model import HttpInfo
from validator.proxy.redaction import SecretRedactor
from validator.proxy.settings import CheckSettings, Limits
from validator.report import StreamReport
from validator.rules import Rule
from validator.rules import http as rules
from validator.timeline import Timeline

REPORT_FORMAT = "proxy"
ERROR_BODY_KEPT = 64 * 1024  # of an error body: enough to tell whether it is a JSON error object


class StreamCheck:
    """The Checker and report of one stream; ``start``, then ``feed`` per decoded chunk, then ``finish``."""

    def __init__(
        self,
        settings: CheckSettings,
        limits: Limits,
        redactor: SecretRedactor,
        *,
        source: str,
        method: str,
        url: str,
        resumed_after: int | None = None,
    ) -> None:
        self.limits = limits
        self.redactor = redactor
        # The events, for a report that draws them (the HTML report), masked like every finding.
        self.timeline = Timeline(redact=redactor.text) if settings.timeline else None
        self.checker = Checker(
            settings.profile,
            select=list(settings.select) if settings.select is not None else None,
            ignore=list(settings.ignore),
            source=source,
            transport="sse",
            max_per_rule=settings.max_per_rule,
            redact=redactor.text,  # an upstream may echo what it was sent, credentials included
            resumed_after=resumed_after,
            on_event=self.timeline.add if self.timeline is not None else None,
            reconstruct=self.timeline is not None,
        )
        self.report = StreamReport(
            source, settings.profile, REPORT_FORMAT, http=HttpInfo(method=method, url=redactor.text(url))
        )
        self.as_stream = False  # the body goes to the checker
        self.stopped = False  # a limit was passed: the rest is not checked
        self._error_body = bytearray()  # a non-stream error body, to judge HTT015
        self._content_type = ""
        self.status: int | None = None

    # ---- the answer ------------------------------------------------------------------------------

    def start(self, status: int, headers: list[tuple[str, str]]) -> None:
        """The status line and headers arrived."""
        self.status = status
        http = self.report.http
        assert http is not None
        http.status = status
        http.headers = dict(self.redactor.headers_list(headers))
        content_type = next((value for name, value in headers if name == "content-type"), "")
        self._content_type = content_type
        event_stream = content_type.split(";", 1)[0].strip().lower() == "text/event-stream"
        if 300 <= status < 400:
            location = next((value for name, value in headers if name == "location"), "(no Location header)")
            shown = self.redactor.text(location)
            self.emit(rules.REDIRECT, f"HTTP {status} redirect to {shown} (passed to the client)")
            return
        if status >= 400 or status < 200:
            self.emit(rules.STATUS_NOT_2XX, f"HTTP {status} for a streaming request")
            if event_stream:
                # Checked as the stream it claims to be (validate checks it so in the capture), and
                # judged as the error body it should have been.
                self.emit(
                    rules.ERROR_BODY_NOT_JSON,
                    f"HTTP {status} error body is {content_type!r}, not application/json",
                )
                self.as_stream = True
            return
        if not event_stream:
            shown = content_type or "no Content-Type"
            self.emit(rules.CONTENT_TYPE, f"Content-Type is {shown!r}, not 'text/event-stream'")
        self.as_stream = True

    def feed(self, body: bytes) -> None:
        """The next decoded bytes of the body."""
        if self.stopped:
            return
        if not self.as_stream:
            room = ERROR_BODY_KEPT - len(self._error_body)
            if room > 0:
                self._error_body += body[:room]
            return
        checker = self.checker
        self.report.findings += checker.receive_data(body)
        if checker.bytes > self.limits.stream_bytes:
            self.emit(
                rules.BODY_TOO_LARGE,
                f"the body passed {self.limits.stream_bytes:,} bytes after {checker.events} events",
            )
            self.stop(f"checked the first {checker.bytes:,} bytes; the rest went to the client unchecked")
        elif checker.pending > self.limits.event_bytes:
            self.emit(
                rules.EVENT_TOO_LARGE,
                f"an event passed {self.limits.event_bytes:,} bytes without ending, after {checker.events} events",
            )
            self.stop(f"checked the first {checker.bytes:,} bytes; the rest went to the client unchecked")

    def stop(self, why: str) -> None:
        """Check no more of this stream (a limit, an undecodable body); the client still gets it all."""
        if not self.stopped:
            self.stopped = True
            self.report.error = self.redactor.text(why)

    # ---- the end ---------------------------------------------------------------------------------

    def unreachable(self, rule: Rule, message: str) -> StreamReport:
        """No answer at all: the upstream could not be reached, or sent no headers in time."""
        self.emit(rule, message)
        self.report.error = self.redactor.text(message)
        return self._done()

    def broken(self, rule: Rule, message: str) -> StreamReport:
        """The upstream broke the body (reset, truncated, silent past the idle timeout)."""
        self.emit(rule, f"{message} after {self.checker.bytes} bytes and {self.checker.events} events")
        if self.as_stream and not self.stopped:
            self.report.findings += self.checker.close()
        return self._done()

    def abandoned(self, why: str) -> StreamReport:
        """The stream did not end for a reason of the proxy's side (the client left, the proxy stopped).

        The end-of-stream rules are not applied: the stream was not over. The
        stream keeps an error, so it never counts as conformant.
        """
        if not self.stopped:
            self.report.error = self.redactor.text(
                f"{why} after {self.checker.bytes} bytes and {self.checker.events} events; checked what arrived"
            )
        self.stopped = True
        return self._done()

    def finish(self) -> StreamReport:
        """The body ended as HTTP says it should."""
        if self.as_stream and not self.stopped:
            self.report.findings += self.checker.close()
            status = self.status or 0
            if self.checker.bytes == 0 and 200 <= status < 300:
                self.emit(rules.EMPTY_BODY, f"HTTP {status} with an empty body")
        elif not self.as_stream and self.status is not None and (self.status >= 400 or self.status < 200):
            self._judge_error_body()
        return self._done()

    def _judge_error_body(self) -> None:
        status = self.status
        text = bytes(self._error_body).decode("utf-8", "replace")
        snippet = _snippet(text)
        if not self._content_type.lower().startswith("application/json"):
            self.emit(
                rules.ERROR_BODY_NOT_JSON,
                f"HTTP {status} error body is {self._content_type or 'untyped'!r}, not application/json: {snippet}",
            )
            return
        try:
            body = orjson.loads(self._error_body)
        except orjson.JSONDecodeError:
            self.emit(rules.ERROR_BODY_NOT_JSON, f"HTTP {status} error body is not valid JSON: {snippet}")
            return
        if not isinstance(body, dict) or not ("error" in body or "message" in body or "detail" in body):
            self.emit(rules.ERROR_BODY_NOT_JSON, f"HTTP {status} error body has no error object: {snippet}")

    def emit(self, rule: Rule, message: str) -> None:
        self.report.findings += self.checker.emit(rule, message)

    def _done(self) -> StreamReport:
        self.report.events = self.checker.events
        self.report.elided = self.checker.elided()
        if self.timeline is not None and self.report.timeline is None:
            self.timeline.finish(self.checker.reconstruction())
            self.report.timeline = self.timeline
        return self.report


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "…")
