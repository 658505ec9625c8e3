"""The pytest plugin runs the WebSocket battery as tests (inner pytest sessions)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpcore  # noqa: F401 - imported out here for the inner runs, as in test_pytest_plugin
import pytest

pytest_plugins = ["pytester"]


def test_websocket_battery_as_tests(pytester: pytest.Pytester, reference_url: str) -> None:
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "-p", "no:cacheprovider",
        "--responses-base-url", reference_url + "/v1",
        "--responses-transport", "websocket",
        "--responses-scenario", "ws-*",
        f"--junitxml={junit}",
    )
    result.assert_outcomes(passed=8, skipped=1)  # ws-compact-new-chain: compaction is never assumed
    result.stdout.fnmatch_lines(["*responses-conformance live battery*", "*ws-lanes#session*ok*"])
    names = {c.get("name") for c in ET.parse(junit).getroot().iter("testcase")}
    assert {"ws-sequential-turns", "ws-continuation", "ws-lanes", "ws-pipelined", "ws-failed-continuation-evicts",
            "ws-reconnect"} <= names
    # One test per scenario: the reconnect's second socket is reported inside it.
    result.stdout.fnmatch_lines(["*ws-reconnect+new-socket#session*ok*"])


def test_websocket_battery_failure_lists_session_and_response_findings(
    pytester: pytest.Pytester, reference_url: str
) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider",
        "--responses-base-url", reference_url.replace("http://", "ws://") + "/v1",
        "--responses-header", "X-Conformance-Fault: ws-close-1006",
        "--responses-scenario", "plain-text",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*plain-text#session*WSS013*", "*plain-text#response[[]0]*LIF007*"])


def test_websocket_battery_failure_text_is_redacted(pytester: pytest.Pytester, reference_url: str) -> None:
    """A credential the user gave (here in the base URL's query) never reaches the failure text."""
    secret = "sk-ws-plugin-SECRET-4711"
    result = pytester.runpytest(
        "-p", "no:cacheprovider",
        "--responses-base-url", reference_url.replace("http://", "ws://") + f"/v1?api-key={secret}",
        "--responses-header", "X-Conformance-Fault: ws-close-1006",
        "--responses-scenario", "plain-text",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*plain-text#session*WSS013*"])
    assert secret not in result.stdout.str() + result.stderr.str()
