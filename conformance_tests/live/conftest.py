"""Fixtures for the live tests: reference servers on 127.0.0.1, started and stopped here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from validator import reference_server
from validator.live import Target, Timeouts

# Short waits keep the fault tests fast; the stall lasts longer than the idle timeout.
FAST = Timeouts(connect=5.0, first_byte=2.0, idle=0.5, total=15.0)
STALL_SECONDS = 3.0


@pytest.fixture(scope="session")
def reference_url() -> Iterator[str]:
    """A conformant reference server (openai profile unless X-Conformance-Profile says otherwise)."""
    server, thread = reference_server.start(stall_seconds=STALL_SECONDS)
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def keyed_reference() -> Iterator[tuple[str, str]]:
    """A reference server that insists on an API key: (url, key)."""
    key = "sk-test-0123456789abcdefSECRET"
    server, thread = reference_server.start(api_key=key)
    try:
        yield server.url, key
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def target_for(url: str, profile: str = "openai", **kwargs: object) -> Target:
    headers = {"X-Conformance-Profile": profile}
    headers.update(kwargs.pop("headers", {}))  # type: ignore[arg-type]
    return Target(base_url=url + "/v1", headers=headers, timeouts=kwargs.pop("timeouts", FAST), **kwargs)  # type: ignore[arg-type]
