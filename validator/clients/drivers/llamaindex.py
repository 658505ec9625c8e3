"""LlamaIndex: ``OpenAIResponses.stream_chat()``, read as its FunctionAgent reads it.

Each ``ChatResponse`` of the stream carries the blocks of one event; the agent
keeps the last one and takes the answer and the tool calls from it
(``get_tool_calls_from_response``). On ``response.completed`` that message is
rebuilt from ``response.output``. llama-index-llms-openai 0.8 needs openai < 3,
so this driver runs in its own virtualenv, with the legacy ``httpx``.
"""

from __future__ import annotations

import json
from typing import Any

from ._driver import BASE_URL, MODEL, SSE_HEADERS, Bodies, observation, serve

CLIENT = "llamaindex"
PACKAGES = ("llama-index-llms-openai", "llama-index-core", "openai", "httpx")
TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    import httpx
    from llama_index.core.base.llms.types import TextBlock
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai import OpenAIResponses

    bodies = Bodies(body)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=SSE_HEADERS, content=bodies.next()))
    llm = OpenAIResponses(model=MODEL, api_key="test", api_base=BASE_URL, max_retries=0,
                          http_client=httpx.Client(transport=transport))
    # FunctionAgent keeps the last response of the stream.
    responses = list(llm.stream_chat([ChatMessage(role="user", content="hi")]))
    last = responses[-1] if responses else None
    if last is None:
        return observation()
    calls = [
        {"name": call.tool_name, "call_id": call.tool_id, "arguments": json.dumps(call.tool_kwargs)}
        for call in llm.get_tool_calls_from_response(last, error_on_no_tool_call=False)
    ]
    kind = getattr(last.raw, "type", None)
    status = last.raw.response.status if kind in TERMINAL else None
    # The text blocks joined as the other clients join parts (message.content puts newlines between them).
    text = "".join(block.text for block in last.message.blocks if isinstance(block, TextBlock))
    return observation(text if text else None, calls, status, kind)


if __name__ == "__main__":
    serve(CLIENT, PACKAGES, replay)
