"""The per-profile JSON Schema registry and the SCH stage.

Files: ``schemas/<profile>/<event type>.json`` (one per event type, Draft
2020-12), ``_defs.json`` (the shared definitions they reference as
``_defs.json#/$defs/Name``) and ``_index.json``; ``tools/build_schemas.py``
generates them from the specs plus our overlay. In a wheel they ship as
``validator/_schemas``; in a checkout they are ``<repo>/schemas``.

At run time each event schema is bundled into one self-contained schema (the
event plus the ``$defs`` it reaches, references made local), so both
backends compile it without a reference resolver. One compiled validator per
(profile, event type) is built on first use and kept for the process.

Two backends: the fast one (``jsonschema-rs``) answers valid/invalid on the
accept path; only when it rejects does ``jsonschema`` run to explain the
failure with ``best_match``, rendered as one line.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from validator.emitter import Emitter
from validator.model import Event
from validator.quick_schema import QuickCheck, quick_predicate
from validator.rules import PROFILES
from validator.rules import schema as rules

DEFS_FILE = "_defs.json"
INDEX_FILE = "_index.json"
_DEFS_REF = DEFS_FILE + "#/$defs/"

# An Open Responses extension type: an implementor slug, a colon, a name.
SLUG_PREFIXED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*:[^:\s]+")

Accept = Callable[[Any], bool]


def schema_dir() -> Path:
    """Where the schema files are: inside the wheel, else the checkout's ``schemas``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_schemas", here.parent / "schemas"):
        if (candidate / "openai" / INDEX_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"no schemas directory beside {here} (looked for _schemas and ../schemas)")


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")


@cache
def index(profile: str) -> dict[str, Any]:
    """The profile's ``_index.json``: spec title/version, events, overlay summary."""
    _check_profile(profile)
    return _read(schema_dir() / profile / INDEX_FILE)


def event_types(profile: str) -> list[str]:
    """The event types the profile defines, sorted."""
    return sorted(index(profile)["events"])


def schema_path(profile: str, event_type: str) -> Path:
    entry = index(profile)["events"].get(event_type)
    if entry is None:
        raise KeyError(f"no {profile} schema for event type {event_type!r}")
    return schema_dir() / profile / str(entry["file"])


def event_schema(profile: str, event_type: str) -> dict[str, Any]:
    """The event's schema file as it is on disk (references into ``_defs.json``)."""
    return _read(schema_path(profile, event_type))


@cache
def _defs(profile: str) -> dict[str, Any]:
    defs = _read(schema_dir() / profile / DEFS_FILE)["$defs"]
    assert isinstance(defs, dict)
    return defs


def bundled(profile: str, event_type: str) -> dict[str, Any]:
    """A self-contained schema for one event type: the event plus the ``$defs`` it reaches."""
    body: dict[str, Any] = _localise(event_schema(profile, event_type))
    defs = _defs(profile)
    needed: set[str] = set()
    todo = list(_refs(body))
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(_refs(defs[name]))
    if needed:
        body["$defs"] = {name: defs[name] for name in sorted(needed)}
    return body


def _localise(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_DEFS_REF):
                out[key] = "#/$defs/" + value[len(_DEFS_REF) :]
            else:
                out[key] = _localise(value)
        return out
    if isinstance(schema, list):
        return [_localise(v) for v in schema]
    return schema


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                yield value[len("#/$defs/") :]
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        value = json.load(fh)
    if not isinstance(value, dict):
        raise ValueError(f"{path}: not a JSON object")
    return value


# ---- backends ------------------------------------------------------------------------------------


def compile_reference(schema: dict[str, Any]) -> Draft202012Validator:
    """The explaining backend: ``jsonschema``'s Draft 2020-12 validator."""
    return Draft202012Validator(schema)


