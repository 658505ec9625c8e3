"""LiteLLM proxy 1.106.12's chat bridge over our fake upstream: the slow tier.

A 700 MB install and about a minute to start, so it runs only with
``RESPONSES_CONFORMANCE_SLOW=1`` (``pytest.mark.slow``; see conftest.py).
"""

from __future__ import annotations

import pytest

from conformance_tests.live.conftest import THIRDPARTY_TIMEOUT
from conformance_tests.live.servers import catalog
from conformance_tests.live.servers.catalog import pinned, verdict
from validator.report import Report

pytestmark = [
    pytest.mark.thirdparty,
    pytest.mark.slow,
    pytest.mark.server("litellm"),
    pytest.mark.timeout(THIRDPARTY_TIMEOUT),
]


@pytest.mark.parametrize("profile", catalog.PROFILES)
def test_verdict_is_pinned(battery: dict[str, Report], profile: str) -> None:
    pins = pinned().get("litellm")
    if pins is None:
        pytest.fail("LiteLLM has no pinned verdict yet: python tools/server_report.py --server litellm")
    assert verdict(battery[profile]) == pins[profile]
