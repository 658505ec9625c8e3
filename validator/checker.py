"""The Checker: one pass over a stream's events, in order, with every rule.

``Checker.feed(event)`` returns the findings that event completes and
``Checker.close()`` those that only the end of the stream can tell (a
missing terminal event, an unclosed item). The batch functions ``check``
and ``check_stream`` are built on it, so a file and a live HTTP body go
through the same code.

The work is split into stages, each owning one group of rules:
``FramingStage`` (SSE) sees every frame; the payload stages see only
frames whose data is an event object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from validator import shortcuts
from validator.emitter import Emitter
from validator.errors import ConformanceError, InputError
from validator.fastlane import FastLane
from validator.framing import FramingStage
from validator.machine import MachineStage
from validator.model import Event, Finding, Severity
from validator.report import Report, StreamReport
from validator.rules import PROFILES
from validator.schemas import SchemaStage
from validator.sources import Stream, iter_sse_events, streams_from_bytes, streams_from_path
from validator.sse import SSEDecoder


class PayloadStage(Protocol):
    """A group of rules over event objects, fed in stream order."""

    def feed(self, event: Event, payload: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class Checker:
    """Checks one stream, event by event."""

    def __init__(
        self,
        profile: str = "openai",
        *,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        source: str = "<stream>",
        transport: str = "sse",
        max_per_rule: int | None = None,
        reconstruct: bool = False,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
        self.profile = profile
        self.source = source
        self._emitter = Emitter(profile, source, select, ignore, max_per_rule)
        self._framing = FramingStage(self._emitter, transport)
        self._schema = SchemaStage(self._emitter)
        self._machine = MachineStage(self._emitter, reconstruct=reconstruct)
        # The payload stages, in the order they see each event.
        self._stages: list[PayloadStage] = [self._schema, self._machine]
        self._shortcuts = shortcuts.ENABLED
        self.events = 0
        self._closed = False

    def feed(self, event: Event) -> list[Finding]:
        if self._closed:
            raise RuntimeError("feed() after close()")
        self.events += 1
        self._check(event)
        return self._emitter.take()

    def _check(self, event: Event) -> None:
        payload = self._framing.feed(event)
        if payload is not None:
            for stage in self._stages:
                stage.feed(event, payload)

    def run(self, events: Iterable[Event]) -> list[Finding]:
        """Feed every event, then close: the findings of ``feed`` and ``close`` in order.

        If reading ``events`` raises, the findings so far stay available from ``close()``.
        """
        if self._closed:
            raise RuntimeError("run() after close()")
        check = self._check
        count = self.events
        try:
            for event in events:
                count += 1
                check(event)
        finally:
            self.events = count
        return self.close()

    def run_sse(self, body: Iterable[bytes]) -> list[Finding]:
        """``run`` over the events an SSE body decodes to, in any chunking.

        The same findings as ``run(iter_sse_events(body))``, faster: the usual
        delta frames are checked by ``FastLane`` without building events (off
        when ``validator.shortcuts.ENABLED`` was false as the Checker was made).
        """
        if not self._shortcuts:
            return self.run(iter_sse_events(body))
        if self._closed:
            raise RuntimeError("run() after close()")
        lane = FastLane(self._framing, self._schema, self._machine, self._check, self.events)
        decoder = SSEDecoder(lane.frame, lane.usual_frames)
        try:
            for chunk in body:
                decoder.feed(chunk)
            decoder.close()
        finally:
            self.events = lane.count
            lane.finish()
        return self.close()

    def reconstruction(self) -> dict[str, Any] | None:
        """The response as the stream built it (texts kept only with ``reconstruct=True``);
        None when nothing was streamed. See ``validator.machine``."""
        return self._machine.reconstruction()

    def close(self) -> list[Finding]:
        if self._closed:
            return []
        self._closed = True
        self._framing.close()
        for stage in self._stages:
            stage.close()
        self._emitter.summarise_suppressed()
        return self._emitter.take()


def check_stream(
    stream: Stream,
    profile: str = "openai",
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    max_per_rule: int | None = None,
) -> StreamReport:
    """Check one stream to its end.

    ``max_per_rule`` caps how many findings one rule reports per stream (the
    rest are counted in one closing finding); None reports every one.
    """
    checker = Checker(
        profile,
        select=select,
        ignore=ignore,
        source=stream.name,
        transport=stream.transport,
        max_per_rule=max_per_rule,
    )
    report = StreamReport(stream.name, profile, stream.format, http=stream.http)
    try:
        if stream.body is not None:
            report.findings = checker.run_sse(stream.body)
        else:
            report.findings = checker.run(stream.events)
    except InputError as exc:
        report.error = str(exc)
        report.findings = checker.close()
    report.events = checker.events
    return report


def check(
    source: str | bytes | Stream | Iterable[Any],
    profile: str = "openai",
    *,
    format: str = "auto",
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> Report:
    """Check a path, raw bytes, a Stream, or an iterable of event objects."""
    report = Report(profile)
    for stream in _streams(source, format):
        report.streams.append(check_stream(stream, profile, select=select, ignore=ignore))
    return report


def _streams(source: str | bytes | Stream | Iterable[Any], fmt: str) -> Iterable[Stream]:
    if isinstance(source, Stream):
        return [source]
    if isinstance(source, bytes):
        return streams_from_bytes(source, fmt=fmt)
    if isinstance(source, str):
        return streams_from_path(source, fmt)
    events = [
        item if isinstance(item, Event) else Event(payload=item, index=i)
        for i, item in enumerate(source)
    ]
    return [Stream("<events>", events, "json")]


def iter_findings(
    source: str | bytes | Stream | Iterable[Any], profile: str = "openai", **options: Any
) -> Iterable[Finding]:
    """Every finding of ``check``, in stream order."""
    yield from check(source, profile, **options).findings


def assert_conformant(
    source: str | bytes | Stream | Iterable[Any],
    profile: str = "openai",
    *,
    strict: bool = False,
    **options: Any,
) -> Report:
    """Raise ConformanceError listing the findings unless the source conforms."""
    __tracebackhide__ = True
    report = check(source, profile, **options)
    if not report.ok(strict=strict) or not report.streams:
        raise ConformanceError(_failure_text(report, strict), report)
    return report


def _failure_text(report: Report, strict: bool) -> str:
    if not report.streams:
        return "no stream was checked"
    worst = Severity.WARNING.rank if strict else Severity.ERROR.rank
    lines = [f"stream does not conform to the {report.profile} profile:"]
    for stream in report.streams:
        if stream.error:
            lines.append(f"  {stream.name}: {stream.error}")
        for f in stream.findings:
            if f.severity.rank >= worst:
                where = f"event #{f.event_index}" if f.event_index is not None else "end of stream"
                kind = f" {f.event_type}" if f.event_type else ""
                lines.append(f"  {f.source}:{f.line}: {f.code} {f.message} ({where}{kind})")
    return "\n".join(lines)
