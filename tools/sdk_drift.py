#!/usr/bin/env python3
"""Compare schemas/openai with the types of the installed openai-python SDK.

    python tools/sdk_drift.py [--schemas DIR] [--json PATH] [--all] [--quiet]

OpenAI's SDKs are generated from OpenAI's internal API spec and follow
production weekly; its public OpenAPI file (which schemas/openai is built
from) lags behind. This tool derives JSON Schema from the SDK's pydantic
models (``TypeAdapter(...).json_schema()`` over ``ResponseStreamEvent``,
``Response``, the output items, and the WebSocket ``ResponsesServerEvent``
and ``ResponsesClientEvent`` unions when the SDK has them) and walks it
side by side with our schemas, from each event type down. It reports each
difference once, at the place our schemas define it: an event (``event:X``)
or a shared definition (the spec's component name, e.g. ``Response``),
then the field path (``.field``, ``[]`` for array items, ``<tag>`` for the
member of a union told apart by ``type``).

Kinds of difference:

``event``     an event type one side has and the other lacks;
``variant``   a union member (item, content part, annotation, action, ...)
              one side has and the other lacks;
``field``     a property one side declares and the other does not;
``required``  a property one side requires and the other does not;
``nullable``  ``null`` allowed on one side only;
``enum``      enum values on one side only, or an enum against any string;
``type``      different JSON types (``integer`` against ``number``, ...).

Each difference says which side is stricter: ``ours`` (we would reject
something the SDK takes: the dangerous direction, a false error on
production traffic), ``sdk`` (we accept more) or ``-``.

What the SDK can and cannot tell. The generator writes every property that
is optional *or* nullable in OpenAI's spec as ``Optional[T] = None``, so an
SDK property with a ``None`` default says "may be absent or null" without
saying which: against it only a property we require *and* forbid to be null
is a difference (``required``); its nullability is not compared. A property
the SDK requires (no default) is compared for both.

Every difference must be explained by an entry of ``tools/schema_overlay.py``
(the entry's reason is printed beside it); ``--all`` also lists the explained
ones. Exit status: 0 when every difference is explained, 1 when some are not,
2 when the SDK is not installed or the schemas cannot be read.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import schema_overlay

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
PROFILE = "openai"
KINDS = ("event", "variant", "field", "required", "nullable", "enum", "type")
JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")


class DriftError(Exception):
    """The SDK or the schemas cannot be read (exit 2)."""


# ---- a normal form for both sides -------------------------------------------------------------


@dataclass(eq=False)
class Shape:
    """What one schema admits, in the terms the comparison needs.

    ``types`` is the set of JSON types (empty: anything); ``enum`` the string
    values allowed (None: any string); ``props``/``required``/``defaulted``
    describe an object (``defaulted``: SDK properties whose default is None);
    ``items`` an array's members; ``variants`` a union told apart by ``type``.
    ``name`` is the definition the shape came from (ours: the spec component)
    and ``origin`` the definition each property was declared in, when that
    is a component merged in through ``allOf``.
    """

    name: str | None = None
    types: set[str] = field(default_factory=set)
    enum: set[str] | None = None
    props: dict[str, Shape] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    defaulted: set[str] = field(default_factory=set)
    origin: dict[str, str] = field(default_factory=dict)
    items: Shape | None = None
    variants: dict[str, Shape] | None = None
    open_variants: bool = False

    @property
    def nullable(self) -> bool:
        return "null" in self.types or not self.types


class Normaliser:
    """Turns JSON Schemas that reference ``#/$defs/Name`` into ``Shape`` graphs (cycles shared)."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.memo: dict[str, Shape] = {}

    def ref(self, name: str) -> Shape:
        if name in self.memo:
            return self.memo[name]
        if name not in self.defs:
            raise DriftError(f"reference to a missing definition {name!r}")
        shape = self.memo[name] = Shape(name=name)
        built = self.shape(self.defs[name])
        _fill(shape, built)
        shape.name = name
        return shape

    def shape(self, schema: Any) -> Shape:
        if schema is True or schema == {}:
            return Shape()
        if not isinstance(schema, dict):
            return Shape()
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self.ref(ref.rsplit("/", 1)[-1])
            rest = {k: v for k, v in schema.items() if k not in ("$ref", "default", "title", "description")}
            if not rest:
                return target
            return _merge_all([target, self.shape(rest)])
        out = Shape()
        declared = schema.get("type")
        if isinstance(declared, str):
            out.types = {declared}
        elif isinstance(declared, list):
            out.types = {t for t in declared if isinstance(t, str)}
        if "const" in schema:
            out.enum = {schema["const"]} if isinstance(schema["const"], str) else None
            if not out.types:
                out.types = {_json_type(schema["const"])}
        elif isinstance(schema.get("enum"), list):
            values = schema["enum"]
            out.enum = {v for v in values if isinstance(v, str)} if all(isinstance(v, str) for v in values) else None
            if not out.types:
                out.types = {_json_type(v) for v in values}
        if "string" not in out.types and out.types:
            out.enum = None if out.enum is None or not out.types & {"string"} else out.enum
        props = schema.get("properties")
        if isinstance(props, dict):
            out.types = out.types or {"object"}
            out.props = {name: self.shape(sub) for name, sub in props.items()}
            out.defaulted = {
                name
                for name, sub in props.items()
                if isinstance(sub, dict) and "default" in sub and sub["default"] is None
            }
        if isinstance(schema.get("required"), list):
            out.required = set(schema["required"])
        if "items" in schema:
            out.types = out.types or {"array"}
            out.items = self.shape(schema["items"])
        parts: list[Shape] = [out]
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list):
                parts = [_intersect(out, _union([self.shape(s) for s in schema[key]]))]
        if isinstance(schema.get("allOf"), list):
            members = schema["allOf"]
            cases = [m for m in members if isinstance(m, dict) and set(m) == {"if", "then"}]
            if cases and len(cases) == len(members):
                parts = [_dispatch(parts[0], cases, self)]
            else:
                merged = [parts[0]]
                for member in members:
                    sub = self.shape(member)
                    if isinstance(member, dict) and isinstance(member.get("$ref"), str):
                        for name in sub.props:
                            sub_origin = sub.origin.get(name) or sub.name
                            if sub_origin:
                                parts[0].origin.setdefault(name, sub_origin)
                    merged.append(sub)
                origin = dict(parts[0].origin)
                parts = [_merge_all(merged)]
                parts[0].origin.update(origin)
        return parts[0]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fill(target: Shape, source: Shape) -> None:
    for name in ("types", "enum", "props", "required", "defaulted", "origin", "items", "variants", "open_variants"):
        setattr(target, name, getattr(source, name))


