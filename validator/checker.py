"""The Checker: one pass over a stream, in order, with every rule.

It is I/O-free and incremental, as h11 is: the caller owns the file, the socket or
the proxy, and hands over what arrives.

* ``receive_data(chunk)`` takes the raw bytes of an SSE body (or of JSON Lines,
  with ``transport="jsonl"``) in any chunking and returns the findings they
  complete; ``feed(event)`` takes one decoded event (an ``Event`` or a plain
  dict) instead. A Checker takes one or the other, not both.
* ``emit(rule, message)`` adds a finding of the caller's own (the HTTP rules of
  a live check), located at the last event, through the same selection,
  counting and redaction as every other finding.
* ``close()`` ends the input and returns what only the end can tell (a missing
  terminal event, an unclosed item).
* ``max_bytes`` and ``max_event_bytes`` bound what ``receive_data`` takes: past
  either, a finding (HTT017, HTT018) at the last event, ``stopped`` says why,
  what follows is ignored and ``close()`` judges no end it never read.

Files, the live battery, the pytest plugin and the proxy all check streams
this way. The work is split into stages, each owning one group of rules:
``FramingStage`` (SSE) sees every frame; the payload stages (schema, machine)
see only frames whose data is an event object. Each stage has one shortcut for
the common case, which the Checker tries at most once per event; with
``shortcuts=False`` none is tried, and the findings are the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from validator.emitter import Emitter
from validator.errors import ConformanceError, InputError
from validator.fastlane import FastLane
from validator.framing import FramingStage
from validator.machine import MachineStage
from validator.model import Elided, Event, Finding, Severity
from validator.report import Report, StreamReport
from validator.rules import PROFILES, Rule
from validator.rules.http import BODY_TOO_LARGE, EVENT_TOO_LARGE
from validator.schemas import SchemaStage
from validator.sources import EventSink, JSONLDecoder, Stream, streams_from_bytes, streams_from_path
from validator.sse import SSEDecoder
from validator.timeline import Timeline

TRANSPORTS = ("sse", "jsonl", "events")


class Checker:
    """Checks one stream: bytes or events in, findings out.

    ``transport`` says what the input kept of its wire form: ``sse`` (the SSE
    rules apply: ``event:`` lines, ``[DONE]``, unterminated frames), ``jsonl``
    or ``events`` (they do not). Left out, it is ``sse`` for ``receive_data``
    and ``events`` for ``feed``.

    ``resumed_after=N`` declares a resumed stream (``GET /responses/{id}?stream=true&
    starting_after=N``): it starts after sequence number N, without
    ``response.created``, and refers to items it never saw added. Without it, a
    stream that does not start with ``response.created`` breaks LIF001.
    """

    def __init__(
        self,
        profile: str = "openai",
        *,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        source: str = "<stream>",
        transport: str | None = None,
        max_per_rule: int | None = None,
        reconstruct: bool = False,
        shortcuts: bool = True,
        on_event: Callable[[Event], object] | None = None,
        redact: Callable[[str], str] | None = None,
        resumed_after: int | None = None,
        max_bytes: int | None = None,
        max_event_bytes: int | None = None,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
        if transport is not None and transport not in TRANSPORTS:
            raise ValueError(f"unknown transport {transport!r}; choose from {', '.join(TRANSPORTS)}")
        self.profile = profile
        self.source = source
        self.transport = transport
        self.shortcuts = shortcuts
        self._emitter = Emitter(profile, source, select, ignore, max_per_rule, redact=redact)
        self._schema = SchemaStage(self._emitter, shortcuts=shortcuts)
        self._machine = MachineStage(self._emitter, reconstruct=reconstruct, resumed_after=resumed_after)
        self._framing: FramingStage | None = None
        self._on_event = on_event
        self._decoder: SSEDecoder | JSONLDecoder | None = None
        self._lane: FastLane | None = None
        self._sink: EventSink | JSONLDecoder | FastLane | None = None
        self._fed = 0  # events given to feed()
        self._last: Event | None = None  # the last event with a payload (end findings point at it)
        self._last_frame: Event | None = None  # the last event of any kind ([DONE], a broken line)
        self.bytes = 0  # bytes given to receive_data()
        self._closed = False
        self._max_bytes = max_bytes
        self._max_event_bytes = max_event_bytes
        self.stopped: str | None = None  # why receive_data stopped taking bytes (a limit), if it did

    # ---- input ----------------------------------------------------------------------------------

    def receive_data(self, chunk: bytes) -> list[Finding]:
        """The next bytes of the body; the findings of the events they complete."""
        self._receive(chunk)
        return self._emitter.take()

    def feed(self, event: Event | dict[str, Any]) -> list[Finding]:
        """One decoded event (a plain dict is numbered in order); the findings it completes."""
        self._feed(event)
        return self._emitter.take()

    def run(self, events: Iterable[Event | dict[str, Any]]) -> list[Finding]:
        """Feed every event, then close: the findings of ``feed`` and ``close`` in order.

        If reading ``events`` raises, the findings so far stay available from ``close()``.
        """
        for event in events:
            self._feed(event)
        return self.close()

    def run_data(self, body: Iterable[bytes]) -> list[Finding]:
        """``receive_data`` every chunk, then close (the same findings, in order).

        If reading ``body`` raises, the findings so far stay available from ``close()``. Past a
        size limit (``stopped``), ``body`` is not read further, and is closed if it can be.
        """
        try:
            for chunk in body:
                self._receive(chunk)
                if self.stopped is not None:
                    break
        finally:
            close = getattr(body, "close", None)
            if self.stopped is not None and close is not None:
                close()  # a generator over a file or a decompressor: released now
        return self.close()

    def emit(
        self, rule: Rule, message: str, *, pointer: str = "", expected: Any = None, actual: Any = None
    ) -> list[Finding]:
        """A finding of the caller's own, located at the last event so far; returns it if it is kept."""
        self._emitter.emit(rule, message, self.last_event, pointer=pointer, expected=expected, actual=actual)
        return self._emitter.take()

    def close(self) -> list[Finding]:
        """End of input: the findings only the end can tell (none after a size limit stopped the
        input: the end was never read, and the event cut at the limit is not judged)."""
        if self.stopped is not None:
            return self.abandon()
        if self._closed:
            return []
        self._closed = True
        if self._decoder is not None:
            self._decoder.close()
        framing = self._framing if self._framing is not None else self._start("events")
        framing.close(self._last_frame)
        self._schema.close()
        self._machine.close(self.last_event)
        return self._emitter.take()

    def abandon(self) -> list[Finding]:
        """End of input without the end-of-stream checks, after reading failed (out of memory):
        the findings so far. What is held for an unfinished event is dropped unread."""
        self._closed = True
        self._decoder = None
        return self._emitter.take()

    # ---- what was seen --------------------------------------------------------------------------

    @property
    def events(self) -> int:
        """How many events (SSE frames, JSON lines, fed events) were checked so far."""
        return self._sink.count if self._sink is not None else self._fed

    @property
    def pending(self) -> int:
        """Bytes held for an event that has not ended yet: what an endless event would grow."""
        return self._decoder.pending if self._decoder is not None else 0

    @property
    def last_event(self) -> Event | None:
        """The last event with a payload so far (end-of-stream findings point at it: a
        ``[DONE]`` or a broken frame after it does not move them, so SSE and JSONL agree)."""
        if self._lane is not None:
            taken = self._lane.last_taken()
            if taken is not None and (self._last is None or taken.index > self._last.index):
                return taken
        return self._last

    @property
    def counts(self) -> Counter[Severity]:
        """Findings per severity, including those not kept (``max_per_rule``, the hard cap)."""
        return self._emitter.counts

    def elided(self) -> list[Elided]:
        """Per rule, the findings counted but not kept."""
        return self._emitter.elided()

    def reconstruction(self) -> dict[str, Any] | None:
        """The response as the stream built it (texts kept only with ``reconstruct=True``);
        None when nothing was streamed. See ``validator.machine``."""
        return self._machine.reconstruction()

    # ---- inside ---------------------------------------------------------------------------------

    def _receive(self, chunk: bytes) -> None:
        if self._closed:
            raise RuntimeError("receive_data() after close()")
        if self.stopped is not None:
            return
        decoder = self._decoder if self._decoder is not None else self._start_bytes()
        limit = self._max_bytes
        over = limit is not None and self.bytes + len(chunk) > limit
        if over:
            assert limit is not None
            chunk = chunk[: max(0, limit - self.bytes)]  # up to the limit, not past it
        self.bytes += len(chunk)
        decoder.feed(chunk)
        if over:
            self._stop(BODY_TOO_LARGE, f"the stream passed {limit:,} bytes")
        elif self._max_event_bytes is not None and decoder.pending > self._max_event_bytes:
            self._stop(EVENT_TOO_LARGE, f"an event passed {self._max_event_bytes:,} bytes without ending")

    def _stop(self, rule: Rule, why: str) -> None:
        """A size limit was reached: a finding at the last event, and no more bytes are taken."""
        self.stopped = why
        self._emitter.emit(rule, f"{why} after {self.events} events; the rest was not read", self.last_event)

    def _feed(self, event: Event | dict[str, Any]) -> None:
        if self._closed:
            raise RuntimeError("feed() after close()")
        if self._decoder is not None:
            raise RuntimeError("feed() on a Checker that was given bytes")
        if self._framing is None:
            self._start("events")
        if not isinstance(event, Event):
            event = Event(payload=event, index=self._fed)
        self._fed += 1
        self._check(event, False)

    def _start(self, transport: str) -> FramingStage:
        if self.transport is None:
            self.transport = transport
        self._framing = FramingStage(self._emitter, self.transport, shortcuts=self.shortcuts)
        return self._framing

    def _start_bytes(self) -> SSEDecoder | JSONLDecoder:
        if self._framing is not None:
            raise RuntimeError("receive_data() on a Checker that was fed events")
        framing = self._start("sse")
        decoder: SSEDecoder | JSONLDecoder
        if self.transport == "jsonl":
            self._sink = decoder = JSONLDecoder(lambda event: self._check(event, False))
        elif self.shortcuts:
            self._lane = FastLane(framing, self._schema, self._machine, self._check, self._on_event)
            self._sink = self._lane
            decoder = SSEDecoder(self._lane)
        else:
            self._sink = EventSink(lambda event: self._check(event, False))
            decoder = SSEDecoder(self._sink)
        self._decoder = decoder
        return decoder

    def _check(self, event: Event, tried: bool) -> None:
        """Every stage on one event; ``tried``: the fast lane already asked the shortcuts about it."""
        self._last_frame = event
        if self._on_event is not None:
            self._on_event(event)
        assert self._framing is not None
        payload = self._framing.feed(event, tried=tried)
        if payload is None:
            return
        self._last = event
        self._schema.feed(event, payload)
        machine = self._machine
        if self.shortcuts and not tried and machine.take_delta(payload, payload["type"]):
            return
        machine.feed(event, payload)


