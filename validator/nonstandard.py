"""Non-standard streaming events seen in the wild, each with its own diagnosis.

Servers send event types that neither spec defines. The SCH stage calls an
unlisted one unknown (SCH002); the ones here it names instead, saying who
sends them, what they are and what clients do with them:

* ``openai``: sent by OpenAI's own services outside OpenAI's published spec
  (SCH005: an info in the ``openai`` profile, since the profile accepts what
  OpenAI itself sends);
* ``vendor``: sent by other implementations (SCH006);
* ``terminal``: a look-alike of a terminal event from another API (SCH007);
  a stream that ends with one has no valid terminal event, and the lifecycle
  check says so by name (``validator.machine.lifecycle.close``).

In the ``openresponses`` profile every one of them is an unprefixed
non-standard type, which the Open Responses extension rules forbid
(specification 2026-04-24, "Extending streaming events": extension events
MUST be prefixed with the implementor slug, e.g. ``acme:trace_event``).

``numbered`` says whether the event carries a ``sequence_number`` that takes
its place in the stream's numbering (OpenAI's ``keepalive`` does; the SEQ
checks count it like any other event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Origin = Literal["openai", "vendor", "terminal"]


@dataclass(frozen=True, slots=True)
class KnownEvent:
    """One non-standard event type (``name``), or a family (``name`` ending in ``.*``)."""

    name: str
    origin: Origin
    sender: str
    diagnosis: str
    numbered: bool = False
    evidence: tuple[str, ...] = ()

    def matches(self, kind: str) -> bool:
        if self.name.endswith(".*"):
            return kind.startswith(self.name[:-1]) and len(kind) > len(self.name) - 1
        return kind == self.name


REGISTRY: tuple[KnownEvent, ...] = (
    KnownEvent(
        "keepalive",
        "openai",
        "OpenAI's Responses API",
        "a transport heartbeat on long-running streams, `{type, sequence_number}`; it changes nothing in "
        "the response, and its sequence_number takes its place in the stream's numbering; openai-node and "
        "openai-java skip it, strict clients with an exhaustive switch over event types fail on it",
        numbered=True,
        evidence=(
            "openai-node src/lib/responses/ResponseAccumulator.ts (ResponseKeepAliveEvent) and "
            "src/internal/responses/response-accumulator.ts (ignored events), commit 7b7d6ca",
            "openai/openai-node#1964 (v6.45 threw on it), #1965; openai/openai-java#776; openai-php/client#732",
        ),
    ),
    KnownEvent(
        "response.apply_patch_call_operation_diff.*",
        "openai",
        "OpenAI's Responses API (apply_patch tool)",
        "the streamed diff of an apply_patch_call's operation (`.delta` with `delta`, `.done` with `diff`); "
        "OpenAI's published spec and openai-python do not define it, the AI SDK, Codex and openai-php "
        "read it",
        numbered=True,
        evidence=(
            "vercel/ai#11273 (streaming apply_patch), openai/codex#17862, openai-php/client#794",
        ),
    ),
    KnownEvent(
        "codex.rate_limits",
        "openai",
        "the ChatGPT Codex backend",
        "a rate-limit snapshot (`plan_type`, `rate_limits`) the Codex backend sends with the response events, "
        "often before response.created; Codex CLI reads it; openai-python's responses.stream() raises when "
        "anything but response.created comes first",
        evidence=("Codex backend clients and proxies on GitHub that skip or read codex.rate_limits frames",),
    ),
    KnownEvent(
        "codex.response.metadata",
        "openai",
        "the ChatGPT Codex backend",
        "response headers repeated as an event (`headers`), sent with codex.rate_limits before the response",
        evidence=("Codex backend clients and proxies on GitHub that skip codex.response.metadata frames",),
    ),
    KnownEvent(
        "response.keep_alive",
        "vendor",
        "OpenRouter",
        "OpenRouter's heartbeat, `{type}` only, without a sequence_number; OpenRouter has since removed it; "
        "it crashed openai-php and OpenRouter's own Python SDK, and openai-node's responses.stream() throws "
        "on every unknown type but `keepalive`",
        evidence=("OpenRouterTeam/python-sdk#266", "openai-php/client#770"),
    ),
    KnownEvent(
        "ping",
        "vendor",
        "gateways and proxies (the heartbeat of Anthropic's Messages API, passed through)",
        "a heartbeat that belongs to another API; the Responses API's own heartbeat is `keepalive`; "
        "openai-node's responses.stream() throws on it",
        evidence=("shared/DESIGN.md (unknown event types that crash strict clients)",),
    ),
    KnownEvent(
        "response.done",
        "terminal",
        "servers that mix up the Realtime API with the Responses API",
        "the Realtime API's terminal event; a Responses stream ends with response.completed, "
        "response.failed or response.incomplete: openai-python's get_final_response() raises \"Didn't "
        "receive a response.completed event\" and Codex fails with \"stream closed before response.completed\"",
        evidence=(
            "openapi.yaml (Realtime API: response.done)",
            "shared/WEBSOCKET.md (a non-standard terminal response.done, Floway PR #34)",
            "shared/CLIENTS.md",
        ),
    ),
    KnownEvent(
        "response.error",
        "terminal",
        "servers that copy it from third-party documentation",
        "not an event of either spec (the error event's type is `error`); openai-agents treats it as a "
        "terminal, openai-python raises APIError on its `error` member, and the stream still lacks "
        "response.failed",
        evidence=("shared/CLIENTS.md (openai-agents: the non-standard response.error)", "shared/specs/seeds"),
    ),
)

_EXACT = {entry.name: entry for entry in REGISTRY if not entry.name.endswith(".*")}
_FAMILIES = tuple(entry for entry in REGISTRY if entry.name.endswith(".*"))


def lookup(kind: str) -> KnownEvent | None:
    """The registry entry for an event type, or None when it is not a known non-standard event."""
    entry = _EXACT.get(kind)
    if entry is not None:
        return entry
    for family in _FAMILIES:
        if family.matches(kind):
            return family
    return None


def terminal_lookalike(kind: object) -> KnownEvent | None:
    """The entry when ``kind`` is a non-standard stand-in for a terminal event."""
    entry = lookup(kind) if isinstance(kind, str) else None
    return entry if entry is not None and entry.origin == "terminal" else None
