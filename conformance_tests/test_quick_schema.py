"""The quick schema checks accept only what the full validator accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance_tests.hostile import json_values
from validator.machine import DELTA_INDEX_FIELD, taken_fields
from validator.quick_schema import quick_predicate, quick_source, value_predicate
from validator.rules import PROFILES
from validator.schemas import bundled, compiled, event_types
from validator.strategies import streams

ROOT = Path(__file__).resolve().parent.parent
TYPES = [(profile, kind) for profile in PROFILES for kind in event_types(profile)]
JSON_TYPES = {"integer": int, "string": str}
# Values that JSON Schema and Python's == or type() tell apart differently.
EDGE_VALUES = [True, False, 0, 1, 1.0, -1, 2**63, "", "0", [], [{}], [1], {}, None]


def payloads(profile: str, kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads of ``kind`` with the schema's own fields, each kept, dropped or given any value."""
    properties = bundled(profile, kind).get("properties", {})
    field_values = st.one_of(json_values, st.sampled_from(EDGE_VALUES))

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {"type": kind}
        for name in properties:
            if name != "type" and draw(st.booleans()):
                payload[name] = draw(field_values)
        if draw(st.booleans()):
            payload[draw(st.sampled_from(["extra", "item", "part", "response"]))] = draw(field_values)
        return payload

    return build()


def assumption_holds(payload: dict[str, Any], assume: dict[str, str]) -> bool:
    return all(type(payload.get(name)) is JSON_TYPES[kind] for name, kind in assume.items())


@pytest.mark.parametrize(("profile", "kind"), TYPES, ids=[f"{p}:{k}" for p, k in TYPES])
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_quick_accepts_only_valid_payloads(profile: str, kind: str, data: st.DataObject) -> None:
    schema = compiled(profile, kind)
    assert schema is not None
    payload = data.draw(payloads(profile, kind))
    if schema.quick is not None and schema.quick(payload):
        assert schema.is_valid(payload) and schema.reference.is_valid(payload), payload
    if kind not in DELTA_INDEX_FIELD:
        return  # the residual check serves only the deltas take_delta can take
    assume = taken_fields(kind)
    residual = schema.quick_assuming(assume)
    if residual is not None and assumption_holds(payload, assume) and residual(payload):
        assert schema.is_valid(payload) and schema.reference.is_valid(payload), payload


@pytest.mark.parametrize("profile", PROFILES)
@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_quick_accepts_the_deltas_of_valid_streams(profile: str, data: st.DataObject) -> None:
    for event in data.draw(streams(profile)).events:
        schema = compiled(profile, event["type"])
        if event["type"] in DELTA_INDEX_FIELD and schema is not None:
            assert schema.quick is not None and schema.quick(event), event
            assert schema.quick_assuming(taken_fields(event["type"]))(event)


def test_every_delta_type_has_a_quick_check() -> None:
    for profile in PROFILES:
        for kind in DELTA_INDEX_FIELD:
            schema = compiled(profile, kind)
            if schema is not None:
                assert schema.quick is not None, (profile, kind)


def test_the_residual_check_leaves_out_what_take_delta_checked() -> None:
    source = quick_source(bundled("openai", "response.output_text.delta"), "response.output_text.delta",
                          taken_fields("response.output_text.delta"))
    assert source is not None
    for checked in ("'sequence_number'", "'output_index'", "'item_id'", "'delta'", "'content_index'", "'type'"):
        assert checked not in source
    assert "'logprobs'" in source and "'obfuscation'" in source


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"n": {"type": "string", "pattern": "^a"}}, "required": ["n"]},
        {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}, "required": ["n"]},
        {"type": "object", "properties": {}, "additionalProperties": False},
        # oneOf whose branches can both hold (an integer is a number): accepting by one is not enough.
        {"type": "object", "properties": {"n": {"oneOf": [{"type": "integer"}, {"type": "number"}]}},
         "required": ["n"]},
        {"type": "object", "properties": {"n": {"oneOf": [{"type": "object"}, {"type": "object"}]}},
         "required": ["n"]},
        {"type": "object", "properties": {"n": {"type": "integer", "minimum": True}}, "required": ["n"]},
        {"type": "object", "properties": {"n": {"type": ["string", "null"], "maxLength": 3}}, "required": ["n"]},
        {"type": "object", "properties": {"n": {"const": 1}}, "required": ["n"]},
        {"type": "object", "if": {}, "then": {}},
        {"type": "array"},
    ],
)
def test_schemas_it_cannot_translate_get_no_predicate(schema: dict[str, Any]) -> None:
    assert quick_predicate(schema, "x") is None


