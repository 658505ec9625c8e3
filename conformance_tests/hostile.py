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


# ---- structure-aware hostile inputs (issue 15): what the byte-level fuzzers did not find -----------

# Strings a payload, an ``event:`` line or a file name may carry to attack what prints them: terminal
# escapes (CSI, OSC hyperlinks, 8-bit CSI), GitHub workflow commands after a line break, bidi
# overrides, line separators, XML-breaking text, NUL and a lone surrogate (as a JSON escape).
HOSTILE_STRINGS = (
    "\x1b[31mred", "\x1b]8;;http://evil/\x07link", "\x9b2J", "\n::error file=a.py::injected",
    "\r::warning::cr", "%0A::notice::encoded", "\u202eevil", "a\u2028b", "<![CDATA[x]]>", "&<>\"'",
    "\x00nul", "\\ud800", "\x7fdel", "::stop-commands::t",
)
# Fields a finding quotes or walks: where nesting and hostile strings hurt.
QUOTED_FIELDS = ("sequence_number", "output_index", "item_id", "delta", "type", "item", "response", "part")


def hostile_stream(kind: int, size: int, text: str, gz: bool) -> tuple[bytes, str]:
    """A hostile stream and a hostile file name for it, built from a few numbers (so Hypothesis and
    atheris can both drive it). ``kind``: 0 deep nesting in a known field, 1 a flood of findings,
    2 hostile strings in types, ``event:`` lines and values, 3 all three; ``size`` is the depth
    (up to 3,000) or the event count (up to 2,500)."""
    import gzip
    import json

    text = text[:200]
    name = "s" + text[:40].replace("\x00", "0").replace("/", "_") + ".sse"  # what a file system allows
    frames = []
    if kind in (0, 3):
        depth = size % 3000 + 1
        field = QUOTED_FIELDS[size % len(QUOTED_FIELDS)]
        nested = "[" * depth + json.dumps(text) + "]" * depth
        frames.append(b'data: {"type":"response.created","sequence_number":0,"' + field.encode() + b'":'
                      + nested.encode("utf-8", "surrogatepass") + b"}\n\n")
    if kind in (1, 3):
        frames.append(b"data: {}\n\n" * (size % 2500 + 1))
    if kind in (2, 3):
        for i, hostile in enumerate((text, *HOSTILE_STRINGS[: size % len(HOSTILE_STRINGS) + 1])):
            line = hostile.replace("\n", " ").replace("\r", " ")
            event = {"type": hostile, "sequence_number": i, "delta": hostile, "item_id": hostile}
            frames.append(b"event: " + line.encode("utf-8", "surrogatepass") + b"\ndata: "
                          + json.dumps(event).encode() + b"\n\n")
    data = b"".join(frames)
    if gz:
        data = gzip.compress(data, compresslevel=1)
        name += ".gz"
    return data, name


@st.composite
def structured_hostile_inputs(draw: Any) -> tuple[bytes, str]:
    return hostile_stream(
        draw(st.integers(0, 3)),
        draw(st.integers(0, 3000)),
        draw(st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=30))),
        draw(st.booleans()),
    )


# Characters no output format may carry raw (LF aside): C0, DEL, C1, line/paragraph separators, bidi.
UNSAFE_OUTPUT = frozenset(
    [chr(c) for c in (*range(0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0))] + ["\u2028", "\u2029", "\u202e"]
)


def check_output(fmt: str, text: str) -> None:
    """What every rendered report must be: free of raw controls, workflow commands only our own,
    and well-formed in its own syntax."""
    import json
    import re
    import xml.etree.ElementTree as ET

    bad = UNSAFE_OUTPUT.intersection(text)
    if bad:
        raise AssertionError(f"{fmt}: raw {sorted(map(repr, bad))} in the output")
    ours = re.compile(r"::(error|warning|notice) [^:]*::")
    for line in text.splitlines():
        if line.lstrip().startswith("::") and not (fmt == "github" and ours.match(line)):
            raise AssertionError(f"{fmt}: a workflow command in the output: {line[:120]!r}")
    if fmt in ("json", "sarif"):
        json.loads(text)
    elif fmt == "junit":
        ET.fromstring(text.encode())
