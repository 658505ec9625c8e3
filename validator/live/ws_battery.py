"""The WebSocket battery runner: every selected scenario on its own socket, one Report.

Needs the ``websockets`` package (``pip install 'responses-conformance[live]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from validator.live.client import Target
from validator.live.scenarios import DEFAULT_CAPABILITIES, skip_reason
from validator.live.ws_client import run_ws_scenario, ws_url
from validator.live.ws_scenarios import WsScenario, select_ws_scenarios
from validator.model import HttpInfo
from validator.report import Report, StreamReport

Progress = Callable[[list[StreamReport]], None]


def plan_ws(
    profile: str = "openai",
    patterns: Iterable[str] = (),
    capabilities: frozenset[str] = DEFAULT_CAPABILITIES,
) -> list[tuple[WsScenario, str | None]]:
    """The profile's selected WebSocket scenarios, each with the reason it is skipped (None: it runs)."""
    return [
        (scenario, skip_reason(scenario.capability, capabilities))
        for scenario in select_ws_scenarios(profile, patterns)
    ]


def run_ws_battery(
    target: Target,
    profile: str = "openai",
    *,
    scenarios: Iterable[str] = (),
    capabilities: frozenset[str] = DEFAULT_CAPABILITIES,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    progress: Progress | None = None,
    timeline: bool = False,
) -> Report:
    """Run the WebSocket battery: per scenario, the session's report and one per response.

    ``timeline`` keeps each response's events for a report that draws them (the HTML report).
    """
    report = Report(profile)
    url = target.redactor().text(ws_url(target.base_url))
    for scenario, reason in plan_ws(profile, scenarios, capabilities):
        if reason is not None:
            streams = [StreamReport(f"{scenario.name}#session", profile, "live", http=HttpInfo(method="GET", url=url),
                                    scenario=scenario.name, skipped=reason)]
        else:
            streams = run_ws_scenario(target, scenario, profile, select=select, ignore=ignore, timeline=timeline)
            streams[0].covers = scenario.covers  # the session's report names the official test
        report.streams.extend(streams)
        if progress is not None:
            progress(streams)
    return report
