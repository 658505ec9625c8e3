"""Quick accept checks: plain Python predicates for the simplest event schemas.

Most events of a stream are deltas whose schema is a flat object of typed
fields. For such a schema ``quick_predicate`` writes a straight-line Python
function that returns True only for payloads the schema accepts; a False
means "not sure", and the caller asks the full validator. The predicate is
sound but not complete: plain objects, arrays of what it translates and
references into the schema's own ``$defs`` are followed (a delta's ``logprobs``),
and so are the unions the build writes: ``anyOf`` (the branches it can translate,
any of them), ``oneOf`` whose branches ask for different JSON types, ``allOf`` (all
of its members) and the dispatch form (``allOf`` of ``if type is X then ...``, the
branch for a tag translated when a value with that tag is first seen), string
``const``, length, item-count and numeric bounds, ``additionalProperties: false``.
Anything else (formats, ``pattern``...) is accepted only when the field is
absent, and a schema with any keyword it does not know at the top gets no
predicate at all.

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
_OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "title", "description", "additionalProperties"})
_FIELD_KEYWORDS = frozenset({"type", "enum", "const", "items", "title", "description", "minLength", "maxLength",
                             "minItems", "maxItems", "minimum", "maximum"})
_NOTES = frozenset({"title", "description"})
# Bounds, each as a Python comparison on the value (lengths count code points, as Python's len does).
_BOUNDS = {"minLength": ("string", "len({v}) >= {n}"), "maxLength": ("string", "len({v}) <= {n}"),
           "minItems": ("array", "len({v}) >= {n}"), "maxItems": ("array", "len({v}) <= {n}"),
           "minimum": ("number", "{v} >= {n}"), "maximum": ("number", "{v} <= {n}")}
# How deep nested objects, arrays and references are translated (a recursive $ref stops here); a
# dispatch branch starts its own count, as it is translated only when a value with its tag comes.
_MAX_DEPTH = 8


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

    def __init__(self, root: dict[str, Any], deferred: dict[str, _Deferred] | None = None) -> None:
        defs = root.get("$defs", {})
        self.defs: dict[str, Any] = defs if isinstance(defs, dict) else {}
        # The definitions written on first use, by name, shared by every predicate written from these defs.
        self.deferred: dict[str, _Deferred] = {} if deferred is None else deferred
        self.helpers: list[str] = []
        self.objects: dict[str, Any] = {}  # values the predicate refers to by name (dispatch tables)

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.objects)}"
        self.objects[name] = value
        return name

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
        name = _union_reference(schema, self.defs)
        if name is not None:
            # A union behind a reference (a Response's tool choice, an input item) is written when a
            # value first reaches it: most of a snapshot's unions are empty or null in most streams.
            deferred = self.deferred.get(name)
            if deferred is None:
                deferred = self.deferred[name] = _Deferred(self.defs[name], self.defs, self.deferred)
            return f"{self.constant(deferred)}({value})"
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return None
        if schema.keys() <= _NOTES:
            return f"{value} is not _ABSENT"  # any value (and a field listed only in `required` is present)
        if "anyOf" in schema or "oneOf" in schema or "allOf" in schema:
            return self.combined(schema, value, depth)
        if "const" in schema:
            const = schema["const"]
            # Only string constants (for other values Python's == is looser than JSON's), alone.
            if not isinstance(const, str) or schema.keys() - _NOTES - {"type"} != {"const"}:
                return None
            if schema.get("type", "string") not in ("string", ["string"]):
                return None
            return f"type({value}) is str and {value} == {const!r}"
        kinds = schema.get("type")
        if kinds is None and schema.keys() & {"properties", "required"} and schema.keys() <= _OBJECT_KEYWORDS:
            # Object keywords without a type: they hold for any value that is not an object.
            test = self.field_test({**schema, "type": "object"}, value, depth)
            return None if test is None else f"type({value}) is not dict or ({test})"
        if isinstance(kinds, str):
            kinds = [kinds]
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            return None
        if kinds == ["object"]:
            if not schema.keys() <= _OBJECT_KEYWORDS:
                return None
            body = self.object_body(schema, depth)
            if body is None:
                return None
            test = f"type({value}) is dict and {self.helper(body)}({value})"
            others = schema.get("additionalProperties", True)
            if others is True:
                return test
            known = self.constant(frozenset(schema.get("properties", {})))
            if others is False:
                return f"{test} and {value}.keys() <= {known}"
            other = self.field_test(others, "x", depth + 1)
            if other is None:
                return None
            rest = self.helper(["    for k, x in p.items():", f"        if k not in {known} and not ({other}):",
                                "            return False", "    return True"])
            return f"{test} and {rest}({value})"
        if not schema.keys() <= _FIELD_KEYWORDS:
            return None
        if "items" in schema or "array" in kinds:
            if kinds != ["array"] or "enum" in schema:
                return None
            counts = self.bounds(schema, kinds, value)
            if counts is None:
                return None
            if "items" not in schema:
                return f"type({value}) is list" + counts
            item = self.field_test(schema["items"], "x", depth + 1)
            if item is None:
                # Elements it cannot judge: only the empty array is accepted here.
                return f"{value} == _EMPTY" + counts
            each = self.helper(["    for x in p:", f"        if not ({item}):", "            return False",
                                "    return True"])
            return f"type({value}) is list and (not {value} or {each}({value}))" + counts
        if any(k not in _TYPE_TESTS for k in kinds):
            return None
        bounds = self.bounds(schema, kinds, value)
        if bounds is None:
            return None
        if "enum" in schema:
            options = schema["enum"]
            # Only string enums: for other values Python's == is looser than JSON's (True == 1).
            if kinds != ["string"] or not isinstance(options, list) or not all(isinstance(o, str) for o in options):
                return None
            return f"{value} in {tuple(options)!r}" + bounds
        test = " or ".join(_TYPE_TESTS[k].format(v=value) for k in kinds)
        return f"({test}){bounds}" if bounds else test

    def bounds(self, schema: dict[str, Any], kinds: list[str], value: str) -> str | None:
        """`` and ...`` for the schema's length/count/numeric bounds ("" for none), None when they cannot
        be written (a bound for another type than the single one the schema allows, a bound not a number)."""
        out = ""
        for keyword, (applies, template) in _BOUNDS.items():
            if keyword not in schema:
                continue
            bound = schema[keyword]
            if type(bound) not in (int, float) or kinds not in ([applies], ["integer"] if applies == "number" else []):
                return None
            if keyword in ("minimum", "maximum") and (type(bound) is float and bound != bound):
                return None
            out += " and " + template.format(v=value, n=repr(bound))
        return out

    def combined(self, schema: dict[str, Any], value: str, depth: int) -> str | None:
        """``anyOf``, ``oneOf`` and ``allOf`` (with the schema's other keywords beside them), and the dispatch form."""
        rest = {k: v for k, v in schema.items() if k not in _NOTES}
        tests: list[str] = []
        for keyword in ("anyOf", "oneOf", "allOf"):
            members = rest.pop(keyword, None)
            if members is None:
                continue
            if not isinstance(members, list) or not members:
                return None
            if keyword == "allOf":
                table = _dispatch_table(members)
                if table is not None:
                    tests.append(f"{self.constant(_Dispatch(table, self.defs, self.deferred))}({value})")
                    continue
                parts = [self.field_test(m, value, depth + 1) for m in members]
                if any(t is None for t in parts):
                    return None
                tests += [f"({t})" for t in parts if t is not None]
                continue
            if keyword == "oneOf" and not _disjoint_types([self.resolve(m) for m in members]):
                return None  # a payload valid under two branches would be refused by oneOf
            # Branches it cannot translate are left out: the test may refuse, never accept wrongly.
            branches = [t for t in (self.field_test(m, value, depth + 1) for m in members) if t is not None]
            if not branches:
                return None
            tests.append("(" + " or ".join(f"({t})" for t in branches) + ")")
        if rest:
            own = self.field_test(rest, value, depth + 1)
            if own is None:
                return None
            tests.insert(0, f"({own})")  # the object test first: a dispatch table expects a dict
        return " and ".join(tests)


def _dispatch_table(members: list[Any]) -> dict[str, list[Any]] | None:
    """The dispatch form's branches by tag: each member ``{"if": {"properties": {"type": {"const": TAG}},
    "required": ["type"]}, "then": SCHEMA}``; None when a member is anything else."""
    table: dict[str, list[Any]] = {}
    for member in members:
        if not isinstance(member, dict) or member.keys() != {"if", "then"}:
            return None
        condition = member["if"]
        if not isinstance(condition, dict) or condition.keys() != {"properties", "required"}:
            return None
        if condition["required"] != ["type"] or not isinstance(condition["properties"], dict):
            return None
        if condition["properties"].keys() != {"type"}:
            return None
        tag = condition["properties"]["type"]
        if not isinstance(tag, dict) or tag.keys() != {"const"} or not isinstance(tag["const"], str):
            return None
        table.setdefault(tag["const"], []).append(member["then"])
    return table


def _disjoint_types(branches: list[Any]) -> bool:
    """Whether no value can be valid under two of the branches: each asks for one JSON type, and
    branches asking for the same one are objects requiring a ``type`` field from disjoint string sets."""
    by_kind: dict[str, list[Any]] = {}
    for branch in branches:
        kind = branch.get("type") if isinstance(branch, dict) else None
        kind = kind[0] if isinstance(kind, list) and len(kind) == 1 else kind
        if not isinstance(kind, str):
            return False
        by_kind.setdefault(kind, []).append(branch)
    if {"integer", "number"} <= by_kind.keys():
        return False
    for kind, same in by_kind.items():
        if len(same) == 1:
            continue
        if kind != "object":
            return False
        seen: set[str] = set()
        for branch in same:
            tags = _required_tags(branch)
            if tags is None or tags & seen:
                return False
            seen |= tags
    return True


def _required_tags(branch: dict[str, Any]) -> set[str] | None:
    """The strings an object branch's required ``type`` field may hold (its ``enum`` or ``const``), or None."""
    required = branch.get("required")
    properties = branch.get("properties")
    if not isinstance(required, list) or "type" not in required or not isinstance(properties, dict):
        return None
    tag = properties.get("type")
    if not isinstance(tag, dict):
        return None
    if isinstance(tag.get("const"), str):
        return {tag["const"]}
    options = tag.get("enum")
    if isinstance(options, list) and options and all(isinstance(o, str) for o in options):
        return set(options)
    return None


def _union_reference(schema: Any, defs: dict[str, Any]) -> str | None:
    """The definition's name when ``schema`` is a reference alone to a definition that is a union."""
    if not isinstance(schema, dict) or "$ref" not in schema or schema.keys() - _NOTES != {"$ref"}:
        return None
    ref = schema["$ref"]
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return None
    name = ref[len("#/$defs/") :]
    target = defs.get(name)
    return name if isinstance(target, dict) and target.keys() & {"anyOf", "oneOf", "allOf"} else None


class _Deferred:
    """A test written on first use (then kept): a definition behind a reference."""

    __slots__ = ("_deferred", "_defs", "_schema", "_test")

    def __init__(self, schema: Any, defs: dict[str, Any], deferred: dict[str, _Deferred]) -> None:
        self._schema = schema
        self._defs = defs
        self._deferred = deferred
        self._test: Callable[[Any], bool] | None = None

    def __call__(self, value: Any) -> bool:
        test = self._test
        if test is None:
            found = value_predicate(self._schema, self._defs, self._deferred)
            test = self._test = found if found is not None else _refuse
        try:
            return test(value)
        except RecursionError:  # a value nested through references deeper than Python recurses: not sure
            return False


class _Dispatch:
    """The dispatch form's test for an object (known to be a dict): the ``then`` schemas of the branches
    whose ``if`` its ``type`` meets. A branch is translated on first use of its tag; a tag with no branch
    is not tested here (no ``if`` holds), one whose branch cannot be translated is refused."""

    __slots__ = ("_branches", "_deferred", "_defs", "_tests")

    def __init__(self, branches: dict[str, list[Any]], defs: dict[str, Any], deferred: dict[str, _Deferred]) -> None:
        self._branches = branches
        self._defs = defs
        self._deferred = deferred
        self._tests: dict[str, Callable[[Any], bool]] = {}

    def __call__(self, value: Any) -> bool:
        if type(value) is not dict:
            return False  # every `if` holds for a value that is not an object: not sure
        tag = value.get("type")
        if type(tag) is not str:
            return True  # no `if` holds without a type, or with one that is not a string
        try:
            test = self._tests[tag]
        except KeyError:
            thens = self._branches.get(tag)
            if thens is None:
                return True
            found = value_predicate({"allOf": thens} if len(thens) > 1 else thens[0], self._defs, self._deferred)
            test = self._tests[tag] = found if found is not None else _refuse
        try:
            return test(value)
        except RecursionError:  # a value nested through unions deeper than Python recurses: not sure
            return False


def _refuse(value: Any) -> bool:
    return False


def value_predicate(
    schema: Any, defs: dict[str, Any], deferred: dict[str, _Deferred] | None = None
) -> Callable[[Any], bool] | None:
    """A sound test of one value against ``schema`` (references into ``defs``), or None.
    ``deferred``: the definitions already written on first use from the same ``defs``."""
    writer = _Writer({"$defs": defs}, deferred)
    if _union_reference(schema, writer.defs) is not None:
        schema = writer.resolve(schema)  # the definition asked for itself: written now, not deferred once more
    test = writer.field_test(schema, "p", 0)
    if test is None:
        return None
    source = "\n\n".join([*writer.helpers, f"def accept(p):\n    return bool({test})"]) + "\n"
    return _load(source, "<quick schema for a union branch>", writer.objects)


def quick_source(schema: dict[str, Any], event_type: str, assume: Mapping[str, str] | None = None) -> str | None:
    """The predicate's source for an object schema, or None when it cannot be written.

    The predicate is only ever called with payloads whose ``type`` is
    ``event_type`` (the stages dispatch on it), so a ``type`` field that must
    be exactly that is not tested again. ``assume`` names fields the caller
    has already found to hold a JSON type (``"integer"``, ``"string"``...):
    where the schema asks for just that type, the field is not tested either.
    """
    written = _quick_source(schema, event_type, assume)
    return None if written is None else written[0]


def _quick_source(
    schema: dict[str, Any], event_type: str, assume: Mapping[str, str] | None
) -> tuple[str, dict[str, Any]] | None:
    if not schema.keys() <= _TOP_KEYWORDS or schema.get("type") != "object":
        return None
    assumed = dict(assume or {}, type="string")
    writer = _Writer(schema)
    body = writer.object_body(
        schema, 0, lambda name, field: _implied(name, field, event_type, assumed.get(name))
    )
    if body is None:
        return None
    return "\n\n".join([*writer.helpers, "\n".join(["def accept(p):", *body])]) + "\n", writer.objects


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
    written = _quick_source(schema, event_type, assume)
    if written is None:
        return None
    source, objects = written
    return _load(source, f"<quick schema for {event_type}>", objects)


def _load(source: str, where: str, objects: Mapping[str, Any]) -> QuickCheck:
    namespace: dict[str, Any] = {"_ABSENT": _ABSENT, "_EMPTY": [], "_NUMBERS": (int, float), **objects}
    exec(compile(source, where, "exec"), namespace)
    accept: QuickCheck = namespace["accept"]
    accept.__doc__ = source
    return accept


def is_deep(check: Callable[..., bool]) -> bool:
    """Whether a predicate follows unions written on first use (in Python, through all the value holds)."""
    return any(isinstance(v, _Dispatch | _Deferred) for v in getattr(check, "__globals__", {}).values())
