"""The rule catalogue: every check the validator makes, with its stable code.

A rule is data. The code that enforces it lives in the stage that can see the
problem (``framing``, ``schemas``, ``machine``); each of those modules imports
its rules from the group module here. Codes are never reused: a rule that is
retired keeps its code in ``RETIRED``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from validator.model import Severity

PROFILES = ("openai", "openresponses")

ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO


@dataclass(frozen=True, slots=True)
class SpecRef:
    """Where a requirement is written down."""

    document: str
    section: str
    url: str = ""

    def __str__(self) -> str:
        return f"{self.document}, {self.section}"


# How severe a rule is (ARCHITECTURE.md, "Severity is evidence"); `explain` prints it under each rule.
SEVERITY_POLICY = (
    "error when the profile's spec says MUST, or when a mainstream client crashes, silently returns "
    "a different result, or mainstream clients disagree on the result (measured by replaying the "
    "rule's invalid fixtures into the clients: docs/clients.md); warning when every client tolerates "
    "it and no MUST is broken. Never an error in the openai profile for what OpenAI itself sends."
)

OPENRESPONSES = "Open Responses specification 2026-04-24"
OPENAI_SPEC = "OpenAI OpenAPI spec v2.3.0 (ResponseStreamEvent)"
WHATWG_SSE = "WHATWG HTML, 9.2 Server-sent events"
OPENAI_SDK = "openai-python (responses.stream accumulator)"
OPENAI_PROD = "OpenAI production API (recorded streams)"


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement the validator enforces.

    ``severity`` maps each profile the rule applies to onto its severity;
    a profile missing from the map does not check the rule. ``breaks`` names
    the clients that break on it: an entry that starts with a client harness
    name (``openai-python-stream``, ``ai-sdk``, ...) was measured by replaying
    the rule's invalid fixtures (``docs/clients.md``); other entries come from
    reading a client's code. ``evidence`` says what the severity rests on
    (the severity policy in ARCHITECTURE.md).
    """

    code: str
    name: str
    summary: str
    requirement: str
    severity: Mapping[str, Severity]
    refs: tuple[SpecRef, ...] = ()
    breaks: tuple[str, ...] = ()
    rationale: str = ""
    evidence: tuple[str, ...] = ()
    since: str = "0.1.0"
    tags: tuple[str, ...] = field(default=())

    @property
    def group(self) -> str:
        return self.code.rstrip("0123456789")

    def severity_for(self, profile: str) -> Severity | None:
        return self.severity.get(profile)


def both(severity: Severity) -> dict[str, Severity]:
    """The same severity in every profile."""
    return dict.fromkeys(PROFILES, severity)


_CATALOGUE: dict[str, Rule] = {}
_SORTED: dict[str, Rule] = {}
_LOADED = False

RETIRED: dict[str, str] = {}


def register(*rules: Rule) -> None:
    for rule in rules:
        if rule.code in _CATALOGUE or rule.code in RETIRED:
            raise ValueError(f"rule code {rule.code} is already taken")
        unknown = set(rule.severity) - set(PROFILES)
        if unknown:
            raise ValueError(f"{rule.code}: unknown profiles {sorted(unknown)}")
        _CATALOGUE[rule.code] = rule
        _SORTED.clear()
        severity_table.cache_clear()


def catalogue() -> Mapping[str, Rule]:
    """Every registered rule, by code, in code order."""
    _load_groups()
    if len(_SORTED) != len(_CATALOGUE):
        _SORTED.clear()
        _SORTED.update(sorted(_CATALOGUE.items()))
    return _SORTED


def get(code: str) -> Rule:
    _load_groups()
    try:
        return _CATALOGUE[code.upper()]
    except KeyError:
        raise KeyError(f"no rule {code!r}") from None


def enabled_codes(
    profile: str,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> frozenset[str]:
    """The codes that are checked in ``profile`` after ruff-style selection.

    ``select`` and ``ignore`` take code prefixes (``SEQ``, ``SEQ002``, ``ALL``).
    The longest matching prefix wins, so ``--ignore SEQ --select SEQ001``
    keeps SEQ001 only.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
    select_list = [p.upper() for p in (select or ["ALL"])]
    ignore_list = [p.upper() for p in ignore]
    chosen = set()
    for code, rule in catalogue().items():
        if profile not in rule.severity:
            continue
        sel = _longest_prefix(code, select_list)
        ign = _longest_prefix(code, ignore_list)
        if sel >= 0 and sel > ign:
            chosen.add(code)
    return frozenset(chosen)


@functools.lru_cache(maxsize=256)
def severity_table(
    profile: str, select: tuple[str, ...] | None = None, ignore: tuple[str, ...] = ()
) -> Mapping[str, Severity]:
    """Each enabled code's severity in ``profile``: what a stream's Emitter consults per finding."""
    rules = catalogue()
    table = {}
    for code in enabled_codes(profile, select, ignore):
        severity = rules[code].severity_for(profile)
        assert severity is not None
        table[code] = severity
    return table


def _longest_prefix(code: str, prefixes: list[str]) -> int:
    best = -1
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 0)
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def unknown_prefixes(prefixes: Iterable[str]) -> list[str]:
    """Prefixes that match no rule code (so a typo is an error, not a no-op)."""
    codes = catalogue()
    return [p for p in prefixes if p.upper() != "ALL" and not any(c.startswith(p.upper()) for c in codes)]


def _load_groups() -> None:
    # The group modules register their rules on import.
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from validator.rules import (  # noqa: F401
        content,
        final,
        framing,
        http,
        items,
        lifecycle,
        schema,
        sequence,
        tools,
        websocket,
    )