def check_stream(
    stream: Stream,
    profile: str = "openai",
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    max_per_rule: int | None = None,
    shortcuts: bool = True,
    resumed_after: int | None = None,
    timeline: Timeline | None = None,
    max_bytes: int | None = None,
    max_event_bytes: int | None = None,
) -> StreamReport:
    """Check one stream to its end, or to a size limit.

    ``max_per_rule`` caps how many findings of one rule are kept per stream (the
    rest are counted, never dropped from the verdict); None keeps every one.
    ``resumed_after`` declares a resumed stream (see ``Checker``); a HAR entry
    that resumes one (``starting_after=N`` in its request) declares it itself.
    ``timeline`` records the events and the reconstruction for a report that
    draws the stream (``report.timeline``); without it nothing is kept.
    ``max_bytes`` and ``max_event_bytes`` bound a stream read as bytes (see ``Checker``): past
    one, the stream is reported as far as it was read, with its finding (HTT017, HTT018) and an
    ``error`` saying it was not read to its end. Running out of memory is such an error too,
    never a finding about the data.
    """
    checker = Checker(
        profile,
        select=select,
        ignore=ignore,
        source=stream.name,
        transport=stream.transport,
        max_per_rule=max_per_rule,
        shortcuts=shortcuts,
        resumed_after=resumed_after if resumed_after is not None else stream.meta.get("resumed_after"),
        reconstruct=timeline is not None,
        on_event=timeline.add if timeline is not None else None,
        max_bytes=max_bytes,
        max_event_bytes=max_event_bytes,
        redact=stream.redact,
    )
    report = StreamReport(stream.name, profile, stream.format, http=stream.http)
    if stream.error is not None:  # it cannot be read at all (a HAR entry whose body does not decode)
        report.error = stream.error
        return report
    try:
        if stream.body is not None:
            report.findings = checker.run_data(stream.body)
        else:
            report.findings = checker.run(stream.events)
    except InputError as exc:
        report.error = str(exc)
        report.findings = checker.close()
    except MemoryError:
        report.findings = checker.abandon()
        report.error = (
            f"{stream.name}: ran out of memory after {checker.bytes:,} bytes and {checker.events} events; "
            "the rest was not checked (a lower --max-event-bytes stops such an event with a finding)"
        )
    if checker.stopped is not None:
        report.error = f"{stream.name}: not read to its end: {checker.stopped}"
    report.events = checker.events
    report.elided = checker.elided()
    if timeline is not None:
        timeline.finish(checker.reconstruction())
        report.timeline = timeline
    return report


def check(
    source: str | bytes | Stream | Iterable[Any],
    profile: str = "openai",
    *,
    format: str = "auto",
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    shortcuts: bool = True,
    resumed_after: int | None = None,
) -> Report:
    """Check a path, raw bytes, a Stream, or an iterable of event objects.

    ``resumed_after=N`` declares every stream a resumption after sequence number N.
    """
    # A WebSocket session holds many responses, each checked here; the session model is built on this module.
    from validator.session import check_any

    report = Report(profile)
    for stream in _streams(source, format):
        report.streams.extend(
            check_any(stream, profile, select=select, ignore=ignore, shortcuts=shortcuts, resumed_after=resumed_after)
        )
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
    lines = [f"stream does not conform to the {report.profile} profile:"]
    for stream in report.streams:
        if stream.error:
            lines.append(f"  {stream.name}: {stream.error}")
        for f in stream.findings:
            if f.severity.fails(strict):
                where = f"event #{f.event_index}" if f.event_index is not None else "end of stream"
                kind = f" {f.event_type}" if f.event_type else ""
                lines.append(f"  {f.source}:{f.line}: {f.code} {f.message} ({where}{kind})")
    return "\n".join(lines)
