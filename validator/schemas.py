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

Unknown union members. The build records, per profile, every union told
apart by ``type`` and its known members (``unions`` in ``_index.json``).
When an event is rejected, ``EventSchema.diagnose`` sorts the violations:
one that is only "this ``type`` is not among the union's members" (the enum
of a union's ``type``, or every plausible branch of an ``anyOf``/``oneOf``
failing that way) is an unknown variant; anything else is a schema
violation. In profiles where SCH004 applies (``openai``) unknown variants
are reported as SCH004 and the rest, if any, as SCH001; elsewhere
everything stays SCH001.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from validator import nonstandard
from validator.emitter import Emitter
from validator.model import Event
from validator.quick_schema import QuickCheck, is_deep, quick_predicate, value_predicate
from validator.rules import PROFILES
from validator.rules import schema as rules

if TYPE_CHECKING:  # jsonschema is imported only to explain a rejected event (it costs ~0.1 s to import)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

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
    needed = _reachable(profile, _refs(body))
    if needed:
        body["$defs"] = {name: defs[name] for name in sorted(needed)}
    return body


@cache
def _def_refs(profile: str, name: str) -> tuple[str, ...]:
    """The definitions one definition refers to (found once per process: every event type reaches many)."""
    return _refs_in(_defs(profile)[name])


# A reference into ``$defs`` in a schema's compact JSON text; any "$ref" key this does not match (a
# name with an escape, a reference elsewhere, a property named "$ref") sends the schema to the walk.
_REF_TEXT = re.compile(rb'"\$ref":"#/\$defs/([^"\\]*)"')


def _refs_in(schema: Any) -> tuple[str, ...]:
    """What ``_refs`` yields, in its order: found in the schema's JSON text by one regular expression
    (a tenth of the walk's time on the Response definition), else by the walk."""
    text = orjson.dumps(schema)
    found = _REF_TEXT.findall(text)
    if len(found) != text.count(b'"$ref":'):
        return tuple(_refs(schema))
    return tuple(name.decode() for name in found)


def _reachable(profile: str, roots: Iterable[str]) -> set[str]:
    """The definitions reachable from ``roots``, themselves included."""
    needed: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(_def_refs(profile, name))
    return needed


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
    value = orjson.loads(path.read_bytes())
    if not isinstance(value, dict):
        raise ValueError(f"{path}: not a JSON object")
    return value


# ---- backends ------------------------------------------------------------------------------------


def compile_reference(schema: dict[str, Any]) -> Draft202012Validator:
    """The explaining backend: ``jsonschema``'s Draft 2020-12 validator."""
    from jsonschema import Draft202012Validator

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
class UnknownVariant:
    """A union member whose ``type`` the union does not list."""

    pointer: str  # the member's `type` field
    tag: str
    union: str  # where the union is declared, e.g. "OutputItem", "WebSearchToolCall.action"
    known: tuple[str, ...]


Unions = Mapping[frozenset[str], str]


@cache
def union_tags(profile: str) -> dict[frozenset[str], str]:
    """Each recorded union's set of known ``type`` values, mapped to a readable name of the union."""
    out: dict[frozenset[str], str] = {}
    for union in index(profile).get("unions", ()):
        tags = frozenset(t for t in union.get("tags", ()) if isinstance(t, str))
        if tags and not union.get("open"):
            out.setdefault(tags, _union_name(str(union.get("at", ""))))
    return out


def _union_name(at: str) -> str:
    owner, _, pointer = at.partition("#")
    owner = owner[len("event:") :] if owner.startswith("event:") else owner
    parts = pointer.strip("/").split("/") if pointer.strip("/") else []
    name = owner
    for i, part in enumerate(parts):
        if i and parts[i - 1] == "properties":
            name += "." + part.replace("~1", "/").replace("~0", "~")
        elif part == "items":
            name += "[]"
    return name


