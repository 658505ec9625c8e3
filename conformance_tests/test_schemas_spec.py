"""The schemas against the two specs and the recorded corpus in ../shared.

* every event type and every required field of both specs is in our schemas,
  or an overlay entry explains the difference;
* tools/build_schemas.py reproduces schemas/ byte for byte;
* no SCH finding on an untouched OpenAI or Azure recording in the openai profile;
* the accept-path backend (jsonschema-rs) and jsonschema agree on every event
  of the fixtures and the corpus, and on mutated events.
"""

from __future__ import annotations

import copy
import csv
import importlib.util
import json
import random
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import validator
from validator import schemas
from validator.rules import PROFILES
from validator.sources import streams_from_path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SPECS = SHARED / "specs"
CORPUS = SHARED / "corpus"
OPENAI_YAML = SPECS / "openai" / "openapi.yaml"
OPENRESPONSES_JSON = SPECS / "openresponses" / "openapi.json"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (specs and corpus) is not beside the checkout")

# Recordings the MANIFEST calls "recorded" whose Response objects were evidently cut
# down by their authors: response.in_progress lacks `tools`/`instructions` that
# response.created of the same stream has, and usage lacks `total_tokens`; the real
# API always sends the full Response in every lifecycle event.
HAND_TRIMMED = frozenset(
    {
        "pydai__apply_patch_toolset_stream__i0.sse",
        "pydai__apply_patch_toolset_stream__i1.sse",
        "pydai__apply_patch_toolset_stream__i2.sse",
        "pydai__local_shell_toolset_stream__i0.sse",
    }
)


def _load_tool(name: str) -> ModuleType:
    tools = ROOT / "tools"
    if str(tools) not in sys.path:
        sys.path.insert(0, str(tools))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, tools / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@cache