def test_an_untranslatable_optional_field_must_be_absent() -> None:
    accept = quick_predicate(
        {"type": "object", "properties": {"n": {"type": "string", "format": "uri"}, "s": {"type": "string"}},
         "required": ["s"]},
        "x",
    )
    assert accept is not None
    assert accept({"type": "x", "s": "a"})
    assert not accept({"type": "x", "s": "a", "n": "http://x"})
    assert not accept({"type": "x", "s": 1})
    assert not accept({"type": "x"})


def test_enum_of_strings_is_not_fooled_by_equal_numbers() -> None:
    accept = quick_predicate(
        {"type": "object", "properties": {"e": {"type": "string", "enum": ["a", "b"]}, "b": {"type": "boolean"},
                                          "i": {"type": "integer"}, "f": {"type": "number"}}},
        "x",
    )
    assert accept is not None
    assert accept({"e": "b", "b": True, "i": 2, "f": 1.5})
    assert not accept({"b": 1})
    assert not accept({"i": True})
    assert not accept({"f": False})
    assert not accept({"e": "c"})


LOGPROB_VALUES = st.one_of(st.sampled_from(EDGE_VALUES), st.floats(allow_nan=False, allow_infinity=False),
                           st.text(max_size=3), st.integers())


def logprob_entries() -> st.SearchStrategy[Any]:
    """Logprob entries, right and wrong: each field kept, dropped or given a value of any type."""
    top = st.fixed_dictionaries({}, optional={"token": LOGPROB_VALUES, "logprob": LOGPROB_VALUES,
                                              "bytes": LOGPROB_VALUES, "extra": LOGPROB_VALUES})
    entry = st.fixed_dictionaries(
        {}, optional={"token": LOGPROB_VALUES, "logprob": LOGPROB_VALUES,
                      "top_logprobs": st.one_of(st.lists(st.one_of(top, LOGPROB_VALUES), max_size=3), LOGPROB_VALUES)},
    )
    return st.one_of(entry, LOGPROB_VALUES)


@pytest.mark.parametrize("profile", PROFILES)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(logprobs=st.one_of(st.lists(logprob_entries(), max_size=4), LOGPROB_VALUES))
def test_nested_logprobs_are_judged_as_the_full_validator_judges_them(profile: str, logprobs: Any) -> None:
    kind = "response.output_text.delta"
    schema = compiled(profile, kind)
    if schema is None or "logprobs" not in bundled(profile, kind).get("properties", {}):
        pytest.skip(f"{profile} has no logprobs on {kind}")
    payload = {"type": kind, "sequence_number": 3, "item_id": "m", "output_index": 0, "content_index": 0,
               "delta": "x", "logprobs": logprobs}
    for check in (schema.quick, schema.quick_assuming(taken_fields(kind))):
        assert check is not None
        if check(payload):
            assert schema.is_valid(payload) and schema.reference.is_valid(payload), payload


def test_logprobs_with_entries_take_the_quick_check() -> None:
    kind = "response.output_text.delta"
    schema = compiled("openai", kind)
    assert schema is not None and schema.quick is not None
    entry = {"token": " the", "logprob": -0.25, "bytes": [32, 116, 104, 101],
             "top_logprobs": [{"token": " the", "logprob": -0.25}, {"token": " a", "logprob": -2}]}
    payload = {"type": kind, "sequence_number": 3, "item_id": "m", "output_index": 0, "content_index": 0,
               "delta": " the", "logprobs": [entry]}
    assert schema.quick(payload)
    assert not schema.quick({**payload, "logprobs": [{**entry, "logprob": "-0.25"}]})
    assert not schema.quick({**payload, "logprobs": [{"token": " the"}]})  # logprob is required
    assert not schema.quick({**payload, "logprobs": [{**entry, "top_logprobs": [{"token": 1}]}]})


