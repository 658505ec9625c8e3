"""A small, conformant Responses API server, with faults to inject on request.

It answers ``POST /v1/responses`` and ``POST /responses`` (and ``/responses/compact``,
with a deterministic compacted window) without any model:
the output is computed from the request, deterministically, so the live
battery (``responses-conformance check``) has a server to run against in
every CI run, and its tests can ask for each kind of defect::

    python -m validator.reference_server --port 8765 [--profile openresponses] [--api-key KEY]

What it answers:

* ``reasoning`` in the request: a reasoning item with a streamed summary first;
* function ``tools`` (unless ``tool_choice`` is ``"none"``): one call per tool,
  only the first with ``parallel_tool_calls: false``, only the named one when
  ``tool_choice`` forces a function; arguments are built from each tool's
  parameter schema;
* otherwise an assistant message: JSON built from the schema when
  ``text.format`` is ``json_schema``, else a fixed greeting that echoes the
  last user text. ``max_output_tokens`` counts whitespace-separated words; a
  longer answer is cut and the response ends ``incomplete``.

Profiles: ``openai`` streams end with the terminal event; ``openresponses``
streams end with ``data: [DONE]``. Choose per server (``--profile``) or per
request (header ``X-Conformance-Profile``).

Model names beginning ``no-such-model`` are not served (HTTP 404
``model_not_found``). A streamed ``background: true`` response is kept (the
latest 64) for ``GET /responses/{id}?stream=true&starting_after=N``, which
streams its events numbered above N again.

A ``store: true`` response is kept (the latest 64) for ``previous_response_id``:
its input and output come before the new input (an unknown id is HTTP 400
``previous_response_not_found``), and ``GET /responses/{id}`` answers it. A
``background: true`` request without ``stream`` is answered at once
(``queued``) and runs for ``background_seconds`` (``in_progress`` on GET, then
complete); ``POST /responses/{id}/cancel`` ends it ``cancelled`` (a finished
one is answered as it is; a response not run in the background is HTTP 400).

``--pause SECONDS`` pauses every stream in its middle (a slow generation);
``--keepalive SECONDS`` fills a pause (and the ``stall`` fault's) with an SSE
comment ``: keep-alive`` at that interval.

Faults: header ``X-Conformance-Fault: name[,name...]``, a model name suffix
``model+fault=name``, or ``--fault name`` for every request. ``FAULTS`` lists
them. The HTTP side imports nothing but the standard library, so it is
independent of the validator it exercises.

WebSocket: a ``GET`` upgrade on the same paths opens a Responses WebSocket
session (``serve_websocket``, below the HTTP part): ``response.create``
messages are answered in order with the same events, each with the request's
``stream_id`` (openai profile); errors are WebSocket error envelopes;
``store=false`` continuations are served from connection-local memory and fail
with ``previous_response_not_found`` otherwise. ``WS_FAULTS`` lists its faults,
chosen as for HTTP (the upgrade's header, ``--fault``, or a model suffix per
``response.create``). The WebSocket protocol itself is the ``websockets``
package's sans-I/O ``ServerProtocol``, imported only when an upgrade arrives.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import hashlib
import json
import re
import socket
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PROFILES = ("openai", "openresponses")

FAULTS: dict[str, str] = {
    "no-sequence-numbers": "events carry no sequence_number",
    "sequence-gap": "sequence_number skips one value in the middle of the stream",
    "delta-before-part": "text deltas are sent before response.content_part.added",
    "missing-done-events": "no output_text.done, content_part.done or output_item.done",
    "wrong-content-type": "the stream is sent as application/json",
    "http-500": "HTTP 500 with a JSON error body",
    "sse-error-500": "HTTP 500 whose body is an event stream",
    "stall": "the stream stops mid-way for --stall-seconds, then goes on",
    "slow-headers": "the response headers come only after --stall-seconds",
    "cut-mid-event": "the body ends in the middle of an event (a clean HTTP end)",
    "drop-connection": "the connection is closed mid-stream without ending the chunked body",
    "events-after-terminal": "a delta follows response.completed",
    "changed-ids": "output_item.done carries a different item id than output_item.added",
    "done-marker": "the stream ends with data: [DONE] whatever the profile",
    "no-done-marker": "the stream never sends data: [DONE] whatever the profile",
    "data-only": "frames carry no event: line",
    "event-mismatch": "the event: line of deltas disagrees with their type",
    "invalid-json": "one frame's data is not JSON",
    "empty-final-output": "response.completed carries an empty output list",
    "redirect": "HTTP 307 to another host",
    "accept-invalid": "invalid requests are answered with a normal stream",
    "error-stream": "a 200 stream that fails at once with an error event",
    "bad-structured-output": "json_schema output that does not match the schema",
    "no-tool-call": "tools are ignored and a message is sent instead",
    "single-tool-call": "only the first tool is called, whatever parallel_tool_calls says",
    "empty-body": "HTTP 200 text/event-stream with an empty body",
    "ignore-max-output-tokens": "max_output_tokens is ignored; the response completes",
    "no-reasoning": "reasoning requests get no reasoning item",
    "html": "HTTP 200 with an HTML page, as a misrouted proxy sends",
    "endless-event": "one event whose data line never ends (up to a gigabyte)",
    "endless-stream": "valid deltas without end (up to a gigabyte)",
    "linger": "the body stays open for --stall-seconds after the last event",
    "bare-error": "HTTP error bodies carry only error.message",
    "unknown-model-500": "an unknown model is answered with HTTP 500",
    "non-streaming-sse": "stream: false is answered with an event stream",
    "non-streaming-shape": "the stream: false Response lacks usage and service_tier",
    "cancel-leaks-slot": (
        "events are paced; a stream the client closes mid-way never frees its slot, so the next "
        "request gets HTTP 503"
    ),
    "shared-ids": "every response has the same response and item ids, whatever the request",
    "resume-renumbered": "a resumed background stream numbers its events from 0 again",
    # continuation and background cancellation
    "forgets-previous": "previous_response_id is ignored: no earlier context, and null in the Response",
    "loses-responses": "every previous_response_id is answered 400 previous_response_not_found",
    "accepts-unknown-previous": "an unknown previous_response_id is ignored and the request answered",
    "previous-error-code": "an unknown previous_response_id is answered 404 with error.code not_found",
    "cancel-ignored": "a cancel is answered 200 with the background response still in_progress",
    "cancel-forgotten": "a cancel is answered cancelled, but the background response runs on",
    "cancel-refused": "a background response's cancel is answered 400 \"Cannot cancel a completed response\", "
    "even while it runs",
    "background-instant": "a background response has finished by the time it is created (answered queued all the same)",
    # keep-alive
    "keepalive-events": "three numbered keepalive events mid-stream (OpenAI's heartbeat), whatever the profile",
    "keepalive-after-terminal": "SSE comment heartbeats go on for --stall-seconds after the terminal event",
    # include and stream_options
    "no-encrypted-content": "include reasoning.encrypted_content is ignored",
    "obfuscation-always": "deltas carry obfuscation even with stream_options.include_obfuscation false",
    # --- official-suite coverage (issue 20) ---
    "phase-400": "assistant input messages carrying `phase` are refused with a clean HTTP 400",
    "phase-500": "assistant input messages carrying `phase` are answered with HTTP 500",
    "image-400": "`input_image` content is refused with a clean HTTP 400",
    "image-500": "`input_image` content is answered with HTTP 500",
    "compact-not-compacted": "POST /responses/compact answers a plain Response (object `response`, no compaction item)",
    "compact-no-model-ok": "POST /responses/compact without `model` is answered as if a model had been named",
}

# Faults of the WebSocket endpoint (serve_websocket).
WS_FAULTS: dict[str, str] = {
    "ws-no-stream-id": "events and errors do not echo the request's stream_id",
    "ws-error-wrong-request": (
        "a failed request's error is delivered as another's: with the other lane's stream_id, "
        "and again at the start of the next turn"
    ),
    "ws-interleave": "two requests sent together are answered with their events interleaved",
    "ws-close-1006": "the connection drops (no close frame) in the middle of a response",
    "ws-response-done": "responses end with a non-standard response.done",
    "ws-done-marker": "a [DONE] message follows each response",
    "ws-flat-error": "errors are sent in the flat SSE shape, without status",
    "ws-keep-after-failure": "a failed store=false continuation does not evict the response it continued",
    "ws-shared-cache": "store=false responses are kept server-wide, so another connection can continue them",
    "ws-refuse-compaction": "a response.create whose input holds a compaction item is refused",
}

FLOOD_BYTES = 1 << 30
HTML_PAGE = b"<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>\n"

GREETING = "Hello! This is the responses-conformance reference server answering deterministically. You said:"
REASONING_SUMMARY = "The user wants a short answer; I will answer directly and deterministically."
DEFAULT_STALL_SECONDS = 30.0
HEARTBEAT = b": keep-alive\n\n"  # an SSE comment: every SSE parser skips it, and it keeps the stream alive
HEARTBEAT_SECONDS = 0.2  # the keepalive-after-terminal fault's heartbeat interval
KEEPALIVE_EVENTS = 3  # the keepalive-events fault's heartbeats

# Model names the reference server does not serve (every other name is served).
UNKNOWN_MODEL_PREFIX = "no-such-model"
BACKGROUND_KEPT = 64  # background responses kept for resumption (the oldest go first)
STORED_KEPT = 64  # `store: true` responses kept for previous_response_id (the oldest go first)
BACKGROUND_SECONDS = 10.0  # how long a non-streamed background response runs before it completes
CANCEL_PACE = 0.02  # seconds between events under the cancel-leaks-slot fault

_TOKEN = re.compile(r"\S+\s*")


class RequestError(Exception):
    """The request is invalid: answered with HTTP 400 and a JSON error."""

    def __init__(self, message: str, param: str | None = None, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.param = param
        self.code = code


# --- request handling -------------------------------------------------------------


def validate_request(body: Any) -> dict[str, Any]:
    """The request body, or RequestError naming what is wrong with it."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise RequestError("`model` must be a non-empty string", "model")
    inp = body.get("input")
    if not isinstance(inp, (str, list)):
        raise RequestError("`input` must be a string or a list of input items", "input")
    if isinstance(inp, list):
        for i, item in enumerate(inp):
            if not isinstance(item, dict):
                raise RequestError(f"`input[{i}]` must be an object", f"input[{i}]")
    limit = body.get("max_output_tokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise RequestError("`max_output_tokens` must be a positive integer", "max_output_tokens")
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise RequestError("`tools` must be a list", "tools")
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
                raise RequestError(f"`tools[{i}]` must be an object with a `type`", f"tools[{i}]")
            if tool["type"] == "function" and not isinstance(tool.get("name"), str):
                raise RequestError(f"`tools[{i}].name` is required", f"tools[{i}].name")
    text = body.get("text")
    if text is not None and not isinstance(text, dict):
        raise RequestError("`text` must be an object", "text")
    fmt = (text or {}).get("format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and not isinstance(fmt.get("schema"), dict):
        raise RequestError("`text.format.schema` is required for json_schema", "text.format.schema")
    return body


def _refused_input(body: Any, faults: set[str]) -> tuple[int, str] | None:
    """The status and what is refused, when a phase-/image- fault applies to this request's input."""
    inp = body.get("input") if isinstance(body, dict) else None
    if not isinstance(inp, list):
        return None
    items = [i for i in inp if isinstance(i, dict)]
    if any("phase" in i for i in items):
        for status in (400, 500):
            if f"phase-{status}" in faults:
                return status, "`phase` on an assistant message"
    parts = [p for i in items if isinstance(i.get("content"), list) for p in i["content"] if isinstance(p, dict)]
    if any(p.get("type") == "input_image" for p in parts):
        for status in (400, 500):
            if f"image-{status}" in faults:
                return status, "`input_image` content"
    return None


# --- POST /responses/compact ------------------------------------------------------


COMPACT_PATHS = ("/v1/responses/compact", "/responses/compact")


def validate_compact_request(body: Any) -> dict[str, Any]:
    """The compact request body, or RequestError naming what is wrong (``model`` is required)."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise RequestError("`model` is required and must be a non-empty string", "model", "missing_required_parameter")
    inp = body.get("input")
    if inp is not None and not isinstance(inp, (str, list)):
        raise RequestError("`input` must be a string, a list of input items or null", "input")
    if isinstance(inp, list) and not all(isinstance(item, dict) for item in inp):
        raise RequestError("every `input` item must be an object", "input")
    return body


def compacted(request: dict[str, Any], created_at: int) -> dict[str, Any]:
    """A CompactResource: the user messages kept as they were, the rest folded into one compaction item."""
    inp = request.get("input") or []
    items = [{"type": "message", "role": "user", "content": inp}] if isinstance(inp, str) else inp
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    output: list[dict[str, Any]] = []
    for n, item in enumerate(items):
        if item.get("type", "message") == "message" and item.get("role") == "user":
            content = item.get("content")
            parts = [{"type": "input_text", "text": content}] if isinstance(content, str) else content
            output.append({"id": f"msg_{digest[n:n + 24]}{n:02d}", "type": "message", "status": "completed",
                           "role": "user", "content": parts})
    folded = json.dumps([i for i in items if i.get("role") != "user"], sort_keys=True).encode()
    output.append({"id": f"cmp_{digest[:32]}", "type": "compaction",
                   "encrypted_content": base64.b64encode(hashlib.sha256(folded).digest() + folded[:256]).decode()})
    words = count_words(items, request.get("instructions"))
    return {
        "id": f"resp_{digest[:32]}",
        "object": "response.compaction",
        "created_at": created_at,
        "output": output,
        "usage": {
            "input_tokens": words,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 8,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": words + 8,
        },
    }


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict) and "text" in part)
    return ""


def last_user_text(inp: Any) -> str:
    if isinstance(inp, str):
        return inp
    for item in reversed(inp):
        if item.get("role") == "user":
            return _content_text(item.get("content"))
    return ""


def count_words(inp: Any, instructions: Any) -> int:
    texts = [inp] if isinstance(inp, str) else [_content_text(i.get("content")) for i in inp]
    if isinstance(instructions, str):
        texts.append(instructions)
    return sum(len(t.split()) for t in texts)


def example_value(schema: Any, name: str = "", *, wrong: bool = False) -> Any:
    """A value that matches a (simple) JSON schema; with ``wrong``, one that does not."""
    if not isinstance(schema, dict):
        return "example"
    if wrong:
        return {"unexpected": True} if schema.get("type") != "object" else ["not", "an", "object"]
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return example_value(schema[key][0], name)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties")
        if not isinstance(props, dict):
            return {}
        return {key: example_value(sub, key) for key, sub in props.items()}
    if kind == "array":
        return [example_value(schema.get("items"), name)] if schema.get("minItems", 0) else []
    if kind == "integer":
        return int(schema.get("minimum", 4))
    if kind == "number":
        return float(schema.get("minimum", 4.0))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    lowered = name.lower()
    if "city" in lowered or "location" in lowered:
        return "Paris"
    if "zone" in lowered:
        return "Europe/Paris"
    return "example"


def _split_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text) or [text]


def _chunks(text: str, size: int = 8) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class StreamPlan:
    """The events (payloads) of one response, computed from the request."""

    def __init__(self, request: dict[str, Any], faults: set[str], created_at: int, profile: str = "openai") -> None:
        self.request = request
        self.profile = profile
        self.faults = faults
        seed = b"shared-ids" if "shared-ids" in faults else json.dumps(request, sort_keys=True).encode()
        digest = hashlib.sha256(seed).hexdigest()
        self.digest = digest
        self.response_id = f"resp_{digest[:32]}"
        self.created_at = created_at
        self.output: list[dict[str, Any]] = []
        self.status = "completed"
        self.output_words = 0
        self.reasoning_words = 0

    def _id(self, prefix: str, n: int) -> str:
        return f"{prefix}_{self.digest[n : n + 24]}{n:02d}"

    def response(self, status: str) -> dict[str, Any]:
        req = self.request
        tools = []
        for tool in req.get("tools") or []:
            if tool.get("type") == "function":
                tools.append(
                    {
                        "type": "function",
                        "name": tool["name"],
                        "description": tool.get("description"),
                        "parameters": tool.get("parameters"),
                        "strict": bool(tool.get("strict", True)),
                    }
                )
            else:
                tools.append(tool)
        text: dict[str, Any] = req["text"] if isinstance(req.get("text"), dict) else {}
        reasoning = req.get("reasoning") if isinstance(req.get("reasoning"), dict) else None
        final = status in ("completed", "incomplete", "failed")
        usage = None
        if final:
            input_tokens = count_words(req["input"], req.get("instructions"))
            output_tokens = self.output_words + self.reasoning_words
            usage = {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": self.reasoning_words},
                "total_tokens": input_tokens + output_tokens,
            }
        return {
            "id": self.response_id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": bool(req.get("background")),
            "completed_at": self.created_at if status == "completed" else None,
            "error": None,
            "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
            "instructions": req.get("instructions"),
            "max_output_tokens": req.get("max_output_tokens"),
            "max_tool_calls": None,
            "model": req["model"],
            "output": copy.deepcopy(self.output) if final else [],
            "parallel_tool_calls": req.get("parallel_tool_calls", True) is not False,
            "previous_response_id": req.get("previous_response_id") if isinstance(
                req.get("previous_response_id"), str) else None,
            "prompt_cache_key": None,
            "reasoning": {
                "effort": (reasoning or {}).get("effort"),
                "summary": (reasoning or {}).get("summary"),
            },
            "safety_identifier": None,
            "service_tier": "default",
            "store": req.get("store") is True,  # only `store: true` responses are kept (continuation)
            "temperature": 1.0,
            "text": {"format": _echo_format(text.get("format"), self.profile)},
            "tool_choice": req.get("tool_choice", "auto"),
            "tools": tools,
            "top_logprobs": 0,
            "top_p": 1.0,
            "presence_penalty": 0.0,
            "frequency_penalty": 0.0,
            "truncation": "disabled",
            "usage": usage,
            "metadata": req.get("metadata") or {},
        }

    def events(self) -> list[dict[str, Any]]:
        req = self.request
        faults = self.faults
        out: list[dict[str, Any]] = [
            {"type": "response.created", "response": self.response("in_progress")},
            {"type": "response.in_progress", "response": self.response("in_progress")},
        ]
        if isinstance(req.get("reasoning"), dict) and "no-reasoning" not in faults:
            out.extend(self._reasoning_item())
        calls = self._calls()
        if calls and "no-tool-call" not in faults:
            for name, arguments in calls:
                out.extend(self._function_call(name, arguments))
        else:
            out.extend(self._message())
        terminal = "response.incomplete" if self.status == "incomplete" else "response.completed"
        final = self.response(self.status)
        if "empty-final-output" in faults:
            final["output"] = []
        out.append({"type": terminal, "response": final})
        if "events-after-terminal" in faults:
            out.append(
                {
                    "type": "response.output_text.delta",
                    "item_id": self._id("msg", 1),
                    "output_index": 0,
                    "content_index": 0,
                    "delta": " (late)",
                    "logprobs": [],
                }
            )
        if "missing-done-events" in faults:
            dropped = ("response.output_text.done", "response.content_part.done", "response.output_item.done")
            out = [e for e in out if e["type"] not in dropped]
        options = req.get("stream_options")
        padded = isinstance(options, dict) and options.get("include_obfuscation") is True
        if padded or "obfuscation-always" in faults:
            # Padding as OpenAI describes it: random characters that even out the deltas' sizes.
            for event in out:
                if event["type"].endswith(".delta"):
                    event["obfuscation"] = "x" * (16 - len(str(event.get("delta", ""))) % 16)
        for number, event in enumerate(out):
            if "sequence-gap" in faults and number >= len(out) // 2:
                number += 1
            if "no-sequence-numbers" not in faults:
                event["sequence_number"] = number
        return out

    def _calls(self) -> list[tuple[str, str]]:
        req = self.request
        tools = [t for t in req.get("tools") or [] if t.get("type") == "function"]
        choice = req.get("tool_choice", "auto")
        if not tools or choice == "none":
            return []
        if isinstance(choice, dict) and choice.get("type") == "function":
            tools = [t for t in tools if t["name"] == choice.get("name")]
        elif req.get("parallel_tool_calls") is False or "single-tool-call" in self.faults:
            tools = tools[:1]
        return [(t["name"], json.dumps(example_value(t.get("parameters") or {}), separators=(",", ":"))) for t in tools]

    def _reasoning_item(self) -> Iterator[dict[str, Any]]:
        index = len(self.output)
        item_id = self._id("rs", index + 1)
        text = REASONING_SUMMARY
        self.reasoning_words += len(text.split())
        item: dict[str, Any] = {"type": "reasoning", "id": item_id, "summary": []}
        yield {"type": "response.output_item.added", "output_index": index, "item": copy.deepcopy(item)}
        part = {"type": "summary_text", "text": ""}
        base = {"item_id": item_id, "output_index": index, "summary_index": 0}
        yield {"type": "response.reasoning_summary_part.added", **base, "part": part}
        for piece in _split_tokens(text):
            yield {"type": "response.reasoning_summary_text.delta", **base, "delta": piece}
        yield {"type": "response.reasoning_summary_text.done", **base, "text": text}
        done_part = {"type": "summary_text", "text": text}
        yield {"type": "response.reasoning_summary_part.done", **base, "part": done_part}
        item["summary"] = [done_part]
        if "reasoning.encrypted_content" in (self.request.get("include") or []) and (
            "no-encrypted-content" not in self.faults
        ):
            # Not encryption: an opaque token derived from the request, as a stand-in the client sends back.
            item["encrypted_content"] = "enc_" + hashlib.sha256(text.encode() + self.digest.encode()).hexdigest()
        self.output.append(item)
        yield {"type": "response.output_item.done", "output_index": index, "item": copy.deepcopy(item)}

    def _function_call(self, name: str, arguments: str) -> Iterator[dict[str, Any]]:
        index = len(self.output)
        item_id = self._id("fc", index + 1)
        call_id = self._id("call", index + 1)
        item = {
            "type": "function_call",
            "id": item_id,
            "call_id": call_id,
            "name": name,
            "arguments": "",
            "status": "in_progress",
        }
        yield {"type": "response.output_item.added", "output_index": index, "item": copy.deepcopy(item)}
        for piece in _chunks(arguments):
            yield {
                "type": "response.function_call_arguments.delta",
                "item_id": item_id,
                "output_index": index,
                "delta": piece,
            }
        self.output_words += max(1, len(arguments) // 4)
        yield {
            "type": "response.function_call_arguments.done",
            "item_id": item_id,
            "output_index": index,
            "name": name,
            "arguments": arguments,
        }
        item.update(arguments=arguments, status="completed")
        self.output.append(item)
        done = copy.deepcopy(item)
        if "changed-ids" in self.faults:
            done["id"] = self._id("fc", index + 40)
        yield {"type": "response.output_item.done", "output_index": index, "item": done}

    def _answer(self) -> str:
        req = self.request
        fmt = (req.get("text") or {}).get("format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            value = example_value(fmt.get("schema"), wrong="bad-structured-output" in self.faults)
            return json.dumps(value, separators=(",", ":"))
        turns = 1 if isinstance(req["input"], str) else sum(1 for i in req["input"] if i.get("role") == "user")
        said = last_user_text(req["input"]).strip()
        suffix = f" (turn {turns})" if turns > 1 else ""
        return f"{GREETING} {said}{suffix}"

    def _message(self) -> Iterator[dict[str, Any]]:
        index = len(self.output)
        item_id = self._id("msg", index + 1)
        tokens = _split_tokens(self._answer())
        limit = self.request.get("max_output_tokens")
        status = "completed"
        if isinstance(limit, int) and len(tokens) > limit and "ignore-max-output-tokens" not in self.faults:
            tokens = tokens[:limit]
            status = "incomplete"
            self.status = "incomplete"
        text = "".join(tokens)
        self.output_words += len(tokens)
        item: dict[str, Any] = {
            "type": "message",
            "id": item_id,
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        }
        base = {"item_id": item_id, "output_index": index, "content_index": 0}
        added = {"type": "response.output_item.added", "output_index": index, "item": copy.deepcopy(item)}
        part_added = {
            "type": "response.content_part.added",
            **base,
            "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []},
        }
        deltas = [{"type": "response.output_text.delta", **base, "delta": t, "logprobs": []} for t in tokens]
        yield added
        if "delta-before-part" in self.faults:
            yield from deltas[:2]
            yield part_added
            yield from deltas[2:]
        else:
            yield part_added
            yield from deltas
        yield {"type": "response.output_text.done", **base, "text": text, "logprobs": []}
        part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
        yield {"type": "response.content_part.done", **base, "part": part}
        item.update(status=status, content=[part])
        self.output.append(item)
        done = copy.deepcopy(item)
        if "changed-ids" in self.faults:
            done["id"] = self._id("msg", index + 40)
        yield {"type": "response.output_item.done", "output_index": index, "item": done}


def _echo_format(fmt: Any, profile: str) -> dict[str, Any]:
    if not isinstance(fmt, dict):
        return {"type": "text"}
    if fmt.get("type") != "json_schema":
        return dict(fmt)
    echo: dict[str, Any] = {
        "type": "json_schema",
        "name": fmt.get("name", "output"),
        "schema": fmt.get("schema"),
        "strict": bool(fmt.get("strict", False)),
    }
    if isinstance(fmt.get("description"), str):
        echo["description"] = fmt["description"]
    if profile == "openresponses":
        # The 2026-04-24 ResponseResource requires `description` (nullable) and
        # types the echoed `schema` as null.
        echo.setdefault("description", None)
        echo["schema"] = None
    return echo


def error_body(message: str, kind: str, code: str | None, param: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def failed_stream_events(request: dict[str, Any], created_at: int, profile: str) -> list[dict[str, Any]]:
    """A stream that fails at once: created, in_progress, error, failed."""
    plan = StreamPlan(request, set(), created_at, profile)
    failed = plan.response("failed")
    failed["error"] = {"code": "server_error", "message": "The reference server was asked to fail."}
    failed["usage"] = None
    events = [
        {"type": "response.created", "response": plan.response("in_progress")},
        {"type": "response.in_progress", "response": plan.response("in_progress")},
        _error_event(profile, "server_error", "The reference server was asked to fail."),
        {"type": "response.failed", "response": failed},
    ]
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return events


def _error_event(profile: str, code: str, message: str) -> dict[str, Any]:
    # OpenAI's ResponseErrorEvent is flat; the Open Responses ErrorStreamingEvent nests the payload.
    if profile == "openresponses":
        return {"type": "error", "error": {"type": "server_error", "code": code, "message": message, "param": None}}
    return {"type": "error", "code": code, "message": message, "param": None}


def encode_frames(events: list[dict[str, Any]], profile: str, faults: set[str]) -> list[bytes]:
    """The SSE frames of a stream, with the profile's ending and framing faults."""
    frames: list[bytes] = []
    broken = len(events) // 2 if "invalid-json" in faults else -1
    for i, event in enumerate(events):
        data = json.dumps(event, separators=(",", ":"))
        if i == broken:
            data = data[: len(data) // 2]
        name = event["type"]
        if "event-mismatch" in faults and name.endswith(".delta"):
            name = "response.output_text"
        head = "" if "data-only" in faults else f"event: {name}\n"
        frames.append(f"{head}data: {data}\n\n".encode())
    done = profile == "openresponses"
    if "done-marker" in faults:
        done = True
    if "no-done-marker" in faults:
        done = False
    if done:
        frames.append(b"data: [DONE]\n\n")
    return frames


def with_keepalive_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with OpenAI's heartbeat, ``{"type": "keepalive", "sequence_number": N}``, in the middle,
    numbered in their place (the events after them renumbered), as OpenAI sends it."""
    middle = len(events) // 2
    out = events[:middle] + [{"type": "keepalive"} for _ in range(KEEPALIVE_EVENTS)] + events[middle:]
    if all("sequence_number" in e for e in events):
        out = [{**event, "sequence_number": number} for number, event in enumerate(out)]
    return out


# --- continuation and background cancellation: what the server keeps ---------------

CANCEL_PATH = re.compile(r"(?:/v1)?/responses/([^/]+)/cancel")


class Job:
    """A non-streamed background response: running until ``background_seconds`` have passed
    (then its final response), unless it was cancelled first."""

    def __init__(self, running: dict[str, Any], final: dict[str, Any], started: float) -> None:
        self.running = running
        self.final = final
        self.started = started
        self.cancelled = False

    def now(self, seconds: float) -> dict[str, Any]:
        if self.cancelled:
            return {**self.running, "status": "cancelled"}
        if time.monotonic() - self.started >= seconds:
            return self.final
        return self.running


def _input_items(inp: Any) -> list[dict[str, Any]]:
    if isinstance(inp, str):
        return [{"type": "message", "role": "user", "content": inp}]
    return list(inp)


# --- HTTP -------------------------------------------------------------------------


# Bounds on what a client may make the server hold: a request body (413 past it), and the seconds a
# connection may sit idle or trickle its request before it is closed (no thread is held longer).
MAX_REQUEST_BYTES = 4 * 1024 * 1024
REQUEST_TIMEOUT = 30.0


class ReferenceServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        profile: str = "openai",
        api_key: str | None = None,
        faults: set[str] | None = None,
        stall_seconds: float = DEFAULT_STALL_SECONDS,
        delay: float = 0.0,
        background_seconds: float = BACKGROUND_SECONDS,
        pause_seconds: float = 0.0,
        keepalive_seconds: float = 0.0,
        request_timeout: float = REQUEST_TIMEOUT,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        super().__init__(address, _Handler)
        self.request_timeout = request_timeout
        self.max_request_bytes = max_request_bytes
        self.profile = profile
        self.api_key = api_key
        self.faults = set(faults or ())
        self.stall_seconds = stall_seconds
        # A pause in the middle of every stream (a slow generation), filled with SSE comment
        # heartbeats every ``keepalive_seconds`` (none when 0); the ``stall`` fault's pause too.
        self.pause_seconds = pause_seconds
        self.keepalive_seconds = keepalive_seconds
        self.delay = delay
        self.slot_busy = False  # the cancel-leaks-slot fault's one slot
        # The events of the latest background responses, for GET /responses/{id}?stream=true.
        self.background: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self.background_lock = threading.Lock()
        # Continuation and cancellation: `store: true` responses (their input and output), and the
        # non-streamed background responses ("jobs"), under the same lock.
        self.stored: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.background_seconds = background_seconds
        self.shared_ws_cache: dict[str, set[str]] = {}  # the ws-shared-cache fault's server-wide "connection" state

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: ReferenceServer
    protocol_version = "HTTP/1.1"
    server_version = "responses-conformance-reference/1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def setup(self) -> None:
        # A socket timeout: a client that stalls or trickles its request loses its connection
        # (BaseHTTPRequestHandler closes it on the timeout), and frees its thread.
        super().setup()
        self.connection.settimeout(self.server.request_timeout)

    def _body(self) -> bytes | None:
        """The request body within the bounds, or None after answering 400, 411 or 413."""
        declared = self.headers.get("Content-Length")
        if declared is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                self._json(411, error_body("send a Content-Length", "invalid_request_error", None, None))
                return None
            return b""
        text = declared.strip()
        if not text.isdigit():  # "abc", "-1", "1e9", "1, 2"
            self.close_connection = True
            self._json(400, error_body("Content-Length is not a length", "invalid_request_error", None, None))
            return None
        length = int(text)
        if length > self.server.max_request_bytes:
            self.close_connection = True  # the body is never read
            limit = f"{self.server.max_request_bytes:,}"
            self._json(413, error_body(f"the body is larger than {limit} bytes", "invalid_request_error", None, None))
            return None
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.close_connection = True
            serve_websocket(self)
            return
        if self.path.rstrip("/") in ("", "/health", "/healthz"):
            self._json(200, {"status": "ok"})
        elif self.path.startswith(("/v1/responses/", "/responses/")):
            self._resume()
        else:
            self._json(404, error_body(f"no route GET {self.path}", "invalid_request_error", "not_found", None))

    def _resume(self) -> None:
        """GET /responses/{id}[?stream=true&starting_after=N]: a stored background response, or its events."""
        split = urlsplit(self.path)
        response_id = split.path.rstrip("/").rsplit("/", 1)[-1]
        query = parse_qs(split.query)
        with self.server.background_lock:
            events = self.server.background.get(response_id)
            job = self.server.jobs.get(response_id)
            stored = self.server.stored.get(response_id)
        if events is None and job is not None:
            self._json(200, job.now(self.server.background_seconds))
            return
        if events is None and stored is not None and query.get("stream", [""])[0].lower() != "true":
            self._json(200, stored["response"])
            return
        if events is None:
            message = f"No response with id '{response_id}' found."
            self._json(404, error_body(message, "invalid_request_error", "not_found", "response_id"))
            return
        if query.get("stream", [""])[0].lower() != "true":
            final = [e["response"] for e in events if e["type"] in ("response.completed", "response.incomplete")]
            self._json(200, final[-1] if final else events[-1].get("response", {}))
            return
        after = query.get("starting_after", ["-1"])[0]
        if not after.lstrip("-").isdigit():
            message = "starting_after must be an integer"
            self._json(400, error_body(message, "invalid_request_error", None, "starting_after"))
            return
        chosen = [dict(e) for e in events if e.get("sequence_number", -1) > int(after)]
        faults = set(self.server.faults) | {f.strip() for f in self.headers.get("X-Conformance-Fault", "").split(",")}
        if "resume-renumbered" in faults:
            for number, event in enumerate(chosen):
                event["sequence_number"] = number
        profile = self.headers.get("X-Conformance-Profile", self.server.profile)
        profile = profile if profile in PROFILES else self.server.profile
        self._stream(encode_frames(chosen, profile, set()), set())

    def _keep_background(self, response_id: str, events: list[dict[str, Any]]) -> None:
        with self.server.background_lock:
            self.server.background[response_id] = events
            while len(self.server.background) > BACKGROUND_KEPT:
                self.server.background.popitem(last=False)

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        raw = self._body()
        if raw is None:
            return
        cancel = CANCEL_PATH.fullmatch(path)
        if cancel is not None:
            if self.server.api_key is not None and not self._authorised():
                denied = error_body("missing or wrong API key", "invalid_request_error", "invalid_api_key", None)
                self._json(401, denied)
                return
            faults = set(self.server.faults)
            faults.update(f.strip() for f in self.headers.get("X-Conformance-Fault", "").split(",") if f.strip())
            self._cancel(cancel.group(1), faults)
            return
        if path not in ("/v1/responses", "/responses", *COMPACT_PATHS):
            self._json(404, error_body(f"no route POST {self.path}", "invalid_request_error", "not_found", None))
            return
        if self.server.api_key is not None and not self._authorised():
            self._json(401, error_body("missing or wrong API key", "invalid_request_error", "invalid_api_key", None))
            return
        faults = set(self.server.faults)
        header_faults = self.headers.get("X-Conformance-Fault", "")
        faults.update(f.strip() for f in header_faults.split(",") if f.strip())
        profile = self.headers.get("X-Conformance-Profile", self.server.profile)
        if profile not in PROFILES:
            profile = self.server.profile
        try:
            body = json.loads(raw or b"null")
        except (ValueError, RecursionError):  # not JSON, or nested past what the parser takes
            self._json(400, error_body("the body is not valid JSON", "invalid_request_error", "invalid_json", None))
            return
        if isinstance(body, dict) and isinstance(body.get("model"), str) and "+fault=" in body["model"]:
            model, _, named = body["model"].partition("+fault=")
            body["model"] = model
            faults.update(f for f in named.split(",") if f)
        unknown = sorted(faults - set(FAULTS) - set(WS_FAULTS))
        if unknown:
            self._json(400, error_body(f"unknown fault(s): {', '.join(unknown)}", "invalid_request_error", None, None))
            return
        try:
            if path in COMPACT_PATHS:
                self._compact(body, faults)
            else:
                self._answer(body, faults, profile)
        except RecursionError:  # a body nested deep in a field the answer walks
            self.close_connection = True
            self._json(400, error_body("the body is nested too deeply", "invalid_request_error", None, None))

    def _authorised(self) -> bool:
        key = self.server.api_key
        auth = self.headers.get("Authorization", "")
        return auth == f"Bearer {key}" or self.headers.get("api-key") == key

    def _answer(self, body: Any, faults: set[str], profile: str) -> None:
        if "redirect" in faults:
            self.send_response(307)
            self.send_header("Location", "http://elsewhere.invalid/v1/responses")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if "http-500" in faults:
            self._json(500, error_body("the reference server was asked to fail", "server_error", "server_error", None))
            return
        if "sse-error-500" in faults:
            payload = json.dumps(error_body("internal error", "server_error", "500", None))
            self._send(500, "text/event-stream", f"data: {payload}\n\ndata: [DONE]\n\n".encode())
            return
        if "cancel-leaks-slot" in faults and self.server.slot_busy:
            self.server.slot_busy = False  # the server "restarts" after failing this request
            self._json(503, error_body("no free slot: a cancelled stream still holds it", "server_error", None, None))
            return
        refused = _refused_input(body, faults)
        if refused is not None:
            status, what = refused
            if status == 500:
                self._json(500, error_body(f"internal error while reading {what}", "server_error", "server_error",
                                           None))
            else:
                self._reject(400, RequestError(f"{what} is not supported by this server", "input",
                                               "unsupported_parameter"), faults)
            return
        try:
            request = validate_request(body)
        except RequestError as exc:
            lenient = "accept-invalid" in faults or "error-stream" in faults
            if not lenient or not isinstance(body, dict):
                self._reject(400, exc, faults)
                return
            request = _coerce(body)
        if request["model"].startswith(UNKNOWN_MODEL_PREFIX):
            if "unknown-model-500" in faults:
                self._json(500, error_body("model lookup failed", "server_error", "server_error", None))
            else:
                message = f"The requested model '{request['model']}' does not exist."
                self._reject(404, RequestError(message, "model", "model_not_found"), faults, "not_found")
            return
        created_at = int(time.time())
        continued = self._continue(request, faults)
        if continued is None:
            return
        request = continued
        if not request.get("stream") and request.get("background"):
            self._start_job(request, faults, created_at, profile)
            return
        if not request.get("stream"):
            events = StreamPlan(request, faults, created_at, profile).events()
            self._store(request, events)
            if "non-streaming-sse" in faults:
                self._stream(encode_frames(events, profile, faults), faults)
                return
            final = [e["response"] for e in events if e["type"] in ("response.completed", "response.incomplete")]
            if "non-streaming-shape" in faults:
                final[0].pop("usage", None)
                final[0].pop("service_tier", None)
            self._json(200, final[0])
            return
        if "empty-body" in faults:
            self._send(200, "text/event-stream", b"")
            return
        if "html" in faults:
            self._send(200, "text/html; charset=utf-8", HTML_PAGE)
            return
        if "error-stream" in faults:
            events = failed_stream_events(request, created_at, profile)
        else:
            events = StreamPlan(request, faults, created_at, profile).events()
            if "keepalive-events" in faults:
                events = with_keepalive_events(events)
            self._store(request, events)
            if request.get("background"):
                self._keep_background(events[0]["response"]["id"], events)
        self._stream(encode_frames(events, profile, faults), faults)

    # --- continuation and background cancellation ---

    def _continue(self, request: dict[str, Any], faults: set[str]) -> dict[str, Any] | None:
        """The request with its previous response's input and output before its own input
        (``previous_response_id``), or None after rejecting an unknown id."""
        previous = request.get("previous_response_id")
        if previous is None:
            return request
        if "forgets-previous" in faults:
            return {k: v for k, v in request.items() if k != "previous_response_id"}
        if not isinstance(previous, str):
            self._reject(400, RequestError("`previous_response_id` must be a string", "previous_response_id"), faults)
            return None
        with self.server.background_lock:
            stored = None if "loses-responses" in faults else self.server.stored.get(previous)
        if stored is None:
            if "accepts-unknown-previous" in faults:
                return {k: v for k, v in request.items() if k != "previous_response_id"}
            message = f"Previous response with id '{previous}' not found."
            if "previous-error-code" in faults:
                self._reject(404, RequestError(message, "previous_response_id", "not_found"), faults)
            else:
                self._reject(400, RequestError(message, "previous_response_id", "previous_response_not_found"), faults)
            return None
        return {**request, "input": stored["input"] + stored["output"] + _input_items(request["input"])}

    def _store(self, request: dict[str, Any], events: list[dict[str, Any]]) -> None:
        """Keep a `store: true` response's input and output for a later previous_response_id."""
        final = [e["response"] for e in events if e["type"] in ("response.completed", "response.incomplete")]
        if request.get("store") is not True or not final:
            return
        record = {"input": _input_items(request["input"]), "output": final[-1]["output"], "response": final[-1]}
        with self.server.background_lock:
            self.server.stored[final[-1]["id"]] = record
            while len(self.server.stored) > STORED_KEPT:
                self.server.stored.popitem(last=False)

    def _start_job(self, request: dict[str, Any], faults: set[str], created_at: int, profile: str) -> None:
        """A non-streamed background response: answered at once ``queued``; it runs for
        ``background_seconds`` (GET shows it in_progress), then it is complete."""
        plan = StreamPlan(request, faults, created_at, profile)
        events = plan.events()
        self._store(request, events)
        final = next(e["response"] for e in events if e["type"] in ("response.completed", "response.incomplete"))
        started = time.monotonic() - (self.server.background_seconds if "background-instant" in faults else 0.0)
        job = Job(plan.response("in_progress"), final, started)
        with self.server.background_lock:
            self.server.jobs[final["id"]] = job
            while len(self.server.jobs) > BACKGROUND_KEPT:
                self.server.jobs.popitem(last=False)
        self._json(200, {**job.running, "status": "queued"})

    def _cancel(self, response_id: str, faults: set[str]) -> None:
        """POST /responses/{id}/cancel: a running background response ends ``cancelled``; a finished
        one is answered as it is; a response that was not run in the background cannot be cancelled."""
        with self.server.background_lock:
            job = self.server.jobs.get(response_id)
            streamed = self.server.background.get(response_id)
            stored = self.server.stored.get(response_id)
            if job is not None and "cancel-refused" in faults:
                message = "Cannot cancel a completed response."
                self._json(400, error_body(message, "invalid_request_error", "invalid_request", "response_id"))
                return
            if job is not None:
                now = job.now(self.server.background_seconds)
                if now["status"] == "in_progress" and "cancel-ignored" not in faults:
                    now = {**job.running, "status": "cancelled"}
                    if "cancel-forgotten" not in faults:
                        job.cancelled = True
                self._json(200, now)
                return
        if streamed is not None:
            final = [e["response"] for e in streamed if e["type"] in ("response.completed", "response.incomplete")]
            self._json(200, final[-1] if final else streamed[-1].get("response", {}))
        elif stored is not None:
            message = "Only responses created with background=true can be cancelled."
            self._json(400, error_body(message, "invalid_request_error", "invalid_request", "response_id"))
        else:
            message = f"No response with id '{response_id}' found."
            self._json(404, error_body(message, "invalid_request_error", "not_found", "response_id"))
    def _compact(self, body: Any, faults: set[str]) -> None:
        """``POST /responses/compact``: the compacted window of the request's input."""
        if isinstance(body, dict) and "compact-no-model-ok" in faults and not body.get("model"):
            body = {**body, "model": "default-model"}
        try:
            request = validate_compact_request(body)
        except RequestError as exc:
            self._reject(400, exc, faults)
            return
        answer = compacted(request, int(time.time()))
        if "compact-not-compacted" in faults:
            answer["object"] = "response"
            answer["output"] = [i for i in answer["output"] if i["type"] != "compaction"]
        self._json(200, answer)

    def _reject(self, status: int, exc: RequestError, faults: set[str], kind: str = "invalid_request_error") -> None:
        if "bare-error" in faults:
            self._json(status, {"error": {"message": str(exc)}})
        else:
            self._json(status, error_body(str(exc), kind, exc.code, exc.param))

    def _stream(self, frames: list[bytes], faults: set[str]) -> None:
        if "slow-headers" in faults:
            time.sleep(self.server.stall_seconds)
        content_type = "application/json" if "wrong-content-type" in faults else "text/event-stream; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        middle = len(frames) // 2
        if "endless-event" in faults or "endless-stream" in faults:
            self._flood(frames, faults)
            return
        leaks = "cancel-leaks-slot" in faults
        self.server.slot_busy = self.server.slot_busy or leaks
        try:
            for i, frame in enumerate(frames):
                if leaks:
                    time.sleep(CANCEL_PACE)
                if i == middle:
                    if "stall" in faults:
                        self._pause(self.server.stall_seconds)
                    elif self.server.pause_seconds:
                        self._pause(self.server.pause_seconds)
                    if "cut-mid-event" in faults:
                        self._chunk(frame[: len(frame) // 2])
                        self._chunk(b"")
                        return
                    if "drop-connection" in faults:
                        self._chunk(frame[: len(frame) // 2])
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                self._chunk(frame)
                if self.server.delay:
                    time.sleep(self.server.delay)
            if leaks:
                self.server.slot_busy = False  # freed before the body ends, so the next request finds it free
            if "linger" in faults:
                time.sleep(self.server.stall_seconds)
            if "keepalive-after-terminal" in faults:
                ends = time.monotonic() + self.server.stall_seconds
                while time.monotonic() < ends:
                    time.sleep(HEARTBEAT_SECONDS)
                    self._chunk(HEARTBEAT)
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` but a heartbeat comment every ``keepalive_seconds`` (if set)."""
        ends = time.monotonic() + seconds
        interval = self.server.keepalive_seconds
        while (left := ends - time.monotonic()) > 0:
            time.sleep(min(left, interval) if interval > 0 else left)
            if interval > 0 and time.monotonic() < ends:
                self._chunk(HEARTBEAT)

    def _flood(self, frames: list[bytes], faults: set[str]) -> None:
        """Send the stream's opening, then up to FLOOD_BYTES until the client hangs up."""
        sent = 0
        first_delta = next(i for i, frame in enumerate(frames) if b"output_text.delta" in frame)
        try:
            for frame in frames[:first_delta]:
                self._chunk(frame)
            if "endless-event" in faults:
                self._chunk(b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"')
                piece = b"x" * 65536
            else:
                head, _, data = frames[first_delta].partition(b"data: ")
                delta = json.loads(data)
                piece = b"".join(
                    head + b"data: " + json.dumps({**delta, "sequence_number": n}).encode() + b"\n\n"
                    for n in range(first_delta, first_delta + 200)
                )
            while sent < FLOOD_BYTES:
                self._chunk(piece)
                sent += len(piece)
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, "application/json", json.dumps(payload).encode())

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- WebSocket --------------------------------------------------------------------


WS_PATHS = ("/v1/responses", "/responses")
WS_TRANSPORT_FIELDS = ("stream", "stream_options", "background")
INTERLEAVE_WAIT = 0.5  # seconds the ws-interleave fault waits for a second request


def ws_error_envelope(status: int, kind: str, code: str, message: str, param: str | None) -> dict[str, Any]:
    error = {"type": kind, "code": code, "message": message, "param": param}
    return {"type": "error", "status": status, "error": error}


class WsSession:
    """One WebSocket connection's state: its faults, its profile, the responses it holds (store=false).

    ``answer(message)`` turns one client message into the server messages that answer it
    (a list of lists when the ws-interleave fault holds requests back to mix them).
    """

    def __init__(self, server: ReferenceServer, faults: set[str], profile: str) -> None:
        self.server = server
        self.faults = faults
        self.profile = profile
        self.held: list[list[dict[str, Any]]] = []  # answers the ws-interleave fault holds back
        self.turn = 0
        # Connection-local response ids -> the call_ids of their calls (server-wide under ws-shared-cache).
        self.cache: dict[str, set[str]] = server.shared_ws_cache if "ws-shared-cache" in faults else {}
        self.last_error: dict[str, Any] | None = None
        self.lanes: list[str] = []

    def answer(self, text: str) -> list[dict[str, Any]]:
        try:
            message = json.loads(text)
        except ValueError:
            return [self._error(400, "invalid_json", "the message is not valid JSON", None, None)]
        if not isinstance(message, dict) or message.get("type") != "response.create":
            kind = message.get("type") if isinstance(message, dict) else None
            return [self._error(400, "unsupported_message", f"unsupported client message {kind!r}", "type", None)]
        lane = message.get("stream_id") if self.profile == "openai" else None
        lane = lane if isinstance(lane, str) else None
        if lane is not None and lane not in self.lanes:
            self.lanes.append(lane)
        out: list[dict[str, Any]] = []
        if "ws-error-wrong-request" in self.faults and self.last_error is not None:
            out.append(self.last_error)  # a stale error, delivered to this request
            self.last_error = None
        out.extend(self._answer(message, lane))
        return out

    def _answer(self, message: dict[str, Any], lane: str | None) -> list[dict[str, Any]]:
        body = {k: v for k, v in message.items() if k not in ("type", "stream_id")}
        faults = set(self.faults)
        if isinstance(body.get("model"), str) and "+fault=" in body["model"]:
            body["model"], _, named = body["model"].partition("+fault=")
            faults.update(f for f in named.split(",") if f)
        sent = [name for name in WS_TRANSPORT_FIELDS if name in body]
        if sent:
            return [self._error(400, "invalid_request", f"`{sent[0]}` is not accepted over WebSocket", sent[0], lane)]
        try:
            request = validate_request(body)
        except RequestError as exc:
            return [self._error(400, exc.code, str(exc), exc.param, lane)]
        if "ws-refuse-compaction" in faults and any(
            isinstance(i, dict) and i.get("type") == "compaction" for i in request.get("input") or []
        ):
            return [self._error(400, "invalid_request", "`compaction` items are not accepted as input", "input",
                                lane)]
        previous = request.get("previous_response_id")
        if previous is not None and previous not in self.cache:
            return [self._error(400, "previous_response_not_found",
                                f"Previous response with id '{previous}' not found.", "previous_response_id", lane)]
        unmatched = _unmatched_outputs(request, self.cache.get(previous, set())) if previous is not None else []
        if unmatched:
            # A failed continuation evicts the response it continued (WebSocket mode: MUST).
            if "ws-keep-after-failure" not in faults:
                self.cache.pop(str(previous), None)
            return [self._error(400, "invalid_request", f"No tool call found for function call output with call_id "
                                f"'{unmatched[0]}'.", "input", lane)]
        self.turn += 1
        plan = StreamPlan({**request, "_ws_turn": self.turn}, faults, int(time.time()), self.profile)
        plan.request = request
        events = plan.events()
        calls = {str(e["item"].get("call_id")) for e in events
                 if e["type"] == "response.output_item.done" and e["item"].get("type") == "function_call"}
        self.cache.clear()  # the most recent response only
        self.cache[plan.response_id] = calls
        for event in events:
            if isinstance(event.get("response"), dict):
                event["response"]["previous_response_id"] = previous
                event["response"]["store"] = request.get("store") is not False
            if event["type"] == "error":
                event.update(self._error(500, "server_error", "The reference server was asked to fail.", None, None))
        if "ws-response-done" in faults:
            for event in events:
                if event["type"] in ("response.completed", "response.incomplete"):
                    event["type"] = "response.done"
        for event in events:
            self._tag(event, lane, faults)
        return events

    def _error(self, status: int, code: str, message: str, param: str | None, lane: str | None) -> dict[str, Any]:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        if "ws-flat-error" in self.faults:
            error: dict[str, Any] = {"type": "error", "code": code, "message": message, "param": param}
        else:
            error = ws_error_envelope(status, kind, code, message, param)
        if "ws-error-wrong-request" in self.faults:
            others = [other for other in self.lanes if other != lane]
            if others:
                lane = others[0]
            self.last_error = dict(error)
        self._tag(error, lane, self.faults)
        return error

    def _tag(self, event: dict[str, Any], lane: str | None, faults: set[str]) -> None:
        if lane is not None and "ws-no-stream-id" not in faults:
            event["stream_id"] = lane


def _unmatched_outputs(request: dict[str, Any], calls: set[str]) -> list[str]:
    """The call_ids of the input's function_call_output items that answer no call of the previous response."""
    inp = request.get("input")
    items = inp if isinstance(inp, list) else []
    return [str(i.get("call_id")) for i in items
            if i.get("type") == "function_call_output" and str(i.get("call_id")) not in calls]


def serve_websocket(handler: _Handler) -> None:
    """Answer a WebSocket upgrade on the handler's connection and serve the session until it closes."""
    from websockets.http11 import Request
    from websockets.server import ServerProtocol

    server = handler.server
    path = handler.path.split("?", 1)[0].rstrip("/")
    sock = handler.connection
    if path not in WS_PATHS:
        handler._json(404, error_body(f"no WebSocket route {handler.path}", "invalid_request_error", "not_found", None))
        return
    if server.api_key is not None and not handler._authorised():
        handler._json(401, error_body("missing or wrong API key", "invalid_request_error", "invalid_api_key", None))
        return
    faults = set(server.faults)
    faults.update(f.strip() for f in handler.headers.get("X-Conformance-Fault", "").split(",") if f.strip())
    profile = handler.headers.get("X-Conformance-Profile", server.profile)
    profile = profile if profile in PROFILES else server.profile
    protocol = ServerProtocol(max_size=None)
    # The HTTP server has parsed the request already; the protocol reads it again from its bytes.
    head = f"GET {handler.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in handler.headers.items())
    protocol.receive_data((head + "\r\n").encode("latin-1"))
    (request,) = protocol.events_received()
    assert isinstance(request, Request)
    response = protocol.accept(request)
    protocol.send_response(response)
    _ws_flush(protocol, sock)
    if response.status_code != 101:
        return
    session = WsSession(server, faults, profile)
    with contextlib.suppress(OSError):  # the client went away
        _ws_loop(protocol, sock, session)


def _ws_loop(protocol: Any, sock: socket.socket, session: WsSession) -> None:
    from websockets.frames import Opcode
    from websockets.protocol import State

    parts: list[bytes] = []
    deadline: float | None = None
    while protocol.state is not State.CLOSED:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        sock.settimeout(timeout)
        try:
            data = sock.recv(65536)
        except TimeoutError:
            data = None
        if data == b"":
            protocol.receive_eof()
        elif data is not None:
            protocol.receive_data(data)
        for frame in protocol.events_received():
            if frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                parts.append(frame.data)
                if not frame.fin:
                    continue
                text = b"".join(parts).decode("utf-8", "replace")
                parts.clear()
                answer = session.answer(text)
                if "ws-interleave" in session.faults:
                    session.held.append(answer)
                    deadline = deadline or time.monotonic() + INTERLEAVE_WAIT
                    if len(session.held) < 2:
                        continue
                    answer = _interleaved(session.held)
                    session.held.clear()
                    deadline = None
                if not _ws_send(protocol, sock, session, answer):
                    return
        if deadline is not None and time.monotonic() >= deadline:
            answer = _interleaved(session.held)
            session.held.clear()
            deadline = None
            if not _ws_send(protocol, sock, session, answer):
                return
        _ws_flush(protocol, sock)
        if data == b"" or protocol.close_expected():
            return  # the closing handshake is done: the server closes the TCP connection first


def _interleaved(answers: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    queues = [list(a) for a in answers]
    out: list[dict[str, Any]] = []
    while any(queues):
        out.extend(queue.pop(0) for queue in queues if queue)
    return out


def _ws_send(protocol: Any, sock: socket.socket, session: WsSession, events: list[dict[str, Any]]) -> bool:
    """Send the events as text messages; False when a fault ended the connection."""
    middle = len(events) // 2
    delay = session.server.delay
    for i, event in enumerate(events):
        if i == middle and "ws-close-1006" in session.faults and len(events) > 2:
            _ws_flush(protocol, sock)
            sock.shutdown(socket.SHUT_RDWR)  # no close frame: the client sees 1006
            return False
        protocol.send_text(json.dumps(event, separators=(",", ":")).encode())
        _ws_flush(protocol, sock)
        if delay:
            time.sleep(delay)
    if "ws-done-marker" in session.faults and events:
        protocol.send_text(b"[DONE]")
        _ws_flush(protocol, sock)
    return True


def _ws_flush(protocol: Any, sock: socket.socket) -> None:
    for data in protocol.data_to_send():
        if data:
            sock.sendall(data)


def _coerce(body: dict[str, Any]) -> dict[str, Any]:
    """What the accept-invalid fault makes of an invalid request: something answerable."""
    out = dict(body)
    if not isinstance(out.get("model"), str) or not out["model"]:
        out["model"] = "reference"
    if not isinstance(out.get("input"), (str, list)):
        out["input"] = str(out.get("input"))
    for key in ("max_output_tokens", "tools", "text"):
        out.pop(key, None)
    return out


def start(
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> tuple[ReferenceServer, threading.Thread]:
    """Start a server in a daemon thread; stop it with ``server.shutdown()``."""
    server = ReferenceServer((host, port), **options)
    thread = threading.Thread(target=server.serve_forever, name="reference-server", daemon=True)
    thread.start()
    return server, thread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validator.reference_server", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--profile", choices=PROFILES, default="openai")
    parser.add_argument("--api-key", default=None, help="require this key (Authorization: Bearer, or api-key)")
    parser.add_argument(
        "--fault", action="append", default=[], choices=sorted({**FAULTS, **WS_FAULTS}), help="inject on every request"
    )
    parser.add_argument("--stall-seconds", type=float, default=DEFAULT_STALL_SECONDS)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between events")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds every stream pauses mid-way")
    parser.add_argument("--keepalive", type=float, default=0.0, help="seconds between heartbeat comments in a pause")
    args = parser.parse_args(argv)
    server = ReferenceServer(
        (args.host, args.port),
        profile=args.profile,
        api_key=args.api_key,
        faults=set(args.fault),
        stall_seconds=args.stall_seconds,
        pause_seconds=args.pause,
        keepalive_seconds=args.keepalive,
        delay=args.delay,
    )
    print(f"reference server listening on {server.url} ({args.profile} profile)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
