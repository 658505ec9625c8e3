"""Turning a broken rule into a Finding, for the stages that enforce rules."""

from __future__ import annotations

from typing import Any

from validator.model import Event, Finding
from validator.rules import Rule, severity_table


class Emitter:
    """Collects findings for one stream, for the rules its profile enables.

    Stages call ``emit``; the Checker drains ``take()`` after each event.
    ``wants(rule)`` lets a stage skip work whose only purpose is a rule that
    is switched off.
    """

    def __init__(
        self,
        profile: str,
        source: str = "<stream>",
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        max_per_rule: int | None = None,
    ) -> None:
        self.profile = profile
        self.source = source
        self.max_per_rule = max_per_rule
        self._counts: dict[str, int] = {}
        self._severity = severity_table(
            profile, tuple(select) if select is not None else None, tuple(ignore or ())
        )
        self.enabled = frozenset(self._severity)
        self._pending: list[Finding] = []

    def wants(self, rule: Rule) -> bool:
        return rule.code in self.enabled

    def emit(
        self,
        rule: Rule,
        message: str,
        event: Event | None = None,
        *,
        pointer: str = "",
        expected: Any = None,
        actual: Any = None,
    ) -> None:
        severity = self._severity.get(rule.code)
        if severity is None:
            return
        if self.max_per_rule is not None:
            seen = self._counts.get(rule.code, 0) + 1
            self._counts[rule.code] = seen
            if seen > self.max_per_rule:
                return
        finding = Finding(
            code=rule.code,
            severity=severity,
            message=message,
            source=self.source,
            pointer=pointer,
            expected=expected,
            actual=actual,
        )
        if event is not None:
            finding.line = event.line
            finding.event_index = event.index
            payload = event.payload
            if isinstance(payload, dict):
                seq = payload.get("sequence_number")
                if isinstance(seq, int) and not isinstance(seq, bool):
                    finding.sequence_number = seq
                kind = payload.get("type")
                if isinstance(kind, str):
                    finding.event_type = kind
        self._pending.append(finding)

    def summarise_suppressed(self) -> None:
        """One closing finding per rule that went over ``max_per_rule``."""
        if self.max_per_rule is None:
            return
        for code, seen in sorted(self._counts.items()):
            extra = seen - self.max_per_rule
            if extra > 0:
                self._pending.append(
                    Finding(
                        code=code,
                        severity=self._severity[code],
                        message=f"{extra} more {code} findings in this stream not shown",
                        source=self.source,
                    )
                )

    def take(self) -> list[Finding]:
        pending = self._pending
        self._pending = []
        return pending
