"""An echo agent on azure-ai-agentserver-responses, for the live battery's third-party tests.

Run inside the third-party virtualenv (never imported by the test suite)::

    python azure_echo.py PORT

It answers without a model: function tools are called with arguments built
from their schemas, a ``reasoning`` request gets a reasoning summary item,
``json_schema`` output is JSON built from the schema, ``max_output_tokens``
cuts the words and ends ``incomplete``, anything else echoes the input.
All events come from the SDK's own ``ResponseEventStream`` builders, so the
stream's shape is the SDK's, not ours.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from azure.ai.agentserver.responses import ResponseEventStream, ResponsesAgentServerHost

app = ResponsesAgentServerHost()


def _get(obj: Any, key: str, default: Any = None) -> Any:
    try:
        value = obj.get(key, default)
    except AttributeError:
        value = getattr(obj, key, default)
    return default if value is None else value


def _plain(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _input_text(request: Any) -> str:
    inp = _plain(_get(request, "input", ""))
    if isinstance(inp, str):
        return inp
    texts = []
    for item in inp:
        if isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                texts.append(content)
            elif isinstance(content, list):
                texts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return texts[-1] if texts else ""


def _example(schema: Any, name: str = "") -> Any:
    if not isinstance(schema, dict):
        return "example"
    kind = schema.get("type")
    if kind == "object":
        return {k: _example(v, k) for k, v in (schema.get("properties") or {}).items()}
    if kind == "integer":
        return 4
    if kind == "number":
        return 4.0
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    return "Paris" if "city" in name else "example"


@app.response_handler
async def handler(request: Any, context: Any, cancellation_signal: asyncio.Event) -> Any:
    stream = ResponseEventStream(response_id=context.response_id, request=request)
    yield stream.emit_created()
    yield stream.emit_in_progress()
    if _get(request, "reasoning") is not None:
        for event in stream.output_item_reasoning_item("The user wants a short answer."):
            yield event
    tools = [t for t in _plain(_get(request, "tools", [])) if isinstance(t, dict) and t.get("type") == "function"]
    choice = _plain(_get(request, "tool_choice", "auto"))
    if isinstance(choice, dict) and choice.get("name"):
        tools = [t for t in tools if t.get("name") == choice["name"]]
    if tools and choice != "none":
        for i, tool in enumerate(tools):
            arguments = json.dumps(_example(tool.get("parameters") or {}))
            for event in stream.output_item_function_call(tool["name"], f"call_echo_{i}", arguments):
                yield event
        yield stream.emit_completed()
        return
    text_format = _plain(_get(_get(request, "text", {}), "format", {}))
    if isinstance(text_format, dict) and text_format.get("type") == "json_schema":
        answer = json.dumps(_example(text_format.get("schema")))
    else:
        answer = f"Echo: {_input_text(request)}"
    limit = _get(request, "max_output_tokens")
    if isinstance(limit, int):
        # A long answer, so that the budget really cuts it.
        answer = " ".join([answer] * 4)
    words = [w + " " for w in answer.split(" ")]
    truncated = isinstance(limit, int) and len(words) > limit
    if truncated:
        words = words[:limit]
    message = stream.add_output_item_message()
    yield message.emit_added()
    text = message.add_text_content()
    yield text.emit_added()
    for word in words:
        await asyncio.sleep(0)
        yield text.emit_delta(word)
    yield text.emit_text_done("".join(words))
    yield text.emit_done()
    yield message.emit_done()
    if truncated:
        yield stream.emit_incomplete(reason="max_output_tokens")
    else:
        yield stream.emit_completed()


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