def test_a_reference_it_cannot_follow_gets_no_predicate() -> None:
    recursive = {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}, "required": ["n"],
                 "$defs": {"N": {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}, "required": ["n"]}}}
    assert quick_predicate(recursive, "x") is None
    elsewhere = {"type": "object", "properties": {"n": {"$ref": "other.json#/N"}}, "required": ["n"]}
    assert quick_predicate(elsewhere, "x") is None


@pytest.mark.parametrize("profile", PROFILES)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_events_embedding_definitions_are_judged_as_the_whole_schema_judges_them(
    profile: str, data: st.DataObject
) -> None:
    # Envelope predicate + each embedded definition's shared validator == the event's whole schema.
    from validator.strategies import mutated_streams

    for event in data.draw(mutated_streams(profile)).events:
        schema = compiled(profile, str(event.get("type"))) if isinstance(event, dict) else None
        if schema is not None:
            assert schema.is_valid(event) == schema.reference.is_valid(event), event


# Small schemas with each union form and keyword the predicates translate, judged by both sides.
UNION_SCHEMAS: list[dict[str, Any]] = [
    {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "null"}, {"type": "string", "format": "uri"}]},
    {"oneOf": [{"type": "string", "minLength": 1}, {"type": "array", "items": {"type": "integer"}, "maxItems": 2}]},
    {"oneOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}, {"type": "string", "enum": ["auto", "none"]}]},
    {"allOf": [{"if": {"properties": {"type": {"const": "a"}}, "required": ["type"]}, "then": {"$ref": "#/$defs/A"}},
               {"if": {"properties": {"type": {"const": "b"}}, "required": ["type"]}, "then": {"$ref": "#/$defs/B"}},
               {"if": {"properties": {"type": {"const": "b"}}, "required": ["type"]},
                "then": {"properties": {"n": {"maximum": 3, "type": "integer"}}}},
               {"if": {"properties": {"type": {"const": "c"}}, "required": ["type"]},
                "then": {"properties": {"s": {"type": "string", "pattern": "^x"}}, "required": ["s"],
                         "type": "object"}}],
     "properties": {"type": {"enum": ["a", "b", "c"], "type": "string"}}, "required": ["type"], "type": "object"},
    {"allOf": [{"if": {"properties": {"type": {"const": "a"}}, "required": ["type"]}, "then": {"$ref": "#/$defs/A"}}]},
    {"type": "object", "properties": {"k": {"const": "v"}}, "additionalProperties": False},
    {"type": "object", "additionalProperties": {"type": "string"}},
    {"properties": {"n": {"type": "number", "minimum": 0, "maximum": 1.5}}, "required": ["n"]},
    {"allOf": [{"$ref": "#/$defs/A"}, {"properties": {"m": {}}, "required": ["m"]}]},
]
UNION_DEFS: dict[str, Any] = {
    "A": {"type": "object", "properties": {"type": {"const": "a"}, "n": {"type": "integer", "minimum": 1}},
          "required": ["type", "n"]},
    "B": {"type": "object", "properties": {"type": {"type": "string", "enum": ["b"]},
                                           "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
          "required": ["type"]},
}
UNION_VALUES = st.recursive(
    st.one_of(st.sampled_from([*EDGE_VALUES, "a", "b", "c", "ab", "abc", "xy", "auto", "v", 1.5, 1.6, 3, 4, -0.5]),
              st.integers(-3, 5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["type", "n", "m", "s", "k", "z"]), inner, max_size=4),
    ),
    max_leaves=8,
)


@pytest.mark.parametrize("index", range(len(UNION_SCHEMAS)))
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(value=UNION_VALUES)
def test_unions_bounds_and_dispatch_are_judged_as_jsonschema_judges_them(index: int, value: Any) -> None:
    from jsonschema import Draft202012Validator

    schema = UNION_SCHEMAS[index]
    check = value_predicate(schema, UNION_DEFS)
    assert check is not None, schema
    if check(value):
        assert Draft202012Validator({**schema, "$defs": UNION_DEFS}).is_valid(value), (schema, value)