def _tag(shape: Shape) -> list[str] | None:
    prop = shape.props.get("type")
    if prop is None or prop.enum is None:
        return None
    return sorted(prop.enum)


def _union(branches: list[Shape]) -> Shape:
    """The shape of ``anyOf``: null branches make it nullable, tagged objects become variants."""
    out = Shape()
    objects = [b for b in branches if b.types & {"object"} or b.variants]
    for branch in branches:
        if not branch.types:
            out.types = set()
            break
        out.types |= branch.types
    else:
        strings = [b for b in branches if "string" in b.types]
        if strings:
            open_string = any(b.enum is None for b in strings)
            out.enum = None if open_string else set().union(*(b.enum or set() for b in strings))
    arrays = [b.items for b in branches if b.items is not None]
    if arrays:
        out.items = arrays[0] if len(arrays) == 1 else _union(arrays)
    tagged = [b for b in objects if b.variants is None and _tag(b) is not None]
    nested = [b for b in objects if b.variants is not None]
    if len(tagged) + len(nested) >= 2 or nested:
        variants: dict[str, Shape] = {}
        for branch in nested:
            for tag, member in (branch.variants or {}).items():
                variants.setdefault(tag, member)
            out.open_variants |= branch.open_variants
        for branch in tagged:
            for tag in _tag(branch) or ():
                variants[tag] = _merge_any(variants[tag], branch) if tag in variants else branch
        out.variants = variants
        untagged = [b for b in objects if b not in tagged and b not in nested]
        if untagged:
            merged = _merge_any(*untagged) if len(untagged) > 1 else untagged[0]
            out.props, out.required, out.defaulted = merged.props, merged.required, merged.defaulted
            out.open_variants = True
    elif len(objects) == 1:
        only = objects[0]
        out.props, out.required, out.defaulted, out.origin = only.props, only.required, only.defaulted, only.origin
        out.name = only.name
    elif objects:
        merged = _merge_any(*objects)
        out.props, out.required, out.defaulted = merged.props, merged.required, merged.defaulted
    return out


