"""Fixtures for the live tests: reference servers on 127.0.0.1, started and stopped here."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import NoReturn

import pytest

from conformance_tests.live.servers import catalog
from conformance_tests.live.servers.catalog import RealServerRun
from conformance_tests.live.servers.launch import Unavailable
from validator import reference_server
from validator.live import Target, Timeouts
from validator.report import Report

# Short waits keep the fault tests fast; the stall lasts longer than the idle timeout.
FAST = Timeouts(connect=5.0, first_byte=2.0, idle=0.5, total=15.0, close=1.0)
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


# --- third-party servers (conformance_tests/live/servers/) ------------------------------------

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The slow tier (LiteLLM: a 700 MB install, a minute to start) runs only when asked.
SLOW_ENV = "RESPONSES_CONFORMANCE_SLOW"
RUN_SLOW = os.environ.get(SLOW_ENV, "").lower() in ("1", "true", "yes")
# Seconds a third-party test may take, its server's build or install included (pyproject's timeout is 300).
THIRDPARTY_TIMEOUT = 5400


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where a missing server must not pass silently."""
    __tracebackhide__ = True
    if IN_CI:
        pytest.fail(f"CI is set, so this cannot be skipped: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow and not RUN_SLOW:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
    # Third-party tests go last, and what they need is prepared in the background meanwhile.
    items.sort(key=lambda item: item.get_closest_marker("thirdparty") is not None)
    wanted = {mark.args[0] for item in items for mark in item.iter_markers("server") if mark.args}
    if wanted and not config.option.collectonly:
        _prepare_in_background(sorted(wanted))


def _prepare_in_background(names: list[str]) -> None:
    """Build llama-server and install the servers' virtualenvs while the other tests run.

    Each preparation holds a file lock; the fixture that needs it takes the same
    lock and so waits for it (or, if it failed, tries once more and reports why).
    """
    def prepare(name: str) -> None:
        with contextlib.suppress(Exception):
            catalog.BY_NAME[name].prepare()

    for name in names:
        threading.Thread(target=prepare, args=(name,), name=f"prepare-{name}", daemon=True).start()


@pytest.fixture(scope="module")
def real_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServerRun]:
    """The module's ``pytest.mark.server(NAME)`` server, started once for all its tests."""
    marker = request.node.get_closest_marker("server")
    assert marker is not None, "a real_server test module needs pytestmark = pytest.mark.server(NAME)"
    server = catalog.BY_NAME[marker.args[0]]
    workdir = tmp_path_factory.mktemp(server.name)
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(server.serve(workdir))
        except Unavailable as exc:
            unavailable(f"{server.name}: {exc}")
        yield RealServerRun(server, running, workdir)


@pytest.fixture(scope="module")
def battery(real_server: RealServerRun) -> dict[str, Report]:
    """The battery's report against the module's real server, once per profile."""
    return {profile: real_server.run(profile) for profile in catalog.PROFILES}
