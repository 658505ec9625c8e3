"""The battery runner: every selected scenario against one server, one Report."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import httpx

from validator.live.client import Target, run_scenario
from validator.live.exchanges import RUNNERS, Options
from validator.live.scenarios import (
    DEFAULT_CAPABILITIES,
    Scenario,
    for_capabilities,
    select_scenarios,
    skip_reason,
)
from validator.model import HttpInfo
from validator.report import Report, StreamReport

Progress = Callable[[StreamReport], None]


def skipped_report(scenario: Scenario, profile: str, reason: str, url: str) -> StreamReport:
    return StreamReport(
        scenario.name,
        profile,
        "live",
        http=HttpInfo(method="POST", url=url),
        scenario=scenario.name,
        skipped=reason,
    )


def plan(
    patterns: Iterable[str] = (),
    capabilities: frozenset[str] = DEFAULT_CAPABILITIES,
) -> list[tuple[Scenario, str | None]]:
    """The selected scenarios, each with the reason it is skipped (None: it runs), each judged as the
    declared capabilities say (``for_capabilities``)."""
    return [
        (for_capabilities(scenario, capabilities), skip_reason(scenario.capability, capabilities))
        for scenario in select_scenarios(patterns)
    ]


def run_battery(
    target: Target,
    profile: str = "openai",
    *,
    scenarios: Iterable[str] = (),
    capabilities: frozenset[str] = DEFAULT_CAPABILITIES,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    timeline: bool = False,
) -> Report:
    """Run the battery; a scenario whose capability is not declared is skipped, never passed.

    ``timeline`` keeps each stream's events for a report that draws them (the HTML report).
    """
    report = Report(profile)
    redacted_url = target.redactor().text(target.url)
    with httpx.Client(follow_redirects=False, transport=transport) as client:
        for scenario, reason in plan(scenarios, capabilities):
            if reason is not None:
                stream = skipped_report(scenario, profile, reason, redacted_url)
            else:
                stream = run_one(client, target, scenario, profile, select=select, ignore=ignore, timeline=timeline)
            report.streams.append(stream)
            if progress is not None:
                progress(stream)
            if _unreachable(report):
                break  # the first request could not connect: the others would only say it again
    return report


def run_one(
    client: httpx.Client,
    target: Target,
    scenario: Scenario,
    profile: str = "openai",
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    timeline: bool = False,
) -> StreamReport:
    """One scenario, whatever its kind: one streamed request, or a runner of ``exchanges``."""
    if scenario.kind in RUNNERS:
        stream = RUNNERS[scenario.kind](client, target, scenario, Options(profile, select, ignore, timeline))
    else:
        stream = run_scenario(client, target, scenario, profile, select=select, ignore=ignore, timeline=timeline)
    stream.covers = scenario.covers
    return stream


def _unreachable(report: Report) -> bool:
    """Whether every scenario run so far failed to connect (the server is not there)."""
    ran = report.checked
    return bool(ran) and all((s.error or "").startswith("cannot connect") for s in ran)


def ran_any(report: Report) -> bool:
    """Whether anything was actually checked (a gate must not pass on skips alone)."""
    return any(s.skipped is None for s in report.streams)