def compile_fast(schema: dict[str, Any]) -> Accept:
    """The accept-path backend: ``jsonschema-rs`` if installed, else ``jsonschema``."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs is a core dependency
        return compile_reference(schema).is_valid
    compiled = jsonschema_rs.Draft202012Validator(schema, validate_formats=False)
    is_valid: Accept = compiled.is_valid
    return is_valid


def fast_backend_name() -> str:
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:  # pragma: no cover
        return "jsonschema"
    return "jsonschema-rs"


@dataclass(frozen=True, slots=True)
class Violation:
    """Why an event does not match its schema, in one line."""

    pointer: str
    detail: str
    keyword: str

    @property
    def message(self) -> str:
        return f"{self.pointer}: {self.detail}" if self.pointer else self.detail


class EventSchema:
    """One event type's compiled schema: quick and fast accept checks, a lazy explainer.

    ``quick`` (None when the schema is not simple enough) accepts only valid
    payloads and may refuse valid ones; ``is_valid`` gives the verdict.
    """

    __slots__ = ("_lock", "_quick", "_reference", "event_type", "is_valid", "profile", "quick", "schema")

    def __init__(self, profile: str, event_type: str) -> None:
        self.profile = profile
        self.event_type = event_type
        self.schema = bundled(profile, event_type)
        self.quick: QuickCheck | None = quick_predicate(self.schema, event_type)
        self._quick: dict[frozenset[tuple[str, str]], QuickCheck | None] = {}
        self.is_valid: Accept = compile_fast(self.schema)
        self._reference: Draft202012Validator | None = None
        self._lock = threading.Lock()

    def quick_assuming(self, assume: Mapping[str, str]) -> QuickCheck | None:
        """A quick check for payloads whose ``assume`` fields are known to hold those JSON types."""
        key = frozenset(assume.items())
        try:
            return self._quick[key]
        except KeyError:
            check = self._quick[key] = quick_predicate(self.schema, self.event_type, assume)
            return check

    @property
    def reference(self) -> Draft202012Validator:
        if self._reference is None:
            with self._lock:
                if self._reference is None:
                    self._reference = compile_reference(self.schema)
        return self._reference

    def accepts(self, payload: Any) -> bool:
        """The fast backend's verdict; jsonschema's if the fast one cannot take the payload."""
        try:
            return self.is_valid(payload)
        except (ValueError, TypeError, OverflowError, RecursionError):
            return self._reference_accepts(payload)

    def _reference_accepts(self, payload: Any) -> bool:
        try:
            return bool(self.reference.is_valid(payload))
        except RecursionError:
            return False

    def explain(self, payload: Any) -> Violation | None:
        """The most relevant violation, or None when the payload is valid."""
        try:
            error = best_match(self.reference.iter_errors(payload))
            if error is None:
                return None
            error = _refine(error)
            return Violation(_pointer(error), _detail(error), str(error.validator))
        except RecursionError:
            return Violation("", "the event is nested too deeply to be checked against its schema", "depth")


_COMPILED: dict[tuple[str, str], EventSchema | None] = {}
_COMPILE_LOCK = threading.Lock()


def compiled(profile: str, event_type: str) -> EventSchema | None:
    """The compiled schema for an event type, or None when the profile has no such type."""
    key = (profile, event_type)
    try:
        return _COMPILED[key]
    except KeyError:
        pass
    with _COMPILE_LOCK:
        if key not in _COMPILED:
            known = event_type in index(profile)["events"]
            _COMPILED[key] = EventSchema(profile, event_type) if known else None
        return _COMPILED[key]


def validate(profile: str, payload: dict[str, Any]) -> Violation | None:
    """The violation of ``payload`` against its type's schema, if any (None for unknown types)."""
    schema = compiled(profile, str(payload.get("type")))
    if schema is None or schema.accepts(payload):
        return None
    return schema.explain(payload)


def _refine(error: ValidationError) -> ValidationError:
    """Look inside an anyOf/oneOf that best_match left whole, when only one branch can be meant.

    A branch that fails on the instance's JSON type (``null`` for an object) is
    not the one the sender meant; if a single branch remains, its deepest
    error explains the failure better than "not valid under any of the given
    schemas".
    """
    while error.validator in ("anyOf", "oneOf") and error.context:
        depth = len(error.absolute_path)
        ruled_out = {
            e.relative_schema_path[0]
            for e in error.context
            if e.validator == "type" and len(e.absolute_path) == depth and e.relative_schema_path
        }
        meant = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] not in ruled_out]
        if len({e.relative_schema_path[0] for e in meant}) != 1:
            break
        error = max(meant, key=lambda e: len(e.absolute_path))
    return error


