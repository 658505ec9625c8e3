"""Llama Stack 0.2.12 over our fake Chat Completions upstream: the battery's pinned verdict, and its findings checked.

The verdict (``servers/verdicts.json``) is asserted exactly in both profiles.
The other tests read the captured streams and the upstream's request log to
show each pinned finding is the server's doing, not the fake upstream's or
the validator's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance_tests.live.conftest import THIRDPARTY_TIMEOUT
from conformance_tests.live.servers import catalog
from conformance_tests.live.servers.catalog import RealServerRun, pinned, verdict
from conformance_tests.live.servers.fake_chat_upstream import WORDS
from validator.report import Report

pytestmark = [pytest.mark.thirdparty, pytest.mark.server("llama-stack"), pytest.mark.timeout(THIRDPARTY_TIMEOUT)]


def payloads(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line[5:]) for line in body.decode().splitlines() if line.startswith("data:")]


def forwarded(run: RealServerRun) -> list[dict[str, Any]]:
    """What Llama Stack sent upstream, one request body per line."""
    lines = (run.workdir / "upstream.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("profile", catalog.PROFILES)
def test_verdict_is_pinned(battery: dict[str, Report], profile: str) -> None:
    assert verdict(battery[profile]) == pinned()["llama-stack"][profile]


def test_text_stream_has_only_deltas_between_created_and_completed(
    real_server: RealServerRun, battery: dict[str, Report]
) -> None:
    events = payloads(real_server.capture("openai", "plain-text"))
    types = [e["type"] for e in events]
    assert types == ["response.created", *["response.output_text.delta"] * len(WORDS), "response.completed"]
    # SEQ005: numbers on the deltas only, from 1; ITM001: no output_item.added for the deltas' item.
    assert "sequence_number" not in events[0] and "sequence_number" not in events[-1]
    assert [e["sequence_number"] for e in events[1:-1]] == list(range(1, len(WORDS) + 1))
    # FIN003: the final message has another id than the one the deltas named.
    final = events[-1]["response"]
    assert final["output"][0]["id"] != events[1]["item_id"]
    # SCH001 and FIN005: Response snapshots without incomplete_details, instructions, tools, usage.
    for snapshot in (events[0]["response"], final):
        assert not {"incomplete_details", "instructions", "tools", "usage"} & set(snapshot)


def test_function_calls_appear_only_in_the_final_response(
    real_server: RealServerRun, battery: dict[str, Report]
) -> None:
    events = payloads(real_server.capture("openai", "function-tool"))
    assert [e["type"] for e in events] == ["response.created", "response.completed"]
    assert [i["type"] for i in events[-1]["response"]["output"]] == ["function_call"]


def test_max_output_tokens_and_tool_choice_are_not_forwarded(
    real_server: RealServerRun, battery: dict[str, Report]
) -> None:
    # HTT013 is Llama Stack's: the upstream honours max_tokens, but was never sent one.
    requests = forwarded(real_server)
    assert requests, "the upstream saw no request"
    assert not any({"max_tokens", "max_completion_tokens", "tool_choice", "stream_options"} & set(r) for r in requests)
    events = payloads(real_server.capture("openai", "max-output-tokens"))
    assert events[-1]["response"]["status"] == "completed"
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "".join(WORDS)


def test_structured_output_is_forwarded_and_passes(real_server: RealServerRun, battery: dict[str, Report]) -> None:
    formats = [r["response_format"] for r in forwarded(real_server)]
    formats = [f for f in formats if f.get("type") != "text"]
    assert formats and formats[0]["type"] == "json_schema"
    assert "HTT010" not in pinned()["llama-stack"]["openai"]["structured-output"]
