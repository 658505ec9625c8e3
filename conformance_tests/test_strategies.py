"""validator.strategies and validator.writers: the stream model, the strategies, the operators, generate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import find, given, settings
from hypothesis import strategies as st

from validator import check, machine
from validator.cli import main
from validator.rules import RETIRED, catalogue
from validator.sources import streams_from_bytes
from validator.strategies import (
    OPERATORS,
    RandomChooser,
    StreamPlan,
    build_events,
    draw_plan,
    event_types,
    events,
    mutate,
    streams,
)
from validator.strategies.model import ENDINGS, Annotation, GeneratedStream, Item, TextPart
from validator.strategies.mutations import (
    ARGUMENT_DELTAS,
    HOSTED_PROGRESS,
    SESSION_OPERATORS,
    TERMINAL_TYPES,
    TEXT_DELTAS,
    Declares,
    Needs,
    Operator,
    applies_in,
    declares,
    operator,
)
from validator.strategies.mutations.declaring import is_type
from validator.strategies.samples import mutated_stream, valid_stream
from validator.writers import FORMATS, RawData, to_json, to_jsonl, to_sse

PROFILES = ("openai", "openresponses")


def types_of(plan: StreamPlan) -> list[str]:
    return [e["type"] for e in build_events(plan)]


# --- the model ----------------------------------------------------------------------------------


def test_message_events_follow_the_part_lifecycle() -> None:
    part = TextPart(["Hel", "", "lo ☃"], annotations=[Annotation("https://example.com", "Ex", 0, 5)])
    plan = StreamPlan(items=[Item(kind="message", id="msg_1", parts=[part, TextPart(["no"], refusal=True)])])
    assert types_of(plan) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.annotation.added",
        "response.output_text.done",
        "response.content_part.done",
        "response.content_part.added",
        "response.refusal.delta",
        "response.refusal.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    built = build_events(plan)
    assert [e["sequence_number"] for e in built] == list(range(len(built)))
    done = built[8]
    assert done["text"] == "Hello ☃" and done["content_index"] == 0 and done["item_id"] == "msg_1"
    final = built[-1]["response"]["output"][0]
    assert final == built[-2]["item"]
    assert final["content"][1] == {"type": "refusal", "refusal": "no"}
    assert final["content"][0]["annotations"][0]["end_index"] == 5


@pytest.mark.parametrize("profile", PROFILES)
def test_reasoning_uses_the_profile_event_names(profile: str) -> None:
    item = Item(kind="reasoning", id="rs_1", summaries=[["a", "b"]], reasoning=[["c"]])
    kinds = types_of(StreamPlan(profile=profile, items=[item]))  # type: ignore[arg-type]
    prefix = "response.reasoning_text" if profile == "openai" else "response.reasoning"
    assert f"{prefix}.delta" in kinds and f"{prefix}.done" in kinds
    assert kinds.index("response.reasoning_summary_part.added") < kinds.index("response.reasoning_summary_text.delta")


def test_hosted_tools_report_progress_between_added_and_done() -> None:
    items = [
        Item(kind="web_search_call", id="ws_1", queries=["q"]),
        Item(kind="image_generation_call", id="ig_1", partial_images=["AA==", "AQ=="], result="AA=="),
        Item(kind="mcp_call", id="mcp_1", chunks=["{", "}"], name="ask", server_label="docs"),
    ]
    kinds = types_of(StreamPlan(items=items))
    assert kinds[2:7] == [
        "response.output_item.added",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
        "response.output_item.done",
    ]
    assert kinds.count("response.image_generation_call.partial_image") == 2
    assert kinds.index("response.mcp_call_arguments.done") < kinds.index("response.mcp_call.completed")


@pytest.mark.parametrize(
    ("ending", "tail"),
    [
        ("completed", ["response.completed"]),
        ("incomplete", ["response.incomplete"]),
        ("failed", ["response.failed"]),
        ("error", ["error", "response.failed"]),
    ],
)
def test_endings(ending: str, tail: list[str]) -> None:
    plan = StreamPlan(items=[Item(kind="function_call", id="fc_1", name="f", call_id="c", chunks=["{}"])])
    plan.ending = ending  # type: ignore[assignment]
    built = build_events(plan)
    assert [e["type"] for e in built[-len(tail) :]] == tail
    if ending == "incomplete":
        assert built[-1]["response"]["output"][0]["status"] == "incomplete"
        assert built[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}


def test_background_opening_and_lone_error() -> None:
    assert types_of(StreamPlan(background=True))[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert build_events(StreamPlan(background=True))[0]["response"]["status"] == "queued"
    lone = build_events(StreamPlan(ending="error_only", error_style="flat"))
    assert lone == [
        {
            "type": "error",
            "sequence_number": 0,
            "code": "server_error",
            "message": StreamPlan().error_message,
            "param": None,
        }
    ]
    nested = build_events(StreamPlan(profile="openresponses", ending="error_only", error_style="flat"))
    assert nested[0]["error"]["code"] == "server_error"  # Open Responses always nests the error


def test_profiles_refuse_kinds_they_do_not_define() -> None:
    with pytest.raises(ValueError, match="web_search_call"):
        StreamPlan(profile="openresponses", items=[Item(kind="web_search_call", id="ws_1")])
    with pytest.raises(ValueError, match="profile"):
        streams("nonesuch")
    with pytest.raises(ValueError, match="not valid"):
        streams("openresponses", kinds=["mcp_call"])


def test_random_plans_are_reproducible_and_valid() -> None:
    for seed in range(30):
        for profile in PROFILES:
            first = valid_stream(seed, profile)  # type: ignore[arg-type]
            again = events_from_seed(seed, profile)
            assert first.events == again
            assert check(first.sse(), profile).findings == []


def events_from_seed(seed: int, profile: str) -> list[dict[str, object]]:
    return build_events(draw_plan(RandomChooser(seed), profile))  # type: ignore[arg-type]


# --- writers ------------------------------------------------------------------------------------

_AWKWARD = ["", "\n", "\r\n", "data: x", "\u2028", "\x00", "é", "🙂", "event: y\n\ndata: z"]


@given(st.lists(st.sampled_from(_AWKWARD) | st.text(st.characters(exclude_categories=["Cs"])), max_size=5))
def test_writers_round_trip_through_the_readers(texts: list[str]) -> None:
    payloads = [{"type": "response.output_text.delta", "delta": t, "sequence_number": i} for i, t in enumerate(texts)]
    for fmt, body in (("sse", to_sse(payloads)), ("jsonl", to_jsonl(payloads)), ("json", to_json(payloads))):
        (stream,) = streams_from_bytes(body, fmt=fmt)
        assert [e.payload for e in stream.events] == payloads, fmt


def test_sse_writer_options() -> None:
    event = {"type": "response.created"}
    assert to_sse([event]) == b'event: response.created\ndata: {"type":"response.created"}\n\n'
    assert to_sse([event], event_lines=False, done=True) == b'data: {"type":"response.created"}\n\ndata: [DONE]\n\n'
    assert to_sse([RawData("{oops")], names=["x"]) == b"event: x\ndata: {oops\n\n"
    assert to_jsonl([RawData("[1]"), event]) == b'[1]\n{"type":"response.created"}\n'


@pytest.mark.parametrize("profile", PROFILES)
def test_generated_sse_is_framed_for_the_profile(profile: str) -> None:
    stream = valid_stream(7, profile)  # type: ignore[arg-type]
    (source,) = streams_from_bytes(stream.sse())
    frames = list(source.events)
    assert all(f.sse_event == f.payload["type"] for f in frames if not f.done)
    assert frames[-1].done is (profile == "openresponses")


# --- the strategies -----------------------------------------------------------------------------


def test_streams_shrink_to_small_readable_streams() -> None:
    smallest = find(
        streams("openai"),
        lambda s: any(i.kind == "function_call" for i in s.plan.items),
        settings=settings(max_examples=500, database=None),
    )
    assert "function_call" in [i.kind for i in smallest.plan.items]
    assert len(smallest.plan.items) <= 2
    assert len(smallest.events) <= 14
    assert all(len(e.get("delta", "")) <= 2 for e in smallest.events)  # "{}" at most


@settings(max_examples=3, database=None)
@given(
    streams(
        "openai", kinds=["message"], min_items=2, max_items=2, min_deltas=600, max_deltas=700, endings=["completed"]
    )
)
def test_streams_respect_pinned_kinds_and_sizes(big: GeneratedStream) -> None:
    assert len(big.events) > 1000
    assert {i.kind for i in big.plan.items} == {"message"}
    assert len(big.plan.items) == 2
    assert check(big.sse(), "openai").findings == []
    assert repr(big).startswith("<GeneratedStream openai") and len(repr(big)) < 200


@pytest.mark.parametrize(("profile", "kind"), [(p, t) for p in PROFILES for t in event_types(p)])
@settings(max_examples=3, database=None)
@given(data=st.data())
def test_events_gives_valid_single_events_of_every_type(profile: str, kind: str, data: st.DataObject) -> None:
    event = data.draw(events(kind, profile))
    assert event["type"] == kind
    codes = {f.code for f in check([event], profile).findings}
    assert not codes & {"SCH001", "SCH002", "SSE001", "SSE002", "SSE003"}, codes


def test_events_refuses_unknown_types() -> None:
    with pytest.raises(ValueError, match=r"no 'response\.nonesuch' events"):
        events("response.nonesuch")
    assert "response.web_search_call.searching" not in event_types("openresponses")
    assert "response.reasoning.delta" in event_types("openresponses")


# --- operators ----------------------------------------------------------------------------------


def test_operators_do_not_claim_codes_on_streams_that_give_them_nothing() -> None:
    plan = StreamPlan(items=[Item(kind="function_call", id="fc_1", name="f", call_id="c", chunks=["{}"])])
    built = build_events(plan)
    for name in ("annotation-out-of-range", "skip-summary-index", "drop-text-done", "usage-missing"):
        if name == "usage-missing":
            plan.ending = "failed"
            built = build_events(plan)
        assert mutate(plan, built, OPERATORS[name], pick=lambda n: 0) is None, name
    # Transport defects do not exist in JSON captures.
    assert mutate(plan, built, OPERATORS["wrong-event-line"], fmt="json", pick=lambda n: 0) is None
    # A defect that is no violation in the profile is not offered.
    assert not applies_in("add-done", "openresponses")
    assert not applies_in("drop-done", "openai")


def test_a_mutation_changes_the_stream_and_declares_profile_codes() -> None:
    for profile in PROFILES:
        for name in sorted(OPERATORS):
            if not applies_in(name, profile):
                continue
            mutation = mutated_stream(1, profile, operator=name)  # type: ignore[arg-type]
            assert mutation is not None, (profile, name)
            assert mutation.codes
            assert mutation.operator == name
            valid = valid_stream(1, profile)  # type: ignore[arg-type]
            assert mutation.to_bytes() != valid.sse()


# --- what each operator declares ---------------------------------------------------------------


def test_every_operator_declares_catalogued_codes_and_where_it_applies() -> None:
    rules = catalogue()
    for op in OPERATORS.values():
        assert isinstance(op.declares, Declares) and isinstance(op.needs, Needs), op.name
        assert op.may_declare, f"{op.name} declares no code"
        assert op.may_declare <= set(rules), (op.name, sorted(op.may_declare - set(rules)))
        assert not op.may_declare & set(RETIRED), (op.name, sorted(op.may_declare & set(RETIRED)))
        needs = op.needs
        assert needs.profiles and set(needs.profiles) <= set(PROFILES), op.name
        assert needs.formats and set(needs.formats) <= set(FORMATS), op.name
        assert needs.endings is None or (needs.endings and set(needs.endings) <= set(ENDINGS)), op.name
        assert needs.min_items >= 0, op.name
        for profile in needs.profiles:
            # A profile it claims must check one of its codes and have one of the item kinds it wants.
            assert any(rules[code].severity_for(profile) for code in op.may_declare), (op.name, profile)
            assert needs.kinds_in(profile) != [], (op.name, profile)


def test_an_operator_cannot_be_registered_without_its_applicability() -> None:
    with pytest.raises(TypeError, match="needs"):
        operator("nonesuch", "no declaration of where it applies", "SEQ001")  # type: ignore[call-arg]
    assert "nonesuch" not in OPERATORS


def test_every_rule_a_stream_can_break_has_an_operator_where_the_rule_is_checked() -> None:
    missing = [
        code
        for code, rule in sorted(catalogue().items())
        if not code.startswith("HTT")  # only a live HTTP exchange breaks these
        and not any(
            code in op.may_declare and any(rule.severity_for(p) for p in op.needs.profiles)
            for op in OPERATORS.values()
        )
        # WebSocket session rules: the session operators break them
        and not any(
            code in op.codes and any(rule.severity_for(p) for p in op.profiles) for op in SESSION_OPERATORS.values()
        )
    ]
    assert missing == []


def test_every_session_operator_declares_wss_codes_checked_where_it_applies() -> None:
    rules = catalogue()
    for op in SESSION_OPERATORS.values():
        assert op.codes and all(code.startswith("WSS") and code in rules for code in op.codes), op.name
        assert op.profiles and set(op.profiles) <= set(PROFILES), op.name
        for profile in op.profiles:
            assert any(rules[code].severity_for(profile) for code in op.codes), (op.name, profile)


def test_the_event_tables_are_the_machines() -> None:
    assert "response.code_interpreter_call_code.delta" in ARGUMENT_DELTAS
    assert set(ARGUMENT_DELTAS) == {f"{prefix}.delta" for prefix in machine.ARGUMENT_EVENTS}
    assert set(TEXT_DELTAS) == {f"{prefix}.delta" for prefix in machine.TEXT_EVENTS}
    assert set(TEXT_DELTAS) | set(ARGUMENT_DELTAS) == set(machine.DELTA_INDEX_FIELD)
    assert set(HOSTED_PROGRESS) == {f"{p}.{s}" for p in machine.TOOL_EVENTS for s in machine.TOOL_EVENT}
    assert set(TERMINAL_TYPES) == machine.TERMINAL_EVENTS
    # The generators stream every delta and `.done` the operators may break.
    streamed = set(event_types("openai")) | set(event_types("openresponses"))
    assert {*TEXT_DELTAS, *TEXT_DELTAS.values(), *ARGUMENT_DELTAS, *ARGUMENT_DELTAS.values()} <= streamed


def _first(events: list[dict[str, object]], kind: str) -> int:
    return next(i for i, e in enumerate(events) if e["type"] == kind)


def test_code_interpreter_code_is_broken_like_arguments() -> None:
    item = Item(kind="code_interpreter_call", id="ci_1", chunks=["print(", "1)"], container_id="cntr_1", output="1")
    plan = StreamPlan(items=[item])  # its only item: whatever the operators break is the call's code
    built = build_events(plan)
    delta = _first(built, "response.code_interpreter_call_code.delta")
    cases = {
        # operator: (the choice that picks the code event, the code it must then declare)
        "drop": (delta - 1, "FCA001"),
        "duplicate": (delta, "FCA001"),
        "corrupt-delta": (0, "FCA001"),
        "arguments-after-done": (0, "FCA004"),
        "tool-item-arguments": (0, "FCA002"),
        "drop-arguments-done": (0, "FCA006"),
    }
    for name, (choice, code) in cases.items():
        mutation = mutate(plan, built, OPERATORS[name], pick=lambda n, c=choice: c)
        assert mutation is not None and code in mutation.codes, name
        assert code in {f.code for f in check(mutation.to_bytes(), "openai").findings}, name


def test_a_completed_image_call_sent_before_its_partial_image_is_out_of_order() -> None:
    item = Item(kind="image_generation_call", id="ig_1", partial_images=["AA=="], result="AA==")
    plan = StreamPlan(items=[item])
    built = build_events(plan)
    mutation = mutate(plan, built, OPERATORS["tool-progress-out-of-order"], pick=lambda n: 0)
    assert mutation is not None and mutation.codes == {"TOL002"}
    assert "before response.image_generation_call.partial_image" in mutation.detail
    assert "TOL002" in {f.code for f in check(mutation.to_bytes(), "openai").findings}


def test_the_declared_profiles_formats_and_endings_are_enforced() -> None:
    for profile in PROFILES:
        plan = StreamPlan(profile=profile, ending="error")  # type: ignore[arg-type]
        built = build_events(plan)
        found = mutate(plan, built, OPERATORS["error-without-failed"], pick=lambda n: 0)
        assert (found is not None) == (profile == "openresponses")
        assert mutate(plan, built, OPERATORS["usage-missing"], pick=lambda n: 0) is None
        assert mutate(plan, built, OPERATORS["not-json"], fmt="json", pick=lambda n: 0) is None
        assert mutate(plan, built, OPERATORS["not-json"], fmt="jsonl", pick=lambda n: 0) is not None


def test_an_operator_with_conditional_codes_must_say_which_event_it_changed() -> None:
    conditional = declares("SEQ002", SEQ004=is_type("response.created"))
    forgetful = Operator("forgetful", "says nothing", conditional, Needs(), lambda ctx: ctx.change(ctx.copy(), ""))
    plan = StreamPlan()
    with pytest.raises(AssertionError, match=r"Outcome\.at"):
        mutate(plan, build_events(plan), forgetful, pick=lambda n: 0)


# --- generate -----------------------------------------------------------------------------------


def test_generate_writes_valid_samples_that_validate(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["generate", "--profile", "openresponses", "--count", "4", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.sse"))
    assert len(files) == 4
    for path in files:
        assert check(path.read_bytes(), "openresponses").findings == []
        assert "codes = []" in path.with_suffix(".toml").read_text()


def test_generate_writes_mutations_with_their_codes(tmp_path: Path) -> None:
    import tomllib

    runner = CliRunner()
    args = ["generate", "--mutated", "--count", "6", "--seed", "5", "--format", "jsonl", "--out", str(tmp_path)]
    assert runner.invoke(main, args).exit_code == 0
    again = tmp_path / "again"
    assert runner.invoke(main, [*args[:-1], str(again)]).exit_code == 0
    files = sorted(tmp_path.glob("*.jsonl"))
    assert len(files) == 6
    for path in files:
        sidecar = tomllib.loads(path.with_suffix(".toml").read_text())
        assert sidecar["codes"] and sidecar["operator"] in OPERATORS
        found = {f.code for f in check(path.read_bytes(), "openai", format="jsonl").findings}
        assert set(sidecar["codes"]) <= found, (path.name, found)
        assert (again / path.name).read_bytes() == path.read_bytes()


def test_generate_options(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["generate", "--list-operators"])
    assert listed.exit_code == 0
    assert all(name in listed.output for name in OPERATORS)
    bad = runner.invoke(main, ["generate", "--mutated", "--operator", "nonesuch", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "unknown operator" in bad.output
    one = runner.invoke(
        main, ["generate", "--mutated", "--operator", "truncate", "--count", "2", "--out", str(tmp_path)]
    )
    assert one.exit_code == 0
    assert len(list(tmp_path.glob("*-truncate.sse"))) == 2


def test_the_model_does_not_import_hypothesis() -> None:
    code = (
        "import sys, validator.strategies, validator.strategies.samples, validator.writers, "
        "validator.commands.generate; assert 'hypothesis' not in sys.modules, 'hypothesis imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