@dataclass(frozen=True, slots=True)
class Violation:
    """Why an event does not match its schema, in one line."""

    pointer: str
    detail: str
    keyword: str
    others: tuple[str, ...] = ()  # the event's other violations, one line each (at most KEPT_OTHERS)
    more: int = 0  # how many other violations there are in all

    @property
    def message(self) -> str:
        first = f"{self.pointer}: {self.detail}" if self.pointer else self.detail
        if not self.more:
            return first
        listed = "; ".join(self.others[:SHOWN_OTHERS])
        rest = ", ..." if self.more > SHOWN_OTHERS else ""
        return f"{first} (and {self.more} more in this event: {listed}{rest})"


# SCH001 is one finding per event; its message names the other violations of the same event.
SHOWN_OTHERS = 3
KEPT_OTHERS = 200  # violations kept per event; the rest are only counted (a hostile array can hold millions)


def _violation(errors: list[ValidationError], total: int) -> Violation | None:
    """The most relevant of an event's violations, naming the others (``total``: how many in all)."""
    from jsonschema.exceptions import best_match

    best = best_match(errors) if errors else None
    if best is None:
        return None
    refined = _refine(best)
    others = tuple(_line(_refine(e)) for e in errors if e is not best)
    return Violation(_pointer(refined), _detail(refined), str(refined.validator), others[:SHOWN_OTHERS], total - 1)


def _first_time(error: ValidationError, seen: set[tuple[str, str]]) -> bool:
    """Whether this is the first error of its place and message (the branches of an ``allOf`` repeat one)."""
    key = (_pointer(error), error.message)
    if key in seen:
        return False
    seen.add(key)
    return True


def _line(error: ValidationError) -> str:
    pointer = _pointer(error)
    return f"{pointer}: {_detail(error)}" if pointer else _detail(error)


# The fields of a Response snapshot that stay the same between the lifecycle events of one response
# and cost most of its validation (an agent's tools and instructions): checked once per stream.
SNAPSHOT_FIELDS = ("tools", "instructions")
# Keywords beside which a field's own subschema is not all that constrains it.
_COUPLING = frozenset({"if", "then", "else", "not", "anyOf", "oneOf", "dependentRequired", "dependentSchemas",
                       "dependencies", "unevaluatedProperties", "propertyNames"})


def snapshot_reduced(defs: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The ``$defs`` with the Response definition ``name`` (and the definitions its ``allOf``
    merges in) accepting any value of the ``SNAPSHOT_FIELDS``; None when something besides
    those fields' own subschemas could constrain them (then it would not mean the same).

    A snapshot is valid iff the reduced definition accepts it and each of those fields is valid
    in its place, which a snapshot with the same fields' bytes, accepted in full, has shown.
    """
    if name not in defs:
        return None
    new_defs = dict(defs)
    todo, seen = [name], set()
    while todo:  # the definition and the definitions its allOf merges in
        current = todo.pop()
        if current in seen:
            continue
        if current not in defs:
            return None
        seen.add(current)
        part = defs[current]
        if not isinstance(part, dict) or _COUPLING & part.keys():
            return None
        members = part.get("allOf", [])
        if not isinstance(members, list):
            return None
        merged = []
        for member in members:
            if not isinstance(member, dict):
                return None
            if set(member) == {"$ref"} and isinstance(member["$ref"], str):
                todo.append(member["$ref"].removeprefix("#/$defs/"))
            elif _COUPLING & member.keys() or "allOf" in member or "$ref" in member:
                return None
            merged.append(_without_snapshot_fields(member))
        copy = _without_snapshot_fields(part)
        if members:
            copy["allOf"] = merged
        new_defs[current] = copy
    return new_defs


def _without_snapshot_fields(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not any(f in properties for f in SNAPSHOT_FIELDS):
        return dict(schema)
    return {**schema, "properties": {k: ({} if k in SNAPSHOT_FIELDS else v) for k, v in properties.items()}}


def bare_refs(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """The event's fields whose schema is only a reference to a definition: (field, definition)."""
    out = []
    properties = schema.get("properties", {})
    for field, sub in properties.items() if isinstance(properties, dict) else ():
        if isinstance(sub, dict) and set(sub) - {"title", "description"} == {"$ref"}:
            ref = sub["$ref"]
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                out.append((field, ref[len("#/$defs/") :]))
    return out


_DEFINITIONS: dict[tuple[str, str, bool], Accept] = {}


def definition_validator(profile: str, name: str, defs: dict[str, Any], reduced: bool) -> Accept:
    """jsonschema-rs's check of one definition, compiled once per process and shared by every event
    type that embeds it (a Response snapshot is in six event types; compiling it is the costliest
    part of a short run)."""
    key = (profile, name, reduced)
    try:
        return _DEFINITIONS[key]
    except KeyError:
        pass
    # Reached through the profile's definitions: a reduced one refers to a subset of what it did.
    needed = {n for n in _reachable(profile, [name]) if n in defs}
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": f"#/$defs/{name}",
              "$defs": {n: defs[n] for n in sorted(needed)}}
    with _COMPILE_LOCK:
        return _DEFINITIONS.setdefault(key, compile_fast(schema))


