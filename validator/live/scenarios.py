"""The fixed battery: what each live scenario sends and what its answer must show.

A scenario needs one capability; a server declares the capabilities it
supports (``--capability``), and a scenario whose capability is not declared
is reported as skipped, never as passed.
"""

from __future__ import annotations

import base64
import dataclasses
import fnmatch
import json
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from jsonschema import Draft202012Validator

from validator.rules import Rule
from validator.rules import http as rules

CONCURRENT_STREAMS = 4  # the concurrency scenario's parallel streams
UNKNOWN_MODEL = "no-such-model-responses-conformance"
# A response id no server has issued, for a server whose own ids could not be learnt (the
# unknown-previous-response scenario sends one shaped like the server's own ids).
UNKNOWN_RESPONSE_ID = "resp_0000000000000000responsesconformance"

CAPABILITIES: dict[str, str] = {
    "text": "plain text answers (every Responses server)",
    "instructions": "a system prompt: the `instructions` parameter, or a `system` input message",
    "multi-turn": "a list of input messages with earlier assistant turns",
    "tools": "function tools, including a forced `tool_choice`",
    "parallel-tools": "several function calls in one response",
    "structured-output": "`text.format` of type `json_schema`",
    "max-output-tokens": "`max_output_tokens` that ends a response `incomplete`",
    "reasoning": "reasoning items (`reasoning` parameter)",
    "errors": "rejecting an invalid request",
    "unknown-model": "rejecting a model name it does not serve (a one-model server may answer any name)",
    "non-streaming": "`stream: false`: one JSON Response object",
    "cancellation": "the client closing the connection mid-stream (the server stays available)",
    "concurrency": f"{CONCURRENT_STREAMS} streams at once",
    "background": "`background: true`, resumed with `GET /responses/{id}?stream=true&starting_after=N`",
    # continuation and background cancellation
    "continuation": "`previous_response_id` naming a stored response (`store: true`); an unknown one rejected",
    "background-cancel": "`POST /responses/{id}/cancel` of a running `background: true` response",
    # keep-alive
    "keep-alive": "a slow generation whose silences are kept alive (SSE comments, or OpenAI's `keepalive` events)",
    # include and stream_options
    "encrypted-reasoning": "reasoning items with `encrypted_content` on `include: [\"reasoning.encrypted_content\"]`",
    "obfuscation": "`stream_options.include_obfuscation: false` (deltas without `obfuscation`)",
    # --- official-suite coverage (issue 20): phase, image input, compaction ---
    "phase": "assistant history messages with `phase` labels (undeclared: a clean 4xx is accepted, a 5xx is not)",
    "image-input": "`input_image` content (undeclared: a clean 4xx is accepted, a 5xx is not)",
    "compact": "`POST /responses/compact`",
}

# What a server is assumed to support when it declares nothing.
# Not by default: a server that stores no responses (continuation) or runs nothing in the background
# is conformant without them. ``phase`` and ``image-input`` are not assumed either: their scenarios
# still run, with the lenient verdict (``Scenario.strict_when``).
DEFAULT_CAPABILITIES = frozenset(CAPABILITIES) - {
    "reasoning", "unknown-model", "background", "continuation", "background-cancel", "keep-alive",
    "encrypted-reasoning", "obfuscation",
    "phase", "image-input", "compact",  # official-suite coverage (issue 20)
}

TERMINAL_TYPES = frozenset({"response.completed", "response.incomplete", "response.failed"})


