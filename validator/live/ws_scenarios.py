"""The WebSocket battery: what each scenario sends on one socket and what its answers must show.

A scenario is a list of turns; each turn sends one or more client messages at once and
waits until every request is answered (a response ends, or an error answers it). The
HTTP scenarios run here too, as one ``response.create`` each (``stream`` left out), with
the same checks of the answer; the rest exercise what only a socket has: several turns,
``store=false`` continuation, an unknown ``previous_response_id``, ``stream_id`` lanes
(openai profile), pipelined requests, and a ``response.create`` that carries ``stream``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from validator.live.scenarios import SCENARIOS, Observation, Reports, Scenario
from validator.rules import Rule
from validator.rules import http as http_rules

Json = dict[str, Any]
UNKNOWN_ID = "resp_conformance_unknown_0000000000000000"


@dataclass(slots=True)
class Context:
    """What earlier turns produced: the ids of the responses so far, in order."""

    model: str
    response_ids: list[str] = field(default_factory=list)
    compacted: list[Json] | None = None  # the output of ``POST /responses/compact`` (``WsScenario.compact_first``)


Turn = Callable[[Context], list[Json]]


@dataclass(slots=True)
class Outcome:
    """What a scenario's run saw: per response an Observation, per turn the responses and errors it got."""

    observations: dict[int, Observation]
    turn_responses: list[list[int]]
    turn_errors: list[list[Json]]

    def status(self, response: int) -> str | None:
        obs = self.observations.get(response)
        return obs.status if obs is not None else None


class Emit:
    """A scenario's own findings: for the session, or (``response=N``) for one response."""

    def __init__(self, emit: Callable[..., object]) -> None:
        self._emit = emit

    def session(self, rule: Rule, message: str, **where: Any) -> None:
        self._emit(rule, message, **where)

    def response(self, number: int) -> Reports:
        outer = self._emit

        class _One:
            def emit(self, rule: Rule, message: str, *, pointer: str = "", expected: Any = None,
                     actual: Any = None) -> object:
                return outer(rule, message, response=number, pointer=pointer, expected=expected, actual=actual)

        return _One()


Verifier = Callable[[Outcome, Emit], None]


@dataclass(frozen=True, slots=True)
class WsScenario:
    name: str
    summary: str
    capability: str
    turns: tuple[Turn, ...]
    verify: Verifier | None = None
    profiles: tuple[str, ...] = ("openai", "openresponses")
    ignore: tuple[str, ...] = ()  # rules a deliberately broken request breaks on our own side
    covers: str | None = None  # the official compliance suite's WebSocket test it covers (official_suite)
    # A scenario run next on a new socket, starting from the response ids this one produced.
    then: WsScenario | None = None
    # A ``POST /responses/compact`` body sent over HTTP before the socket opens; its output lands
    # in ``Context.compacted`` (a failed compaction is HTT037 and the socket is not opened).
    compact_first: Callable[[str], Json] | None = None


# The official WebSocket test an HTTP scenario covers when it runs on a socket.
WS_COVERS = {"streaming-response": "websocket-response"}


def create(body: Json, **extra: Any) -> Json:
    """The ``response.create`` message for an HTTP request body (without ``stream``)."""
    message = {"type": "response.create", **{k: v for k, v in body.items() if k != "stream"}}
    message.update(extra)
    return message


def _plain(text: str, **extra: Any) -> Turn:
    return lambda ctx: [create({"model": ctx.model, "input": text}, **extra)]


def _from_http(scenario: Scenario) -> WsScenario:
    """An HTTP scenario as one turn on a socket, judged by the same verifier."""

    def turn(ctx: Context) -> list[Json]:
        return [create(scenario.body(ctx.model))]

    if scenario.expect == "reject":
        return WsScenario(scenario.name, scenario.summary, scenario.capability, (turn,), _must_reject(scenario.name))

    def verify(outcome: Outcome, out: Emit) -> None:
        responses = outcome.turn_responses[0]
        if scenario.verify is not None and responses:
            obs = outcome.observations.get(responses[0])
            if obs is not None and obs.types:
                scenario.verify(obs, out.response(responses[0]))

    return WsScenario(scenario.name, scenario.summary, scenario.capability, (turn,), verify,
                      covers=WS_COVERS.get(scenario.covers or ""))