def _merge_any(*shapes: Shape) -> Shape:
    """Objects one of which holds: properties of any, required by all."""
    out = Shape(types={"object"})
    for shape in shapes:
        for name, sub in shape.props.items():
            have = out.props.get(name)
            # Two members with the same tag (an easy and a full input message): either's field shape.
            out.props[name] = sub if have is None or have is sub else _union([have, sub])
    out.required = set.intersection(*(s.required for s in shapes)) if shapes else set()
    out.defaulted = set().union(*(s.defaulted for s in shapes))
    return out


def _merge_all(shapes: list[Shape]) -> Shape:
    """Objects all of which hold (``allOf``)."""
    out = Shape()
    typed = [s.types for s in shapes if s.types]
    out.types = set.intersection(*typed) if typed else set()
    for shape in shapes:
        for name, sub in shape.props.items():
            out.props.setdefault(name, sub)
        out.required |= shape.required
        out.defaulted |= shape.defaulted
        out.origin.update({k: v for k, v in shape.origin.items() if k not in out.origin})
        if shape.enum is not None:
            out.enum = shape.enum if out.enum is None else out.enum & shape.enum
        out.items = out.items or shape.items
        if shape.variants is not None:
            out.variants = shape.variants
            out.open_variants = shape.open_variants
    return out


def _intersect(base: Shape, union: Shape) -> Shape:
    if not (base.props or base.types or base.required):
        return union
    return _merge_all([base, union])


def _dispatch(base: Shape, cases: list[dict[str, Any]], norm: Normaliser) -> Shape:
    """Our build's form of a union: ``allOf`` of ``if type == X then branch``."""
    out = Shape(types={"object"}, props=dict(base.props), required=set(base.required), variants={})
    for case in cases:
        test = case["if"].get("properties", {}).get("type", {})
        tags = [test["const"]] if "const" in test else list(test.get("enum", ()))
        branch = norm.shape(case["then"])
        if "pattern" in test:
            out.open_variants = True
            continue
        for tag in tags:
            assert out.variants is not None
            out.variants[tag] = branch
    return out


# ---- the comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """One difference between the SDK and our schemas."""

    kind: str
    target: str
    path: tuple[str, ...]
    stricter: str  # "ours", "sdk" or "-"
    detail: str
    surface: str = "sse"
    only: str = ""  # for event, variant and field: the side that has it ("ours" or "sdk")
    explained_by: schema_overlay.Entry | None = None

    @property
    def location(self) -> str:
        return self.target + "".join(p if p.startswith(("[", "<")) else "." + p for p in self.path)

    @property
    def fields(self) -> tuple[str, ...]:
        """The path without union-member steps (what an overlay pointer can name)."""
        return tuple(p for p in self.path if not p.startswith("<"))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "surface": self.surface,
            "location": self.location,
            "stricter": self.stricter,
            "detail": self.detail,
        }
        if self.only:
            out["only_in"] = self.only
        if self.explained_by is not None:
            out["explained_by"] = self.explained_by.summary()
        return out


