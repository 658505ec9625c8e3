"""Hostile input never crashes the validator: findings, or one InputError line.

The Hypothesis side of the fuzzing (see fuzz/ for the coverage-guided side).
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance_tests.hostile import (
    check_output,
    confused_events,
    mutated_real_streams,
    seed_streams,
    structured_hostile_inputs,
)
from validator import Checker, Event, check
from validator.cli import main
from validator.errors import InputError
from validator.rules import PROFILES
from validator.sources import FORMATS, streams_from_bytes

SEEDS = seed_streams()
SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large]


def check_all_ways(data: bytes) -> None:
    for profile in PROFILES:
        for fmt in FORMATS:
            try:
                report = check(data, profile, format=fmt)
            except InputError as exc:
                message = str(exc)
                assert "\n" not in message
                continue
            for finding in report.findings:
                assert finding.code[:3].isalpha() and finding.message


@settings(suppress_health_check=SUPPRESS)
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    check_all_ways(data)


@settings(suppress_health_check=SUPPRESS)
@given(mutated_real_streams(SEEDS))
def test_mutated_real_streams(data: bytes) -> None:
    check_all_ways(data)


@settings(suppress_health_check=SUPPRESS)
@given(st.lists(confused_events(), min_size=1, max_size=12), st.sampled_from(PROFILES))
def test_events_with_members_of_the_wrong_kind(events: list[dict[str, object]], profile: str) -> None:
    checker = Checker(profile, transport="events")
    findings = []
    for i, payload in enumerate(events):
        findings += checker.feed(Event(payload=payload, index=i))
    findings += checker.close()
    assert all(f.code and f.message for f in findings)


# Each example runs the whole CLI, so this property takes half of the profile's examples.
@settings(suppress_health_check=SUPPRESS, max_examples=max(10, settings.default.max_examples // 2))
@given(mutated_real_streams(SEEDS))
def test_cli_answers_with_findings_or_exit_2(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.sse"
        path.write_bytes(data)
        result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_deeply_nested_json_is_a_finding() -> None:
    depth = 5000
    data = b'data: {"type":"response.created","sequence_number":0,"response":' + b'{"a":' * depth
    data += b"1" + b"}" * depth + b"}\n\n"
    assert "SSE001" in check(data).codes


def test_nesting_within_the_parser_limit_is_checked_without_recursion_errors() -> None:
    nested: object = []
    for _ in range(250):
        nested = [nested]
    payload = {"type": "response.output_item.added", "sequence_number": 0, "output_index": 0,
               "item": {"id": "x", "type": "message", "role": "assistant", "content": nested}}
    check([payload])  # must not raise


@pytest.mark.parametrize("profile", PROFILES)
def test_huge_numbers_and_odd_literals(profile: str) -> None:
    for literal in (b"123456789012345678901234567890", b"1e400", b"-1", b"1.5", b"true", b"NaN"):
        data = b'data: {"type":"response.created","sequence_number":' + literal + b"}\n\n"
        check(data, profile)


def test_duplicate_keys_take_the_last_value() -> None:
    (stream,) = streams_from_bytes(b'data: {"type":"a","type":"response.created"}\n\n')
    (event,) = list(stream.events)
    assert event.payload == {"type": "response.created"}


def test_lone_surrogates_and_nul_bytes() -> None:
    report = check(b'data: {"type":"response.output_text.delta","delta":"\\ud800"}\n\ndata: {"type":"a\x00"}\n\n')
    assert [f.code for f in report.findings if f.code == "SSE001"] == ["SSE001", "SSE001"]


def test_a_huge_line_is_one_event(tmp_path: Path) -> None:
    text = "y" * 5_000_000
    data = b'data: {"type":"x","t":"' + text.encode() + b'"}\n\n'
    (stream,) = streams_from_bytes(data)
    (event,) = list(stream.events)
    assert event.payload["t"] == text


def test_truncated_gzip_and_har_are_clear_errors(tmp_path: Path) -> None:
    gz = tmp_path / "s.sse.gz"
    gz.write_bytes(gzip.compress(b"data: {}\n\n" * 1000)[:40])
    har = tmp_path / "s.har"
    har.write_bytes(orjson.dumps({"log": {"entries": [{"response": {"content": {"mimeType": "text/event-stream",
                                                                                 "text": "data: {}\n\n"}}}]}})[:-7])
    for path in (gz, har):
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_har_with_hostile_shapes(tmp_path: Path) -> None:
    shapes = [
        {"log": {"entries": "no"}},
        {"log": {"entries": [1, None, {"response": []}, {"response": {"content": {"mimeType": 5}}}]}},
        {"log": {"entries": [{"response": {"content": {"mimeType": "text/event-stream", "text": "***",
                                                       "encoding": "base64"}}}]}},
    ]
    for i, shape in enumerate(shapes):
        path = tmp_path / f"h{i}.har"
        path.write_text(json.dumps(shape))
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code in (1, 2)
        assert result.exception is None or isinstance(result.exception, SystemExit)


@settings(suppress_health_check=SUPPRESS, max_examples=max(10, settings.default.max_examples // 2), deadline=None)
@given(structured_hostile_inputs(), st.sampled_from(("text", "json", "sarif", "junit", "github", "markdown")))
def test_structured_hostile_inputs_end_in_findings_and_escaped_output(
    case: tuple[bytes, str], fmt: str
) -> None:
    """Deep nesting in known fields, floods of findings, hostile strings and file names, gzip: the CLI
    answers with exit 0, 1 or 2, and no format carries a control character or a workflow command."""
    data, name = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        result = CliRunner().invoke(main, ["validate", "-vv", "--max-per-rule", "0", "-o", fmt, str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    check_output(fmt, result.stdout)
    check_output("stderr", result.stderr)


# ---- WebSocket sessions: frame logs and HAR _webSocketMessages ------------------------------------

WS_SEEDS = [p.read_bytes() for p in sorted((Path(__file__).resolve().parents[1] / "fixtures").rglob("*.ws.jsonl"))]


@st.composite
def hostile_frame_records(draw: st.DrawFn) -> dict[str, object]:
    """A frame-log record of any kind, with members of the wrong kind as often as the right one."""
    anything = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                          max_size=3), max_leaves=6)
    kind = draw(st.sampled_from(("open", "message", "binary", "close", "junk")))
    record: dict[str, object] = {"time": draw(st.none() | st.floats() | st.integers() | st.text(max_size=3))}
    if kind == "open":
        record["open"] = draw(st.fixed_dictionaries({}, optional={"url": anything, "status": anything}) | anything)
    elif kind == "message":
        text = draw(st.one_of(confused_events().map(json.dumps), st.text(max_size=40), anything.map(json.dumps)))
        record |= {"direction": draw(st.sampled_from(("send", "receive", "sideways", 3))), "text": text}
    elif kind == "binary":
        record |= {"direction": "receive", "binary": draw(st.text(max_size=12))}
    elif kind == "close":
        record["close"] = draw(st.fixed_dictionaries({}, optional={"code": anything, "reason": anything,
                                                                    "by": anything}) | anything)
    else:
        record[draw(st.text(max_size=6))] = draw(anything)
    return record


@settings(suppress_health_check=SUPPRESS)
@given(st.lists(hostile_frame_records(), min_size=1, max_size=10), st.sampled_from(PROFILES))
def test_hostile_frame_logs_give_findings_or_one_line(records: list[dict[str, object]], profile: str) -> None:
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8", "surrogatepass")
    try:
        report = check(data, profile, format="ws")
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message
        return
    for finding in report.findings:
        assert finding.code[:3].isalpha() and finding.message


@settings(suppress_health_check=SUPPRESS)
@given(mutated_real_streams(WS_SEEDS))
def test_mutated_frame_logs(data: bytes) -> None:
    check_all_ways(data)


def test_har_websocket_entries_with_hostile_shapes(tmp_path: Path) -> None:
    shapes: list[object] = [
        "no", [1, None], [{"type": "send"}], [{"type": "receive", "data": 5}], [{"type": "sideways", "data": ""}],
        [{"type": "receive", "opcode": 2, "data": "***"}], [{"type": "receive", "opcode": 9, "data": ""}],
        [{"type": "receive", "time": "soon", "data": "{\"type\": \"response.created\"}"}],
    ]
    for i, messages in enumerate(shapes):
        entry = {"request": {"method": "GET", "url": "wss://api.example/v1/responses?key=sk-secret-0000"},
                 "response": {"status": "101"}, "_webSocketMessages": messages}
        path = tmp_path / f"w{i}.har"
        path.write_text(json.dumps({"log": {"entries": [entry]}}))
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code in (0, 1, 2), (messages, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (messages, result.exception)
        assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 1, result.stderr
        assert "sk-secret-0000" not in result.output
