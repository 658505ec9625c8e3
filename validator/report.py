"""What a check found: per stream, and over a whole run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from validator.model import Finding, HttpInfo, Severity

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

    def ok(self, *, strict: bool = False) -> bool:
        worst = Severity.WARNING.rank if strict else Severity.ERROR.rank
        return self.error is None and all(f.severity.rank < worst for f in self.findings)

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "profile": self.profile,
            "format": self.format,
            "events": self.events,
            "ok": self.ok(),
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.error is not None:
            out["error"] = self.error
        if self.scenario is not None:
            out["scenario"] = self.scenario
        if self.skipped is not None:
            out["skipped"] = self.skipped
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
    """Every stream of one run."""

    profile: str
    streams: list[StreamReport] = field(default_factory=list)

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
        return Counter(f.severity.value for s in self.streams for f in s.findings)

    def ok(self, *, strict: bool = False) -> bool:
        return all(s.ok(strict=strict) for s in self.streams)

    def to_dict(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "version": REPORT_VERSION,
            "tool": "responses-conformance",
            "profile": self.profile,
            "ok": self.ok(),
            "summary": {
                "streams": len(self.streams),
                "events": self.events,
                "errors": counts.get("error", 0),
                "warnings": counts.get("warning", 0),
                "infos": counts.get("info", 0),
                "skipped": sum(1 for s in self.streams if s.skipped is not None),
            },
            "streams": [s.to_dict() for s in self.streams],
        }