_DEFINITION_QUICK: dict[tuple[str, str, bool], Accept] = {}


def definition_quick(profile: str, name: str, defs: dict[str, Any], reduced: bool) -> Accept:
    """The quick predicate of one definition (see ``validator.quick_schema``), written once per process
    and shared by every event type that embeds it, as ``definition_validator`` is; its union branches
    are written when a value of their type first comes, so a short run writes little of it."""
    key = (profile, name, reduced)
    found = _DEFINITION_QUICK.get(key)
    if found is None:
        check = value_predicate({"$ref": f"#/$defs/{name}"}, defs)
        with _COMPILE_LOCK:
            found = _DEFINITION_QUICK.setdefault(key, check if check is not None else _refuse)
    return found


def _refuse(payload: Any) -> bool:
    return False


def snapshot_key(response: dict[str, Any]) -> bytes | None:
    """The bytes of a snapshot's ``SNAPSHOT_FIELDS`` (None when one is missing or not JSON)."""
    try:
        return b"\0".join(orjson.dumps(response[f]) for f in SNAPSHOT_FIELDS)
    except (KeyError, TypeError):
        return None


class EventSchema:
    """One event type's compiled schema: quick and fast accept checks, a lazy explainer.

    ``quick`` (None when the schema is not simple enough) accepts only valid
    payloads and may refuse valid ones; ``is_valid`` gives the verdict.
    """

    __slots__ = (
        "_envelope", "_full", "_lock", "_quick", "_reduced", "_reference", "_split", "event_type", "is_valid",
        "profile", "quick", "schema", "snapshot",
    )

    def __init__(self, profile: str, event_type: str) -> None:
        self.profile = profile
        self.event_type = event_type
        self.schema = bundled(profile, event_type)
        self._quick: dict[frozenset[tuple[str, str]], QuickCheck | None] = {}
        # Compiled on first use: a stream whose events of this type all pass ``quick`` never needs it
        # (nor jsonschema-rs's import, a tenth of the start-up of a small run).
        self.is_valid: Accept = self._first_is_valid
        self._full: Accept | None = None
        self._reference: Draft202012Validator | None = None
        self._lock = threading.Lock()
        # An event that embeds a Response snapshot is checked in two parts: its envelope by a quick
        # predicate (the embedded field only required to be an object there), the snapshot by its
        # definition's shared validator. The envelope
        # predicate may refuse (then the whole schema decides), never accept wrongly; so the two
        # parts accept exactly what the whole schema accepts.
        # Only for snapshots: for an output item or a part the second call costs more per event
        # (a few microseconds) than sharing their smaller compiled definitions saves.
        self._split = [(f, name) for f, name in bare_refs(self.schema) if f == "response"]
        self._envelope: QuickCheck | None = None
        if self._split:
            properties = {**self.schema["properties"], **{f: {"type": "object"} for f, _ in self._split}}
            self._envelope = quick_predicate({**self.schema, "properties": properties}, event_type)
        # An event with an embedded snapshot: its quick check is the envelope's and the snapshot
        # definition's shared one (not one more copy of the whole Response in every such event type).
        self.quick: QuickCheck | None = (
            quick_predicate(self.schema, event_type) if self._envelope is None else self._split_quick
        )
        if not _DEEP_QUICK[0] and self.quick is not None and (self._envelope is not None or is_deep(self.quick)):
            self.quick = None  # see ``use_deep_quick``
        # A Response snapshot (one embedded ``response``): its definition's name, and the definitions
        # with the SNAPSHOT_FIELDS left out (``snapshot_reduced``).
        self.snapshot: str | None = None
        self._reduced: dict[str, Any] | None = None
        if self._envelope is not None and [f for f, _ in self._split] == ["response"]:
            name = self._split[0][1]
            self._reduced = snapshot_reduced(self.schema.get("$defs", {}), name)
            self.snapshot = name if self._reduced is not None else None

    def quick_assuming(self, assume: Mapping[str, str]) -> QuickCheck | None:
        """A quick check for payloads whose ``assume`` fields are known to hold those JSON types."""
        key = frozenset(assume.items())
        try:
            return self._quick[key]
        except KeyError:
            check = self._quick[key] = quick_predicate(self.schema, self.event_type, assume)
            return check

    def _split_quick(self, payload: dict[str, Any]) -> bool:
        assert self._envelope is not None
        if not self._envelope(payload):
            return False
        defs = self.schema.get("$defs", {})
        for field, name in self._split:
            value = payload.get(field, _MISSING)
            if value is not _MISSING and not definition_quick(self.profile, name, defs, False)(value):
                return False
        return True

    def reduced_is_valid(self, payload: Any) -> bool:
        """True when the payload is valid apart from its snapshot's ``SNAPSHOT_FIELDS`` (see
        ``snapshot_reduced``); False when it is not, or when the envelope predicate is not sure."""
        assert self._envelope is not None and self._reduced is not None and self.snapshot is not None
        if not self._envelope(payload):
            return False
        response = payload["response"]
        if _DEEP_QUICK[0] and definition_quick(self.profile, self.snapshot, self._reduced, True)(response):
            return True
        return definition_validator(self.profile, self.snapshot, self._reduced, True)(response)

    def _first_is_valid(self, payload: Any) -> bool:
        if self._envelope is None:
            self.is_valid = self._whole
        else:
            defs = self.schema.get("$defs", {})
            parts = tuple((f, definition_validator(self.profile, name, defs, False)) for f, name in self._split)
            envelope = self._envelope
            whole = self._whole

            def split(payload: Any) -> bool:
                if not envelope(payload):
                    return whole(payload)
                for field, accept in parts:
                    value = payload.get(field, _MISSING)
                    if value is not _MISSING and not accept(value):
                        return False
                return True

            self.is_valid = split
        return self.is_valid(payload)

    def _whole(self, payload: Any) -> bool:
        """The whole event schema (compiled on first use)."""
        if self._full is None:
            self._full = compile_fast(self.schema)
        return self._full(payload)

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

    def diagnose(self, payload: Any, unions: Unions) -> tuple[Violation | None, tuple[UnknownVariant, ...]]:
        """The violation that is not an unknown union member (if any), and the unknown members."""
        try:
            unknown: list[UnknownVariant] = []
            rest: list[ValidationError] = []
            beyond = 0  # violations past KEPT_OTHERS, counted only
            seen: set[tuple[str, str]] = set()
            for error in self.reference.iter_errors(payload):
                found = _unknown_members(error, unions)
                if found is not None:
                    unknown.extend(found)
                elif _first_time(error, seen):
                    if len(rest) < KEPT_OTHERS:
                        rest.append(error)
                    else:
                        beyond += 1
            if unknown and rest:
                # What else fails inside a member of unknown type (a one-member union's other fields) was
                # checked against the wrong schema: the member could not be checked, as reported.
                members = {u.pointer[: -len("/type")] for u in unknown}
                rest = [e for e in rest if not _inside(_pointer(e), members)]
            return _violation(rest, len(rest) + beyond), tuple(unknown)
        except RecursionError:
            return Violation("", "the event is nested too deeply to be checked against its schema", "depth"), ()

    def explain(self, payload: Any) -> Violation | None:
        """The most relevant violation, or None when the payload is valid."""
        try:
            errors: list[ValidationError] = []
            total = 0
            seen: set[tuple[str, str]] = set()
            for error in self.reference.iter_errors(payload):
                if _first_time(error, seen):
                    total += 1
                    if len(errors) < KEPT_OTHERS:
                        errors.append(error)
            return _violation(errors, total)
        except RecursionError:
            return Violation("", "the event is nested too deeply to be checked against its schema", "depth")


