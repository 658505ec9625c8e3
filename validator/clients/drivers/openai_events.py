"""openai-python: ``client.responses.create(stream=True)``, iterating the typed events.

The SDK hands each event over as it parses it and accumulates nothing, so what
a caller gets is what a caller builds: the text from ``output_text.delta``, the
function calls from ``output_item.done``, the status from the terminal event.
This driver builds exactly that, as the SDK's own examples do.
"""

from __future__ import annotations

from typing import Any

from ._driver import BASE_URL, MODEL, SSE_HEADERS, Bodies, observation, serve

CLIENT = "openai-python-events"
PACKAGES = ("openai", "httpx2")
TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    import httpx2
    import openai

    bodies = Bodies(body)
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, headers=SSE_HEADERS, content=bodies.next()))
    client = openai.OpenAI(api_key="test", base_url=BASE_URL, max_retries=0,
                           http_client=httpx2.Client(transport=transport))
    text: list[str] = []
    calls: list[dict[str, Any]] = []
    status = None
    events: Any = client.responses.create(model=MODEL, input="hi", stream=True)
    for event in events:
        kind = getattr(event, "type", None)
        if kind == "response.output_text.delta":
            text.append(event.delta)
        elif kind == "response.output_item.done" and getattr(event.item, "type", None) == "function_call":
            item = event.item
            calls.append({"name": item.name, "call_id": item.call_id, "arguments": item.arguments})
        elif kind in TERMINAL:
            status = event.response.status
    return observation("".join(text) if text else None, calls, status, status)


if __name__ == "__main__":
    serve(CLIENT, PACKAGES, replay)