@dataclass(slots=True)
class Observation:
    """What the battery saw of one stream's payloads, for the scenario's own checks."""

    types: list[str] = field(default_factory=list)
    terminal: dict[str, Any] | None = None
    error_event: dict[str, Any] | None = None
    items_done: list[dict[str, Any]] = field(default_factory=list)
    items_added: list[dict[str, Any]] = field(default_factory=list)
    text_deltas: dict[tuple[Any, Any], list[str]] = field(default_factory=dict)
    text_done: dict[tuple[Any, Any], str] = field(default_factory=dict)
    # Every response id and item id an event names (the concurrency scenario's cross-talk check).
    response_ids: set[str] = field(default_factory=set)
    item_ids: set[str] = field(default_factory=set)
    payloads: list[dict[str, Any]] | None = None  # every payload, when a scenario asks (background resumption)
    obfuscated: int = 0  # delta events with an `obfuscation` field (the obfuscation scenario)

    def feed(self, payload: dict[str, Any]) -> None:
        kind = payload.get("type")
        if not isinstance(kind, str):
            return
        self.types.append(kind)
        self._note_ids(payload)
        if "obfuscation" in payload and kind.endswith(".delta"):
            self.obfuscated += 1
        if self.payloads is not None:
            self.payloads.append(payload)
        if kind in TERMINAL_TYPES and isinstance(payload.get("response"), dict):
            if self.terminal is None:
                self.terminal = payload["response"]
        elif kind == "error":
            self.error_event = payload
        elif kind == "response.output_item.done" and isinstance(payload.get("item"), dict):
            self.items_done.append(payload["item"])
        elif kind == "response.output_item.added" and isinstance(payload.get("item"), dict):
            self.items_added.append(payload["item"])
        elif kind == "response.output_text.delta" and isinstance(payload.get("delta"), str):
            key = (payload.get("item_id"), payload.get("content_index"))
            self.text_deltas.setdefault(key, []).append(payload["delta"])
        elif kind == "response.output_text.done" and isinstance(payload.get("text"), str):
            self.text_done[(payload.get("item_id"), payload.get("content_index"))] = payload["text"]

    def _note_ids(self, payload: dict[str, Any]) -> None:
        response = payload.get("response")
        if isinstance(response, dict) and isinstance(response.get("id"), str):
            self.response_ids.add(response["id"])
            output = response.get("output")
            if isinstance(output, list):
                self.item_ids.update(i["id"] for i in output if isinstance(i, dict) and isinstance(i.get("id"), str))
        item = payload.get("item")
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            self.item_ids.add(item["id"])
        if isinstance(payload.get("item_id"), str):
            self.item_ids.add(payload["item_id"])

    @property
    def status(self) -> str | None:
        if self.terminal is None:
            return None
        status = self.terminal.get("status")
        return status if isinstance(status, str) else None

    def items(self) -> list[dict[str, Any]]:
        """The output items: the final response's, else those streamed."""
        if self.terminal is not None and isinstance(self.terminal.get("output"), list):
            final = [i for i in self.terminal["output"] if isinstance(i, dict)]
            if final:
                return final
        return self.items_done or self.items_added

    def function_calls(self) -> list[dict[str, Any]]:
        return [i for i in self.items() if i.get("type") == "function_call"]

    def output_text(self) -> str:
        """The assistant text: from the final response, else the .done events, else the deltas."""
        texts: list[str] = []
        for item in self.items():
            if item.get("type") == "message" and isinstance(item.get("content"), list):
                texts.extend(
                    str(part.get("text", ""))
                    for part in item["content"]
                    if isinstance(part, dict) and part.get("type") == "output_text"
                )
        if texts and any(texts):
            return "".join(texts)
        if self.text_done:
            return "".join(self.text_done.values())
        return "".join("".join(parts) for parts in self.text_deltas.values())

    @property
    def failed_cleanly(self) -> bool:
        return self.error_event is not None or self.status == "failed"


class Reports(Protocol):
    """Where a scenario's own checks report: a Checker (``Checker.emit``) or an Emitter."""

    def emit(
        self, rule: Rule, message: str, *, pointer: str = "", expected: Any = None, actual: Any = None
    ) -> object: ...


Verifier = Callable[[Observation, Reports], None]


@dataclass(frozen=True, slots=True)
class Scenario:
    """One request of the battery.

    ``expect`` is ``stream`` (a conformant stream that completes),
    ``reject`` (an invalid request: an HTTP 4xx or an error stream) or
    ``answer-or-reject`` (an input the server may not support: a conformant
    stream, or a clean HTTP 4xx; a 5xx is a finding). ``strict_when`` names
    the capability whose declaration turns ``answer-or-reject`` into
    ``stream`` (see ``for_capabilities``).
    ``kind`` is ``stream`` (one streamed request) or the name of a runner in
    ``validator.live.exchanges`` that sends several requests (``non-streaming``,
    ``cancel``, ``concurrency``, ``background``, ``compact``). ``covers`` names the test of
    the official Open Responses compliance suite the scenario covers, if any.
    """

    name: str
    summary: str
    capability: str
    build: Callable[[str], dict[str, Any]]
    expect: str = "stream"
    verify: Verifier | None = None
    kind: str = "stream"
    covers: str | None = None
    on_websocket: bool = True  # the WebSocket battery runs it too (``stream`` kinds only)
    # The ``error.code`` a rejection must carry (``expect="reject"``), if the specs name one.
    error_code: str | None = None
    strict_when: str | None = None

    def body(self, model: str) -> dict[str, Any]:
        return self.build(model)


