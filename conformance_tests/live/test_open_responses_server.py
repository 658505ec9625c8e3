"""open-responses-server 0.4.1 bridging our fake Chat Completions upstream: the battery's pinned verdict."""

from __future__ import annotations

import pytest

from conformance_tests.live.conftest import THIRDPARTY_TIMEOUT
from conformance_tests.live.servers import catalog
from conformance_tests.live.servers.catalog import pinned, verdict
from validator.model import Severity
from validator.report import Report

pytestmark = [
    pytest.mark.thirdparty,
    pytest.mark.server("open-responses-server"),
    pytest.mark.timeout(THIRDPARTY_TIMEOUT),
]


@pytest.mark.parametrize("profile", catalog.PROFILES)
def test_verdict_is_pinned(battery: dict[str, Report], profile: str) -> None:
    report = battery[profile]
    assert verdict(report) == pinned()["open-responses-server"][profile]
    by_name = {s.name: s for s in report.streams}
    # The upstream's error leaks as a server error.
    assert by_name["invalid-request"].http is not None
    assert by_name["invalid-request"].http.status == 500
    seq = next(f for f in by_name["plain-text"].findings if f.code == "SEQ001")
    assert seq.severity is (Severity.WARNING if profile == "openai" else Severity.ERROR)