@dataclass
class Walk:
    surface: str = "sse"
    found: list[Drift] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)
    reported: set[tuple[str, str, tuple[str, ...], str]] = field(default_factory=set)

    def add(self, kind: str, target: str, path: tuple[str, ...], stricter: str, detail: str, only: str = "") -> None:
        key = (kind, target, path, detail)
        if key not in self.reported:
            self.reported.add(key)
            self.found.append(Drift(kind, target, path, stricter, detail, self.surface, only))

    def compare(self, ours: Shape, sdk: Shape, target: str, path: tuple[str, ...]) -> None:
        if ours.name is not None:
            target, path = ours.name, ()
        key = (id(ours), id(sdk))
        if key in self.seen:
            return
        self.seen.add(key)
        self._types(ours, sdk, target, path)
        self._enum(ours, sdk, target, path)
        if ours.variants is not None or sdk.variants is not None:
            self._variants(ours, sdk, target, path)
        self._props(ours, sdk, target, path)
        if ours.items is not None and sdk.items is not None:
            self.compare(ours.items, sdk.items, target, (*path, "[]"))

    def _types(self, ours: Shape, sdk: Shape, target: str, path: tuple[str, ...]) -> None:
        a, b = _widen(ours.types - {"null"}), _widen(sdk.types - {"null"})
        if not a or not b or a == b:
            return
        if a >= b:
            stricter = "sdk"
        elif b >= a:
            stricter = "ours"
        else:
            stricter = "-"
        self.add("type", target, path, stricter, f"ours {_names(a)}, SDK {_names(b)}")

    def _enum(self, ours: Shape, sdk: Shape, target: str, path: tuple[str, ...]) -> None:
        if "string" not in ours.types or "string" not in sdk.types or path[-1:] == ("type",):
            return
        if ours.enum is None and sdk.enum is None:
            return
        if ours.enum is not None and sdk.enum is None:
            self.add("enum", target, path, "ours", f"SDK takes any string; ours only {_values(ours.enum)}")
        elif ours.enum is None and sdk.enum is not None:
            self.add("enum", target, path, "sdk", f"ours takes any string; SDK only {_values(sdk.enum)}")
        else:
            assert ours.enum is not None and sdk.enum is not None
            if sdk.enum - ours.enum:
                self.add("enum", target, path, "ours", f"SDK values not in ours: {_values(sdk.enum - ours.enum)}")
            if ours.enum - sdk.enum:
                self.add("enum", target, path, "sdk", f"our values not in the SDK: {_values(ours.enum - sdk.enum)}")

    def _variants(self, ours: Shape, sdk: Shape, target: str, path: tuple[str, ...]) -> None:
        mine, theirs = ours.variants or {}, sdk.variants or {}
        if not mine or not theirs:
            return
        for tag in sorted(set(theirs) - set(mine)):
            if not ours.open_variants:
                self.add("variant", target, path, "ours", f"SDK member type={tag!r} is not in ours", "sdk")
        for tag in sorted(set(mine) - set(theirs)):
            if not sdk.open_variants:
                self.add("variant", target, path, "sdk", f"our member type={tag!r} is not in the SDK", "ours")
        for tag in sorted(set(mine) & set(theirs)):
            self.compare(mine[tag], theirs[tag], target, (*path, f"<{tag}>"))

    def _props(self, ours: Shape, sdk: Shape, target: str, path: tuple[str, ...]) -> None:
        if not ours.props and not sdk.props:
            return
        union = ours.variants is not None or sdk.variants is not None
        for name in sorted(set(ours.props) | set(sdk.props)):
            if union and name == "type":
                continue  # a union's `type`: the members are compared instead
            where = ours.origin.get(name)
            t, p = (where, ()) if where and where != target and ours.name is not None else (target, path)
            if name not in ours.props:
                need = "required" if name in sdk.required else "optional"
                self.add("field", t, (*p, name), "-", f"SDK declares {need} `{name}`; ours does not", "sdk")
                continue
            if name not in sdk.props:
                need = "required" if name in ours.required else "optional"
                self.add("field", t, (*p, name), "ours" if need == "required" else "-",
                         f"ours declares {need} `{name}`; the SDK does not", "ours")
                continue
            mine, theirs = ours.props[name], sdk.props[name]
            if name in sdk.defaulted and name not in sdk.required:
                if name in ours.required and not mine.nullable:
                    self.add("required", t, (*p, name), "ours",
                             f"ours requires `{name}` non-null; SDK: optional or null (default None)")
            else:
                if name in sdk.required and name not in ours.required:
                    self.add("required", t, (*p, name), "sdk", f"SDK requires `{name}`; ours does not")
                elif name in ours.required and name not in sdk.required:
                    self.add("required", t, (*p, name), "ours", f"ours requires `{name}`; the SDK does not")
                if mine.types and theirs.types and mine.nullable != theirs.nullable:
                    stricter = "ours" if theirs.nullable else "sdk"
                    who = "SDK" if theirs.nullable else "ours"
                    self.add("nullable", t, (*p, name), stricter, f"only {who} allows null")
            self.compare(mine, theirs, t, (*p, name))


