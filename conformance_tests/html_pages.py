"""Streams and reports for the HTML report's tests: a hostile one, and a few with findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from validator.checker import check_stream
from validator.report import Report
from validator.reporters import REPORTERS, RenderOptions
from validator.sources import streams_from_bytes, streams_from_path
from validator.timeline import Timeline

ROOT = Path(__file__).resolve().parents[1]

# Each would run script, load something or break out of its context if it were markup.
HOSTILE = (
    "</script><script>window.__pwned = 1; document.title = 'pwned'</script>",
    '"><img src=x onerror="window.__pwned = 2">',
    "<!--<script>window.__pwned = 3</script>-->",
    "<svg onload=window.__pwned=4>",
    "line\u2028separator\u2029paragraph",
    "]]><style>body{display:none}</style>",
    "javascript:window.__pwned=5",
    "&lt;escaped&gt; &amp; <b>bold</b>",
)
HOSTILE_TEXT = " | ".join(HOSTILE)
# Secrets a payload may echo: none may reach the page.
SECRETS = ("sk-hostile-0123456789", "hunter2-password", "sk-query-key-987")
SECRET_TEXT = (
    f"Authorization: Bearer {SECRETS[0]} and https://admin:{SECRETS[1]}@internal.test/x?api_key={SECRETS[2]}&y=1"
)


def hostile_events() -> list[dict[str, Any]]:
    """A stream whose ids, names, types, texts and tool calls carry the hostile strings."""
    item_id = HOSTILE[1]
    seq = iter(range(1_000))
    part = {"type": "output_text", "annotations": [], "text": ""}
    text_deltas = [HOSTILE[0], " ", HOSTILE[4], " ", SECRET_TEXT, " ", HOSTILE[2]]
    text = "".join(text_deltas)
    call = {"id": "fc_1", "type": "function_call", "status": "in_progress", "arguments": "",
            "call_id": "call_1", "name": HOSTILE[3]}
    args = orjson.dumps({"html": HOSTILE_TEXT}).decode()
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "object": "response", "status": "in_progress",
                                                  "output": [], "instructions": HOSTILE[5]}},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {"id": item_id, "type": "message", "status": "in_progress", "role": "assistant", "content": []}},
        {"type": "response.content_part.added", "item_id": item_id, "output_index": 0, "content_index": 0,
         "part": part},
        *({"type": "response.output_text.delta", "item_id": item_id, "output_index": 0, "content_index": 0,
           "delta": d, "logprobs": []} for d in text_deltas),
        # A .done text that is not the deltas: a finding whose expected/actual carry the strings.
        {"type": "response.output_text.done", "item_id": item_id, "output_index": 0, "content_index": 0,
         "text": text + HOSTILE[6], "logprobs": []},
        {"type": HOSTILE[0], "note": HOSTILE[7]},
        {"type": "response.output_item.added", "output_index": 1, "item": call},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 1, "delta": args},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 1,
         "arguments": args},
        {"type": "response.output_item.done", "output_index": 1,
         "item": {**call, "status": "completed", "arguments": args}},
        {"type": "response.completed", "response": {"id": "resp_1", "object": "response", "status": "completed",
                                                    "output": []}},
    ]
    for event in events:
        event["sequence_number"] = next(seq)
    return events


# The SSE ``event:`` name of the arguments' .done event, which disagrees with its type.
HOSTILE_SSE_EVENT = 14


def hostile_sse() -> bytes:
    frames = []
    for index, e in enumerate(hostile_events()):
        name = HOSTILE[1] if index == HOSTILE_SSE_EVENT else e["type"].replace("\n", " ")
        frames.append(b"event: " + name.encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n")
    return b"".join(frames)


def hostile_report() -> Report:
    report = Report("openai")
    for stream in streams_from_bytes(hostile_sse(), name=f"capture {HOSTILE[0]} {HOSTILE[1]}.sse"):
        report.streams.append(check_stream(stream, timeline=Timeline()))
    return report


def fixture_report(*paths: str) -> Report:
    report = Report("openai")
    for path in paths:
        for stream in streams_from_path(ROOT / path):
            report.streams.append(check_stream(stream, timeline=Timeline(), max_per_rule=20))
    return report


def render(report: Report, **options: Any) -> str:
    return REPORTERS["html"](report, RenderOptions(**options))
