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
        if stream.name in ("invalid-request", "unknown-model"):
            assert stream.http.status == (400 if stream.name == "invalid-request" else 404)
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
            if scenario.expect == "reject":
                continue
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
    }
    assert all("does not declare capability" in reason for reason in skipped.values())
    ran = [s.name for s in report.streams if s.skipped is None]
    assert ran == ["plain-text", "function-tool"]
    data = report.to_dict()
    assert data["summary"]["skipped"] == 12
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
        target_for(reference_url), "openai", scenarios=["unknown-model", "non-*", "cancel-*", "background-*", "conc*"]
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
