"""Hostile inputs shared by the hostile-input tests and the fuzz harness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Members the state machine and the schemas read, with values of every JSON kind.
EVENT_TYPES = (
    "response.created", "response.queued", "response.in_progress", "response.completed",
    "response.failed", "response.incomplete", "error", "response.output_item.added",
    "response.output_item.done", "response.content_part.added", "response.content_part.done",
    "response.output_text.delta", "response.output_text.done", "response.refusal.delta",
    "response.refusal.done", "response.output_text.annotation.added",
    "response.function_call_arguments.delta", "response.function_call_arguments.done",
    "response.reasoning_summary_part.added", "response.reasoning_summary_part.done",
    "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
    "response.reasoning_text.delta", "response.reasoning_text.done",
    "response.web_search_call.in_progress", "response.web_search_call.searching",
    "response.web_search_call.completed", "response.custom_tool_call_input.delta",
    "response.custom_tool_call_input.done", "response.mcp_call_arguments.delta",
    "response.mcp_call_arguments.done", "response.image_generation_call.partial_image",
    "response.code_interpreter_call_code.delta", "acme:trace", "ping",
)
FIELDS = (
    "sequence_number", "output_index", "content_index", "summary_index", "annotation_index",
    "item_id", "item", "part", "delta", "text", "arguments", "response", "code", "message",
    "error", "annotation", "name", "refusal", "input", "partial_image_index",
)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from((*FIELDS, "id", "type", "status", "content", "output", "usage")),
                        inner, max_size=6),
    ),
    max_leaves=20,
)


@st.composite
def confused_events(draw: Any) -> dict[str, Any]:
    """An event of a real type whose members hold values of any JSON kind."""
    event: dict[str, Any] = {"type": draw(st.sampled_from(EVENT_TYPES))}
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=8, unique=True)):
        event[name] = draw(json_values)
    if draw(st.booleans()):
        event["sequence_number"] = draw(st.integers(min_value=-2, max_value=40))
    return event


def seed_streams() -> list[bytes]:
    """Small real streams: our fixtures, and the shared corpus when it is beside us."""
    paths = sorted((ROOT / "fixtures").rglob("*.sse"))
    if SHARED.is_dir():
        paths += sorted((SHARED / "corpus").rglob("*.sse"))
    return [p.read_bytes() for p in paths if p.stat().st_size < 200_000]


HOSTILE_TOKENS = (
    b"\x00", b"\r", b"\r\n", b"\n\n", b"\xff\xfe", b"\xef\xbb\xbf", b"data: [DONE]\n\n", b":\n",
    b"data:", b"event: ", b"id: \x00\n", b"retry: 99999999999999999999\n",
    b"123456789012345678901234567890", b"1e999", b"-0", b'"\\ud800"', b"[" * 300, b"{" * 300,
    b'{"type":"response.created","sequence_number":0}', b'"type":null', b"\xf0\x9f\x99",
)


@st.composite
def mutated_real_streams(draw: Any, seeds: list[bytes]) -> bytes:
    """A real stream with bytes cut, flipped, or hostile tokens spliced in."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not data:
            break
        pos = draw(st.integers(min_value=0, max_value=len(data) - 1))
        action = draw(st.sampled_from(("cut", "flip", "insert", "truncate", "delete")))
        if action == "cut":
            del data[pos : pos + draw(st.integers(min_value=1, max_value=200))]
        elif action == "flip":
            data[pos] = draw(st.integers(min_value=0, max_value=255))
        elif action == "insert":
            data[pos:pos] = draw(st.sampled_from(HOSTILE_TOKENS))
        elif action == "truncate":
            del data[pos:]
        else:
            del data[pos]
    return bytes(data)
