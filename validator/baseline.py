"""A strict known-failing baseline: accepted failures, and a run that fails when one is fixed.

The file holds one entry per line, ``STREAM-GLOB CODE``, where the glob is
matched (``fnmatch``, case-sensitive) against a stream's name, its base
name, or its live scenario name; a ``#`` at the start of a line or after a blank starts a
comment (so ``capture.har#entries[2]*`` names a HAR entry)::

    # known defects of our gateway, tracked in #123
    plain-text        SSE008   # we still send [DONE]
    captures/*.sse    SEQ001

An entry's findings still appear in every report, as ``info`` with a note
that they are known, so they no longer fail the run. An entry whose
streams were checked but no longer show its code is *stale*: the run
fails with a message naming the line (a run-level problem of the report,
not a stream), so the list never rots (fixing a defect means deleting its
line). An entry matching no checked stream (a file not given, a scenario
skipped) is left alone. A code that names no rule is an input error: a
typo would otherwise accept nothing and go unnoticed.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field

from validator.errors import InputError
from validator.model import Finding, Severity
from validator.report import Report, StreamReport
from validator.rules import RETIRED, catalogue

_CODE = re.compile(r"^[A-Z]{2,5}[0-9]{3}$")
# A comment starts at a ``#`` that begins the line or follows a blank, so that a stream name
# (``capture.har#entries[2]``) can be listed.
_COMMENT = re.compile(r"(?:^|\s)#")
MAX_BASELINE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    pattern: str
    code: str
    line: int
    source: str

    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def matches(self, stream: StreamReport) -> bool:
        names = {stream.name, os.path.basename(stream.name)}
        if stream.scenario is not None:
            names.add(stream.scenario)
        return any(fnmatch.fnmatchcase(name, self.pattern) for name in names)


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]
    source: str = "<baseline>"

    @classmethod
    def parse(cls, text: str, source: str = "<baseline>") -> Baseline:
        entries = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = _COMMENT.split(raw, 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2:
                raise InputError(f"{source}:{number}: expected 'STREAM-GLOB CODE', got {line!r}")
            pattern, code = parts[0], parts[1].upper()
            if not _CODE.match(code):
                raise InputError(f"{source}:{number}: {parts[1]!r} is not a rule code (like SEQ001)")
            if code in RETIRED:
                raise InputError(f"{source}:{number}: rule {code} was retired ({RETIRED[code]}); delete the line")
            if code not in catalogue():
                raise InputError(
                    f"{source}:{number}: no rule {code} (`responses-conformance rules` lists the codes)"
                )
            entries.append(BaselineEntry(pattern, code, number, source))
        return cls(tuple(entries), source)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline:
        """Read a baseline file: a regular file of at most ``MAX_BASELINE_BYTES`` (a FIFO would
        block, ``/dev/zero`` never end)."""
        name = os.fspath(path)
        try:
            # Opened without blocking: opening a FIFO for reading would wait for a writer.
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise InputError(f"{name}: cannot read the baseline (not a regular file)")
                data = handle.read(MAX_BASELINE_BYTES + 1)
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: cannot read the baseline ({getattr(exc, 'strerror', None) or exc})") from None
        if len(data) > MAX_BASELINE_BYTES:
            raise InputError(f"{name}: cannot read the baseline (larger than {MAX_BASELINE_BYTES:,} bytes)")
        return cls.parse(text, name)


@dataclass(slots=True)
class BaselineOutcome:
    """What the baseline did to a report."""

    known: int = 0
    stale: list[BaselineEntry] = field(default_factory=list)
    unmatched: list[BaselineEntry] = field(default_factory=list)
    unjudged: list[BaselineEntry] = field(default_factory=list)  # not seen in a partial (interrupted) run

    @property
    def ok(self) -> bool:
        return not self.stale

    def stale_messages(self) -> list[str]:
        return [
            f"{e.where()}: known failure '{e.pattern} {e.code}' no longer occurs; "
            "delete the line (the baseline is strict)"
            for e in self.stale
        ]

    def messages(self) -> list[str]:
        lines = self.stale_messages()
        lines.extend(
            f"{e.where()}: '{e.pattern} {e.code}' matches no checked stream (left alone)" for e in self.unmatched
        )
        lines.extend(
            f"{e.where()}: '{e.pattern} {e.code}' not seen, but the run was interrupted (not judged)"
            for e in self.unjudged
        )
        return lines


def apply_baseline(report: Report, baseline: Baseline) -> BaselineOutcome:
    """Mark the report's known failures and find stale entries; the report is changed in place.

    A known finding becomes ``info`` (its message says which baseline line
    covers it and what its severity was), so ``report.ok()`` no longer counts
    it. Each stale entry becomes one of ``report.problems``, so every report
    format shows the failure and ``report.ok()`` is False. In an interrupted
    (partial) report an entry not seen may simply not have been reached, so
    none is judged stale.
    """
    outcome = BaselineOutcome()
    checked = report.checked
    for entry in baseline.entries:
        streams = [s for s in checked if entry.matches(s)]
        if not streams:
            outcome.unmatched.append(entry)
            continue
        hit = False
        for stream in streams:
            for i, finding in enumerate(stream.findings):
                if finding.code == entry.code:
                    hit = True
                    if finding.severity is not Severity.INFO:
                        stream.findings[i] = _known(finding, entry)
                        outcome.known += 1
        if not hit:
            (outcome.stale if report.complete else outcome.unjudged).append(entry)
    report.problems.extend(outcome.stale_messages())
    return outcome


def _known(finding: Finding, entry: BaselineEntry) -> Finding:
    return Finding(
        code=finding.code,
        severity=Severity.INFO,
        message=f"{finding.message} [known failure ({finding.severity.value}), baseline {entry.where()}]",
        source=finding.source,
        line=finding.line,
        column=finding.column,
        event_index=finding.event_index,
        sequence_number=finding.sequence_number,
        event_type=finding.event_type,
        pointer=finding.pointer,
        expected=finding.expected,
        actual=finding.actual,
    )


def baseline_text(report: Report, *, strict: bool = False) -> str:
    """A baseline accepting every failure of ``report`` (errors, and warnings when strict)."""
    lines = ["# responses-conformance known-failing baseline: STREAM-GLOB CODE", ""]
    seen: set[tuple[str, str]] = set()
    for stream in report.streams:
        if stream.skipped is not None:
            continue
        name = stream.scenario or stream.name
        for finding in stream.findings:
            key = (name, finding.code)
            if finding.severity.fails(strict) and key not in seen:
                seen.add(key)
                lines.append(f"{_glob_escape(name)} {finding.code}")
    return "\n".join(lines) + "\n"


def _glob_escape(name: str) -> str:
    escaped = re.sub(r"([*?\[])", r"[\1]", name)
    # Whitespace would split the entry: match it with a single-character wildcard.
    return re.sub(r"\s", "?", escaped)