def _must_reject(what: str, *, turn: int = 0, strict: bool = True) -> Verifier:
    """The request of ``turn`` must be answered with an error (or a failed response), not a response."""

    def verify(outcome: Outcome, out: Emit) -> None:
        answered = [n for n in outcome.turn_responses[turn] if outcome.status(n) not in (None, "failed")]
        if answered and strict:
            out.session(
                http_rules.INVALID_REQUEST_ACCEPTED,
                f"{what}: the invalid response.create was answered with a {outcome.status(answered[0])} response, "
                "not a WebSocket error",
            )

    return verify


def _verify_compacted_answered(outcome: Outcome, out: Emit) -> None:
    """The compacted window, as the base input of a new chain, must be answered with a response."""
    if not outcome.turn_responses:
        return
    statuses = [outcome.status(n) for n in outcome.turn_responses[0]]
    if "completed" in statuses or "incomplete" in statuses:
        return
    errors = outcome.turn_errors[0]
    got = f"a {statuses[0]} response" if statuses else f"the error {errors[0]!r}"[:300] if errors else "no answer"
    out.session(http_rules.COMPACTED_WINDOW_REFUSED,
                f"the window /responses/compact returned, sent back as the input of a new response, got {got}")


def _compacted_chain(ctx: Context) -> list[Json]:
    follow = {"type": "message", "role": "user", "content": "Continue from here. Reply with exactly: compacted"}
    return [create({"model": ctx.model, "input": [*(ctx.compacted or []), follow]}, store=False)]


def _reject_stream(profile_strict: bool) -> Verifier:
    return _must_reject("`stream` over WebSocket", strict=profile_strict)