# Whether snapshots, output items and the other events with unions get quick predicates (``use_deep_quick``).
_DEEP_QUICK = [True]


def use_deep_quick(on: bool) -> bool:
    """Whether the quick predicates that follow unions (a Response snapshot, an output item) are used
    by the event schemas compiled from now on. They walk the value in Python: for a short run they
    spare jsonschema-rs's import and compiling (most of its start-up); over megabytes, the compiled
    validator, native code, is the faster judge (``runner.check_files`` decides by the input's size).
    Either way the verdicts are the same. Returns the setting it replaces."""
    before = _DEEP_QUICK[0]
    if before != on:
        _DEEP_QUICK[0] = on
        with _COMPILE_LOCK:
            _COMPILED.clear()
    return before


_MISSING = object()
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


_TAG_ENUM = ("properties", "type", "enum")


def _inside(pointer: str, members: set[str]) -> bool:
    """Whether ``pointer`` is one of ``members`` or inside one (each ancestor looked up once)."""
    while True:
        if pointer in members:
            return True
        if not pointer:
            return False
        pointer = pointer.rpartition("/")[0]


def _unknown_members(error: ValidationError, unions: Unions, depth: int = 0) -> list[UnknownVariant] | None:
    """The unknown union members ``error`` consists of, or None when it is (also) something else.

    An unknown member fails exactly one keyword: the ``enum`` of the union's
    ``type`` (our dispatch form, or a one-member union's tag). Inside an
    ``anyOf``/``oneOf`` (a nullable member, a union the build left as it
    was) the branches that fail on the instance's JSON type are ruled out;
    if every other branch fails only that way, the member is unknown to all
    of them.
    """
    if depth > 40:
        return None
    path = tuple(error.relative_schema_path)[-3:]
    if error.validator == "enum" and path == _TAG_ENUM and isinstance(error.instance, str):
        values = error.validator_value
        tags = frozenset(values) if isinstance(values, list) and all(isinstance(v, str) for v in values) else None
        union = unions.get(tags) if tags is not None else None
        if union is None or tags is None or error.instance in tags:
            return None
        pointer = _pointer(error)
        return [UnknownVariant(pointer, error.instance, union, tuple(sorted(tags)))]
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return None
    level = len(error.absolute_path)
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        if sub.relative_schema_path:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    plausible = [
        errs
        for errs in branches.values()
        if not any(e.validator == "type" and len(e.absolute_path) == level for e in errs)
    ]
    if not plausible:
        return None
    members: list[list[UnknownVariant]] = []
    for errs in plausible:
        found: list[UnknownVariant] = []
        for sub in errs:
            one = _unknown_members(sub, unions, depth + 1)
            if one is None:
                return None
            found.extend(one)
        members.append(found)
    first = members[0]
    if len(members) == 1 or any(len(m) != 1 for m in members) or len(first) != 1:
        return first
    # One member unknown to every branch: one finding, with every branch's known types.
    known = tuple(sorted({tag for m in members for tag in m[0].known}))
    return [UnknownVariant(first[0].pointer, first[0].tag, first[0].union, known)]


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


