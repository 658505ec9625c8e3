"""The loop every Python client driver runs in its own process (stdlib only).

A driver module defines ``CLIENT`` (its name), ``PACKAGES`` (the distributions
whose versions it reports) and ``replay(body, names) -> dict``. The parent
writes one JSON request per line on stdin (``{"id", "body" (base64), "tools", "custom_tools"}``)
and reads one JSON answer per line on stdout; the first line it reads is the
hello (``{"client", "versions"}``). The parent owns the clock: a replay that
does not answer in time is killed with its process.

An observation (what the client made of the stream) is::

    {"text": str | None, "tool_calls": [{"name", "call_id", "arguments"}],
     "status": "completed" | "incomplete" | "failed" | None, "finish": str | None,
     "error": {"type", "message"} | None, "warnings": [str]}

The drivers live outside the ``validator`` package's import graph on purpose:
they run under other interpreters (a virtualenv holding a client whose
dependencies conflict with the others) that do not have ``validator`` installed.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.metadata
import io
import json
import logging
import sys
import warnings
from collections.abc import Callable
from typing import Any

BASE_URL = "http://responses-conformance.invalid/v1"
MODEL = "gpt-4o"  # a model name every client knows (some look up its capabilities by name)
SSE_HEADERS = {"content-type": "text/event-stream"}

# replay(body, function tool names, custom tool names) -> observation
Replay = Callable[[bytes, list[str], list[str]], dict[str, Any]]


def observation(
    text: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    status: str | None = None,
    finish: str | None = None,
) -> dict[str, Any]:
    return {"text": text, "tool_calls": tool_calls or [], "status": status, "finish": finish, "error": None}


def error_of(exc: BaseException) -> dict[str, str]:
    """The exception's type and the first line of its message (bounded)."""
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else ""
    return {"type": type(exc).__qualname__, "message": first[:300]}


def follow_up_stream(response_id: str = "resp_follow_up") -> bytes:
    """A minimal valid stream, served for any request after the first (clients that run tools ask again)."""
    response = {"id": response_id, "object": "response", "created_at": 0, "status": "in_progress",
                "model": MODEL, "output": [], "usage": None}
    item = {"id": "msg_follow_up", "type": "message", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": "ok", "annotations": []}]}
    done = {**response, "status": "completed", "output": [item],
            "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2,
                      "input_tokens_details": {"cached_tokens": 0},
                      "output_tokens_details": {"reasoning_tokens": 0}}}
    events = [
        {"type": "response.created", "sequence_number": 0, "response": response},
        {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0,
         "item": {**item, "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", "sequence_number": 2, "item_id": item["id"], "output_index": 0,
         "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}},
        {"type": "response.output_text.delta", "sequence_number": 3, "item_id": item["id"], "output_index": 0,
         "content_index": 0, "delta": "ok", "logprobs": []},
        {"type": "response.output_text.done", "sequence_number": 4, "item_id": item["id"], "output_index": 0,
         "content_index": 0, "text": "ok", "logprobs": []},
        {"type": "response.content_part.done", "sequence_number": 5, "item_id": item["id"], "output_index": 0,
         "content_index": 0, "part": {"type": "output_text", "text": "ok", "annotations": []}},
        {"type": "response.output_item.done", "sequence_number": 6, "output_index": 0, "item": item},
        {"type": "response.completed", "sequence_number": 7, "response": done},
    ]
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


class Bodies:
    """What the fake server answers: the captured stream first, then the follow-up stream."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests = 0

    def next(self) -> bytes:
        self.requests += 1
        return self.body if self.requests == 1 else follow_up_stream(f"resp_follow_up_{self.requests}")


def versions(packages: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def serve(client: str, packages: tuple[str, ...], replay: Replay) -> None:
    """Answer replay requests from stdin until it closes."""
    # The clients log and warn about the defects they meet; the observation records warnings,
    # and nothing else may reach stdout, which carries the protocol.
    out = sys.stdout
    sys.stdout = sys.stderr
    logging.disable(logging.CRITICAL)
    # Import the client and run it once before the hello, so that no stream's clock counts the
    # import (LlamaIndex takes seconds, more on a busy machine); a failure here shows on a real stream.
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        with contextlib.suppress(Exception):
            replay(follow_up_stream(), [], [])
    _write(out, {"client": client, "versions": versions(packages)})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        body = base64.b64decode(request["body"])
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("always")
            try:
                result = replay(body, list(request.get("tools") or []), list(request.get("custom_tools") or []))
            except BaseException as exc:  # a client may raise anything, even SystemExit
                result = observation()
                result["error"] = error_of(exc)
        result["warnings"] = sorted({str(w.message).splitlines()[0][:200] for w in caught if str(w.message)})
        _write(out, {"id": request["id"], "observation": result})


def _write(out: Any, message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()