def spec(profile: str) -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    if profile == "openai":
        with OPENAI_YAML.open("rb") as fh:
            loaded = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    else:
        loaded = json.loads(OPENRESPONSES_JSON.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def spec_events(profile: str) -> dict[str, str]:
    build = _load_tool("build_schemas")
    result: dict[str, str] = (build.openai_events if profile == "openai" else build.openresponses_events)(spec(profile))
    return result


def overlay_entries(profile: str) -> list[Any]:
    entries: list[Any] = _load_tool("schema_overlay").entries(profile)
    return entries


def unrequired(profile: str, target: str, path: str = "") -> set[str]:
    fields: set[str] = set()
    for entry in overlay_entries(profile):
        kind = type(entry).__name__
        if kind == "Unrequire" and entry.path == path and entry.target in (target, "event:*"):
            fields.update(entry.fields)
    return fields


def replaced(profile: str, target: str) -> bool:
    return any(type(e).__name__ == "Replace" and e.target == target and e.path == "" for e in overlay_entries(profile))


def required_of(schema: dict[str, Any]) -> set[str]:
    """Required fields of an object schema, its allOf members' included (refs not followed)."""
    fields = set(schema.get("required", ()))
    for member in schema.get("allOf", ()):
        if isinstance(member, dict) and "$ref" not in member:
            fields |= required_of(member)
    return fields


# ---- coverage of the specs --------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("profile", PROFILES)
def test_every_spec_event_type_has_a_schema(profile: str) -> None:
    ours = set(schemas.event_types(profile))
    theirs = set(spec_events(profile))
    assert len(theirs) == (58 if profile == "openai" else 24)
    assert theirs - ours == set()
    added = {e.target[len("event:") :] for e in overlay_entries(profile) if type(e).__name__ == "AddEvent"}
    assert ours - theirs == added


@needs_shared
def test_the_sdk_only_event_matches_the_sdk_required_fields() -> None:
    sdk = json.loads((SPECS / "openai" / "python-sdk-events.json").read_text(encoding="utf-8"))
    by_type = {e["type"]: e for e in sdk}
    extra = set(by_type) - set(spec_events("openai"))
    assert extra == {"response.compaction.compacting"}
    for kind in extra:
        ours = schemas.event_schema("openai", kind)
        assert set(ours["required"]) == set(by_type[kind]["required"]) - unrequired("openai", f"event:{kind}")
        assert set(ours["properties"]) >= set(by_type[kind]["required"]) | set(by_type[kind]["optional"])


@needs_shared
@pytest.mark.parametrize("profile", PROFILES)
def test_every_required_field_of_every_spec_event_is_required_in_ours(profile: str) -> None:
    components = spec(profile)["components"]["schemas"]
    problems = []
    for kind, name in spec_events(profile).items():
        target = f"event:{kind}"
        if replaced(profile, target):
            continue
        theirs = required_of(components[name])
        ours = set(schemas.event_schema(profile, kind).get("required", ()))
        expected = theirs - unrequired(profile, target)
        if ours != expected:
            problems.append((kind, sorted(expected - ours), sorted(ours - expected)))
        declared = set(components[name].get("properties", {}))
        missing_props = declared - set(schemas.event_schema(profile, kind).get("properties", {}))
        if missing_props:
            problems.append((kind, "properties", sorted(missing_props)))
    assert problems == []


@needs_shared
@pytest.mark.parametrize("profile", PROFILES)
def test_every_required_field_of_every_shared_definition_is_required_in_ours(profile: str) -> None:
    build = _load_tool("build_schemas")
    components = spec(profile)["components"]["schemas"]
    defs = json.loads((ROOT / "schemas" / profile / "_defs.json").read_text(encoding="utf-8"))["$defs"]
    assert {"Response" if profile == "openai" else "ResponseResource"} <= set(defs)
    problems = []
    for name, ours in defs.items():
        if replaced(profile, name):
            continue
        theirs = build.clean(components[name])
        expected = set(theirs.get("required", ())) - unrequired(profile, name)
        have = set(ours.get("required", ()))
        # A union rewritten as a dispatch on `type` requires `type` itself.
        extra = have - expected - ({"type"} if _is_dispatch(ours) else set())
        if expected - have or extra:
            problems.append((name, sorted(expected - have), sorted(extra)))
        for entry in overlay_entries(profile):
            if type(entry).__name__ == "Unrequire" and entry.target == name and entry.path:
                node = ours
                for part in entry.path.strip("/").split("/"):
                    node = node[part]
                assert not set(entry.fields) & set(node.get("required", ())), (name, entry.path)
    assert problems == []


@needs_shared
@pytest.mark.parametrize("profile", PROFILES)
def test_every_overlay_entry_has_a_reason_and_evidence(profile: str) -> None:
    for entry in overlay_entries(profile):
        assert entry.reason and "\n" not in entry.reason
        assert entry.evidence
    index = schemas.index(profile)
    assert len(index["overlay"]) == len(overlay_entries(profile))


@needs_shared
def test_the_generator_reproduces_schemas_byte_for_byte(tmp_path: Path) -> None:
    build = _load_tool("build_schemas")
    assert build.main([str(OPENAI_YAML), str(OPENRESPONSES_JSON), "--out", str(tmp_path)]) == 0
    for profile in PROFILES:
        ours = {p.name: p.read_bytes() for p in (ROOT / "schemas" / profile).iterdir()}
        fresh = {p.name: p.read_bytes() for p in (tmp_path / profile).iterdir()}
        assert sorted(ours) == sorted(fresh)
        changed = [name for name in ours if ours[name] != fresh[name]]
        assert changed == [], f"{profile}: regenerate with tools/build_schemas.py"


def _is_dispatch(schema: dict[str, Any]) -> bool:
    cases = schema.get("allOf", ())
    return bool(cases) and all(isinstance(c, dict) and set(c) == {"if", "then"} for c in cases)


# ---- the corpus -------------------------------------------------------------------------------


def manifest() -> list[dict[str, str]]:
    with (CORPUS / "real" / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def untouched_openai() -> list[str]:
    if not SHARED.is_dir():
        return []
    return [
        row["file"]
        for row in manifest()
        if row["provider"] in ("OpenAI", "Azure OpenAI")
        and row["authenticity"] == "recorded"
        and row["file"] not in HAND_TRIMMED
    ]


@needs_shared
def test_the_corpus_has_untouched_openai_recordings() -> None:
    assert len(untouched_openai()) >= 60


@needs_shared
@pytest.mark.parametrize("name", untouched_openai())
def test_untouched_openai_recordings_have_no_sch_findings(name: str) -> None:
    report = validator.check(str(CORPUS / "real" / name), "openai", select=["SCH"])
    assert report.streams and report.streams[0].events > 0
    assert [(f.event_index, f.event_type, f.message) for f in report.findings] == []


@needs_shared
def test_hand_trimmed_recordings_are_still_caught() -> None:
    for name in sorted(HAND_TRIMMED):
        report = validator.check(str(CORPUS / "real" / name), "openai", select=["SCH"])
        assert {f.code for f in report.findings} == {"SCH001"}, name
        assert all(f.pointer == "/response" for f in report.findings)


# ---- backend agreement ------------------------------------------------------------------------


@cache
def corpus_payloads() -> tuple[dict[str, Any], ...]:
    return tuple(_corpus_payloads())


def _corpus_payloads() -> Iterator[dict[str, Any]]:
    paths = sorted((ROOT / "fixtures").rglob("*.sse"))
    if SHARED.is_dir():
        paths += sorted((CORPUS / "real").glob("*.sse")) + sorted((CORPUS / "servers").glob("*.sse"))
    for path in paths:
        for stream in streams_from_path(str(path)):
            for event in stream.events:
                if isinstance(event.payload, dict) and isinstance(event.payload.get("type"), str):
                    yield event.payload


MUTATED_PER_TYPE = 12
WRONG_VALUES: tuple[Any, ...] = (None, 7, "x", [], {}, True, 1.5)


def mutations(payload: dict[str, Any], rng: random.Random) -> Iterator[dict[str, Any]]:
    """Copies of ``payload`` with one key dropped, or one value, at any depth, swapped for a wrong one."""
    spots = list(_spots(payload, ()))
    for path in rng.sample(spots, min(4, len(spots))):
        dropped = copy.deepcopy(payload)
        parent = _get(dropped, path[:-1])
        if isinstance(parent, dict):
            del parent[path[-1]]
            yield dropped
        swapped = copy.deepcopy(payload)
        _get(swapped, path[:-1])[path[-1]] = rng.choice(WRONG_VALUES)
        yield swapped


def _spots(value: Any, path: tuple[Any, ...], depth: int = 0) -> Iterator[tuple[Any, ...]]:
    if depth > 5:
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            if path or key != "type":
                yield (*path, key)
            yield from _spots(sub, (*path, key), depth + 1)
    elif isinstance(value, list):
        for i, sub in enumerate(value[:3]):
            yield (*path, i)
            yield from _spots(sub, (*path, i), depth + 1)


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def generated_payloads(profile: str, plans: int = 40) -> list[dict[str, Any]]:
    from validator.strategies import RandomChooser, build_events, draw_plan

    return [event for seed in range(plans) for event in build_events(draw_plan(RandomChooser(seed), profile))]


@pytest.mark.parametrize("profile", PROFILES)
def test_generated_streams_match_the_schemas_in_both_backends(profile: str) -> None:
    rng = random.Random(7)
    checked = 0
    for payload in generated_payloads(profile):
        compiled = schemas.compiled(profile, payload["type"])
        assert compiled is not None, payload["type"]
        assert compiled.is_valid(payload), compiled.explain(payload)
        assert compiled.reference.is_valid(payload)
        for candidate in mutations(payload, rng):
            assert compiled.is_valid(candidate) == compiled.reference.is_valid(candidate), json.dumps(candidate)[:300]
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("profile", PROFILES)
def test_fast_backend_agrees_with_jsonschema_on_recorded_and_mutated_events(profile: str) -> None:
    rng = random.Random(20261122)
    checked = rejected = 0
    disagreements = []
    mutated_per_type: dict[str, int] = {}
    for payload in corpus_payloads():
        compiled = schemas.compiled(profile, payload["type"])
        if compiled is None:
            continue
        candidates = [payload]
        # Mutate the first few events of each type (enough to cover every schema, cheap enough to run often).
        if mutated_per_type.get(payload["type"], 0) < MUTATED_PER_TYPE:
            mutated_per_type[payload["type"]] = mutated_per_type.get(payload["type"], 0) + 1
            candidates += list(mutations(payload, rng))
        for candidate in candidates:
            fast = compiled.is_valid(candidate)
            slow = compiled.reference.is_valid(candidate)
            checked += 1
            rejected += not slow
            if fast != slow:
                disagreements.append((payload["type"], fast, slow, json.dumps(candidate)[:200]))
            if not slow:
                assert compiled.explain(candidate) is not None
    assert checked > (5000 if SHARED.is_dir() else 50)
    assert len(mutated_per_type) >= (20 if SHARED.is_dir() else 5)
    assert rejected > checked // 20, "the mutations should produce many invalid events"
    assert disagreements == []
