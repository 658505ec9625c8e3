"""tools/sdk_drift.py: schemas/openai against the pinned openai-python's types.

* against the SDK pinned in the `test` extra, every difference is explained by an
  overlay entry with its reason, and no Accept entry is stale;
* the comparison itself finds each kind of difference (hand-made schemas, no SDK);
* overlay entries explain only the differences they are about.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> ModuleType:
    tools = str(ROOT / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    return __import__(name)


drift = _tool("sdk_drift")
overlay = _tool("schema_overlay")


def pinned_openai() -> str:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    (pin,) = [req for req in extras["test"] if re.match(r"openai(?![-\w])", req)]
    match = re.fullmatch(r"openai==([0-9.]+)", pin)
    assert match, f"the test extra must pin openai exactly, not {pin!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def result() -> tuple[str, list[Any]]:
    version = importlib.metadata.version("openai")
    if version != pinned_openai():
        pytest.fail(f"openai {version} is installed; the test extra pins {pinned_openai()} (pip install -e '.[test]')")
    found: tuple[str, list[Any]] = drift.run()
    return found


# ---- against the pinned SDK ------------------------------------------------------------------


def test_every_difference_from_the_pinned_sdk_is_explained(result: tuple[str, list[Any]]) -> None:
    version, drifts = result
    unexplained = [f"{d.kind} {d.location}: {d.detail}" for d in drifts if d.explained_by is None]
    assert unexplained == [], f"openai {version}: add overlay entries (tools/schema_overlay.py) or fix the schemas"
    assert [e.summary() for e in drift.stale_entries(drifts)] == []


def test_the_comparison_reaches_every_surface_and_kind(result: tuple[str, list[Any]]) -> None:
    _, drifts = result
    assert {d.surface for d in drifts} == {"sse", "websocket-server", "websocket-client"}
    seen = {(d.kind, d.location) for d in drifts}
    # Deliberate differences that must stay visible, each with the entry that explains it.
    assert ("required", "event:response.created.sequence_number") in seen  # pre-2025-04 streams
    assert ("field", "event:response.output_text.delta.obfuscation") in seen  # production pads deltas
    assert ("event", "event:response.steer.accepted") in seen  # WebSocket only
    assert ("enum", "ResponseError.code") in seen  # production codes outside the enum


def test_every_overlay_entry_of_the_openai_profile_states_why() -> None:
    for entry in overlay.entries("openai"):
        assert entry.reason and "\n" not in entry.reason, entry
        assert entry.evidence, entry


def test_the_tool_reports_json_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "drift.json"
    assert drift.main(["--json", str(out), "--quiet"]) == 0
    summary = capsys.readouterr().out
    assert summary.startswith(f"openai-python {pinned_openai()} against schemas/openai:")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sdk"] == {"package": "openai", "version": pinned_openai()}
    assert data["counts"]["total_unexplained"] == 0 and data["counts"]["total"] == len(data["differences"])
    assert all(d["explained_by"]["reason"] for d in data["differences"])


def test_a_schema_that_drifts_fails_the_tool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    defs_path = schemas / "openai" / "_defs.json"
    defs = json.loads(defs_path.read_text(encoding="utf-8"))
    response = defs["$defs"]["Response"]["allOf"][2]["properties"]
    response.pop("tool_usage")  # a field the SDK declares
    reason = response["incomplete_details"]["anyOf"][0]["properties"]["reason"]
    reason["enum"].remove("steered")  # a value the SDK has
    defs_path.write_text(json.dumps(defs), encoding="utf-8")
    assert drift.main(["--schemas", str(schemas)]) == 1
    text = capsys.readouterr().out
    assert "! field     Response.tool_usage: SDK declares optional `tool_usage`; ours does not" in text
    assert "! enum      Response.incomplete_details.reason: SDK values not in ours: 'steered' (stricter: ours)" in text


def test_unreadable_schemas_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert drift.main(["--schemas", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("sdk_drift: cannot read")


# ---- the comparison, on hand-made schemas ----------------------------------------------------


def shape(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    return drift.Normaliser(defs or {}).shape(schema)


def compare(ours: dict[str, Any], sdk: dict[str, Any]) -> list[tuple[str, str, str]]:
    walk = drift.Walk()
    walk.compare(shape(ours), shape(sdk), "X", ())
    return [(d.kind, d.location, d.stricter) for d in walk.found]


def obj(required: tuple[str, ...] = (), **props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required)}


STR = {"type": "string"}
OPT_STR = {"anyOf": [STR, {"type": "null"}], "default": None}


@pytest.mark.parametrize(
    ("ours", "sdk", "expected"),
    [
        (obj(a=STR), obj(a=STR), []),
        (obj(), obj(a=STR), [("field", "X.a", "-")]),
        (obj(("a",), a=STR), obj(), [("field", "X.a", "ours")]),
        (obj(a=STR), obj(("a",), a=STR), [("required", "X.a", "sdk")]),
        # The SDK's `Optional[T] = None` cannot tell optional from nullable: only a required non-null
        # field of ours is a difference against it.
        (obj(("a",), a=STR), obj(a=OPT_STR), [("required", "X.a", "ours")]),
        (obj(("a",), a={"anyOf": [STR, {"type": "null"}]}), obj(a=OPT_STR), []),
        (obj(a=STR), obj(a=OPT_STR), []),
        (obj(("a",), a=STR), obj(("a",), a={"anyOf": [STR, {"type": "null"}]}), [("nullable", "X.a", "ours")]),
        (obj(a={"enum": ["x"], "type": "string"}), obj(a={"enum": ["x", "y"], "type": "string"}),
         [("enum", "X.a", "ours")]),
        (obj(a={"enum": ["x", "z"], "type": "string"}), obj(a={"enum": ["x"], "type": "string"}),
         [("enum", "X.a", "sdk")]),
        (obj(a={"enum": ["x"], "type": "string"}), obj(a={"anyOf": [STR, {"enum": ["x"], "type": "string"}]}),
         [("enum", "X.a", "ours")]),
        (obj(a={"type": "integer"}), obj(a={"type": "number"}), [("type", "X.a", "ours")]),
        (obj(a={"type": "array", "items": obj(b=STR)}), obj(a={"type": "array", "items": obj()}),
         [("field", "X.a[].b", "-")]),
    ],
)
def test_each_kind_of_difference_is_found(
    ours: dict[str, Any], sdk: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    assert compare(ours, sdk) == expected


def tagged(tag: str, **props: Any) -> dict[str, Any]:
    return obj(("type",), type={"const": tag, "type": "string"}, **props)


def test_union_members_are_matched_by_type_in_both_forms() -> None:
    # Ours: the build's dispatch on `type`; the SDK: pydantic's anyOf.
    ours = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["a", "b"]}},
        "allOf": [
            {"if": {"properties": {"type": {"const": "a"}}, "required": ["type"]}, "then": tagged("a", x=STR)},
            {"if": {"properties": {"type": {"const": "b"}}, "required": ["type"]}, "then": tagged("b")},
        ],
    }
    sdk = {"anyOf": [tagged("a", x={"type": "integer"}), tagged("c")]}
    assert sorted(compare(ours, sdk)) == [
        ("type", "X<a>.x", "-"),
        ("variant", "X", "ours"),
        ("variant", "X", "sdk"),
    ]


def test_a_difference_is_reported_once_at_the_definition_that_declares_it() -> None:
    defs = {"Part": obj(("text",), text=STR)}
    ours = obj(a={"$ref": "#/$defs/Part"}, b={"type": "array", "items": {"$ref": "#/$defs/Part"}})
    sdk_defs = {"P": obj(text=STR)}
    walk = drift.Walk()
    walk.compare(drift.Normaliser(defs).shape(ours), drift.Normaliser(sdk_defs).shape(obj(
        a={"$ref": "#/$defs/P"}, b={"type": "array", "items": {"$ref": "#/$defs/P"}}
    )), "X", ())
    assert [(d.kind, d.location) for d in walk.found] == [("required", "Part.text")]


# ---- which entry explains what ---------------------------------------------------------------


def a_drift(kind: str, target: str, path: tuple[str, ...], stricter: str = "-", only: str = "") -> Any:
    return drift.Drift(kind, target, path, stricter, "detail", only=only)


def test_overlay_entries_explain_only_their_own_differences() -> None:
    add = overlay.AddProperty("openai", "Response", reason="r", evidence="e", path="/allOf/2", name="x")
    assert add.explains(a_drift("field", "Response", ("x",), only="ours"))
    assert not add.explains(a_drift("field", "Response", ("x",), only="sdk"))  # the SDK has it: compared instead
    assert not add.explains(a_drift("type", "Response", ("x",)))
    unrequire = overlay.Unrequire("openai", "event:*", reason="r", evidence="e", fields=("sequence_number",))
    assert unrequire.explains(a_drift("required", "event:response.created", ("sequence_number",), "sdk"))
    assert not unrequire.explains(a_drift("required", "Response", ("sequence_number",), "sdk"))
    enum = overlay.AddEnum("openai", "T", reason="r", evidence="e", path="/properties/s", values=("v",))
    assert enum.explains(a_drift("enum", "T", ("s",), "sdk"))
    assert not enum.explains(a_drift("enum", "T", ("s",), "ours"))  # SDK values we lack stay visible
    replace = overlay.Replace("openai", "event:error", reason="r", evidence="e")
    assert replace.explains(a_drift("field", "event:error", ("error", "headers")))
    accept = overlay.Accept("openai", "client:response.create", reason="r", evidence="e", kinds=("event",),
                            surface="websocket-client")
    assert accept.explains(drift.Drift("event", "client:response.create", (), "-", "d", "websocket-client"))
    assert not accept.explains(a_drift("event", "client:response.create", ()))  # another surface


def test_pointer_fields_name_the_fields_a_pointer_reaches() -> None:
    assert overlay.pointer_fields("/allOf/2/properties/usage") == ("usage",)
    assert overlay.pointer_fields("/properties/a/anyOf/0/items/properties/b") == ("a", "[]", "b")
    assert overlay.pointer_fields("") == ()