def _widen(types: set[str]) -> set[str]:
    # JSON Schema's "number" includes integers.
    return types | {"integer"} if "number" in types else set(types)


def _names(types: Iterable[str]) -> str:
    return "|".join(sorted(set(types) - ({"integer"} if "number" in types else set())))


def _values(values: Iterable[str], limit: int = 8) -> str:
    items = sorted(values)
    text = ", ".join(repr(v) for v in items[:limit])
    return text + (f", ... ({len(items)} in all)" if len(items) > limit else "")


# ---- the two sides ----------------------------------------------------------------------------


def sdk_version() -> str:
    try:
        return importlib.metadata.version("openai")
    except importlib.metadata.PackageNotFoundError:
        raise DriftError("openai-python is not installed (pip install 'responses-conformance[test]')") from None


@dataclass
class Side:
    """One schema source: its event types and their shapes."""

    events: dict[str, Shape]
    roots: dict[str, Shape] = field(default_factory=dict)


def _sdk_schema(tp: Any) -> dict[str, Any]:
    from pydantic import TypeAdapter

    schema: dict[str, Any] = TypeAdapter(tp).json_schema(mode="validation")
    return schema


def _members(schema: dict[str, Any], norm: Normaliser) -> dict[str, Shape]:
    union = norm.shape({k: v for k, v in schema.items() if k != "$defs"})
    if union.variants is None:
        raise DriftError("an SDK event union is not told apart by `type`")
    return dict(union.variants)


def sdk_side() -> dict[str, Side]:
    """The SDK's surfaces: ``sse`` always; ``websocket-server``/``-client`` when the SDK has them."""
    sdk_version()
    try:
        from openai.types import responses as types
    except ImportError as exc:  # pragma: no cover - an SDK without the Responses API
        raise DriftError(f"openai-python has no Responses types: {exc}") from None
    out: dict[str, Side] = {}
    stream = _sdk_schema(types.ResponseStreamEvent)
    norm = Normaliser(stream.get("$defs", {}))
    side = Side(_members(stream, norm))
    for name, ours in (("Response", "Response"), ("ResponseOutputItem", "OutputItem")):
        schema = _sdk_schema(getattr(types, name))
        side.roots[ours] = Normaliser(schema.get("$defs", {})).shape({k: v for k, v in schema.items() if k != "$defs"})
    out["sse"] = side
    for surface, name in (("websocket-server", "ResponsesServerEvent"), ("websocket-client", "ResponsesClientEvent")):
        tp = getattr(types, name, None)
        if tp is not None:
            schema = _sdk_schema(tp)
            out[surface] = Side(_members(schema, Normaliser(schema.get("$defs", {}))))
    return out


