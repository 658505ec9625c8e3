"""What a check found: per stream, and over a whole run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from validator import compliance
from validator.model import Elided, Finding, HttpInfo
from validator.timeline import Timeline

REPORT_VERSION = 1


@dataclass(slots=True)
class StreamReport:
    """The findings for one stream and how much of it was read."""

    name: str
    profile: str
    format: str = "events"
    events: int = 0
    findings: list[Finding] = field(default_factory=list)
    http: HttpInfo | None = None
    error: str | None = None  # the stream could not be read to its end
    scenario: str | None = None  # the live battery scenario this stream answers
    skipped: str | None = None  # why a live scenario was not run (never a pass)
    covers: str | None = None  # the official Open Responses compliance test the live scenario covers
    elided: list[Elided] = field(default_factory=list)  # findings counted but not kept
    clients: list[dict[str, Any]] | None = None  # what real clients did with it (validate --clients)
    # The events as a report draws them, kept only when such a report is asked for.
    timeline: Timeline | None = None

    def ok(self, *, strict: bool = False) -> bool:
        return (
            self.error is None
            and not any(f.severity.fails(strict) for f in self.findings)
            and not any(e.severity.fails(strict) for e in self.elided)
        )

    def counts(self) -> Counter[str]:
        """Findings per severity, the elided ones included."""
        counts = Counter(f.severity.value for f in self.findings)
        for e in self.elided:
            counts[e.severity.value] += e.count
        return counts

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def _finding(self, finding: Finding) -> dict[str, Any]:
        out = finding.to_dict()
        tests = compliance.tests_for(self.profile, finding.code)
        if tests:
            out["compliance_tests"] = list(tests)
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "profile": self.profile,
            "format": self.format,
            "events": self.events,
            "ok": self.ok(),
            "findings": [self._finding(f) for f in self.findings],
        }
        if self.elided:
            out["elided"] = [{"code": e.code, "severity": e.severity.value, "count": e.count} for e in self.elided]
        # The Open Responses compliance suite's tests these findings make fail (validator.compliance).
        codes = [f.code for f in self.findings] + [e.code for e in self.elided]
        failed = compliance.failed_tests(self.profile, codes)
        if failed:
            out["compliance"] = {"suite": compliance.SUITE, "failed": failed}
        if self.error is not None:
            out["error"] = self.error
        if self.scenario is not None:
            out["scenario"] = self.scenario
        if self.skipped is not None:
            out["skipped"] = self.skipped
        if self.covers is not None:
            out["covers"] = {"suite": compliance.SUITE, "test": self.covers}
        if self.clients is not None:
            out["clients"] = self.clients
        if self.http is not None:
            out["http"] = {
                "status": self.http.status,
                "method": self.http.method,
                "url": self.http.url,
                "content_type": self.http.headers.get("content-type"),
            }
        return out


@dataclass(slots=True)
class Report:
    """Every stream of one run, and what went wrong with the run as a whole.

    ``interrupted`` says why the run stopped before it had read everything (Ctrl-C): the
    report is then partial (``complete`` is False) and never ``ok``. ``problems`` are
    failures that belong to no stream, such as a stale baseline entry.
    """

    profile: str
    streams: list[StreamReport] = field(default_factory=list)
    interrupted: str | None = None
    problems: list[str] = field(default_factory=list)
    clients: list[dict[str, Any]] | None = None  # the clients replayed into, with versions (validate --clients)

    def __iter__(self) -> Iterator[StreamReport]:
        return iter(self.streams)

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.streams for f in s.findings]

    @property
    def events(self) -> int:
        return sum(s.events for s in self.streams)

    @property
    def codes(self) -> set[str]:
        return {f.code for s in self.streams for f in s.findings}

    def counts(self) -> Counter[str]:
        """Findings per severity over every stream, the elided ones included."""
        total: Counter[str] = Counter()
        for stream in self.streams:
            total.update(stream.counts())
        return total

    @property
    def complete(self) -> bool:
        """False when the run was interrupted before it had read every input."""
        return self.interrupted is None

    @property
    def checked(self) -> list[StreamReport]:
        """The streams that were read (live scenarios that were skipped are not)."""
        return [s for s in self.streams if s.skipped is None]

    def ok(self, *, strict: bool = False) -> bool:
        return self.complete and not self.problems and all(s.ok(strict=strict) for s in self.streams)

    def to_dict(self) -> dict[str, Any]:
        counts = self.counts()
        out: dict[str, Any] = {
            "version": REPORT_VERSION,
            "tool": "responses-conformance",
            "profile": self.profile,
            "ok": self.ok(),
            "complete": self.complete,
            "summary": {
                "streams": len(self.streams),
                "events": self.events,
                "errors": counts.get("error", 0),
                "warnings": counts.get("warning", 0),
                "infos": counts.get("info", 0),
                "skipped": sum(1 for s in self.streams if s.skipped is not None),
            },
            "streams": [s.to_dict() for s in self.streams],
            "problems": list(self.problems),
        }
        if self.interrupted is not None:
            out["interrupted"] = self.interrupted
        if self.clients is not None:
            out["clients"] = self.clients
        return out
