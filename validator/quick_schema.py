"""Quick accept checks: plain Python predicates for the simplest event schemas.

Most events of a stream are deltas whose schema is a flat object of typed
fields. For such a schema ``quick_predicate`` writes a straight-line Python
function that returns True only for payloads the schema accepts; a False
means "not sure", and the caller asks the full validator. The predicate is
sound but not complete: plain objects, arrays of what it translates and
references into the schema's own ``$defs`` are followed (a delta's ``logprobs``);
anything else (unions, numeric bounds, formats, ``additionalProperties``...) is
accepted only when the field is absent, and a schema with any keyword it does not
know at the top gets no predicate at all.

Calling into jsonschema-rs costs more than the checks themselves on an
eight-field delta, which is why these exist. ``conformance_tests/test_quick_schema.py``
holds them to the full validator on generated payloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

QuickCheck = Callable[[dict[str, Any]], bool]

# What a JSON Schema primitive type means for a value orjson produced.
_TYPE_TESTS = {
    "string": "type({v}) is str",
    "integer": "type({v}) is int",
    "number": "type({v}) in _NUMBERS",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
}
_TOP_KEYWORDS = frozenset({"$schema", "$defs", "type", "properties", "required", "title", "description"})
_OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "title", "description"})
_FIELD_KEYWORDS = frozenset({"type", "enum", "items", "title", "description"})
_NOTES = frozenset({"title", "description"})
# How deep nested objects, arrays and references are translated (a recursive $ref stops here).
_MAX_DEPTH = 6


class _Absent:
    """Stands for a missing field: it passes no test."""

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


class _Writer:
    """Writes one predicate: the top-level ``accept`` and a helper per nested object or array.

    Nested values (``logprobs``: an array of objects with an array of objects inside) are
    translated with the same rules as the top: an object's listed fields are tested, a field
    it cannot translate must be absent (or there is no predicate, when it is required);
    ``$ref`` is followed into the schema's own ``$defs``.
    """

    def __init__(self, root: dict[str, Any]) -> None:
        defs = root.get("$defs", {})
        self.defs: dict[str, Any] = defs if isinstance(defs, dict) else {}
        self.helpers: list[str] = []

    def helper(self, lines: list[str]) -> str:
        name = f"_h{len(self.helpers)}"
        self.helpers.append("\n".join([f"def {name}(p):", *lines]))
        return name

    def resolve(self, schema: Any) -> Any:
        """A ``$ref`` alone (titles aside) into ``$defs``, followed; other schemas as they are."""
        if isinstance(schema, dict) and "$ref" in schema and schema.keys() - _NOTES == {"$ref"}:
            ref = schema["$ref"]
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return self.defs.get(ref[len("#/$defs/") :])
            return None
        return schema

    def object_body(
        self, schema: dict[str, Any], depth: int, skip: Callable[[str, Any], bool] = lambda name, field: False
    ) -> list[str] | None:
        """The lines testing an object ``p`` (known to be a dict) against ``schema``; None if untranslatable."""
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        if not isinstance(properties, dict) or not isinstance(required, list):
            return None
        if any(not isinstance(name, str) for name in required):
            return None
        lines: list[str] = []
        for name in sorted(set(properties) | set(required)):
            field = properties.get(name, {})
            if skip(name, field):
                continue
            test = self.field_test(field, "v", depth + 1)
            if test is None:
                if name in required:
                    return None
                lines += [f"    if {name!r} in p:", "        return False"]
                continue
            lines.append(f"    v = p.get({name!r}, _ABSENT)")
            # _ABSENT fails every test, so a required field needs no separate presence check.
            guard = f"not ({test})" if name in required else f"v is not _ABSENT and not ({test})"
            lines += [f"    if {guard}:", "        return False"]
        lines.append("    return True")
        return lines

    def field_test(self, schema: Any, value: str, depth: int) -> str | None:
        """A Python expression true only when ``value`` satisfies ``schema``; None if not translatable."""
        if depth > _MAX_DEPTH:
            return None
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return None
        kinds = schema.get("type")
        if isinstance(kinds, str):
            kinds = [kinds]
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            return None
        if kinds == ["object"]:
            if not schema.keys() <= _OBJECT_KEYWORDS:
                return None
            body = self.object_body(schema, depth)
            return None if body is None else f"type({value}) is dict and {self.helper(body)}({value})"
        if not schema.keys() <= _FIELD_KEYWORDS:
            return None
        if "items" in schema or "array" in kinds:
            if kinds != ["array"] or "enum" in schema:
                return None
            if "items" not in schema:
                return f"type({value}) is list"
            item = self.field_test(schema["items"], "x", depth + 1)
            if item is None:
                # Elements it cannot judge: only the empty array is accepted here.
                return f"{value} == _EMPTY"
            each = self.helper(["    for x in p:", f"        if not ({item}):", "            return False",
                                "    return True"])
            return f"type({value}) is list and (not {value} or {each}({value}))"
        if any(k not in _TYPE_TESTS for k in kinds):
            return None
        if "enum" in schema:
            options = schema["enum"]
            # Only string enums: for other values Python's == is looser than JSON's (True == 1).
            if kinds != ["string"] or not isinstance(options, list) or not all(isinstance(o, str) for o in options):
                return None
            return f"{value} in {tuple(options)!r}"
        return " or ".join(_TYPE_TESTS[k].format(v=value) for k in kinds)


def quick_source(schema: dict[str, Any], event_type: str, assume: Mapping[str, str] | None = None) -> str | None:
    """The predicate's source for an object schema, or None when it cannot be written.

    The predicate is only ever called with payloads whose ``type`` is
    ``event_type`` (the stages dispatch on it), so a ``type`` field that must
    be exactly that is not tested again. ``assume`` names fields the caller
    has already found to hold a JSON type (``"integer"``, ``"string"``...):
    where the schema asks for just that type, the field is not tested either.
    """
    if not schema.keys() <= _TOP_KEYWORDS or schema.get("type") != "object":
        return None
    assumed = dict(assume or {}, type="string")
    writer = _Writer(schema)
    body = writer.object_body(
        schema, 0, lambda name, field: _implied(name, field, event_type, assumed.get(name))
    )
    if body is None:
        return None
    return "\n\n".join([*writer.helpers, "\n".join(["def accept(p):", *body])]) + "\n"


def _implied(name: str, schema: Any, event_type: str, assumed: str | None) -> bool:
    """The field is known to be present and to satisfy ``schema`` before the predicate runs."""
    if assumed is None or not isinstance(schema, dict):
        return False
    rest = {k: v for k, v in schema.items() if k not in ("title", "description")}
    if name == "type" and rest in ({"type": "string", "enum": [event_type]}, {"enum": [event_type]}):
        return True
    return rest in ({"type": assumed}, {"type": [assumed]}, {})


def quick_predicate(
    schema: dict[str, Any], event_type: str, assume: Mapping[str, str] | None = None
) -> QuickCheck | None:
    """A sound accept check for ``schema`` (see ``quick_source``), or None."""
    source = quick_source(schema, event_type, assume)
    if source is None:
        return None
    namespace: dict[str, Any] = {"_ABSENT": _ABSENT, "_EMPTY": [], "_NUMBERS": (int, float)}
    exec(compile(source, f"<quick schema for {event_type}>", "exec"), namespace)
    accept: QuickCheck = namespace["accept"]
    accept.__doc__ = source
    return accept
