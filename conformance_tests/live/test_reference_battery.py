"""The whole battery against our own reference server: conformant in both profiles."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from validator import reference_server
from validator.live import SCENARIO_NAMES, parse_capabilities, run_battery, run_scenario, select_scenarios
from validator.model import Severity

from .conftest import target_for

PROFILES = ("openai", "openresponses")


@pytest.mark.parametrize("profile", PROFILES)
def test_every_scenario_is_conformant(reference_url: str, profile: str) -> None:
    report = run_battery(target_for(reference_url, profile), profile, capabilities=parse_capabilities(["all"]))
    assert [s.name for s in report.streams] == list(SCENARIO_NAMES)
    for stream in report.streams:
        assert stream.skipped is None, stream.name
        serious = [f"{f.code} {f.message}" for f in stream.findings if f.severity is not Severity.INFO]
        assert serious == [], f"{stream.name}: {serious}"
        assert stream.http is not None
        if stream.name in ("invalid-request", "unknown-model", "unknown-previous-response"):
            assert stream.http.status == (404 if stream.name == "unknown-model" else 400)
            assert stream.events == 0
        elif stream.name == "background-cancel":  # JSON requests only: create, cancel, retrieve
            assert stream.http.status == 200
            assert stream.http.headers["content-type"].startswith("application/json")
            assert stream.events == 0
        elif stream.name == "compact":  # a JSON answer, not a stream
            assert stream.http.status == 200 and stream.http.url.endswith("/v1/responses/compact")
            assert stream.events == 0
        else:
            assert stream.http.status == 200
            assert stream.http.headers["content-type"].startswith("text/event-stream")
            assert stream.events >= 5
    assert report.ok(strict=True)


def test_openresponses_streams_end_with_done_and_openai_ones_do_not(reference_url: str) -> None:
    for profile, ends_with_done in (("openai", False), ("openresponses", True)):
        body = httpx.post(
            reference_url + "/v1/responses",
            json={"model": "m", "input": "hi", "stream": True},
            headers={"X-Conformance-Profile": profile},
            timeout=10,
        ).text
        assert body.rstrip().endswith("data: [DONE]") is ends_with_done, profile


def test_scenarios_get_what_they_ask_for(reference_url: str) -> None:
    """The reference server answers each scenario the way its verifier expects (no vacuous pass)."""
    target = target_for(reference_url)
    seen = {}
    with httpx.Client() as client:
        for scenario in select_scenarios():
            body = scenario.body("m")
            if scenario.expect == "reject" or not body.get("stream"):
                continue  # rejections, and the background request that is cancelled (not streamed)
            response = client.post(target.url, json=body, timeout=10)
            events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")]
            final = events[-1]["response"]
            seen[scenario.name] = final
            assert run_scenario(client, target, scenario).ok(strict=True)
    assert [i["name"] for i in seen["function-tool"]["output"]] == ["get_weather"]
    assert [i["name"] for i in seen["parallel-tool-calls"]["output"]] == ["get_weather", "get_time"]
    text = seen["structured-output"]["output"][0]["content"][0]["text"]
    assert json.loads(text) == {"city": "Paris", "country": "example", "population": 4}
    assert seen["max-output-tokens"]["status"] == "incomplete"
    assert seen["max-output-tokens"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert seen["reasoning"]["output"][0]["type"] == "reasoning"
    assert seen["instructions"]["instructions"].startswith("You are a terse assistant")
    assert seen["multi-turn"]["output"][0]["content"][0]["text"].endswith("(turn 2)")


def test_undeclared_capabilities_are_skipped_not_passed(reference_url: str) -> None:
    report = run_battery(target_for(reference_url), "openai", capabilities=parse_capabilities(["tools"]))
    skipped = {s.name: s.skipped for s in report.streams if s.skipped}
    assert set(skipped) == {
        "instructions",
        "multi-turn",
        "parallel-tool-calls",
        "structured-output",
        "max-output-tokens",
        "reasoning",
        "invalid-request",
        "unknown-model",
        "non-streaming",
        "cancel-mid-stream",
        "background-resume",
        "concurrency",
        "previous-response-id",
        "unknown-previous-response",
        "background-cancel",
        "keep-alive",
        "encrypted-reasoning",
        "no-obfuscation",
        "system-message",
        "compact",
    }
    assert all("does not declare capability" in reason for reason in skipped.values())
    ran = [s.name for s in report.streams if s.skipped is None]
    # phase-history and image-input run undeclared, with the lenient verdict (answered, or a clean 4xx).
    assert ran == ["plain-text", "function-tool", "phase-history", "image-input"]
    data = report.to_dict()
    assert data["summary"]["skipped"] == 20
    assert all("skipped" in s for s in data["streams"] if s["name"] in skipped)


def test_default_capabilities_skip_reasoning(reference_url: str) -> None:
    report = run_battery(target_for(reference_url), "openai", scenarios=["reason*", "plain-*"])
    assert [(s.name, s.skipped is not None) for s in report.streams] == [("plain-text", False), ("reasoning", True)]


def test_unknown_scenario_or_capability_is_an_error() -> None:
    with pytest.raises(ValueError, match="no scenario matches"):
        select_scenarios(["nope"])
    with pytest.raises(ValueError, match="unknown capability"):
        parse_capabilities(["telepathy"])


def test_the_openai_sdk_reads_reference_streams(reference_url: str) -> None:
    """openai-python's own accumulator agrees with the reference server's streams."""
    openai = pytest.importorskip("openai")
    # Closed on the way out: an SDK client left to the garbage collector leaks its pooled socket
    # (a ResourceWarning, an error under filterwarnings, raised in whichever later test collects it).
    with openai.OpenAI(base_url=reference_url + "/v1", api_key="unused", max_retries=0, timeout=10) as client:
        with client.responses.stream(model="m", input="Say hello.") as stream:
            for _ in stream:
                pass
            final = stream.get_final_response()
        assert final.output_text.startswith(reference_server.GREETING)
        with client.responses.stream(
            model="m",
            input="weather?",
            tools=[{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}],
        ) as stream:
            for _ in stream:
                pass
            final = stream.get_final_response()
    assert [item.type for item in final.output] == ["function_call"]


def test_reference_server_as_a_process_and_check_as_a_command(tmp_path: Path) -> None:
    """`python -m validator.reference_server --port N` and the installed `responses-conformance check`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "validator.reference_server", "--port", str(port), "--profile", "openresponses"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "reference server did not start"
                time.sleep(0.1)
        command = Path(sys.executable).parent / "responses-conformance"
        result = subprocess.run(
            [str(command), "check", "--base-url", f"http://127.0.0.1:{port}/v1", "--profile", "openresponses",
             "--capability", "all", "--strict", "--report", f"junit={tmp_path / 'junit.xml'}"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conformant (openresponses profile)" in result.stdout
    assert (tmp_path / "junit.xml").read_text().count("<testsuite ") == len(SCENARIO_NAMES)


def test_json_results_name_the_official_test_they_cover(reference_url: str) -> None:
    report = run_battery(target_for(reference_url), "openai", scenarios=["plain-text", "non-streaming", "concurrency"])
    covers = {s["name"]: s.get("covers") for s in report.to_dict()["streams"]}
    suite = "openresponses/openresponses src/lib/compliance-tests.ts"
    assert covers == {
        "plain-text": {"suite": suite, "test": "streaming-response"},
        "non-streaming": {"suite": suite, "test": "basic-response"},
        "concurrency": None,
    }


def test_default_capabilities_run_the_deeper_battery_but_not_unknown_models_or_background(reference_url: str) -> None:
    report = run_battery(
        target_for(reference_url), "openai", scenarios=["unknown-model", "non-*", "cancel-*", "background-r*", "conc*"]
    )
    assert [(s.name, s.skipped is not None) for s in report.streams] == [
        ("unknown-model", True),
        ("non-streaming", False),
        ("cancel-mid-stream", False),
        ("background-resume", True),
        ("concurrency", False),
    ]
    assert report.ok(strict=True)
    (concurrency,) = [s for s in report.streams if s.name == "concurrency"]
    assert concurrency.events >= 4 * 5  # four whole streams were checked


def test_a_background_response_resumes_with_the_same_events(reference_url: str) -> None:
    """The reference server's resumption is what the scenario expects: the events after N, same numbers."""
    body = {"model": "m", "input": "Say hello.", "background": True, "stream": True}
    streamed = httpx.post(reference_url + "/v1/responses", json=body, timeout=10).text
    events = [json.loads(line[6:]) for line in streamed.splitlines() if line.startswith("data: {")]
    response_id = events[0]["response"]["id"]
    assert events[0]["response"]["background"] is True
    resumed = httpx.get(f"{reference_url}/v1/responses/{response_id}?stream=true&starting_after=3", timeout=10).text
    assert [json.loads(line[6:]) for line in resumed.splitlines() if line.startswith("data: {")] == events[4:]
    final = httpx.get(f"{reference_url}/v1/responses/{response_id}", timeout=10).json()
    assert final == events[-1]["response"]
    assert httpx.get(reference_url + "/v1/responses/resp_unknown", timeout=10).status_code == 404


# --- continuation and background cancellation ----------------------------------------------------


def test_default_capabilities_skip_continuation_and_background_cancel(reference_url: str) -> None:
    """A server that stores nothing and runs nothing in the background is not failed by default."""
    chosen = ["previous-*", "unknown-prev*", "background-c*"]
    report = run_battery(target_for(reference_url), "openai", scenarios=chosen)
    assert [(s.name, s.skipped is not None) for s in report.streams] == [
        ("previous-response-id", True),
        ("unknown-previous-response", True),
        ("background-cancel", True),
    ]
    assert all("does not declare capability" in (s.skipped or "") for s in report.streams)


def _events(text: str) -> list[dict[str, object]]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]


def test_a_continued_response_carries_the_earlier_turns(reference_url: str) -> None:
    """The reference server's continuation is real: the first turn's input and output come before the new
    input (the answer counts two user turns), the Response names its previous id, and only `store: true`
    responses can be continued."""
    with httpx.Client(timeout=10) as client:
        first = _events(client.post(reference_url + "/v1/responses", json={
            "model": "m", "input": "My name is Ada.", "store": True, "stream": True}).text)
        first_id = first[-1]["response"]["id"]
        assert first[-1]["response"]["store"] is True
        second = _events(client.post(reference_url + "/v1/responses", json={
            "model": "m", "input": "What is my name?", "previous_response_id": first_id, "stream": True}).text)
        final = second[-1]["response"]
        assert final["previous_response_id"] == first_id
        assert all(e["response"]["previous_response_id"] == first_id for e in second if "response" in e)
        assert final["output"][0]["content"][0]["text"].endswith("What is my name? (turn 2)")
        assert client.get(f"{reference_url}/v1/responses/{first_id}").json() == first[-1]["response"]
        unstored = _events(client.post(reference_url + "/v1/responses", json={
            "model": "m", "input": "Not kept.", "stream": True}).text)[-1]["response"]
        assert unstored["store"] is False
        missing = client.post(reference_url + "/v1/responses", json={
            "model": "m", "input": "x", "previous_response_id": unstored["id"], "stream": True})
        assert missing.status_code == 400
        assert missing.json()["error"] == {
            "message": f"Previous response with id '{unstored['id']}' not found.",
            "type": "invalid_request_error", "param": "previous_response_id", "code": "previous_response_not_found",
        }  # fmt: skip


def test_a_background_response_is_cancelled_and_stays_cancelled(reference_url: str) -> None:
    """Only a running background response is cancelled; a finished one is answered as it is, a response
    that was not run in the background cannot be cancelled (400), an unknown id is 404."""
    with httpx.Client(timeout=10) as client:
        created = client.post(reference_url + "/v1/responses", json={
            "model": "m", "input": "Cancel me.", "background": True, "store": True}).json()
        assert (created["status"], created["background"]) == ("queued", True)
        rid = created["id"]
        assert client.get(f"{reference_url}/v1/responses/{rid}").json()["status"] == "in_progress"
        cancelled = client.post(f"{reference_url}/v1/responses/{rid}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert client.get(f"{reference_url}/v1/responses/{rid}").json()["status"] == "cancelled"
        assert client.post(f"{reference_url}/v1/responses/{rid}/cancel").json()["status"] == "cancelled"
        stored = _events(client.post(reference_url + "/v1/responses", json={
            "model": "m", "input": "Kept, not in the background.", "store": True, "stream": True}).text)
        refused = client.post(f"{reference_url}/v1/responses/{stored[-1]['response']['id']}/cancel")
        assert refused.status_code == 400
        assert client.post(f"{reference_url}/v1/responses/resp_nothing/cancel").status_code == 404


def test_a_finished_background_response_is_not_cancelled(reference_url: str) -> None:
    """When the work ended before the cancel, the scenario cannot judge the cancel: skipped, never passed."""
    server, thread = reference_server.start(background_seconds=0.0)
    try:
        report = run_battery(target_for(server.url), "openai", scenarios=["background-cancel"],
                             capabilities=parse_capabilities(["background-cancel"]))
        with httpx.Client(timeout=10) as client:
            created = client.post(server.url + "/v1/responses", json={
                "model": "m", "input": "Done at once.", "background": True}).json()
            finished = client.post(f"{server.url}/v1/responses/{created['id']}/cancel").json()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    (stream,) = report.streams
    assert stream.skipped is not None and "had ended ('completed')" in stream.skipped
    assert finished["status"] == "completed"


# --- include and stream_options --------------------------------------------------------------------


def test_obfuscation_when_asked_for_is_conformant_and_absent_otherwise(reference_url: str) -> None:
    """The reference server pads deltas only on `include_obfuscation: true`; the padded stream is conformant."""
    target = target_for(reference_url)
    body = {"model": "m", "input": "Say hello.", "stream": True}
    with httpx.Client(timeout=10) as client:
        padded = _events(client.post(target.url, json={**body, "stream_options": {"include_obfuscation": True}}).text)
        plain = _events(client.post(target.url, json=body).text)
        scenario = select_scenarios(["plain-text"])[0]
        report = run_scenario(client, target, scenario, body={**body, "stream_options": {"include_obfuscation": True}})
    assert all("obfuscation" in e for e in padded if str(e["type"]).endswith(".delta"))
    assert not any("obfuscation" in e for e in plain)
    assert report.ok(strict=True), sorted(report.codes)


def test_encrypted_reasoning_content_only_when_included(reference_url: str) -> None:
    target = target_for(reference_url)
    body = {"model": "m", "input": "Think.", "reasoning": {"effort": "low"}, "stream": True}
    with httpx.Client(timeout=10) as client:
        included = _events(client.post(target.url, json={**body, "include": ["reasoning.encrypted_content"]}).text)
        plain = _events(client.post(target.url, json=body).text)
    (item,) = [e["item"] for e in included if e["type"] == "response.output_item.done"][:1]
    assert item["type"] == "reasoning" and item["encrypted_content"].startswith("enc_")
    assert included[-1]["response"]["output"][0]["encrypted_content"] == item["encrypted_content"]
    assert "encrypted_content" not in plain[-1]["response"]["output"][0]


def test_the_unknown_previous_id_is_shaped_like_the_servers_own() -> None:
    """A server that checks the format of ids (azure-ai-agentserver wants `caresp_` and a fixed length)
    must be asked about an id it could have issued, or it answers a format error instead."""
    from validator.live.exchanges import unissued_like

    issued = "caresp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4"
    unknown = unissued_like(issued)
    assert unknown != issued and len(unknown) == len(issued) and unknown[:-6] == issued[:-6]
    assert [c.isdigit() for c in unknown] == [c.isdigit() for c in issued]
    assert unissued_like("resp-eda0ad39-3f8a-47a5-99f0-e0137ebe172e").startswith("resp-eda0ad39-3f8a-47a5-99f0-e0137e")