def test_union_predicates_accept_what_they_can_judge() -> None:
    # Positive controls: the predicates above are not sound by refusing everything.
    def check(index: int) -> Any:
        found = value_predicate(UNION_SCHEMAS[index], UNION_DEFS)
        assert found is not None
        return found

    assert check(0)("ab") and check(0)(None) and not check(0)("abc") and not check(0)(1)
    assert check(1)("x") and check(1)([1, 2]) and not check(1)("") and not check(1)([1, 2, 3])
    assert check(2)({"type": "a", "n": 2}) and check(2)({"type": "b"}) and check(2)("auto")
    assert not check(2)({"type": "a", "n": 0}) and not check(2)({"type": "a", "n": True})
    dispatch = check(3)
    assert dispatch({"type": "a", "n": 1}) and dispatch({"type": "b", "n": 3})
    assert not dispatch({"type": "b", "n": 4})  # both `then`s of a repeated tag hold
    assert not dispatch({"type": "c", "s": "x"})  # a branch it cannot translate: not sure
    assert not dispatch({"type": "d"}) and not dispatch({"n": 1}) and not dispatch([])
    assert check(4)({"type": "z"}) and check(4)({"n": 1}) and not check(4)({"type": "a"}) and not check(4)(1)
    assert check(5)({}) and check(5)({"k": "v"}) and not check(5)({"k": "w"}) and not check(5)({"z": 1})
    assert check(6)({"a": "b"}) and not check(6)({"a": 1})
    assert check(7)({"n": 1.5}) and check(7)(3) and not check(7)({"n": 1.6}) and not check(7)({"n": True})
    assert check(8)({"type": "a", "n": 1, "m": None}) and not check(8)({"type": "a", "n": 1})


@pytest.mark.parametrize("profile", PROFILES)
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_quick_checks_of_whole_events_accept_only_valid_events(profile: str, data: st.DataObject) -> None:
    # Snapshots, output items and parts (unions, dispatch, bounds) of generated and mutated streams.
    from validator.strategies import mutated_streams

    stream = data.draw(st.one_of(streams(profile), mutated_streams(profile)))
    for event in stream.events:
        schema = compiled(profile, str(event.get("type"))) if isinstance(event, dict) else None
        if schema is not None and schema.quick is not None and schema.quick(event):
            assert schema.reference.is_valid(event), event


def test_a_valid_snapshot_is_settled_without_jsonschema_rs() -> None:
    from validator.schemas import use_deep_quick

    for line in (ROOT / "fixtures" / "valid" / "openai" / "text.sse").read_text().splitlines():
        if line.startswith("data: {") and '"response.created"' in line:
            event = json.loads(line[len("data: "):])
            break
    before = use_deep_quick(True)
    try:
        schema = compiled("openai", "response.created")
        assert schema is not None and schema.quick is not None
        assert schema.quick(event)
        assert not schema.quick({**event, "response": {**event["response"], "tools": [{"type": "function"}]}})
        use_deep_quick(False)  # a run over megabytes: the compiled validator judges snapshots
        schema = compiled("openai", "response.created")
        assert schema is not None and schema.quick is None and schema.is_valid(event)
    finally:
        use_deep_quick(before)


def test_the_reference_finder_agrees_with_the_walk() -> None:
    from validator.schemas import _defs, _refs, _refs_in

    for profile in PROFILES:
        for name, definition in _defs(profile).items():
            assert _refs_in(definition) == tuple(_refs(definition)), (profile, name)
    odd = {"properties": {"$ref": {"$ref": "#/$defs/A"}, "b": {"$ref": "#/$defs/q\"uote"}},
           "items": {"$ref": "other.json#/X"}, "anyOf": [{"$ref": "#/$defs/B"}]}
    assert _refs_in(odd) == tuple(_refs(odd)) == ("A", 'q"uote', "B")
