"""A deterministic Chat Completions server (stdlib only): the upstream a Responses bridge talks to.

    python fake_chat_upstream.py PORT [REQUEST_LOG]

``POST /v1/chat/completions`` (and ``/chat/completions``) answers with fixed
chunks, honouring what a real upstream honours, so that a finding against the
bridge in front of it is the bridge's doing, never this stand-in's:

- a text answer of ``len(WORDS)`` pieces (one piece = one token);
  ``max_tokens`` / ``max_completion_tokens`` cut it, with finish_reason ``length``;
- ``tools``: one call per tool (a named ``tool_choice`` keeps only that
  tool, ``"none"`` keeps none), arguments built from each parameter schema;
- ``response_format`` ``json_schema``: a JSON answer that matches the schema
  (``json_object``: ``{}``);
- ``stream_options.include_usage``: a last chunk with ``usage``.

A stream ends with ``data: [DONE]``. Every answer has its own id (stores
keyed by it, like Llama Stack's inference store, reject repeats).
``GET /v1/models`` lists one model. With REQUEST_LOG, every request body is
appended to that file as one JSON line (tests read what a bridge forwarded).
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

WORDS = [
    "Hello",
    ",",
    " world",
    "!",
    " 2+2=4.",
    " This",
    " answer",
    " has",
    " twenty",
    " pieces",
    " so",
    " that",
    " a",
    " small",
    " token",
    " limit",
    " cuts",
    " it",
    " short",
    ".",
]

_ids = itertools.count(1)
_log_lock = threading.Lock()
REQUEST_LOG: Path | None = None


def _example(schema: Any, name: str = "") -> Any:
    if not isinstance(schema, dict):
        return "example"
    kind = schema.get("type")
    if kind == "object":
        return {k: _example(v, k) for k, v in (schema.get("properties") or {}).items()}
    if kind == "integer":
        return 4
    if kind == "number":
        return 4.5
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    return "Paris" if "city" in name else "example"


def _limit(request: dict[str, Any]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        value = request.get(key)
        if isinstance(value, int) and value > 0:
            return value
    return None


def _answer(request: dict[str, Any]) -> tuple[list[str], str]:
    """The text pieces of a text answer and its finish_reason."""
    response_format = request.get("response_format")
    pieces = list(WORDS)
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        text = json.dumps(_example(schema))
        pieces = [text[i : i + 8] for i in range(0, len(text), 8)]
    elif isinstance(response_format, dict) and response_format.get("type") == "json_object":
        pieces = ["{}"]
    limit = _limit(request)
    if limit is not None and limit < len(pieces):
        return pieces[:limit], "length"
    return pieces, "stop"


def _tools(request: dict[str, Any]) -> list[dict[str, Any]]:
    tools = [t for t in request.get("tools") or [] if isinstance(t, dict) and t.get("type") == "function"]
    choice = request.get("tool_choice")
    if choice == "none":
        return []
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        return [t for t in tools if (t.get("function") or {}).get("name") == wanted]
    return tools


def _chunk(answer_id: str, model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": answer_id,
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def _usage(completion_tokens: int) -> dict[str, int]:
    return {"prompt_tokens": 5, "completion_tokens": completion_tokens, "total_tokens": 5 + completion_tokens}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            models = {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "fake"}]}
            self._send(200, "application/json", json.dumps(models).encode())
        else:
            self._send(404, "application/json", b'{"error": {"message": "not found"}}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, "application/json", b'{"error": {"message": "bad json"}}')
            return
        if REQUEST_LOG is not None:
            with _log_lock, REQUEST_LOG.open("a", encoding="utf-8") as log:
                log.write(json.dumps(request) + "\n")
        if self.path.split("?")[0].rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, "application/json", b'{"error": {"message": "not found"}}')
            return
        model = str(request.get("model", "fake-model"))
        answer_id = f"chatcmpl-fake-{next(_ids)}"
        tools = _tools(request)
        pieces, finish = _answer(request)
        if not request.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": "".join(pieces)}
            body = {
                "id": answer_id,
                "object": "chat.completion",
                "created": 1700000000,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": _usage(len(pieces)),
            }
            self._send(200, "application/json", json.dumps(body).encode())
            return
        chunks = [_chunk(answer_id, model, {"role": "assistant", "content": ""})]
        if tools:
            for i, tool in enumerate(tools):
                fn = tool.get("function") or {}
                args = json.dumps(_example(fn.get("parameters")))
                call = {
                    "index": i,
                    "id": f"call_fake_{i}",
                    "type": "function",
                    "function": {"name": fn.get("name", "f"), "arguments": ""},
                }
                chunks.append(_chunk(answer_id, model, {"tool_calls": [call]}))
                for start in range(0, len(args), 6):
                    piece = {"index": i, "function": {"arguments": args[start : start + 6]}}
                    chunks.append(_chunk(answer_id, model, {"tool_calls": [piece]}))
            chunks.append(_chunk(answer_id, model, {}, "tool_calls"))
            produced = len(tools) * 8
        else:
            chunks.extend(_chunk(answer_id, model, {"content": piece}) for piece in pieces)
            chunks.append(_chunk(answer_id, model, {}, finish))
            produced = len(pieces)
        options = request.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            usage = {
                "id": answer_id,
                "object": "chat.completion.chunk",
                "created": 1700000000,
                "model": model,
                "choices": [],
                "usage": _usage(produced),
            }
            chunks.append(f"data: {json.dumps(usage)}\n\n".encode())
        chunks.append(b"data: [DONE]\n\n")
        self._send(200, "text/event-stream", b"".join(chunks))


if __name__ == "__main__":
    if len(sys.argv) > 2:
        REQUEST_LOG = Path(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