def _user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text}


WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "City name"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}

TIME_TOOL = {
    "type": "function",
    "name": "get_time",
    "description": "Get the current local time in an IANA time zone.",
    "parameters": {
        "type": "object",
        "properties": {"timezone": {"type": "string", "description": "IANA time zone, e.g. Europe/Paris"}},
        "required": ["timezone"],
        "additionalProperties": False,
    },
    "strict": True,
}

CITY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "country": {"type": "string"},
        "population": {"type": "integer"},
    },
    "required": ["city", "country", "population"],
    "additionalProperties": False,
}

MAX_OUTPUT_TOKENS = 16


def png_data_url(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (220, 30, 30)) -> str:
    """A small valid PNG (one solid colour, 8-bit RGB) as a ``data:image/png;base64,`` URL."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, no interlace
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))  # filter type 0 per row
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _verify_completed(obs: Observation, out: Reports) -> None:
    """Nothing beyond the protocol: the machine rules judge the stream itself."""


def _verify_tool(obs: Observation, out: Reports) -> None:
    names = [c.get("name") for c in obs.function_calls()]
    if "get_weather" not in names:
        got = ", ".join(str(n) for n in names) or "no function call"
        out.emit(
            rules.TOOL_NOT_CALLED,
            f"tool_choice forced get_weather, but the response has {got}",
            expected="get_weather",
            actual=names,
        )


def _verify_parallel(obs: Observation, out: Reports) -> None:
    calls = obs.function_calls()
    if len(calls) < 2:
        out.emit(
            rules.PARALLEL_CALLS_MISSING,
            f"expected two function calls in one response (get_weather, get_time), got {len(calls)}",
            expected=2,
            actual=len(calls),
        )


def _verify_structured(obs: Observation, out: Reports) -> None:
    text = obs.output_text()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        out.emit(
            rules.STRUCTURED_OUTPUT_MISMATCH,
            f"output text is not JSON ({exc.msg} at column {exc.colno}): {text[:80]!r}",
            actual=text[:200],
        )
        return
    errors = sorted(Draft202012Validator(CITY_SCHEMA).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/" + "/".join(str(p) for p in first.path)
        out.emit(
            rules.STRUCTURED_OUTPUT_MISMATCH,
            f"output JSON does not match the schema at {where}: {first.message}",
            pointer=where,
            actual=value,
        )


def _verify_incomplete(obs: Observation, out: Reports) -> None:
    if obs.terminal is None:
        return  # the missing terminal event is the machine's finding
    details = obs.terminal.get("incomplete_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    if obs.status != "incomplete" or reason != "max_output_tokens":
        out.emit(
            rules.NOT_INCOMPLETE,
            f"max_output_tokens={MAX_OUTPUT_TOKENS} on a long answer ended with status {obs.status!r} "
            f"and incomplete_details.reason {reason!r}",
            expected={"status": "incomplete", "reason": "max_output_tokens"},
            actual={"status": obs.status, "reason": reason},
        )


def _verify_reasoning(obs: Observation, out: Reports) -> None:
    seen = [i for i in obs.items() + obs.items_added if i.get("type") == "reasoning"]
    if not seen:
        out.emit(rules.REASONING_MISSING, "the reasoning scenario streamed no reasoning item")


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "plain-text",
        "a one-line text answer",
        "text",
        lambda model: {"model": model, "input": "Say hello in one short sentence.", "stream": True},
        verify=_verify_completed,
        covers="streaming-response",
    ),
    Scenario(
        "instructions",
        "a system prompt through `instructions`",
        "instructions",
        lambda model: {
            "model": model,
            "instructions": "You are a terse assistant. Answer in one short sentence.",
            "input": "What is the capital of France?",
            "stream": True,
        },
        verify=_verify_completed,
    ),
    Scenario(
        "multi-turn",
        "an input list with an earlier assistant turn",
        "multi-turn",
        lambda model: {
            "model": model,
            "input": [
                _user("My name is Ada."),
                {"type": "message", "role": "assistant", "content": "Nice to meet you, Ada."},
                _user("What is my name? Answer in one short sentence."),
            ],
            "stream": True,
        },
        verify=_verify_completed,
        covers="multi-turn",
    ),
    Scenario(
        "function-tool",
        "a function tool that `tool_choice` forces",
        "tools",
        lambda model: {
            "model": model,
            "input": [_user("What is the weather in Paris?")],
            "tools": [WEATHER_TOOL],
            "tool_choice": {"type": "function", "name": "get_weather"},
            "stream": True,
        },
        verify=_verify_tool,
        covers="tool-calling",
    ),
    Scenario(
        "parallel-tool-calls",
        "two independent function calls in one response",
        "parallel-tools",
        lambda model: {
            "model": model,
            "input": [
                _user("Call both tools now, in parallel: the weather in Paris and the current time in Europe/Paris.")
            ],
            "tools": [WEATHER_TOOL, TIME_TOOL],
            "tool_choice": "required",
            "parallel_tool_calls": True,
            "stream": True,
        },
        verify=_verify_parallel,
    ),
    Scenario(
        "structured-output",
        "`text.format` json_schema: the text must parse and match the schema",
        "structured-output",
        lambda model: {
            "model": model,
            "input": [_user("Give the city, country and population of Paris.")],
            "text": {"format": {"type": "json_schema", "name": "city_facts", "strict": True, "schema": CITY_SCHEMA}},
            "stream": True,
        },
        verify=_verify_structured,
    ),
    Scenario(
        "max-output-tokens",
        f"max_output_tokens={MAX_OUTPUT_TOKENS} on a long answer must end `incomplete`",
        "max-output-tokens",
        lambda model: {
            "model": model,
            "input": "Write a story of at least two hundred words about a lighthouse keeper.",
            "max_output_tokens": MAX_OUTPUT_TOKENS,
            "stream": True,
        },
        verify=_verify_incomplete,
    ),
    Scenario(
        "reasoning",
        "a reasoning request must stream a reasoning item",
        "reasoning",
        lambda model: {
            "model": model,
            "input": "What is 17 * 23? Think it through briefly.",
            "reasoning": {"effort": "low", "summary": "auto"},
            "stream": True,
        },
        verify=_verify_reasoning,
    ),
    Scenario(
        "invalid-request",
        "an invalid request must fail cleanly (HTTP 4xx or an error stream)",
        "errors",
        lambda model: {"model": model, "input": 42, "max_output_tokens": -1, "stream": True},
        expect="reject",
    ),
    Scenario(
        "unknown-model",
        "a model the server does not serve must be rejected with an HTTP 4xx and an error object",
        "unknown-model",
        lambda model: {"model": UNKNOWN_MODEL, "input": "Say hello.", "stream": True},
        expect="reject",
        on_websocket=False,
    ),
    Scenario(
        "non-streaming",
        "`stream: false`: a valid Response, shaped like the streamed terminal response to the same request",
        "non-streaming",
        lambda model: {"model": model, "input": "Say hello in exactly three words.", "stream": True},
        kind="non-streaming",
        covers="basic-response",
    ),
    Scenario(
        "cancel-mid-stream",
        "the client closes a stream after its first delta; the next request must still be answered",
        "cancellation",
        lambda model: {
            "model": model,
            "input": "Write a story of at least two hundred words about a lighthouse keeper.",
            "stream": True,
        },
        kind="cancel",
    ),
    Scenario(
        "background-resume",
        "`background: true` streamed, then resumed with `starting_after=N`: the same events after N",
        "background",
        lambda model: {
            "model": model,
            "input": "Write a story of at least two hundred words about a lighthouse keeper.",
            "background": True,
            "stream": True,
        },
        kind="background",
    ),
    Scenario(
        "concurrency",
        f"{CONCURRENT_STREAMS} streams at once: each conformant, no ids, items or text shared between them",
        "concurrency",
        lambda model: {"model": model, "input": "Say hello in one short sentence.", "stream": True},
        kind="concurrency",
    ),
)

# --- continuation and background cancellation ---------------------------------------------------

CONTINUATION_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "previous-response-id",
        "a stored response (`store: true`), then a request continuing it with `previous_response_id`: "
        "answered, and its Response objects name the previous id",
        "continuation",
        lambda model: {
            "model": model,
            "input": "My name is Ada. Say hello to me in one short sentence.",
            "store": True,
            "stream": True,
        },
        kind="continuation",
    ),
    Scenario(
        "unknown-previous-response",
        "a `previous_response_id` no response has: rejected with a 4xx and `previous_response_not_found`",
        "continuation",
        lambda model: {
            "model": model,
            "input": "What is my name?",
            "previous_response_id": UNKNOWN_RESPONSE_ID,
            "store": True,
            "stream": True,
        },
        expect="reject",
        kind="unknown-previous",
        error_code="previous_response_not_found",
        on_websocket=False,
    ),
    Scenario(
        "background-cancel",
        "a `background: true` response cancelled while it runs: HTTP 200 and status `cancelled`, "
        "and a later GET says `cancelled` too",
        "background-cancel",
        lambda model: {
            "model": model,
            "input": "Write a story of at least two thousand words about a lighthouse keeper.",
            "background": True,
            "store": True,
            "stream": False,
        },
        kind="background-cancel",
        on_websocket=False,
    ),
)

SCENARIOS += CONTINUATION_SCENARIOS

# --- keep-alive --------------------------------------------------------------------------------

KEEP_ALIVE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "keep-alive",
        "a long generation: the silences a slow server fills with keep-alives (SSE comments, `keepalive` "
        "events) break no rule and keep the stream inside the idle timeout",
        "keep-alive",
        lambda model: {
            "model": model,
            "input": "Think carefully, then write a story of at least four hundred words about a lighthouse keeper.",
            "stream": True,
        },
        verify=_verify_completed,
        on_websocket=False,  # a WebSocket has no SSE comments; its own keep-alive is the ping frame
    ),
)

SCENARIOS += KEEP_ALIVE_SCENARIOS

# --- include and stream_options ------------------------------------------------------------------


def _verify_encrypted_reasoning(obs: Observation, out: Reports) -> None:
    done = [i for i in obs.items_done + obs.items() if i.get("type") == "reasoning"]
    if not done:
        _verify_reasoning(obs, out)
        return
    bare = sorted({str(i.get("id")) for i in done if not (isinstance(i.get("encrypted_content"), str)
                                                           and i["encrypted_content"])})
    if bare:
        out.emit(
            rules.ENCRYPTED_REASONING_MISSING,
            f"include asked for reasoning.encrypted_content, but reasoning item(s) {', '.join(bare[:3])} "
            "carry no encrypted_content string (in response.output_item.done or the final output)",
        )


def _verify_no_obfuscation(obs: Observation, out: Reports) -> None:
    if obs.obfuscated:
        out.emit(
            rules.OBFUSCATION_NOT_DISABLED,
            f"stream_options.include_obfuscation was false, but {obs.obfuscated} delta event(s) carry `obfuscation`",
            actual=obs.obfuscated,
        )


INCLUDE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "encrypted-reasoning",
        "`include: [\"reasoning.encrypted_content\"]` with `store: false`: every completed reasoning item "
        "carries `encrypted_content`",
        "encrypted-reasoning",
        lambda model: {
            "model": model,
            "input": "What is 17 * 23? Think it through briefly.",
            "reasoning": {"effort": "low", "summary": "auto"},
            "include": ["reasoning.encrypted_content"],
            "store": False,
            "stream": True,
        },
        verify=_verify_encrypted_reasoning,
    ),
    Scenario(
        "no-obfuscation",
        "`stream_options.include_obfuscation: false`: no delta carries `obfuscation`",
        "obfuscation",
        lambda model: {
            "model": model,
            "input": "Say hello in one short sentence.",
            "stream_options": {"include_obfuscation": False},
            "stream": True,
        },
        verify=_verify_no_obfuscation,
        on_websocket=False,  # `stream_options` is not accepted over WebSocket
    ),
)

SCENARIOS += INCLUDE_SCENARIOS

# --- official-suite coverage (issue 20): system message, phase, image input, compaction -----------

OFFICIAL_SUITE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "system-message",
        "a system prompt as a `system` role input message",
        "instructions",
        lambda model: {
            "model": model,
            "input": [
                {"type": "message", "role": "system", "content": "You are a terse assistant. Answer in one sentence."},
                _user("Say hello."),
            ],
            "stream": True,
        },
        verify=_verify_completed,
        covers="system-prompt",
    ),
    Scenario(
        "phase-history",
        "assistant history labelled `phase: commentary` / `final_answer`: answered, or (undeclared) a clean 4xx",
        "text",
        lambda model: {
            "model": model,
            "input": [
                _user("Remember the number four."),
                {"type": "message", "role": "assistant", "phase": "commentary",
                 "content": "I will keep the number in mind."},
                {"type": "message", "role": "assistant", "phase": "final_answer", "content": "The number is four."},
                _user("Repeat only the number."),
            ],
            "stream": True,
        },
        expect="answer-or-reject",
        verify=_verify_completed,
        covers="assistant-phase",
        on_websocket=False,
        strict_when="phase",
    ),
    Scenario(
        "image-input",
        "a user message with an `input_image` data-URL PNG: answered, or (undeclared) a clean 4xx",
        "text",
        lambda model: {
            "model": model,
            "input": [
                {
                    "type": "message",
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "What colour is this image? Answer in one short sentence."},
                        {"type": "input_image", "image_url": png_data_url(), "detail": "low"},
                    ],
                }
            ],
            "stream": True,
        },
        expect="answer-or-reject",
        verify=_verify_completed,
        covers="image-input",
        on_websocket=False,
        strict_when="image-input",
    ),
    Scenario(
        "compact",
        "`POST /responses/compact`: a valid compacted window; without `model`, HTTP 400 or 422",
        "compact",
        lambda model: {
            "model": model,
            "input": [
                _user("We agreed to ship on Tuesday and to tell support first."),
                {"type": "message", "role": "assistant", "content": "Understood: Tuesday, support told beforehand."},
            ],
        },
        kind="compact",
        covers="compact-response",
        on_websocket=False,
    ),
)

SCENARIOS += OFFICIAL_SUITE_SCENARIOS

SCENARIO_NAMES = tuple(s.name for s in SCENARIOS)


def select_scenarios(patterns: Iterable[str] = ()) -> list[Scenario]:
    """The scenarios matching any of the glob patterns (all when none are given)."""
    wanted = [p for p in patterns if p]
    if not wanted:
        return list(SCENARIOS)
    unknown = [p for p in wanted if not any(fnmatch.fnmatchcase(s.name, p) for s in SCENARIOS)]
    if unknown:
        raise ValueError(f"no scenario matches {', '.join(unknown)}; scenarios: {', '.join(SCENARIO_NAMES)}")
    return [s for s in SCENARIOS if any(fnmatch.fnmatchcase(s.name, p) for p in wanted)]


def parse_capabilities(values: Iterable[str]) -> frozenset[str]:
    """Capabilities from ``--capability`` values (comma lists allowed; ``all``; none = the default)."""
    chosen: set[str] = set()
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name == "all":
                chosen.update(CAPABILITIES)
            elif name in CAPABILITIES:
                chosen.add(name)
            else:
                raise ValueError(f"unknown capability {name!r}; choose from all, {', '.join(CAPABILITIES)}")
    if not chosen:
        return DEFAULT_CAPABILITIES
    return frozenset(chosen | {"text"})


def for_capabilities(scenario: Scenario, capabilities: frozenset[str]) -> Scenario:
    """The scenario as the declared capabilities judge it: an ``answer-or-reject`` scenario whose
    ``strict_when`` capability is declared must answer (``expect="stream"``)."""
    if scenario.strict_when is not None and scenario.strict_when in capabilities:
        return dataclasses.replace(scenario, expect="stream")
    return scenario


def skip_reason(capability: str, capabilities: frozenset[str]) -> str | None:
    """Why a scenario that needs ``capability`` is skipped (None: the server declares it, it runs)."""
    if capability in capabilities:
        return None
    return (
        f"the server does not declare capability {capability!r} "
        f"({CAPABILITIES[capability]}); declare it with --capability"
    )
