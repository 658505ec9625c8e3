"""A deterministic Chat Completions server (stdlib only): the upstream a Responses bridge talks to.

    python fake_chat_upstream.py PORT

``POST /v1/chat/completions`` (and ``/chat/completions``) streams fixed
chunks: a short text answer, or, when the request has ``tools``, one tool
call per tool with arguments built from its parameter schema. It ends with
``data: [DONE]``. ``GET /v1/models`` lists one model. Nothing else.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WORDS = ["Hello", ",", " world", "!", " 2+2=4."]


def _example(schema: Any, name: str = "") -> Any:
    if not isinstance(schema, dict):
        return "example"
    kind = schema.get("type")
    if kind == "object":
        return {k: _example(v, k) for k, v in (schema.get("properties") or {}).items()}
    if kind == "integer":
        return 4
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    return "Paris" if "city" in name else "example"


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


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
        if self.path.split("?")[0].rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, "application/json", b'{"error": {"message": "not found"}}')
            return
        model = str(request.get("model", "fake-model"))
        chunks = [_chunk(model, {"role": "assistant", "content": ""})]
        tools = [t for t in request.get("tools") or [] if t.get("type") == "function"]
        if tools and request.get("tool_choice") != "none":
            for i, tool in enumerate(tools):
                fn = tool.get("function") or {}
                args = json.dumps(_example(fn.get("parameters")))
                call = {
                    "index": i,
                    "id": f"call_fake_{i}",
                    "type": "function",
                    "function": {"name": fn.get("name", "f"), "arguments": ""},
                }
                chunks.append(_chunk(model, {"tool_calls": [call]}))
                for start in range(0, len(args), 6):
                    piece = {"index": i, "function": {"arguments": args[start : start + 6]}}
                    chunks.append(_chunk(model, {"tool_calls": [piece]}))
            chunks.append(_chunk(model, {}, "tool_calls"))
        else:
            chunks.extend(_chunk(model, {"content": word}) for word in WORDS)
            chunks.append(_chunk(model, {}, "stop"))
        if not request.get("stream"):
            text = "".join(WORDS)
            body = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 1700000000,
                "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
            }
            self._send(200, "application/json", json.dumps(body).encode())
            return
        chunks.append(b"data: [DONE]\n\n")
        self._send(200, "text/event-stream", b"".join(chunks))


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
