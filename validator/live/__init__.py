"""The live battery: requests sent to a running server, each stream checked as it arrives.

Needs httpx (``pip install 'responses-conformance[live]'``).
"""

from __future__ import annotations

from validator.live.battery import plan, ran_any, run_battery, run_one
from validator.live.client import Target, Timeouts, run_scenario
from validator.live.scenarios import (
    CAPABILITIES,
    DEFAULT_CAPABILITIES,
    SCENARIO_NAMES,
    SCENARIOS,
    Scenario,
    for_capabilities,
    parse_capabilities,
    select_scenarios,
)
from validator.redact import Redactor

__all__ = [
    "CAPABILITIES",
    "DEFAULT_CAPABILITIES",
    "SCENARIOS",
    "SCENARIO_NAMES",
    "Redactor",
    "Scenario",
    "Target",
    "Timeouts",
    "for_capabilities",
    "parse_capabilities",
    "plan",
    "ran_any",
    "run_battery",
    "run_one",
    "run_scenario",
    "select_scenarios",
]