def our_side(schemas: Path = SCHEMAS) -> Side:
    directory = schemas / PROFILE
    try:
        index = json.loads((directory / "_index.json").read_text(encoding="utf-8"))
        defs = json.loads((directory / "_defs.json").read_text(encoding="utf-8"))["$defs"]
    except (OSError, ValueError, KeyError) as exc:
        raise DriftError(f"cannot read {directory}: {exc}") from None
    norm = Normaliser(defs)
    events = {}
    for kind, entry in index["events"].items():
        schema = json.loads((directory / entry["file"]).read_text(encoding="utf-8"))
        events[kind] = norm.shape(_local(schema))
    roots = {name: norm.ref(name) for name in ("Response", "OutputItem") if name in defs}
    return Side(events, roots)


def _local(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: ("#/$defs/" + v.split("#/$defs/", 1)[1] if k == "$ref" and isinstance(v, str) else _local(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_local(v) for v in schema]
    return schema


# ---- running it -------------------------------------------------------------------------------

# Fields the WebSocket transport adds to every server event it shares with SSE.
WS_ONLY_FIELDS = frozenset({"stream_id"})


def compare(ours: Side, sdk: dict[str, Side]) -> list[Drift]:
    walk = Walk("sse")
    stream = sdk["sse"]
    for kind in sorted(set(stream.events) - set(ours.events)):
        walk.add("event", f"event:{kind}", (), "ours", f"the SDK's ResponseStreamEvent has {kind!r}; ours does not",
                 "sdk")
    for kind in sorted(set(ours.events) - set(stream.events)):
        walk.add("event", f"event:{kind}", (), "-", f"ours defines {kind!r}; the SDK's ResponseStreamEvent does not",
                 "ours")
    for kind in sorted(set(ours.events) & set(stream.events)):
        walk.compare(ours.events[kind], stream.events[kind], f"event:{kind}", ())
    for name, shape in stream.roots.items():
        if name in ours.roots:
            walk.compare(ours.roots[name], shape, name, ())
    found = walk.found
    if "websocket-server" in sdk:
        found += _websocket_server(ours, stream, sdk["websocket-server"])
    if "websocket-client" in sdk:
        ws = Walk("websocket-client")
        for kind in sorted(sdk["websocket-client"].events):
            ws.add("event", f"client:{kind}", (), "-",
                   f"the SDK's ResponsesClientEvent has {kind!r}; ours has no client schemas", "sdk")
        found += ws.found
    return found


def _websocket_server(ours: Side, stream: Side, server: Side) -> list[Drift]:
    """What the WebSocket server union adds to the SSE one: its own events and fields."""
    walk = Walk("websocket-server")
    for kind in sorted(set(server.events) - set(ours.events)):
        walk.add("event", f"event:{kind}", (), "ours", f"the SDK's ResponsesServerEvent has {kind!r}; ours does not",
                 "sdk")
    for kind in sorted(set(server.events) & set(ours.events)):
        shared = stream.events.get(kind)
        member = server.events[kind]
        added = set(member.props) - set(shared.props if shared else ())
        for name in sorted(added):
            if name in WS_ONLY_FIELDS and name not in ours.events[kind].props:
                walk.add("field", "event:*", (name,), "-", f"the WebSocket events carry `{name}`; ours (SSE) does not",
                         "sdk")
        if shared is None or added - WS_ONLY_FIELDS:
            # A WebSocket member with its own shape (the error envelope): compare it whole.
            sub = Walk("websocket-server")
            sub.compare(ours.events[kind], member, f"event:{kind}", ())
            walk.found += [d for d in sub.found if d.path[:1] != ("stream_id",)]
    return walk.found


def explain(drifts: list[Drift], entries: Iterable[schema_overlay.Entry]) -> list[Drift]:
    """Each drift with the overlay entry that explains it, when one does."""
    entries = list(entries)
    out = []
    for drift in drifts:
        entry = next((e for e in entries if e.explains(drift)), None)
        out.append(dataclasses.replace(drift, explained_by=entry))
    return out


def run(schemas: Path = SCHEMAS) -> tuple[str, list[Drift]]:
    """The SDK version and every difference, each with its explaining overlay entry (if any)."""
    version = sdk_version()
    drifts = compare(our_side(schemas), sdk_side())
    return version, explain(drifts, schema_overlay.entries(PROFILE))


def stale_entries(drifts: list[Drift]) -> list[schema_overlay.Entry]:
    """Accept entries that explain no difference any more."""
    used = {id(d.explained_by) for d in drifts if d.explained_by is not None}
    return [e for e in schema_overlay.entries(PROFILE) if isinstance(e, schema_overlay.Accept) and id(e) not in used]


def counts(drifts: Iterable[Drift]) -> dict[str, int]:
    tally = dict.fromkeys(KINDS, 0)
    for drift in drifts:
        tally[drift.kind] += 1
    return tally


def to_json(version: str, drifts: list[Drift]) -> dict[str, Any]:
    unexplained = [d for d in drifts if d.explained_by is None]
    return {
        "sdk": {"package": "openai", "version": version},
        "profile": PROFILE,
        "counts": {
            "all": counts(drifts),
            "unexplained": counts(unexplained),
            "total": len(drifts),
            "total_unexplained": len(unexplained),
        },
        "stale_overlay_entries": [e.summary() for e in stale_entries(drifts)],
        "differences": [d.to_dict() for d in drifts],
    }


def render(version: str, drifts: list[Drift], show_all: bool = False) -> str:
    unexplained = [d for d in drifts if d.explained_by is None]
    lines = [f"openai-python {version} against schemas/{PROFILE}: {len(drifts)} differences, "
             f"{len(unexplained)} unexplained"]
    tally, open_tally = counts(drifts), counts(unexplained)
    lines.append("  " + ", ".join(f"{k} {tally[k]} ({open_tally[k]} unexplained)" for k in KINDS))
    shown = drifts if show_all else unexplained
    for surface in ("sse", "websocket-server", "websocket-client"):
        group = [d for d in shown if d.surface == surface]
        if not group:
            continue
        lines.append(f"\n[{surface}]")
        for drift in sorted(group, key=lambda d: (d.location, d.kind, d.detail)):
            mark = "  " if drift.explained_by is not None else "! "
            lines.append(f"{mark}{drift.kind:9} {drift.location}: {drift.detail} (stricter: {drift.stricter})")
            if drift.explained_by is not None:
                lines.append(f"    accepted: {drift.explained_by.reason}")
    lines += [f"! stale overlay entry: {entry.summary()}" for entry in stale_entries(drifts)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--schemas", type=Path, default=SCHEMAS, help="the schemas directory (default: the checkout's)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the report as JSON to PATH ('-': stdout)")
    parser.add_argument("--all", action="store_true", help="list the explained differences too")
    parser.add_argument("--quiet", action="store_true", help="print the summary lines only")
    args = parser.parse_args(argv)
    try:
        version, drifts = run(args.schemas)
    except DriftError as exc:
        print(f"sdk_drift: {exc}", file=sys.stderr)
        return 2
    text = render(version, drifts, args.all)
    if args.json is not None:
        data = json.dumps(to_json(version, drifts), indent=1, sort_keys=True) + "\n"
        if str(args.json) == "-":
            sys.stdout.write(data)
        else:
            args.json.write_text(data, encoding="utf-8")
    if str(args.json) != "-":
        sys.stdout.write("\n".join(text.splitlines()[:2]) + "\n" if args.quiet else text)
    bad = any(d.explained_by is None for d in drifts) or bool(stale_entries(drifts))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
