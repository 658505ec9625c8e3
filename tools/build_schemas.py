#!/usr/bin/env python3
"""Build schemas/openai and schemas/openresponses from the two specs.

    python tools/build_schemas.py OPENAI_OPENAPI_YAML OPENRESPONSES_OPENAPI_JSON [--out DIR]

For each profile this writes, into ``DIR/<profile>/``:

* ``<event type>.json``: one JSON Schema (Draft 2020-12) per streaming event
  type, the event object itself; shared parts are referenced as
  ``_defs.json#/$defs/<Name>`` (relative to the file, so the files work from
  disk with any 2020-12 validator that resolves relative references);
* ``_defs.json``: every component schema the events reach (Response, output
  items, content parts, annotations, usage, errors, ...), keyed by the
  spec's component name;
* ``_index.json``: the profile, the spec title and version, and the map
  from event type to file.

What the build does to the spec's schemas, in order:

1. keeps only validation keywords: descriptions, titles, examples,
   defaults, ``format`` (an annotation in 2020-12), ``deprecated``,
   ``discriminator`` and every ``x-*`` extension are dropped, so the output
   carries no prose from the specs;
2. rewrites a union (``anyOf``/``oneOf``) whose branches are all objects told
   apart by a single-valued ``type`` into a dispatch on ``type``
   (``if``/``then`` per branch plus an ``enum`` of the known values): the
   same instances are accepted, but a violation is reported at the failing
   field of the chosen branch instead of "not valid under any of the given
   schemas", and validation does not try every branch;
3. applies the overlay in ``tools/schema_overlay.py``: our documented
   corrections where production differs from the spec.

The output is deterministic (sorted keys, fixed indentation), so running the
build again on the same specs reproduces the files byte for byte.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import schema_overlay

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DEFS_FILE = "_defs.json"
INDEX_FILE = "_index.json"
COMPONENT_PREFIX = "#/components/schemas/"

# Keywords whose value is a map of name -> schema.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
# Keywords whose value is a list of schemas.
SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
# Keywords whose value is one schema.
SCHEMA_ONE = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
# Validation keywords kept as they are.
PLAIN = frozenset(
    {
        "type",
        "enum",
        "const",
        "required",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "dependentRequired",
        "minContains",
        "maxContains",
    }
)


class SpecError(Exception):
    """The spec file does not have the shape this build expects."""


def clean(schema: Any) -> Any:
    """The schema with validation keywords only; component refs made local."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        raise SpecError(f"schema expected, got {type(schema).__name__}")
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref":
            if not isinstance(value, str) or not value.startswith(COMPONENT_PREFIX):
                raise SpecError(f"unsupported $ref {value!r}")
            out["$ref"] = "#/$defs/" + value[len(COMPONENT_PREFIX) :]
        elif key in SCHEMA_MAPS:
            out[key] = {name: clean(sub) for name, sub in value.items()}
        elif key in SCHEMA_LISTS:
            subs = [clean(sub) for sub in value]
            # An allOf member that only carried a description is now {}: always true.
            out[key] = [sub for sub in subs if sub != {}] if key == "allOf" else subs
            if key == "allOf" and not out[key]:
                del out[key]
        elif key in SCHEMA_ONE:
            out[key] = clean(value)
        elif key in PLAIN:
            out[key] = copy.deepcopy(value)
        elif key == "nullable" and value is True:
            out["__nullable__"] = True
    if out.pop("__nullable__", False):
        out = {"anyOf": [out, {"type": "null"}]}
    if set(out) == {"allOf"} and len(out["allOf"]) == 1:
        return out["allOf"][0]
    return out