def _pointer(error: ValidationError) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _detail(error: ValidationError) -> str:
    kind = error.validator
    expected = error.validator_value
    if kind == "type":
        return f"{_short(error.instance)} is not of type {_short(expected, 80)}"
    if kind == "enum":
        return f"{_short(error.instance)} is not one of {_short(expected, 160)}"
    if kind == "const":
        return f"{_short(error.instance)} is not {_short(expected)}"
    if kind == "required":
        return error.message
    message = error.message
    return message if len(message) <= 200 else message[:199] + "…"


# ---- the stage -----------------------------------------------------------------------------------


class SchemaStage:
    """SCH: each event against its own type's schema (dispatch on ``type``)."""

    def __init__(self, emitter: Emitter, *, shortcuts: bool = True) -> None:
        self._emit = emitter.emit
        self._profile = emitter.profile
        self._check_schema = emitter.wants(rules.SCHEMA_VIOLATION)
        self._check_unknown = emitter.wants(rules.UNKNOWN_EVENT_TYPE)
        self._check_extension = emitter.wants(rules.EXTENSION_WITHOUT_SEQUENCE)
        self._quick_on = shortcuts
        self._cache: dict[str, EventSchema | None] = {}
        self._unknown_seen: set[str] = set()

    def _schema(self, kind: str) -> EventSchema | None:
        try:
            return self._cache[kind]
        except KeyError:
            schema = self._cache[kind] = compiled(self._profile, kind)
            return schema

    def quick_check(self, kind: str, assume: Mapping[str, str] | None = None) -> QuickCheck | None:
        """The shortcut: a quick accept check for a known event type (see ``validator.quick_schema``),
        leaving out the ``assume`` fields, which the caller has checked to hold those JSON types."""
        schema = self._schema(kind)
        if schema is None or not self._quick_on:
            return None
        return schema.quick_assuming(assume) if assume else schema.quick

    def feed(self, event: Event, payload: dict[str, Any]) -> None:
        kind = payload["type"]
        schema = self._schema(kind)
        if schema is None:
            self._unknown(event, payload, kind)
            return
        quick = schema.quick
        if quick is not None and self._quick_on and quick(payload):
            return
        try:
            valid = schema.is_valid(payload)
        except (ValueError, TypeError, OverflowError, RecursionError):
            valid = schema.accepts(payload)
        if not valid and self._check_schema:
            violation = schema.explain(payload)
            if violation is not None:
                self._emit(
                    rules.SCHEMA_VIOLATION,
                    violation.message,
                    event,
                    pointer=violation.pointer,
                    expected=violation.keyword,
                )

    def _unknown(self, event: Event, payload: dict[str, Any], kind: str) -> None:
        extension = self._profile == "openresponses" and SLUG_PREFIXED.match(kind) is not None
        if extension:
            seq = payload.get("sequence_number")
            if self._check_extension and (not isinstance(seq, int) or isinstance(seq, bool)):
                what = "has no" if seq is None else f"has a non-integer ({_short(seq)})"
                self._emit(
                    rules.EXTENSION_WITHOUT_SEQUENCE,
                    f"extension event {kind!r} {what} `sequence_number`",
                    event,
                    pointer="/sequence_number",
                )
            return
        if self._check_unknown and kind not in self._unknown_seen:
            self._unknown_seen.add(kind)
            hint = (
                " (extension events must be slug-prefixed, e.g. `acme:trace_event`)"
                if self._profile == "openresponses"
                else ""
            )
            self._emit(
                rules.UNKNOWN_EVENT_TYPE,
                f"event type {kind!r} is not defined in the {self._profile} profile{hint}",
                event,
                pointer="/type",
                actual=kind,
            )

    def close(self) -> None:
        return None
