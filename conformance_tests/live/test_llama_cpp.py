"""llama.cpp's llama-server (built from its PyPI sdist) with our tiny model: the pinned verdict, checked.

The verdict (``servers/verdicts.json``) is asserted exactly in both profiles.
The other tests read the captured streams and send the same requests in a
form llama-server does honour, to show each pinned finding is the server's
doing, not the tiny model's or the validator's.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from conformance_tests.live.conftest import THIRDPARTY_TIMEOUT
from conformance_tests.live.servers import catalog, tiny_gguf
from conformance_tests.live.servers.catalog import RealServerRun, pinned, verdict
from validator.live.scenarios import CITY_SCHEMA, SCENARIOS
from validator.report import Report

pytestmark = [pytest.mark.thirdparty, pytest.mark.server("llama.cpp"), pytest.mark.timeout(THIRDPARTY_TIMEOUT)]

BODIES = {s.name: s.body("tiny") for s in SCENARIOS}


def frames(body: bytes) -> list[tuple[str | None, dict[str, Any]]]:
    """(event: line, payload) per frame."""
    out: list[tuple[str | None, dict[str, Any]]] = []
    for block in body.decode().split("\n\n"):
        lines = block.splitlines()
        event = next((line[6:].strip() for line in lines if line.startswith("event:")), None)
        data = "\n".join(line[5:].strip() for line in lines if line.startswith("data:"))
        if data:
            out.append((event, json.loads(data)))
    return out


def post(run: RealServerRun, path: str, body: dict[str, Any]) -> list[dict[str, Any]] | dict[str, Any]:
    with httpx.Client(timeout=60) as client:
        response = client.post(run.running.url + path, json=body)
    response.raise_for_status()
    if body.get("stream"):
        return [payload for _, payload in frames(response.content)]
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize("profile", catalog.PROFILES)
def test_verdict_is_pinned(battery: dict[str, Report], profile: str) -> None:
    assert verdict(battery[profile]) == pinned()["llama.cpp"][profile]


def test_the_model_answers_with_reasoning_and_text_as_designed(
    real_server: RealServerRun, battery: dict[str, Report]
) -> None:
    events = frames(real_server.capture("openai", "plain-text"))
    assert all(name == payload["type"] for name, payload in events)  # event: lines agree
    payloads = [p for _, p in events]
    final = payloads[-1]["response"]
    assert payloads[-1]["type"] == "response.completed"
    kinds = [item["type"] for item in final["output"]]
    assert kinds == ["reasoning", "message"]
    assert final["output"][0]["content"][0]["text"].strip() == tiny_gguf.REASONING_TEXT
    assert final["output"][1]["content"][0]["text"] == tiny_gguf.ANSWER_TEXT


def test_no_event_carries_sequence_number_or_indexes(real_server: RealServerRun, battery: dict[str, Report]) -> None:
    # SEQ001 and the SCH001 findings on deltas: server-task.cpp never writes these members.
    payloads = [p for _, p in frames(real_server.capture("openai", "plain-text"))]
    assert not any({"sequence_number", "output_index", "content_index"} & set(p) for p in payloads)
    created = payloads[0]
    assert created["type"] == "response.created" and "created_at" not in created["response"]
    # Reasoning deltas for a content part never opened (no content_part.added for the reasoning item).
    reasoning_id = next(p["item"]["id"] for p in payloads if p["type"] == "response.output_item.added")
    assert any(p["type"] == "response.reasoning_text.delta" and p["item_id"] == reasoning_id for p in payloads)
    opened = [p for p in payloads if p["type"] == "response.content_part.added"]
    assert all(p["item_id"] != reasoning_id for p in opened)
    assert "response.function_call_arguments.done" not in {p["type"] for p in payloads}


def test_max_output_tokens_cuts_the_answer_but_status_says_completed(
    real_server: RealServerRun, battery: dict[str, Report]
) -> None:
    payloads = [p for _, p in frames(real_server.capture("openai", "max-output-tokens"))]
    final = payloads[-1]["response"]
    assert final["status"] == "completed"  # hard-coded in server-task.cpp
    assert final["usage"]["output_tokens"] == 16
    texts = [i["content"][0]["text"] for i in final["output"] if i["type"] == "message"]
    answer = texts[0] if texts else ""
    assert len(answer) < len(tiny_gguf.ANSWER_TEXT) and tiny_gguf.ANSWER_TEXT.startswith(answer)


def test_object_tool_choice_is_read_as_auto(real_server: RealServerRun, battery: dict[str, Report]) -> None:
    # The battery's forced tool_choice object gets no call: server-common.cpp reads tool_choice as a string
    # and falls back to "auto". The same request forcing the call with "required" gets it (one call: a bigram
    # model allowed parallel calls repeats the same call until the token limit).
    body = dict(BODIES["function-tool"], tool_choice="required", parallel_tool_calls=False, stream=False)
    result = post(real_server, "/v1/responses", body)
    assert isinstance(result, dict)
    calls = [item for item in result["output"] if item["type"] == "function_call"]
    assert [c["name"] for c in calls] == ["get_weather"]
    assert json.loads(calls[0]["arguments"]).keys() == {"city"}


def test_text_format_is_ignored_but_chat_response_format_is_honoured(
    real_server: RealServerRun, battery: dict[str, Report]
) -> None:
    payloads = [p for _, p in frames(real_server.capture("openai", "structured-output"))]
    message = [i for i in payloads[-1]["response"]["output"] if i["type"] == "message"]
    assert message[0]["content"][0]["text"] == tiny_gguf.ANSWER_TEXT  # text.format never reached the sampler
    chat = {
        "model": "tiny",
        "messages": [{"role": "user", "content": "Give the city, country and population of Paris."}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "city_facts", "schema": CITY_SCHEMA}},
    }
    result = post(real_server, "/v1/chat/completions", chat)
    assert isinstance(result, dict)
    value = json.loads(result["choices"][0]["message"]["content"])
    assert set(value) == {"city", "country", "population"}
