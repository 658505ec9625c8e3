"""The pytest plugin, run in inner pytest sessions (pytester)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from importlib.metadata import entry_points

import httpcore  # noqa: F401 - see below
import pytest

# httpx imports httpcore lazily and caches its exception classes on first use. Inner
# pytester runs drop the modules they import, so httpcore must be imported out here,
# or a later inner run would see fresh httpcore classes that the cache does not map.

pytest_plugins = ["pytester"]

BAD_EVENTS = """
BAD = [
    {"type": "response.created", "sequence_number": 0,
     "response": {"id": "r", "object": "response", "status": "in_progress", "output": []}},
    {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "m", "output_index": 0,
     "content_index": 0, "delta": "hi", "logprobs": []},
]
"""

NO_DONE_SSE = """
import json

def stream(*events):
    return "".join(f"event: {e['type']}\\ndata: {json.dumps(e)}\\n\\n" for e in events).encode()
"""


def test_plugin_is_registered_by_entry_point() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("responses_conformance") == "validator.pytest_plugin"


def test_assert_conformant_failure_lists_findings_with_locations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        BAD_EVENTS
        + """
from validator.pytest_plugin import assert_conformant

def test_bad():
    assert_conformant(BAD)

def test_good_report_is_returned():
    report = assert_conformant(BAD, ignore=["ALL"])
    assert report.streams[0].events == 2
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*ConformanceError: stream does not conform to the openai profile:*"])
    result.stdout.fnmatch_lines(["*<events>:0: LIF007 *(event #1 response.output_text.delta)*"])
    # __tracebackhide__: the failure points at the test, not at the validator's internals.
    assert "validator/checker.py" not in result.stdout.str()


def test_fixture_marker_and_ini_options(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nresponses_conformance_profile = openresponses\n")
    pytester.makepyfile(
        NO_DONE_SSE
        + """
import pytest

CREATED = {"type": "response.created", "sequence_number": 0,
           "response": {"id": "r", "object": "response", "status": "in_progress", "output": []}}

def test_ini_profile_applies(responses_conformance):
    assert responses_conformance.profile == "openresponses"
    report = responses_conformance.check(stream(CREATED))
    assert "SSE006" in report.codes

@pytest.mark.responses_conformance(profile="openai", select=["SSE"])
def test_marker_profile_and_select(responses_conformance):
    responses_conformance.assert_conformant(stream(CREATED))

@pytest.mark.responses_conformance(select=["SSE"], ignore=["SSE006"])
def test_marker_ignore(responses_conformance):
    responses_conformance(stream(CREATED))

@pytest.mark.responses_conformance(select=["SSE"])
def test_fails_in_openresponses(responses_conformance):
    responses_conformance(stream(CREATED))

def test_checker_feeds_events(responses_conformance):
    from validator.sources import streams_from_bytes
    checker = responses_conformance.checker(transport="sse")
    findings = []
    for event in streams_from_bytes(stream(CREATED))[0].events:
        findings += checker.feed(event)
    findings += checker.close()
    assert "SSE006" in {f.code for f in findings}
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*test_fails_in_openresponses*", "*SSE006*"])


def test_plugin_is_inert_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_one():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    assert "responses_conformance[" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*1 test collected*"])
    help_result = pytester.runpytest("--help")
    help_result.stdout.fnmatch_lines(["*--responses-base-url=URL*"])


def test_live_battery_as_tests_lands_in_junit(pytester: pytest.Pytester, reference_url: str) -> None:
    pytester.makepyfile("def test_users_own():\n    pass\n")
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--responses-base-url",
        reference_url + "/v1",
        "--responses-capability",
        "text,tools,structured-output,errors",
        f"--junitxml={junit}",
        "-rs",
    )
    result.assert_outcomes(passed=7, skipped=18)  # phase-history and image-input run undeclared (lenient)
    result.stdout.fnmatch_lines(["*does not declare capability 'reasoning'*"])
    result.stdout.fnmatch_lines(["*responses-conformance live battery*", "*plain-text*ok*"])
    cases = {(c.get("classname"), c.get("name")) for c in ET.parse(junit).getroot().iter("testcase")}
    assert ("test_live_battery_as_tests_lands_in_junit", "test_users_own") in cases
    assert ("responses-conformance.openai", "function-tool") in cases
    skipped = [c for c in ET.parse(junit).getroot().iter("testcase") if c.find("skipped") is not None]
    assert {c.get("name") for c in skipped} == {
        "instructions",
        "multi-turn",
        "parallel-tool-calls",
        "max-output-tokens",
        "reasoning",
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


def test_live_battery_failures_show_the_findings(pytester: pytest.Pytester, reference_url: str) -> None:
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--responses-base-url",
        reference_url + "/v1",
        "--responses-header",
        "X-Conformance-Fault: changed-ids",
        "--responses-scenario",
        "function-tool",
        "--responses-scenario",
        "plain-text",
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*live:function-tool:*ITM008*"])


def test_live_battery_options_are_checked(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--responses-base-url", "http://127.0.0.1:9", "--responses-scenario", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no scenario matches nope*"])


def test_live_battery_stall_is_bounded(pytester: pytest.Pytester, reference_url: str) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider",
        "--responses-base-url", reference_url + "/v1",
        "--responses-header", "X-Conformance-Fault: stall",
        "--responses-scenario", "plain-text",
        "--responses-timeouts", "2,2,0.5,10",
    )  # fmt: skip
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*HTT004 no data for 0.5 s*"])
    bad = pytester.runpytest("--responses-base-url", "http://127.0.0.1:9", "--responses-timeouts", "1,2")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


def test_the_plugin_runs_the_scenarios_of_several_requests_too(pytester: pytest.Pytester, reference_url: str) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--responses-base-url", reference_url + "/v1?x=1",
        "--responses-capability", "text,non-streaming,concurrency", "--responses-scenario", "non-*",
        "--responses-scenario", "concurrency", "--responses-header", "X-Conformance-Fault: shared-ids", "-q",
    )  # fmt: skip
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*HTT024*"])
