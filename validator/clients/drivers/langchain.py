"""LangChain: ``ChatOpenAI(use_responses_api=True).stream()``, the chunks added up.

Adding the ``AIMessageChunk`` objects is how LangChain merges a stream; the sum
is the message a LangChain application ends up with (text, tool calls, and the
response's status in ``response_metadata``).
"""

from __future__ import annotations

import json
from typing import Any

from ._driver import BASE_URL, MODEL, SSE_HEADERS, Bodies, observation, serve

CLIENT = "langchain-openai"
PACKAGES = ("langchain-openai", "langchain-core", "openai", "httpx2")


def replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    import httpx2
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    bodies = Bodies(body)
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, headers=SSE_HEADERS, content=bodies.next()))
    model = ChatOpenAI(model=MODEL, api_key=SecretStr("test"), base_url=BASE_URL, max_retries=0, use_responses_api=True,
                       http_client=httpx2.Client(transport=transport))
    total: Any = None
    for chunk in model.stream("hi"):
        total = chunk if total is None else total + chunk
    if total is None:
        return observation()
    calls = [
        {"name": call["name"], "call_id": call.get("id"), "arguments": json.dumps(call.get("args"))}
        for call in total.tool_calls
    ]
    calls += [
        {"name": call.get("name"), "call_id": call.get("id"), "arguments": call.get("args")}
        for call in total.invalid_tool_calls
    ]
    status = total.response_metadata.get("status")
    text = total.text
    return observation(text if text else None, calls, status, status)


if __name__ == "__main__":
    serve(CLIENT, PACKAGES, replay)