def refs_in(schema: Any) -> Iterable[str]:
    """The $defs names a schema refers to (directly)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                yield value[len("#/$defs/") :]
            else:
                yield from refs_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from refs_in(value)


def closure(roots: Iterable[str], defs: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in defs:
            raise SpecError(f"reference to missing component {name!r}")
        seen.add(name)
        todo.extend(refs_in(defs[name]))
    return seen


def _type_tags(schema: Any, defs: dict[str, Any], depth: int = 0) -> tuple[list[str] | None, bool]:
    """The values of ``type`` a union branch admits (None: any) and whether it requires ``type``."""
    if depth > 20 or not isinstance(schema, dict):
        return None, False
    if set(schema) == {"$ref"}:
        return _type_tags(defs.get(schema["$ref"][len("#/$defs/") :]), defs, depth + 1)
    tags: list[str] | None = None
    required = "type" in schema.get("required", ())
    prop = schema.get("properties", {}).get("type")
    if isinstance(prop, dict):
        if isinstance(prop.get("const"), str):
            tags = [prop["const"]]
        elif isinstance(prop.get("enum"), list) and all(isinstance(v, str) for v in prop["enum"]):
            tags = list(prop["enum"])
    for member in schema.get("allOf", ()):
        sub_tags, sub_required = _type_tags(member, defs, depth + 1)
        required = required or sub_required
        if sub_tags is not None:
            tags = sub_tags if tags is None else [t for t in tags if t in sub_tags]
    return tags, required


def _open_pattern(schema: Any) -> str | None:
    """The ``pattern`` of an open branch's ``type`` (an extension branch the overlay added)."""
    if not isinstance(schema, dict) or "type" not in schema.get("required", ()):
        return None
    prop = schema.get("properties", {}).get("type")
    if isinstance(prop, dict) and isinstance(prop.get("pattern"), str) and "enum" not in prop:
        return str(prop["pattern"])
    return None


def dispatch_unions(schema: Any, defs: dict[str, Any], unions: list[dict[str, Any]] | None = None, at: str = "") -> Any:
    """Rewrite every union of type-tagged objects as a dispatch on ``type``.

    Each union rewritten is recorded in ``unions`` (when given) as ``{"at":
    where, "tags": [the known values of type]}``, ``where`` being ``at`` plus
    the JSON pointer inside the schema: the SCH stage tells an unknown member
    of one of these unions from a broken known one (``validator.schemas``).
    """
    if isinstance(schema, list):
        return [dispatch_unions(s, defs, unions, f"{at}/{i}") for i, s in enumerate(schema)]
    if not isinstance(schema, dict):
        return schema
    out = {k: dispatch_unions(v, defs, unions, f"{at}/{_escape(k)}") for k, v in schema.items()}
    for key in ("oneOf", "anyOf"):
        branches = out.get(key)
        if not isinstance(branches, list) or len(branches) < 2:
            continue
        open_branches = [b for b in branches if _open_pattern(b) is not None]
        closed = [b for b in branches if _open_pattern(b) is None]
        found = [_type_tags(b, defs) for b in closed]
        if len(open_branches) > 1 or not all(tags and required for tags, required in found):
            continue
        every = [tag for tags, _ in found for tag in tags or ()]
        if len(set(every)) != len(every):
            continue
        del out[key]
        out.update(dispatch([tags or [] for tags, _ in found], closed, open_branches[0] if open_branches else None))
        if unions is not None:
            unions.append({"at": at or "/", "tags": sorted(every), "open": bool(open_branches)})
    return out


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def dispatch(tags: list[list[str]], branches: list[Any], open_branch: Any = None) -> dict[str, Any]:
    every = sorted(tag for group in tags for tag in group)
    type_schema: dict[str, Any] = {"type": "string", "enum": every}
    cases = [
        {"if": {"properties": {"type": _tag_test(group)}, "required": ["type"]}, "then": branch}
        for group, branch in zip(tags, branches, strict=True)
    ]
    if open_branch is not None:
        pattern = _open_pattern(open_branch)
        type_schema = {"type": "string", "if": {"pattern": pattern}, "else": {"enum": every}}
        cases.append({"if": {"properties": {"type": {"pattern": pattern}}, "required": ["type"]}, "then": open_branch})
    return {"type": "object", "required": ["type"], "properties": {"type": type_schema}, "allOf": cases}