def _listing(values: tuple[str, ...], limit: int = 5) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


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
        self._emit_wants = emitter.wants
        self._profile = emitter.profile
        self._check_schema = emitter.wants(rules.SCHEMA_VIOLATION)
        self._check_variant = emitter.wants(rules.UNKNOWN_VARIANT)
        # Where SCH004 applies, an unknown union member is not a schema violation (even when ignored).
        self._unions: Unions | None = (
            union_tags(self._profile) if rules.UNKNOWN_VARIANT.severity_for(self._profile) is not None else None
        )
        self._check_unknown = emitter.wants(rules.UNKNOWN_EVENT_TYPE)
        self._check_extension = emitter.wants(rules.EXTENSION_WITHOUT_SEQUENCE)
        self._quick_on = shortcuts
        self._cache: dict[str, EventSchema | None] = {}
        self._unknown_seen: set[str] = set()
        self._variants_seen: set[tuple[str, str]] = set()
        # The last snapshot accepted in full: its definition and the bytes of its SNAPSHOT_FIELDS.
        self._snapshot: tuple[str, bytes] | None = None

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
        if schema.snapshot is not None:
            if self._quick_on and self._snapshot_valid(schema, payload):
                return
        elif quick is not None and self._quick_on and quick(payload):
            return
        try:
            valid = schema.is_valid(payload)
        except (ValueError, TypeError, OverflowError, RecursionError):
            valid = schema.accepts(payload)
        if valid:
            return
        unknown: tuple[UnknownVariant, ...] = ()
        if self._unions is not None:
            if not (self._check_schema or self._check_variant):
                return
            violation, unknown = schema.diagnose(payload, self._unions)
        elif self._check_schema:
            violation = schema.explain(payload)
        else:
            return
        if violation is not None and self._check_schema:
            self._emit(
                rules.SCHEMA_VIOLATION,
                violation.message,
                event,
                pointer=violation.pointer,
                expected=violation.keyword,
            )
        for member in unknown:
            self._unknown_variant(event, member)

    def _snapshot_valid(self, schema: EventSchema, payload: dict[str, Any]) -> bool:
        """The shortcut for a Response snapshot: True when it is valid, its tools and instructions
        having the bytes of the last snapshot accepted in full (then only the rest is validated).
        False: not known, validate in full (a snapshot valid in full is remembered here)."""
        response = payload.get("response")
        key = snapshot_key(response) if type(response) is dict else None
        if key is None:
            return False
        if self._snapshot == (schema.snapshot, key):
            try:
                return schema.reduced_is_valid(payload)
            except (ValueError, TypeError, OverflowError, RecursionError):
                return False
        try:
            valid = (schema.quick is not None and schema.quick(payload)) or schema.is_valid(payload)
        except (ValueError, TypeError, OverflowError, RecursionError):
            return False
        if valid:
            assert schema.snapshot is not None
            self._snapshot = (schema.snapshot, key)
        return valid

    def _unknown_variant(self, event: Event, member: UnknownVariant) -> None:
        key = (member.union, member.tag)
        if not self._check_variant or key in self._variants_seen:
            return
        self._variants_seen.add(key)
        self._emit(
            rules.UNKNOWN_VARIANT,
            f"unknown {member.union} member type {_short(member.tag)}: not among the {len(member.known)} "
            f"type(s) the {self._profile} profile knows there ({_listing(member.known)}), so this member "
            "could not be checked",
            event,
            pointer=member.pointer,
            expected=list(member.known),
            actual=member.tag,
        )

    def _unknown(self, event: Event, payload: dict[str, Any], kind: str) -> None:
        known = nonstandard.lookup(kind)
        if known is not None:
            self._non_standard(event, kind, known)
            return
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

    def _non_standard(self, event: Event, kind: str, known: nonstandard.KnownEvent) -> None:
        rule = _NON_STANDARD_RULES[known.origin]
        if kind in self._unknown_seen or not self._emit_wants(rule):
            return
        self._unknown_seen.add(kind)
        tail = (
            "; not an Open Responses event: extension events must be slug-prefixed (e.g. `acme:trace_event`)"
            if self._profile == "openresponses"
            else ""
        )
        message = f"{_short(kind)}, sent by {known.sender}: {known.diagnosis}{tail}"
        self._emit(rule, message, event, pointer="/type", actual=kind)

    def close(self) -> None:
        return None


_NON_STANDARD_RULES = {
    "openai": rules.OPENAI_EXTENSION_EVENT,
    "vendor": rules.NON_STANDARD_EVENT,
    "terminal": rules.NON_STANDARD_TERMINAL,
}
