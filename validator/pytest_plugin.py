"""pytest plugin (entry point ``pytest11``): inert unless used.

What it gives a test suite:

* ``assert_conformant(stream_or_events, profile=..., ...)``: raises a readable
  ``ConformanceError`` (an AssertionError) listing each finding with its location;
* the ``responses_conformance`` fixture: a helper configured from the ini
  options and the ``responses_conformance`` marker (``check``,
  ``assert_conformant``, ``checker``);
* the marker ``@pytest.mark.responses_conformance(profile=..., select=[...],
  ignore=[...], strict=False)``;
* ini options ``responses_conformance_profile``, ``_select``, ``_ignore``,
  ``_strict``, ``_capabilities``, ``_model``;
* ``--responses-base-url URL``: the live battery's scenarios run as tests of
  this session (so they land in the suite's own ``--junitxml``), against that
  server; with ``--responses-transport websocket`` (or a ``ws://`` URL) the
  WebSocket battery runs instead, one test per scenario (its session and every
  response in it). Without the option the plugin adds no tests, fixtures that
  run anything, or hooks with effects.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from validator.checker import Checker, _failure_text, check
from validator.checker import assert_conformant as _assert_conformant
from validator.errors import ConformanceError
from validator.report import Report, StreamReport
from validator.rules import PROFILES

if TYPE_CHECKING:
    import httpx

    from validator.live.client import Target
    from validator.live.scenarios import Scenario
    from validator.live.ws_scenarios import WsScenario

MARKER = "responses_conformance"


def assert_conformant(
    source: Any,
    profile: str = "openai",
    *,
    strict: bool = False,
    **options: Any,
) -> Report:
    """Fail the test, listing every finding with its location, unless ``source`` conforms.

    ``source`` is a path, raw bytes, a ``Stream``, or an iterable of event
    objects (dicts) or ``Event``s. Returns the Report when it conforms.
    """
    __tracebackhide__ = True
    return _assert_conformant(source, profile, strict=strict, **options)


@dataclass(slots=True)
class Settings:
    """How streams are judged in one test: ini options refined by the marker."""

    profile: str = "openai"
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    strict: bool = False


class ConformanceHelper:
    """The ``responses_conformance`` fixture's value."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def profile(self) -> str:
        return self.settings.profile

    def checker(self, source: str = "<stream>", transport: str | None = None) -> Checker:
        """A fresh Checker, for feeding events (or bytes) one by one."""
        s = self.settings
        return Checker(s.profile, select=s.select, ignore=s.ignore, source=source, transport=transport)

    def check(self, source: Any, **options: Any) -> Report:
        s = self.settings
        options.setdefault("select", s.select)
        options.setdefault("ignore", s.ignore)
        return check(source, options.pop("profile", s.profile), **options)

    def assert_conformant(self, source: Any, **options: Any) -> Report:
        __tracebackhide__ = True
        s = self.settings
        options.setdefault("select", s.select)
        options.setdefault("ignore", s.ignore)
        options.setdefault("strict", s.strict)
        return _assert_conformant(source, options.pop("profile", s.profile), **options)

    __call__ = assert_conformant


@dataclass(slots=True)
class LiveState:
    """The live battery's settings and its shared HTTP client."""

    target: Target
    profile: str
    capabilities: frozenset[str]
    scenarios: list[str]
    select: list[str] | None
    ignore: list[str]
    strict: bool
    client: httpx.Client | None = None
    reports: list[StreamReport] = field(default_factory=list)
    websocket: bool = False


