"""openai-python: ``client.responses.stream()``, then ``get_final_response()``.

The stream helper accumulates the events into a response snapshot
(``ResponseStreamState``) and checks the order as it goes; the final response
is the snapshot that ``response.completed`` confirms.
"""

from __future__ import annotations

from typing import Any

from ._driver import BASE_URL, MODEL, SSE_HEADERS, Bodies, observation, serve

CLIENT = "openai-python-stream"
PACKAGES = ("openai", "httpx2")


def replay(body: bytes, tools: list[str], custom_tools: list[str]) -> dict[str, Any]:
    import httpx2
    import openai

    bodies = Bodies(body)
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, headers=SSE_HEADERS, content=bodies.next()))
    client = openai.OpenAI(api_key="test", base_url=BASE_URL, max_retries=0,
                           http_client=httpx2.Client(transport=transport))
    with client.responses.stream(model=MODEL, input="hi") as stream:
        for _ in stream:
            pass
        response = stream.get_final_response()
    texts = [
        part.text
        for item in response.output if item.type == "message"
        for part in item.content if part.type == "output_text"
    ]
    calls = [
        {"name": item.name, "call_id": item.call_id, "arguments": item.arguments}
        for item in response.output if item.type == "function_call"
    ]
    return observation("".join(texts) if texts else None, calls, response.status, response.status)


if __name__ == "__main__":
    serve(CLIENT, PACKAGES, replay)
