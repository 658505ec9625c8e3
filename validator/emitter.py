"""Turning a broken rule into a Finding, for the stages that enforce rules.

Every finding of a stream passes through one ``Emitter``, which is the one place
that decides whether a rule is checked (profile, ``--select``/``--ignore``), fills
in where it happened (from the event: line, index, sequence number, type),
masks secrets, and keeps or only counts it (``--max-per-rule`` and a hard cap,
so a flood of findings costs a counter, not memory). The counts never depend on
what is kept: a run fails on an error that was not shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from validator.model import Elided, Event, Finding, Severity, bounded
from validator.rules import Rule, severity_table

# Findings kept per stream whatever --max-per-rule says; the rest are counted.
KEEP_AT_MOST = 10_000


class Emitter:
    """Collects findings for one stream, for the rules its profile enables.

    Stages call ``emit``; the Checker drains ``take()`` after each event.
    ``wants(rule)`` lets a stage skip work whose only purpose is a rule that
    is switched off. ``redact`` (a text-to-text function) is applied to every
    message and value, for sources that may echo a credential.
    """

    def __init__(
        self,
        profile: str,
        source: str = "<stream>",
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        max_per_rule: int | None = None,
        *,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        self.profile = profile
        self.source = source
        self.max_per_rule = max_per_rule
        self._per_rule: Counter[str] = Counter()
        self.counts: Counter[Severity] = Counter()  # every finding, kept or not
        self._kept = 0
        self._kept_per_rule: Counter[str] = Counter()
        self._severity = severity_table(
            profile, tuple(select) if select is not None else None, tuple(ignore or ())
        )
        self.enabled = frozenset(self._severity)
        self._redact = redact
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
        caused_by: tuple[str, int | None] | None = None,
    ) -> None:
        severity = self._severity.get(rule.code)
        if severity is None:
            return
        self.counts[severity] += 1
        seen = self._per_rule[rule.code] = self._per_rule[rule.code] + 1
        if (self.max_per_rule is not None and seen > self.max_per_rule) or self._kept >= KEEP_AT_MOST:
            return
        self._kept += 1
        self._kept_per_rule[rule.code] += 1
        expected = bounded(expected)  # a report must be able to hold any value a payload carried
        actual = bounded(actual)
        redact = self._redact
        if redact is not None:
            message = redact(message)
            expected = redact_value(expected, redact)
            actual = redact_value(actual, redact)
        finding = Finding(
            code=rule.code,
            severity=severity,
            message=message,
            source=self.source,
            pointer=pointer,
            expected=expected,
            actual=actual,
            caused_by=caused_by,
        )
        if event is not None:
            finding.line = event.line
            finding.event_index = event.index
            payload = event.payload
            if type(payload) is dict:
                seq = payload.get("sequence_number")
                if type(seq) is int:
                    finding.sequence_number = seq
                kind = payload.get("type")
                if type(kind) is str:
                    # the type is the payload's too: a server may echo a key into it
                    finding.event_type = redact(kind) if redact is not None else kind
        if redact is not None and pointer:
            finding.pointer = redact(pointer)
        self._pending.append(finding)

    def elided(self) -> list[Elided]:
        """Per rule, the findings that were counted but not kept, in code order."""
        kept = self._kept_per_rule
        return [
            Elided(code, self._severity[code], seen - kept[code])
            for code, seen in sorted(self._per_rule.items())
            if seen > kept[code]
        ]

    def take(self) -> list[Finding]:
        pending = self._pending
        self._pending = []
        return pending


def redact_value(value: Any, redact: Callable[[str], str], depth: int = 0) -> Any:
    """``value`` with ``redact`` applied to every string inside it (nesting past 32 levels is cut)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (list, dict)) and depth >= 32:
        return "…"
    if isinstance(value, list):
        return [redact_value(v, redact, depth + 1) for v in value]
    if isinstance(value, dict):
        return {redact(str(k)): redact_value(v, redact, depth + 1) for k, v in value.items()}
    return value