def _tag_test(group: list[str]) -> dict[str, Any]:
    return {"const": group[0]} if len(group) == 1 else {"enum": group}


def openai_events(spec: dict[str, Any]) -> dict[str, str]:
    """Event type -> component name, from ``ResponseStreamEvent``."""
    components = spec["components"]["schemas"]
    union = components["ResponseStreamEvent"]
    members = union.get("anyOf") or union.get("oneOf")
    return _event_map(members, components)


def openresponses_events(spec: dict[str, Any]) -> dict[str, str]:
    """Event type -> component name, from the ``text/event-stream`` response of POST /responses."""
    components = spec["components"]["schemas"]
    content = spec["paths"]["/responses"]["post"]["responses"]["200"]["content"]
    stream = content["text/event-stream"]["schema"]
    members = stream.get("oneOf") or stream.get("anyOf")
    return _event_map(members, components)


def _event_map(members: Any, components: dict[str, Any]) -> dict[str, str]:
    if not isinstance(members, list) or not members:
        raise SpecError("the streaming event union has no members")
    events: dict[str, str] = {}
    for member in members:
        name = member["$ref"][len(COMPONENT_PREFIX) :]
        prop = components[name]["properties"]["type"]
        tag = prop.get("const") or prop["enum"][0]
        if tag in events:
            raise SpecError(f"event type {tag!r} appears twice")
        events[tag] = name
    return events


def build_profile(profile: str, spec: dict[str, Any], events: dict[str, str]) -> dict[str, Any]:
    """Every file of one profile, as {file name: JSON value}."""
    components = {name: clean(schema) for name, schema in spec["components"]["schemas"].items()}
    event_schemas = {tag: copy.deepcopy(components[name]) for tag, name in events.items()}
    origin = dict(events)
    schema_overlay.apply(profile, components, event_schemas)
    unions: list[dict[str, Any]] = []
    components = {name: dispatch_unions(schema, components, unions, name + "#") for name, schema in components.items()}
    event_schemas = {
        tag: dispatch_unions(schema, components, unions, f"event:{tag}#") for tag, schema in event_schemas.items()
    }
    needed: set[str] = set()
    for schema in event_schemas.values():
        needed |= closure(refs_in(schema), components)
    files: dict[str, Any] = {}
    for tag, schema in sorted(event_schemas.items()):
        body = _rebase(schema, DEFS_FILE)
        files[f"{tag}.json"] = {"$schema": DRAFT, **body}
    files[DEFS_FILE] = {"$schema": DRAFT, "$defs": {n: components[n] for n in sorted(needed)}}
    info = spec.get("info", {})
    files[INDEX_FILE] = {
        "profile": profile,
        "spec": {"title": info.get("title", ""), "version": info.get("version", "")},
        "events": {tag: {"file": f"{tag}.json", "component": origin.get(tag)} for tag in sorted(event_schemas)},
        "overlay": [entry.summary() for entry in schema_overlay.entries(profile)],
        # The unions told apart by `type` that the files reach, with their known members; and the
        # objects tagged with a single `type` outside any union (a union of one so far, such as a web
        # search source): the SCH stage tells an unknown member of either from a broken known one.
        "unions": sorted(
            (
                u
                for u in [*unions, *tagged_singletons(components, event_schemas)]
                if _reached(u["at"], needed, event_schemas)
            ),
            key=lambda u: str(u["at"]),
        ),
    }
    return files


def _single_tag(schema: Any) -> str | None:
    """The one value of a required ``type`` of an object schema, if that is what it has."""
    if not isinstance(schema, dict) or "type" not in schema.get("required", ()):
        return None
    prop = schema.get("properties", {}).get("type")
    if not isinstance(prop, dict):
        return None
    values = [prop["const"]] if "const" in prop else prop.get("enum")
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        return values[0]
    return None


