"""pydantic-ai: ``Agent(OpenAIResponsesModel(...)).run_stream()``.

The agent gets one tool for each call name the stream announces (the harness
passes them in); when the model calls them, pydantic-ai runs them and asks the
model again, and the fake server answers that request with a short valid
stream. What the agent made of the captured stream is its first
``ModelResponse``: text parts, tool-call parts and the finish reason.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ._driver import BASE_URL, MODEL, SSE_HEADERS, Bodies, observation, serve

CLIENT = "pydantic-ai"
PACKAGES = ("pydantic-ai-slim", "openai", "httpx2")
# pydantic-ai's finish reasons, as the response status they stand for.
STATUS = {"stop": "completed", "tool_call": "completed", "length": "incomplete", "content_filter": "incomplete",
          "error": "failed"}


def replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    return asyncio.run(_replay(body, tools, custom_tools))


async def _replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    import httpx2
    import openai
    from pydantic_ai import Agent, Tool
    from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    bodies = Bodies(body)

    async def answer(request: Any) -> Any:
        return httpx2.Response(200, headers=SSE_HEADERS, content=bodies.next())

    client = openai.AsyncOpenAI(api_key="test", base_url=BASE_URL, max_retries=0,
                                http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(answer)))
    model = OpenAIResponsesModel(MODEL, provider=OpenAIProvider(openai_client=client))

    def invoke(**arguments: Any) -> str:
        return "ok"

    agent_tools = [Tool.from_schema(invoke, name, "a tool the stream calls", {"type": "object"}) for name in tools]
    agent = Agent(model, tools=agent_tools)
    async with agent.run_stream("hi") as result:
        async for _ in result.stream_output(debounce_by=None):
            pass
        messages = result.all_messages()
    first = next((m for m in messages if isinstance(m, ModelResponse)), None)
    if first is None:
        return observation()
    texts = [part.content for part in first.parts if isinstance(part, TextPart)]
    calls = [
        {"name": part.tool_name, "call_id": part.tool_call_id,
         "arguments": part.args if isinstance(part.args, str) or part.args is None else json.dumps(part.args)}
        for part in first.parts if isinstance(part, ToolCallPart)
    ]
    finish = first.finish_reason
    return observation("".join(texts) if texts else None, calls, STATUS.get(finish or ""), finish)


if __name__ == "__main__":
    serve(CLIENT, PACKAGES, replay)