_LIVE = pytest.StashKey["LiveState | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("responses-conformance", "Responses API streaming conformance")
    group.addoption(
        "--responses-base-url",
        default=None,
        metavar="URL",
        help="Run the responses-conformance live battery against URL/responses as tests of this session.",
    )
    group.addoption(
        "--responses-transport",
        default=None,
        choices=("http", "websocket"),
        help="Run the live battery over HTTP (default) or over WebSocket (ws:// URLs imply websocket).",
    )
    group.addoption(
        "--responses-api-key-env",
        default=None,
        metavar="VAR",
        help="Environment variable holding the API key for the live battery.",
    )
    group.addoption("--responses-model", default=None, metavar="MODEL", help="Model name for the live battery.")
    group.addoption(
        "--responses-capability",
        action="append",
        default=[],
        metavar="NAME",
        help="Capability the server declares (repeatable; 'all'). Undeclared scenarios are skipped.",
    )
    group.addoption(
        "--responses-scenario",
        action="append",
        default=[],
        metavar="GLOB",
        help="Run only these battery scenarios (repeatable).",
    )
    group.addoption(
        "--responses-header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="Extra header for every battery request (repeatable).",
    )
    group.addoption(
        "--responses-timeouts",
        default=None,
        metavar="CONNECT,FIRST_BYTE,IDLE,TOTAL",
        help="Seconds for the live battery's waits (default 10,60,30,180).",
    )
    group.addoption(
        "--responses-profile",
        default=None,
        choices=PROFILES,
        help="Profile for the live battery (default: the responses_conformance_profile ini option).",
    )
    parser.addini(
        "responses_conformance_profile", "Profile streams are held to (openai, openresponses).", default="openai"
    )
    parser.addini(
        "responses_conformance_select", "Rule code prefixes to check (default: all).", type="args", default=[]
    )
    parser.addini("responses_conformance_ignore", "Rule code prefixes to skip.", type="args", default=[])
    parser.addini("responses_conformance_strict", "Warnings fail too.", type="bool", default=False)
    parser.addini(
        "responses_conformance_capabilities", "Capabilities the live server declares.", type="args", default=[]
    )
    parser.addini("responses_conformance_model", "Model name for the live battery.", default="gpt-4o-mini")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(profile=None, select=None, ignore=(), strict=False): "
        "how the responses_conformance fixture judges streams in this test.",
    )
    config.stash[_LIVE] = None
    base_url = config.getoption("--responses-base-url")
    if base_url:
        config.stash[_LIVE] = _live_state(config, base_url)


def _ini_settings(config: pytest.Config) -> Settings:
    profile = str(config.getini("responses_conformance_profile") or "openai")
    if profile not in PROFILES:
        raise pytest.UsageError(
            f"responses_conformance_profile: unknown profile {profile!r}; choose from {', '.join(PROFILES)}"
        )
    select = [str(c) for c in config.getini("responses_conformance_select")] or None
    ignore = [str(c) for c in config.getini("responses_conformance_ignore")]
    return Settings(profile, select, ignore, bool(config.getini("responses_conformance_strict")))


def _live_state(config: pytest.Config, base_url: str) -> LiveState:
    try:
        from validator.live import Target, Timeouts, parse_capabilities, select_scenarios
    except ImportError as exc:
        raise pytest.UsageError(
            f"--responses-base-url needs httpx ({exc}): pip install 'responses-conformance[live]'"
        ) from None
    settings = _ini_settings(config)
    profile = config.getoption("--responses-profile") or settings.profile
    key = None
    key_env = config.getoption("--responses-api-key-env")
    if key_env:
        key = os.environ.get(key_env)
        if not key:
            raise pytest.UsageError(f"--responses-api-key-env: {key_env} is not set or empty")
    headers: dict[str, str] = {}
    for value in config.getoption("--responses-header"):
        name, sep, rest = value.partition(":")
        if not sep or not name.strip():
            raise pytest.UsageError("--responses-header: expected NAME:VALUE")
        headers[name.strip()] = rest.strip()
    capabilities = list(config.getoption("--responses-capability")) or [
        str(c) for c in config.getini("responses_conformance_capabilities")
    ]
    scenarios = list(config.getoption("--responses-scenario"))
    websocket = config.getoption("--responses-transport") == "websocket" or base_url.lower().startswith(
        ("ws://", "wss://")
    )
    try:
        declared = parse_capabilities(capabilities)
        if not websocket:
            select_scenarios(scenarios)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    model = config.getoption("--responses-model") or str(config.getini("responses_conformance_model"))
    timeouts = Timeouts()
    spec = config.getoption("--responses-timeouts")
    if spec:
        try:
            parts = [float(part) for part in spec.split(",")]
            if len(parts) != 4:
                raise ValueError(f"got {len(parts)} values")
            timeouts = Timeouts(*parts)
        except ValueError as exc:
            raise pytest.UsageError(f"--responses-timeouts: expected four positive numbers ({exc})") from None
    target = Target(base_url=base_url, model=model, api_key=key, headers=headers, timeouts=timeouts)
    if websocket:
        try:
            from validator.live.ws_scenarios import select_ws_scenarios

            select_ws_scenarios(profile, scenarios)
        except ImportError as exc:
            raise pytest.UsageError(
                f"--responses-transport websocket needs websockets ({exc}): pip install 'responses-conformance[live]'"
            ) from None
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    return LiveState(target, profile, declared, scenarios, settings.select, settings.ignore, settings.strict,
                     websocket=websocket)