def _is_dispatch(schema: dict[str, Any]) -> bool:
    cases = schema.get("allOf")
    if not isinstance(cases, list) or not cases:
        return False
    return all(isinstance(c, dict) and set(c) == {"if", "then"} for c in cases)


def tagged_singletons(components: dict[str, Any], events: dict[str, Any]) -> list[dict[str, Any]]:
    """Objects tagged with one ``type`` that stand where no union chose them (``{"at", "tags"}``).

    A dispatch's members are chosen by their tag, so their own one-valued
    ``type`` never fails; these can, and when a server sends a new kind in
    their place (a web search source that is not a ``url``) it is an unknown
    variant as much as a new member of a declared union is.
    """
    standalone: dict[str, str] = {}
    found: list[dict[str, Any]] = []

    def visit(node: Any, at: str, member: bool, root: bool = False) -> None:
        if isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, f"{at}/{i}", False)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and not member:
            standalone.setdefault(ref.rsplit("/", 1)[-1], at)
        tag = _single_tag(node)
        if tag is not None and not member and not root:
            found.append({"at": at, "tags": [tag], "open": False})
        dispatch_node = _is_dispatch(node)
        for key, value in node.items():
            if key in ("properties", "$defs", "patternProperties", "dependentSchemas") and isinstance(value, dict):
                for name, sub in value.items():
                    visit(sub, f"{at}/{key}/{_escape(name)}", False)
            elif key == "allOf" and dispatch_node:
                for i, case in enumerate(value):
                    visit(case["then"], f"{at}/allOf/{i}/then", True)
            elif key != "if":
                visit(value, f"{at}/{_escape(key)}", False)

    for name, schema in components.items():
        visit(schema, name + "#", False, root=True)
    for kind, schema in events.items():
        visit(schema, f"event:{kind}#", False, root=True)
    for name in sorted(standalone):
        tag = _single_tag(components.get(name))
        if tag is not None:
            found.append({"at": name + "#", "tags": [tag], "open": False})
    return found


def _reached(at: str, needed: set[str], events: dict[str, Any]) -> bool:
    owner = at.split("#", 1)[0]
    return owner in needed or (owner.startswith("event:") and owner[len("event:") :] in events)


def _rebase(schema: Any, defs_file: str) -> Any:
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = defs_file + value
            else:
                out[key] = _rebase(value, defs_file)
        return out
    if isinstance(schema, list):
        return [_rebase(v, defs_file) for v in schema]
    return schema


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build(openai_yaml: Path, openresponses_json: Path) -> dict[str, dict[str, Any]]:
    with openai_yaml.open("rb") as fh:
        openai_spec = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    with openresponses_json.open("rb") as fh:
        openresponses_spec = json.load(fh)
    return {
        "openai": build_profile("openai", openai_spec, openai_events(openai_spec)),
        "openresponses": build_profile("openresponses", openresponses_spec, openresponses_events(openresponses_spec)),
    }


def write(profiles: dict[str, dict[str, Any]], out: Path) -> None:
    for profile, files in profiles.items():
        target = out / profile
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, value in files.items():
            (target / name).write_text(dumps(value), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("openai_yaml", type=Path, help="OpenAI openapi.yaml")
    parser.add_argument("openresponses_json", type=Path, help="Open Responses openapi.json")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "schemas", help="output directory"
    )
    args = parser.parse_args(argv)
    try:
        profiles = build(args.openai_yaml, args.openresponses_json)
    except (SpecError, KeyError, schema_overlay.OverlayError) as exc:
        print(f"build_schemas: {exc}", file=sys.stderr)
        return 1
    write(profiles, args.out)
    for profile, files in profiles.items():
        print(f"{profile}: {len(files) - 2} event schemas in {args.out / profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
