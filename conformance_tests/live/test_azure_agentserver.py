"""azure-ai-agentserver-responses 2.3.0 with our echo handler: the battery's pinned verdict.

The event protocol itself is clean (ordering, sequence numbers, ids, indexes,
delta/done text all agree); what it gets is in ``servers/catalog.py``.
"""

from __future__ import annotations

import pytest

from conformance_tests.live.conftest import THIRDPARTY_TIMEOUT
from conformance_tests.live.servers import catalog
from conformance_tests.live.servers.catalog import pinned, verdict
from validator.report import Report

pytestmark = [pytest.mark.thirdparty, pytest.mark.server("azure-agentserver"), pytest.mark.timeout(THIRDPARTY_TIMEOUT)]


@pytest.mark.parametrize("profile", catalog.PROFILES)
def test_verdict_is_pinned(battery: dict[str, Report], profile: str) -> None:
    report = battery[profile]
    assert verdict(report) == pinned()["azure-agentserver"][profile]
    by_name = {s.name: s for s in report.streams}
    assert by_name["invalid-request"].http is not None
    assert by_name["invalid-request"].http.status == 400
    if profile == "openai":
        messages = {f.message for f in by_name["plain-text"].findings if f.code == "SCH001"}
        assert any("'tools' is a required property" in m for m in messages), messages
    # The SDK's own truncation path: response.incomplete with reason max_output_tokens.
    assert "HTT013" not in by_name["max-output-tokens"].codes