@pytest.fixture
def responses_conformance(request: pytest.FixtureRequest) -> ConformanceHelper:
    """A helper that checks streams as the ini options and the marker say."""
    settings = _ini_settings(request.config)
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        kwargs = dict(marker.kwargs)
        if marker.args:
            kwargs.setdefault("profile", marker.args[0])
        profile = kwargs.pop("profile", None)
        if profile is not None:
            if profile not in PROFILES:
                raise pytest.UsageError(f"{MARKER} marker: unknown profile {profile!r}")
            settings.profile = profile
        if kwargs.get("select") is not None:
            settings.select = list(kwargs.pop("select"))
        if kwargs.get("ignore") is not None:
            settings.ignore = [*settings.ignore, *kwargs.pop("ignore")]
        if "strict" in kwargs:
            settings.strict = bool(kwargs.pop("strict"))
    return ConformanceHelper(settings)


# --- the live battery as tests -----------------------------------------------------------


class _BatteryItem(pytest.Item):
    """What the HTTP and WebSocket scenario items share: how they fail and how a failure reads."""

    def _fail_unless_ok(self, state: LiveState, reports: list[StreamReport]) -> None:
        wrapper = Report(state.profile, reports)
        if not wrapper.ok(strict=state.strict):
            redact = state.target.redactor().text
            raise ConformanceError(redact(_failure_text(wrapper, state.strict)), wrapper)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, ConformanceError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))


class ScenarioItem(_BatteryItem):
    """One battery scenario against the server named by --responses-base-url."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.report: StreamReport | None = None

    def runtest(self) -> None:
        from validator.live.battery import run_one

        state = self.config.stash[_LIVE]
        assert state is not None
        if state.client is None:
            import httpx

            state.client = httpx.Client(follow_redirects=False)
        report = run_one(
            state.client,
            state.target,
            self.scenario,
            state.profile,
            select=state.select,
            ignore=state.ignore,
        )
        self.report = report
        state.reports.append(report)
        if report.http is not None and report.http.status is not None:
            self.user_properties.append(("http_status", report.http.status))
        self.user_properties.append(("events", report.events))
        self._fail_unless_ok(state, [report])

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, 0, f"responses-conformance scenario {self.scenario.name}"


class WsScenarioItem(_BatteryItem):
    """One WebSocket battery scenario: its session and every response in it must conform."""

    def __init__(self, *, scenario: WsScenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from validator.live.ws_client import run_ws_scenario

        state = self.config.stash[_LIVE]
        assert state is not None
        reports = run_ws_scenario(state.target, self.scenario, state.profile, select=state.select,
                                  ignore=state.ignore)
        state.reports.extend(reports)
        self.user_properties.append(("responses", len(reports) - 1))
        self.user_properties.append(("events", sum(r.events for r in reports[1:])))
        self._fail_unless_ok(state, reports)  # redacted like the HTTP items' (it was not)

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, 0, f"responses-conformance WebSocket scenario {self.scenario.name}"


def _ws_battery_items(session: pytest.Session, state: LiveState) -> Iterator[WsScenarioItem]:
    from validator.live.ws_battery import plan_ws

    for scenario, reason in plan_ws(state.profile, state.scenarios, state.capabilities):
        item = WsScenarioItem.from_parent(
            session,
            name=f"responses_conformance_ws[{scenario.name}]",
            nodeid=f"responses-conformance::{state.profile}::websocket::{scenario.name}",
            scenario=scenario,
        )
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
        yield item


def _battery_items(session: pytest.Session, state: LiveState) -> Iterator[pytest.Item]:
    from validator.live import plan

    if state.websocket:
        yield from _ws_battery_items(session, state)
        return
    for scenario, reason in plan(state.scenarios, state.capabilities):
        item = ScenarioItem.from_parent(
            session,
            name=f"responses_conformance[{scenario.name}]",
            nodeid=f"responses-conformance::{state.profile}::{scenario.name}",
            scenario=scenario,
        )
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
        yield item


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash.get(_LIVE, None)
    if state is not None:
        items.extend(_battery_items(session, state))


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_LIVE, None)
    if state is not None and state.client is not None:
        state.client.close()
        state.client = None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(_LIVE, None)
    if state is None or not state.reports:
        return
    redact = state.target.redactor().text
    terminalreporter.section("responses-conformance live battery")
    terminalreporter.write_line(f"server: {redact(state.target.url)} ({state.profile} profile)")
    for report in state.reports:
        verdict = "ok" if report.ok(strict=state.strict) else ", ".join(sorted(report.codes)) or "error"
        terminalreporter.write_line(f"  {report.name:<22} {report.events:>4} events  {verdict}")
