"""openai-agents: ``Runner.run_streamed`` with an ``OpenAIResponsesModel``.

The agent gets one function tool (or custom tool) for each call name the stream
announces (the harness passes them in), and stops after the first tool runs
(``tool_use_behavior="stop_on_first_tool"``), so one model request is made.
What the agent made of the stream is its first model response
(``result.raw_responses[0]``): the items it parsed, which it acts on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ._driver import BASE_URL, MODEL, SSE_HEADERS, Bodies, observation, serve

CLIENT = "openai-agents"
PACKAGES = ("openai-agents", "openai", "httpx2")


def replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    return asyncio.run(_replay(body, tools, custom_tools))


async def _replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    import httpx2
    import openai
    from agents import Agent, CustomTool, FunctionTool, Runner, set_tracing_disabled
    from agents.models.openai_responses import OpenAIResponsesModel

    set_tracing_disabled(True)
    bodies = Bodies(body)

    async def answer(request: Any) -> Any:
        return httpx2.Response(200, headers=SSE_HEADERS, content=bodies.next())

    client = openai.AsyncOpenAI(api_key="test", base_url=BASE_URL, max_retries=0,
                                http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(answer)))

    async def invoke(context: Any, arguments: str) -> str:
        return "ok"

    function_tools = [
        FunctionTool(name=name, description="a tool the stream calls", params_json_schema={"type": "object"},
                     on_invoke_tool=invoke, strict_json_schema=False)
        for name in tools
    ]
    async def invoke_custom(context: Any, text: str) -> str:
        return "ok"

    custom = [CustomTool(name=name, description="a tool the stream calls", on_invoke_tool=invoke_custom)
              for name in custom_tools if name not in tools]
    agent = Agent(name="harness", model=OpenAIResponsesModel(MODEL, client), tools=[*function_tools, *custom],
                  tool_use_behavior="stop_on_first_tool")
    result = Runner.run_streamed(agent, "hi", max_turns=2)
    async for _ in result.stream_events():
        pass
    if not result.raw_responses:
        return observation()
    first = result.raw_responses[0]
    texts = [
        part.text
        for item in first.output if item.type == "message"
        for part in item.content if part.type == "output_text"
    ]
    calls = [
        {"name": item.name, "call_id": item.call_id, "arguments": item.arguments}
        for item in first.output if item.type == "function_call"
    ]
    # The agent does not expose the response's status (it raises on one that did not complete).
    return observation("".join(texts) if texts else None, calls, None, None)


if __name__ == "__main__":
    serve(CLIENT, PACKAGES, replay)
