"""The schema registry, the SCH stage and the ``schemas`` command (no ../shared needed)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

import validator
from validator import schemas
from validator.cli import main
from validator.rules import PROFILES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schemas"

# A complete message stream, valid in both profiles as far as the schemas go
# (the Response carries the fields both specs require).
RESPONSE: dict[str, Any] = {
    "id": "resp_t1",
    "object": "response",
    "created_at": 1764964102,
    "completed_at": None,
    "status": "in_progress",
    "background": False,
    "error": None,
    "incomplete_details": None,
    "instructions": None,
    "max_output_tokens": None,
    "max_tool_calls": None,
    "model": "gpt-test",
    "output": [],
    "parallel_tool_calls": True,
    "previous_response_id": None,
    "reasoning": {"effort": None, "summary": None},
    "store": True,
    "temperature": 1.0,
    "presence_penalty": 0.0,
    "frequency_penalty": 0.0,
    "top_logprobs": 0,
    "text": {"format": {"type": "text"}},
    "tool_choice": "auto",
    "tools": [],
    "top_p": 1.0,
    "truncation": "disabled",
    "usage": None,
    "service_tier": "default",
    "safety_identifier": None,
    "prompt_cache_key": None,
    "metadata": {},
}
MESSAGE = {"id": "msg_t1", "type": "message", "status": "in_progress", "role": "assistant", "content": []}
PART = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}


def events() -> list[dict[str, Any]]:
    done_part = {**PART, "text": "Hi"}
    done_msg = {**MESSAGE, "status": "completed", "content": [done_part]}
    usage = {
        "input_tokens": 3,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 4,
    }
    final = {**RESPONSE, "status": "completed", "completed_at": 1764964103, "output": [done_msg], "usage": usage}
    ids = {"item_id": "msg_t1", "output_index": 0, "content_index": 0}
    stream: list[dict[str, Any]] = [
        {"type": "response.created", "response": RESPONSE},
        {"type": "response.in_progress", "response": RESPONSE},
        {"type": "response.output_item.added", "output_index": 0, "item": MESSAGE},
        {"type": "response.content_part.added", **ids, "part": PART},
        {"type": "response.output_text.delta", **ids, "delta": "Hi", "logprobs": []},
        {"type": "response.output_text.done", **ids, "text": "Hi", "logprobs": []},
        {"type": "response.content_part.done", **ids, "part": done_part},
        {"type": "response.output_item.done", "output_index": 0, "item": done_msg},
        {"type": "response.completed", "response": final},
    ]
    return [copy.deepcopy({**e, "sequence_number": i}) for i, e in enumerate(stream)]


def sch(payloads: list[dict[str, Any]], profile: str) -> list[validator.Finding]:
    return [f for f in validator.check(payloads, profile).findings if f.code.startswith("SCH")]


def schema_files() -> list[Path]:
    return sorted(p for p in SCHEMA_DIR.glob("*/*.json") if p.parent.name in PROFILES and p.name != "_index.json")


# ---- the files --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", schema_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_schema_file_passes_the_2020_12_meta_schema(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_bundled_event_schema_compiles_in_both_backends(profile: str) -> None:
    for kind in schemas.event_types(profile):
        bundle = schemas.bundled(profile, kind)
        Draft202012Validator.check_schema(bundle)
        jsonschema_rs.validator_for(bundle)
        assert "_defs.json" not in json.dumps(bundle), kind


def test_profiles_define_the_expected_number_of_event_types() -> None:
    assert len(schemas.event_types("openai")) == 59
    assert len(schemas.event_types("openresponses")) == 24
    assert "response.compaction.compacting" in schemas.event_types("openai")
    assert "response.compaction.compacting" not in schemas.event_types("openresponses")


def test_schemas_carry_no_prose() -> None:
    banned = ("description", "title", "example", "examples", "x-oaiMeta", "discriminator")
    for path in schema_files():
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        found = _keywords(data)
        assert not found.intersection(banned), (path.name, found.intersection(banned))


def _keywords(schema: Any, in_map: bool = False) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if not in_map:
                found.add(key)
            found |= _keywords(value, in_map=key in ("properties", "$defs", "patternProperties") and not in_map)
    elif isinstance(schema, list):
        for value in schema:
            found |= _keywords(value)
    return found


# ---- the stage --------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_a_valid_stream_has_no_sch_findings(profile: str) -> None:
    assert sch(events(), profile) == []


def mutated(index: int, change: Any) -> list[dict[str, Any]]:
    stream = events()
    change(stream[index])
    return stream


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("index", "change", "pointer", "message"),
    [
        (
            2,
            lambda e: e["item"].update(status="ready"),
            "/item/status",
            "/item/status: 'ready' is not one of ['in_progress', 'completed', 'incomplete']",
        ),
        (4, lambda e: e.pop("delta"), "", "'delta' is a required property"),
        (4, lambda e: e.update(content_index="0"), "/content_index", "/content_index: '0' is not of type 'integer'"),
        (4, lambda e: e.update(item_id=None), "/item_id", "/item_id: None is not of type 'string'"),
        (3, lambda e: e["part"].pop("text"), "/part", "/part: 'text' is a required property"),
        (7, lambda e: e["item"]["content"][0].update(annotations={}), "/item/content/0/annotations", None),
        (8, lambda e: e["response"]["output"][0].update(role=7), "/response/output/0/role", None),
        (0, lambda e: e["response"].update(id=12), "/response/id", "/response/id: 12 is not of type 'string'"),
    ],
)
def test_invalid_events_are_reported_at_the_failing_pointer(
    profile: str, index: int, change: Any, pointer: str, message: str | None
) -> None:
    findings = sch(mutated(index, change), profile)
    assert [(f.code, f.event_index, f.pointer) for f in findings] == [("SCH001", index, pointer)]
    assert "\n" not in findings[0].message
    if message is not None:
        assert findings[0].message == message
    assert findings[0].severity.value == "error"


@pytest.mark.parametrize("profile", PROFILES)
def test_one_finding_per_event_names_every_violation_in_it(profile: str) -> None:
    def break_three(event: dict[str, Any]) -> None:
        event.pop("delta")
        event.update(content_index="0", item_id=None)

    (finding,) = sch(mutated(4, break_three), profile)
    assert finding.code == "SCH001" and finding.event_index == 4
    assert "(and 2 more in this event: " in finding.message
    for part in ("'delta' is a required property", "/content_index: '0' is not of type", "/item_id: None"):
        assert part in finding.message
    assert "\n" not in finding.message


def test_a_flood_of_violations_in_one_event_is_counted_not_listed() -> None:
    stream = events()
    stream[0]["response"]["output"] = [7] * 5000  # each element fails the item union
    (finding,) = sch(stream, "openai")
    assert finding.code == "SCH001"
    assert "(and 4999 more in this event: " in finding.message and finding.message.endswith(", ...)")
    assert len(finding.message) < 1000


def test_an_unknown_item_type_is_an_error_in_openresponses() -> None:
    stream = mutated(2, lambda e: e["item"].update(type="mystery_call"))
    (finding,) = sch(stream, "openresponses")
    assert (finding.code, finding.severity.value, finding.pointer) == ("SCH001", "error", "/item/type")
    assert "'mystery_call' is not one of" in finding.message
    (finding,) = sch(mutated(3, lambda e: e["part"].update(type="output_txt")), "openresponses")
    assert (finding.code, finding.pointer) == ("SCH001", "/part/type")


# ---- unknown union members (SCH004) -----------------------------------------------------------

WEB_SEARCH = {
    "id": "ws_1", "type": "web_search_call", "status": "completed", "action": {"type": "search", "query": "q"}
}


def with_item(item: dict[str, Any]) -> list[dict[str, Any]]:
    return mutated(2, lambda e: e.update(item=copy.deepcopy(item)))


@pytest.mark.parametrize(
    ("stream", "pointer", "union", "tag"),
    [
        (lambda: mutated(2, lambda e: e["item"].update(type="mystery_call")), "/item/type", "OutputItem",
         "mystery_call"),
        (lambda: mutated(3, lambda e: e["part"].update(type="output_txt")), "/part/type", "OutputContent",
         "output_txt"),
        (
            lambda: with_item({**WEB_SEARCH, "action": {"type": "lookup", "query": "q"}}),
            "/item/action/type",
            "WebSearchToolCall.action",
            "lookup",
        ),
        (
            lambda: with_item({**WEB_SEARCH, "action": {"type": "search", "sources": [{"type": "api", "name": "w"}]}}),
            "/item/action/sources/0/type",
            "WebSearchActionSearch.sources[]",
            "api",
        ),
        (
            lambda: mutated(7, lambda e: e["item"]["content"][0]["annotations"].append({"type": "page_citation"})),
            "/item/content/0/annotations/0/type",
            "Annotation",
            "page_citation",
        ),
    ],
    ids=["item", "content-part", "web-search-action", "web-search-source", "annotation"],
)
def test_an_unknown_union_member_is_a_warning_in_openai_that_names_it(
    stream: Any, pointer: str, union: str, tag: str
) -> None:
    (finding,) = sch(stream(), "openai")
    assert (finding.code, finding.severity.value, finding.pointer) == ("SCH004", "warning", pointer)
    assert f"unknown {union} member type {tag!r}" in finding.message
    assert "could not be checked" in finding.message
    assert finding.actual == tag and tag not in finding.expected
    (strict,) = sch(stream(), "openresponses") or [None]
    assert strict is None or (strict.code, strict.severity.value) == ("SCH001", "error")


def test_known_members_stay_strict_and_other_violations_are_still_sch001() -> None:
    # A known member with a wrong field: SCH001 as before.
    (finding,) = sch(with_item({**WEB_SEARCH, "action": {"type": "search", "query": 5}}), "openai")
    assert (finding.code, finding.pointer) == ("SCH001", "/item/action/query")
    # An unknown member and, elsewhere in the event, a real violation: both are reported.
    item = {**WEB_SEARCH, "status": "ready", "action": {"type": "lookup"}}
    assert sorted((f.code, f.pointer) for f in sch(with_item(item), "openai")) == [
        ("SCH001", "/item/status"),
        ("SCH004", "/item/action/type"),
    ]
    # A member's `type` of the wrong JSON type is not an unknown member.
    (finding,) = sch(mutated(2, lambda e: e["item"].update(type=7)), "openai")
    assert finding.code == "SCH001"


def test_an_unknown_member_is_reported_once_per_stream_and_can_be_ignored() -> None:
    stream = events()
    for index, where in ((2, "item"), (7, "item")):
        stream[index][where]["type"] = "mystery_call"
    stream[8]["response"]["output"][0]["type"] = "mystery_call"
    assert [(f.code, f.event_index) for f in sch(stream, "openai")] == [("SCH004", 2)]
    report = validator.check(stream, "openai", ignore=["SCH004"])
    assert not [f for f in report.findings if f.code.startswith("SCH")]


def test_the_build_records_each_union_with_its_members() -> None:
    unions = schemas.union_tags("openai")
    assert unions[frozenset({"search", "open_page", "find_in_page"})] == "WebSearchToolCall.action"
    assert unions[frozenset({"url"})] == "WebSearchActionSearch.sources[]"
    assert "message" in next(tags for tags, name in unions.items() if name == "OutputItem")
    index = schemas.index("openresponses")
    assert any(u["at"] == "ItemField#" and u["open"] for u in index["unions"])


def test_openresponses_accepts_slug_prefixed_items_with_id_type_status() -> None:
    item = {"id": "x_1", "type": "acme:search_result", "status": "completed", "hits": 3}
    stream = mutated(2, lambda e: e.update(item=item))
    assert sch(stream, "openresponses") == []
    (finding,) = sch(mutated(2, lambda e: e.update(item={"id": "x_1", "type": "acme:search_result"})), "openresponses")
    assert (finding.pointer, finding.message) == ("/item", "/item: 'status' is a required property")
    (finding,) = sch(stream, "openai")
    assert finding.pointer == "/item/type"


def test_unknown_event_type_is_a_warning_in_openai_and_reported_once_per_type() -> None:
    stream = events()
    stream[3:3] = [{"type": "heartbeat"}, {"type": "heartbeat"}, {"type": "vendor.progress", "sequence_number": 99}]
    findings = sch(stream, "openai")
    assert [(f.code, f.severity.value, f.pointer, f.event_index) for f in findings] == [
        ("SCH002", "warning", "/type", 3),
        ("SCH002", "warning", "/type", 5),
    ]


def test_openresponses_unknown_types_need_a_slug_and_a_sequence_number() -> None:
    stream = events()
    stream[3:3] = [
        {"type": "heartbeat"},
        {"type": "acme:trace_event", "sequence_number": 3, "phase": "x"},
        {"type": "acme:trace_event", "phase": "y"},
        {"type": "acme:trace_event", "sequence_number": "4"},
    ]
    findings = sch(stream, "openresponses")
    assert [(f.code, f.severity.value, f.event_index, f.pointer) for f in findings] == [
        ("SCH002", "error", 3, "/type"),
        ("SCH003", "error", 5, "/sequence_number"),
        ("SCH003", "error", 6, "/sequence_number"),
    ]


# ---- non-standard events by name (SCH005-SCH007) ----------------------------------------------

NON_STANDARD = [
    ({"type": "keepalive", "sequence_number": 3}, "SCH005", "info", "OpenAI"),
    ({"type": "response.apply_patch_call_operation_diff.delta", "sequence_number": 3, "delta": "@@"}, "SCH005",
     "info", "apply_patch"),
    ({"type": "codex.rate_limits", "rate_limits": {"allowed": True}}, "SCH005", "info", "Codex"),
    ({"type": "response.keep_alive"}, "SCH006", "error", "OpenRouter"),
    ({"type": "ping"}, "SCH006", "error", "another API"),
    ({"type": "response.error", "error": {"message": "m"}}, "SCH007", "error", "response.failed"),
]


@pytest.mark.parametrize(("payload", "code", "severity", "words"), NON_STANDARD, ids=lambda v: str(v)[:40])
def test_non_standard_events_are_named_with_their_diagnosis(
    payload: dict[str, Any], code: str, severity: str, words: str
) -> None:
    stream = events()
    stream[3:3] = [payload, dict(payload)]
    findings = sch(stream, "openai")
    assert [(f.code, f.severity.value, f.event_index, f.pointer) for f in findings] == [(code, severity, 3, "/type")]
    assert words in findings[0].message
    (strict,) = sch(stream, "openresponses")
    assert (strict.code, strict.severity.value) == (code, "error")
    assert "slug-prefixed" in strict.message


def test_keepalive_takes_its_place_in_the_sequence() -> None:
    stream = events()
    stream.insert(5, {"type": "keepalive"})
    renumbered = [{**e, "sequence_number": i} for i, e in enumerate(stream)]
    report = validator.check(renumbered, "openai")
    assert [(f.code, f.severity.value) for f in report.findings] == [("SCH005", "info")]
    skipped = [e for e in renumbered if e["type"] != "keepalive"]
    assert {f.code for f in validator.check(skipped, "openai").findings} == {"SEQ004"}  # the gap it leaves


def test_a_stream_ending_with_a_terminal_lookalike_is_told_so_by_name() -> None:
    stream = events()
    stream[-1] = {**stream[-1], "type": "response.done"}
    findings = validator.check(stream, "openai").findings
    assert [(f.code, f.severity.value) for f in findings] == [("SCH007", "error"), ("LIF007", "error")]
    assert "Realtime API" in findings[0].message
    assert "it ends with the non-standard response.done" in findings[1].message


def test_a_family_member_name_is_escaped_in_the_message() -> None:
    stream = events()
    stream.insert(3, {"type": "response.apply_patch_call_operation_diff.\x1b[31mred"})
    (finding,) = sch(stream, "openai")
    assert finding.code == "SCH005" and "\x1b" not in finding.message


def test_openai_error_event_accepts_the_nested_and_the_flat_form_but_not_neither() -> None:
    nested = {"type": "error", "sequence_number": 1, "error": {"type": "x", "code": "c", "message": "m", "param": None}}
    flat = {"type": "error", "sequence_number": 1, "code": "c", "message": "m", "param": None}
    assert schemas.validate("openai", nested) is None
    assert schemas.validate("openai", flat) is None
    violation = schemas.validate("openai", {"type": "error", "sequence_number": 1, "message": "m"})
    assert violation is not None and violation.keyword == "required"
    violation = schemas.validate("openai", {**nested, "error": {"code": "c"}})
    assert violation is not None and violation.pointer == "/error"


def test_openresponses_error_event_has_its_own_shape() -> None:
    payload = {
        "type": "error",
        "sequence_number": 1,
        "error": {"type": "server_error", "code": None, "message": "boom", "param": None},
    }
    assert schemas.validate("openresponses", payload) is None
    flat = {"type": "error", "sequence_number": 1, "code": "c", "message": "m", "param": None}
    violation = schemas.validate("openresponses", flat)
    assert violation is not None and violation.message == "'error' is a required property"


def test_openai_profile_takes_production_shapes_from_the_overlay() -> None:
    done = {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0, "arguments": "{}"}
    assert schemas.validate("openai", {**done, "sequence_number": 3}) is None
    assert schemas.validate("openai", done) is None  # pre-2025-04 streams had no sequence_number
    delta = {"type": "response.output_text.delta", "item_id": "m", "output_index": 0, "content_index": 0, "delta": "x"}
    assert schemas.validate("openai", {**delta, "obfuscation": "abc"}) is None
    violation = schemas.validate("openai", {**delta, "obfuscation": 5})
    assert violation is not None and violation.pointer == "/obfuscation"
    violation = schemas.validate("openresponses", {**delta})
    assert violation is not None and violation.message == "'sequence_number' is a required property"


def test_switched_off_rules_cost_nothing_and_report_nothing() -> None:
    stream = mutated(4, lambda e: e.pop("delta"))
    report = validator.check(stream, "openai", ignore=["SCH001"])
    assert not any(f.code == "SCH001" for f in report.findings)


def test_compiled_validators_are_built_once_per_process() -> None:
    first = schemas.compiled("openai", "response.output_text.delta")
    assert first is not None
    assert schemas.compiled("openai", "response.output_text.delta") is first
    assert schemas.compiled("openai", "no.such.type") is None


def test_schema_dir_is_the_checkout_schemas_directory() -> None:
    assert schemas.schema_dir() == SCHEMA_DIR


# ---- the command ------------------------------------------------------------------------------


def test_cli_lists_every_event_type_per_profile() -> None:
    result = CliRunner().invoke(main, ["schemas"])
    assert result.exit_code == 0, result.output
    assert "openai: 59 event types" in result.output
    assert "openresponses: 24 event types (Open Responses 2026-04-24)" in result.output
    assert "  response.compaction.compacting" in result.output


def test_cli_json_listing_names_files_that_exist() -> None:
    result = CliRunner().invoke(main, ["schemas", "--json", "--profile", "openresponses"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["openresponses"]
    listing = data["openresponses"]
    assert len(listing["events"]) == 24
    for entry in listing["events"]:
        assert (Path(listing["directory"]) / entry["file"]).is_file()


def test_cli_dump_prints_the_file_and_the_bundle() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["schemas", "--profile", "openai", "--dump", "response.output_text.delta"])
    assert result.exit_code == 0
    assert result.output == (SCHEMA_DIR / "openai" / "response.output_text.delta.json").read_text(encoding="utf-8")
    result = runner.invoke(main, ["schemas", "--dump", "response.completed", "--bundled"])
    assert result.exit_code == 0
    assert json.loads(result.output) == schemas.bundled("openai", "response.completed")
    result = runner.invoke(main, ["schemas", "--profile", "openresponses", "--dump", "_defs"])
    assert "ResponseResource" in json.loads(result.output)["$defs"]


def test_cli_dump_of_an_unknown_type_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["schemas", "--dump", "response.text_delta"])
    assert result.exit_code == 2
    assert "no openai schema for event type 'response.text_delta'" in result.output
    assert "Traceback" not in result.output


def test_cli_path_prints_the_directory() -> None:
    result = CliRunner().invoke(main, ["schemas", "--path"])
    assert result.output.strip() == str(SCHEMA_DIR)
    result = CliRunner().invoke(main, ["schemas", "--path", "--profile", "openai"])
    assert result.output.strip() == str(SCHEMA_DIR / "openai")


def test_deeply_nested_and_huge_values_give_findings_not_tracebacks() -> None:
    deep: list[Any] = []
    cursor = deep
    for _ in range(5000):
        cursor.append([])
        cursor = cursor[0]
    delta = events()[4]
    violation = schemas.validate("openai", {**delta, "delta": deep})
    assert violation is not None and violation.keyword == "depth"
    assert schemas.validate("openai", {**delta, "extra": deep}) is None
    assert schemas.validate("openai", {**delta, "sequence_number": 10**40}) is None
    text = '{"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":'
    body = f'data: {text}{"[" * 900}{"]" * 900}, "sequence_number": 0}}\n\n'.encode()
    findings = [f for f in validator.check(body, "openai").findings if f.code == "SCH001"]
    assert [f.pointer for f in findings] == ["/delta"]
    assert len(findings[0].message) < 200


def test_a_nullable_union_is_explained_by_the_branch_that_was_meant() -> None:
    payload = {
        "type": "response.output_text.annotation.added",
        "sequence_number": 5,
        "item_id": "msg_t1",
        "output_index": 0,
        "content_index": 0,
        "annotation_index": 0,
        "annotation": {"type": "url_citation", "url": "https://example.invalid/", "title": "t", "end_index": 3},
    }
    violation = schemas.validate("openai", payload)
    assert violation is not None
    assert violation.message == "/annotation: 'start_index' is a required property"
    assert schemas.validate("openai", {**payload, "annotation": {**payload["annotation"], "start_index": 0}}) is None
