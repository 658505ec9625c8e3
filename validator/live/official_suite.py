"""Every test of the official Open Responses compliance suite, and what of ours covers it.

The suite is ``src/lib/compliance-tests.ts`` of openresponses/openresponses
(its ``testTemplates``; read at the version with 17 templates that added the
assistant ``phase``, ``/responses/compact`` and WebSocket tests, PRs #68 and
#71), plus two ids other versions carry: ``tool-calling-streaming`` (an earlier
version) and ``websocket-generate-false`` (named by a later version's own
WebSocket coverage test). The descriptions below are our own summary of what
each test sends and checks.

A scenario's ``covers`` names one id of this table; ``scenarios`` lists every
scenario of ours (HTTP or WebSocket battery) that checks what the test checks,
and ``note`` says how ours differs or, with no scenario, why it is not covered.
``conformance_tests/test_official_suite.py`` keeps the table, the scenarios'
``covers`` and docs/ci.md in step.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "openresponses/openresponses src/lib/compliance-tests.ts"


@dataclass(frozen=True, slots=True)
class OfficialTest:
    transport: str  # "http" or "websocket"
    checks: str  # what the official test sends and asserts, in our words
    scenarios: tuple[str, ...]  # ours that cover it; empty: not covered
    note: str = ""


OFFICIAL_TESTS: dict[str, OfficialTest] = {
    "basic-response": OfficialTest(
        "http", "a user message, `stream: false`: a Response that parses, has output and status `completed`",
        ("non-streaming",),
        "ours also compares it with the streamed terminal response to the same request (HTT022)",
    ),
    "assistant-phase": OfficialTest(
        "http", "assistant history messages labelled `phase: commentary` / `final_answer`, then a user turn: "
        "a completed Response with output",
        ("phase-history",),
        "ours streams the request; undeclared, a clean 4xx passes and only a 5xx fails (HTT036); "
        "with `--capability phase` a rejection fails as the official test does",
    ),
    "response-output-phase-schema": OfficialTest(
        "http", "sends nothing: checks the suite's own schema accepts `phase` on output messages of a fixture",
        (),
        "not a server test (it sends nothing); both our profiles' schemas accept `phase` on output messages",
    ),
    "streaming-response": OfficialTest(
        "http", "a streamed request: events arrive, each parses, the final Response is `completed`",
        ("plain-text",),
        "every scenario's stream gets the full protocol checks (order, sequence numbers, ids, deltas)",
    ),
    "system-prompt": OfficialTest(
        "http", "a `system` role input message before the user turn: a completed Response with output",
        ("system-message",),
    ),
    "tool-calling": OfficialTest(
        "http", "a function tool (`tool_choice` auto): the output holds a `function_call`",
        ("function-tool",),
        "ours forces the call with `tool_choice` and streams it (HTT011)",
    ),
    "tool-calling-streaming": OfficialTest(
        "http", "the same, streamed: `output_item.added`/`done` of a function_call and "
        "`function_call_arguments.delta`/`done` appear",
        ("function-tool",),
        "an earlier version's test; the stream rules check those events and their order",
    ),
    "image-input": OfficialTest(
        "http", "a user message with `input_text` and an `input_image` data-URL PNG: a completed Response",
        ("image-input",),
        "undeclared, a clean 4xx passes and only a 5xx fails (HTT036); "
        "with `--capability image-input` a rejection fails as the official test does",
    ),
    "multi-turn": OfficialTest(
        "http", "user, assistant, user messages: a completed Response with output",
        ("multi-turn",),
    ),
    "compact-response": OfficialTest(
        "http", "`POST /responses/compact` of a short conversation: a CompactResource "
        "(`object: response.compaction`) whose output holds a `compaction` item",
        ("compact",),
        "only with `--capability compact` (HTT037)",
    ),
    "compact-missing-model": OfficialTest(
        "http", "`POST /responses/compact` without `model`: HTTP 400 or 422",
        ("compact",),
        "checked by the same scenario as compact-response (HTT038)",
    ),
    "websocket-response": OfficialTest(
        "websocket", "one `response.create` on a socket: events that parse, a completed terminal response",
        ("plain-text",),
        "every `stream` scenario of the HTTP battery runs on the WebSocket battery too",
    ),
    "websocket-sequential-responses": OfficialTest(
        "websocket", "two `response.create` on one socket, each after the previous terminal event",
        ("ws-sequential-turns",),
    ),
    "websocket-continuation": OfficialTest(
        "websocket", "a `store: false` turn, then `previous_response_id` with only new input on the same socket",
        ("ws-continuation",),
    ),
    "websocket-reconnect-store-false-recovery": OfficialTest(
        "websocket", "a `store: false` turn; on a new socket, continuing it fails with `previous_response_not_found` "
        "and a fresh response without `previous_response_id` then completes",
        ("ws-reconnect",),
        "the new socket's session rules judge the refused continuation (WSS010) and the fresh response",
    ),
    "websocket-previous-response-not-found": OfficialTest(
        "websocket", "`store: false` with an unknown `previous_response_id`: error code `previous_response_not_found`",
        ("ws-continuation-unknown",),
    ),
    "websocket-failed-continuation-evicts-cache": OfficialTest(
        "websocket", "a continuation that fails (an unmatched `function_call_output`), then the same "
        "`previous_response_id` again: `previous_response_not_found`",
        ("ws-failed-continuation-evicts",),
        "the session rules judge the eviction (WSS010) when the unmatched output is refused; a server that "
        "accepts it has evicted nothing and passes",
    ),
    "websocket-compact-new-chain": OfficialTest(
        "websocket", "`/responses/compact` output as the base input of a new socket response without "
        "`previous_response_id`: completed",
        ("ws-compact-new-chain",),
        "only with `--capability compact`: a failed compaction is HTT037, a refused window HTT039",
    ),
    "websocket-generate-false": OfficialTest(
        "websocket", "a `response.create` with `generate: false` (warming the connection without a model answer)",
        (),
        "not covered: named by a later version of the suite whose test we have not read",
    ),
}


def table_rows() -> list[str]:
    """The Markdown rows of docs/official-suite.md's table, one per official test."""
    rows = []
    for name, test in OFFICIAL_TESTS.items():
        ours = ", ".join(f"`{s}`" for s in test.scenarios) or "not covered"
        rows.append(f"| `{name}` | {test.transport} | {test.checks} | {ours} | {test.note} |")
    return rows