WS_SCENARIOS: tuple[WsScenario, ...] = (
    *(_from_http(s) for s in SCENARIOS if s.kind == "stream" and s.on_websocket),
    WsScenario(
        "ws-sequential-turns",
        "three turns on one socket, each after the previous one ended",
        "text",
        (_plain("Turn one: say hello."), _plain("Turn two: say hello again."), _plain("Turn three: goodbye.")),
        covers="websocket-sequential-responses",
    ),
    WsScenario(
        "ws-continuation",
        "a store=false turn continued on the same socket with previous_response_id",
        "multi-turn",
        (
            _plain("My name is Ada. Say hello.", store=False),
            lambda ctx: [create({"model": ctx.model, "input": "What is my name?"}, store=False,
                                previous_response_id=ctx.response_ids[-1] if ctx.response_ids else UNKNOWN_ID)],
        ),
        covers="websocket-continuation",
    ),
    WsScenario(
        "ws-continuation-unknown",
        "a store=false continuation from an unknown id must fail with previous_response_not_found",
        "errors",
        (
            _plain("Go on.", store=False, previous_response_id=UNKNOWN_ID),
            _plain("Start over: say hello."),
        ),
        covers="websocket-previous-response-not-found",
    ),
    WsScenario(
        "ws-failed-continuation-evicts",
        "a store=false continuation that fails (an output for no call) evicts the response it continued",
        "multi-turn",
        (
            _plain("Remember the code word: ember. Reply with OK.", store=False),
            lambda ctx: [create({"model": ctx.model, "input": [
                {"type": "function_call_output", "call_id": "call_conformance_missing", "output": "no such call"}]},
                store=False, previous_response_id=ctx.response_ids[0] if ctx.response_ids else UNKNOWN_ID)],
            lambda ctx: [create({"model": ctx.model, "input": "Go on. Reply with exactly: stale"}, store=False,
                                previous_response_id=ctx.response_ids[0] if ctx.response_ids else UNKNOWN_ID)],
        ),
        # Turn 2 is refused for our own deliberate mistake, not for lost state (WSS020); turn 3 must then
        # fail with previous_response_not_found (WSS010: the failed continuation evicted its response).
        ignore=("WSS020",),
        covers="websocket-failed-continuation-evicts-cache",
    ),
    WsScenario(
        "ws-reconnect",
        "a store=false response, then on a new socket: continuing it fails with previous_response_not_found, "
        "and a fresh response completes",
        "multi-turn",
        (_plain("Remember the code word: copper. Reply with OK.", store=False),),
        covers="websocket-reconnect-store-false-recovery",
        then=WsScenario(
            "ws-reconnect+new-socket",
            "the new socket: the continuation must fail (WSS010); the next, fresh request must be answered",
            "multi-turn",
            (
                lambda ctx: [create({"model": ctx.model, "input": "Go on. Reply with exactly: reconnected"},
                                    store=False,
                                    previous_response_id=ctx.response_ids[0] if ctx.response_ids else UNKNOWN_ID)],
                _plain("Start a new response. Reply with exactly: recovered", store=False),
            ),
        ),
    ),
    WsScenario(
        "ws-compact-new-chain",
        "the output of POST /responses/compact as the base input of a new response, without previous_response_id",
        "compact",
        (_compacted_chain,),
        _verify_compacted_answered,
        covers="websocket-compact-new-chain",
        compact_first=lambda model: {"model": model, "input": [
            {"type": "message", "role": "user", "content": "Remember the compaction code word: slate."},
            {"type": "message", "role": "assistant", "content": "OK."},
            {"type": "message", "role": "user", "content": "Compress this conversation for later."},
        ]},
    ),
    WsScenario(
        "ws-lanes",
        "two stream_id lanes at once: a normal turn, and a failing continuation",
        "text",
        (
            lambda ctx: [
                create({"model": ctx.model, "input": "Say hello."}, stream_id="lane-a"),
                create({"model": ctx.model, "input": "Go on."}, stream_id="lane-b", store=False,
                       previous_response_id=UNKNOWN_ID),
            ],
            lambda ctx: [create({"model": ctx.model, "input": "Say goodbye."}, stream_id="lane-b")],
        ),
        profiles=("openai",),
    ),
    WsScenario(
        "ws-pipelined",
        "two requests sent together must be answered one after the other",
        "text",
        (lambda ctx: [create({"model": ctx.model, "input": "First: say hello."}),
                      create({"model": ctx.model, "input": "Second: say goodbye."})],),
    ),
    WsScenario(
        "ws-create-with-stream",
        "a response.create carrying `stream` must be refused cleanly (the socket stays usable)",
        "errors",
        (_plain("Say hello.", stream=True), _plain("Say hello without stream.")),
        _reject_stream(True),
        profiles=("openresponses",),
        ignore=("WSS002",),
    ),
    WsScenario(
        "ws-create-with-stream",
        "a response.create carrying `stream` is refused or ignored, and the socket stays usable",
        "errors",
        (_plain("Say hello.", stream=True), _plain("Say hello without stream.")),
        _reject_stream(False),
        profiles=("openai",),
        ignore=("WSS002",),
    ),
)


def ws_scenarios(profile: str) -> list[WsScenario]:
    return [s for s in WS_SCENARIOS if profile in s.profiles]


def select_ws_scenarios(profile: str, patterns: Iterable[str] = ()) -> list[WsScenario]:
    """The profile's WebSocket scenarios matching any of the globs (all when none are given)."""
    available = ws_scenarios(profile)
    wanted = [p for p in patterns if p]
    if not wanted:
        return available
    names = sorted({s.name for s in WS_SCENARIOS})
    unknown = [p for p in wanted if not any(fnmatch.fnmatchcase(n, p) for n in names)]
    if unknown:
        raise ValueError(f"no scenario matches {', '.join(unknown)}; scenarios: {', '.join(names)}")
    return [s for s in available if any(fnmatch.fnmatchcase(s.name, p) for p in wanted)]
