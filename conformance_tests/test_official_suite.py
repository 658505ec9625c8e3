"""The map of the official Open Responses compliance suite onto our batteries stays true.

``validator/live/official_suite.py`` lists every test id of the suite with the scenarios
of ours that cover it; a scenario's ``covers`` must name an id of that table whose row
names the scenario, every scenario a row names must exist, and docs/official-suite.md
shows every row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from validator.live.official_suite import OFFICIAL_TESTS, table_rows
from validator.live.scenarios import SCENARIOS
from validator.live.ws_scenarios import WS_SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
OURS = {s.name for s in SCENARIOS} | {s.name for s in WS_SCENARIOS}

# The ids of the suite's testTemplates at the version we read (17), and the two other
# versions carry; a test removed from or added to the table must change this list too.
SUITE_IDS = {
    "basic-response", "assistant-phase", "response-output-phase-schema", "streaming-response",
    "websocket-response", "websocket-sequential-responses", "websocket-continuation",
    "websocket-reconnect-store-false-recovery", "websocket-previous-response-not-found",
    "websocket-failed-continuation-evicts-cache", "websocket-compact-new-chain", "system-prompt",
    "tool-calling", "image-input", "multi-turn", "compact-response", "compact-missing-model",
    "tool-calling-streaming", "websocket-generate-false",
}


def covering() -> list[tuple[str, str]]:
    """(scenario, official id) for every scenario of either battery that claims one."""
    claims = [(s.name, s.covers) for s in SCENARIOS if s.covers]
    claims += [(s.name, s.covers) for s in WS_SCENARIOS if s.covers]
    return claims


def test_the_table_lists_every_test_of_the_suite() -> None:
    assert set(OFFICIAL_TESTS) == SUITE_IDS


@pytest.mark.parametrize(("scenario", "official"), covering())
def test_every_covers_claim_is_a_row_that_names_the_scenario(scenario: str, official: str) -> None:
    assert official in OFFICIAL_TESTS, f"{scenario} covers {official!r}, which the official suite does not have"
    assert scenario in OFFICIAL_TESTS[official].scenarios


def test_the_claims_we_rely_on_are_made() -> None:
    claimed = {official for _, official in covering()}
    for official in ("basic-response", "streaming-response", "assistant-phase", "image-input", "compact-response",
                     "system-prompt", "multi-turn", "tool-calling", "websocket-response",
                     "websocket-sequential-responses", "websocket-continuation",
                     "websocket-previous-response-not-found", "websocket-failed-continuation-evicts-cache",
                     "websocket-reconnect-store-false-recovery", "websocket-compact-new-chain"):
        assert official in claimed, official


@pytest.mark.parametrize("official", sorted(OFFICIAL_TESTS))
def test_each_row_names_real_scenarios_or_says_why_not(official: str) -> None:
    row = OFFICIAL_TESTS[official]
    assert row.transport in ("http", "websocket")
    assert set(row.scenarios) <= OURS, sorted(set(row.scenarios) - OURS)
    if not row.scenarios:
        assert row.note, f"{official}: not covered, and no note says why"


def test_docs_show_every_row() -> None:
    text = (ROOT / "docs" / "official-suite.md").read_text()
    rows = {line.split("|")[1].strip().strip("`"): line for line in text.splitlines()
            if line.startswith("| `") and line.split("|")[1].strip().strip("`") in OFFICIAL_TESTS}
    assert set(rows) == set(OFFICIAL_TESTS)
    assert [line for line in text.splitlines() if line.startswith("| `")] == table_rows()  # regenerate if stale
    for official, line in rows.items():
        named = OFFICIAL_TESTS[official].scenarios
        if named:
            assert all(f"`{name}`" in line for name in named), line
        else:
            assert "not covered" in line, line


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
def test_our_schemas_accept_phase_on_output_messages(profile: str) -> None:
    """What the official response-output-phase-schema test checks of its own schema holds of ours."""
    from validator import schemas

    message = {"id": "msg_1", "type": "message", "status": "completed", "role": "assistant",
               "content": [{"type": "output_text", "text": "Four.", "annotations": [], "logprobs": []}]}
    for phase in ("commentary", "final_answer"):
        event = {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0,
                 "item": {**message, "phase": phase}}
        assert schemas.validate(profile, event) is None, phase
    wrong = {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0,
             "item": {**message, "phase": "thinking"}}
    assert schemas.validate(profile, wrong) is not None
