"""Cross-check against code nobody here wrote: openai-python reads every generated valid stream.

Each generated ``openai``-profile stream is served over an httpx mock transport
to ``client.responses.stream()``. A completed stream must be read without
error, and the SDK's final response must equal both the validator's
reconstruction (``Checker.reconstruction()``) and the generator's own
expectation: response id, item order, ids, types, texts, names, arguments.

The SDK has no final response for the other endings, and reacts to an
``error`` event in ways the tests below pin down (openai-python 1.x-3.x,
``Stream.__stream__`` and ``ResponseStreamState``):
- ``response.incomplete``/``response.failed``: the events are read without
  error; ``get_final_response()`` raises RuntimeError ("Didn't receive a
  `response.completed` event").
- an ``error`` event nested as OpenAI sends it (``{"type": "error", "error":
  {...}}``): the SDK raises ``openai.APIError`` with the error's message,
  which is how it reports a stream that failed.
- a flat ``error`` event (the OpenAPI ``ResponseErrorEvent`` shape) after
  ``response.created`` is passed through as an event; alone, as the first
  event, it makes the accumulator raise RuntimeError ("Expected to have
  received `response.created` before `error`"): the SDK signals the failure,
  but not as an APIError.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.checker import Checker
from validator.model import Event
from validator.sources import streams_from_bytes
from validator.strategies import streams
from validator.strategies.model import GeneratedStream, summarise_item

openai = pytest.importorskip("openai")
httpx = pytest.importorskip("httpx")

EXAMPLES = settings().max_examples


def _client(body: bytes) -> Any:
    def handler(request: Any) -> Any:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    return openai.OpenAI(
        api_key="test",
        base_url="http://testserver/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )


def sdk_read(body: bytes) -> tuple[list[str], Any]:
    """The event types the SDK yields and its final response (None when it has none)."""
    with _client(body).responses.stream(model="gpt-test", input="hi") as stream:
        seen = [event.type for event in stream]
        if "response.completed" not in seen:
            with pytest.raises(RuntimeError, match=r"response\.completed"):
                stream.get_final_response()
            return seen, None
        return seen, stream.get_final_response()


def reconstruction(stream: GeneratedStream) -> dict[str, Any] | None:
    (source,) = streams_from_bytes(stream.sse())
    checker = Checker("openai", reconstruct=True, transport=source.transport)
    findings = [f for event in source.events for f in checker.feed(event)]
    findings.extend(checker.close())
    assert findings == [], [f"{f.code} {f.message}" for f in findings]
    return checker.reconstruction()


def essentials(response: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": response.get("id"),
        "status": response.get("status"),
        "output": [summarise_item(item) for item in response.get("output") or []],
    }


# Facts beyond the reconstruction's documented shape (id, status; per item id, type, texts,
# names, call ids, arguments, summaries): shell commands are compared with the SDK only.
_UNDOCUMENTED = ("commands",)


def documented(response: dict[str, Any]) -> dict[str, Any]:
    output = [{k: v for k, v in item.items() if k not in _UNDOCUMENTED} for item in response["output"]]
    return {**response, "output": output}


@settings(max_examples=max(10, EXAMPLES))
@given(streams("openai", endings=["completed"]))
def test_sdk_final_response_equals_reconstruction(stream: GeneratedStream) -> None:
    seen, final = sdk_read(stream.sse())
    assert final is not None
    assert seen == [e["type"] for e in stream.events]
    ours = reconstruction(stream)
    assert ours is not None
    sdk = essentials(final.model_dump(mode="json"))
    assert sdk == stream.expected()
    assert documented(sdk) == documented(essentials(ours))


@settings(max_examples=max(5, EXAMPLES // 3))
@given(streams("openai", endings=["incomplete", "failed"]))
def test_sdk_reads_incomplete_and_failed_streams(stream: GeneratedStream) -> None:
    seen, final = sdk_read(stream.sse())
    assert final is None
    assert seen == [e["type"] for e in stream.events]
    ours = reconstruction(stream)
    assert ours is not None
    assert documented(essentials(ours)) == documented(stream.expected())


@settings(max_examples=max(5, EXAMPLES // 3))
@given(data=st.data())
def test_sdk_raises_api_error_on_a_nested_error_event(data: st.DataObject) -> None:
    stream = data.draw(
        streams("openai", endings=["error", "error_only"]).filter(lambda s: s.plan.error_style == "nested")
    )
    with pytest.raises(openai.APIError) as raised:
        sdk_read(stream.sse())
    assert stream.plan.error_message in str(raised.value)
    reconstruction(stream)


@settings(max_examples=max(5, EXAMPLES // 3))
@given(data=st.data())
def test_sdk_on_a_flat_error_event(data: st.DataObject) -> None:
    stream = data.draw(
        streams("openai", endings=["error", "error_only"]).filter(lambda s: s.plan.error_style == "flat")
    )
    reconstruction(stream)
    if stream.plan.ending == "error_only":
        with pytest.raises(RuntimeError, match=r"response\.created"):
            sdk_read(stream.sse())
        return
    seen, final = sdk_read(stream.sse())
    assert final is None
    assert seen == [e["type"] for e in stream.events]


def test_sdk_and_checker_see_the_same_events_one_by_one() -> None:
    """Sanity: the SDK reads exactly the frames our writer wrote (no frame merged or lost)."""
    from validator.strategies.samples import valid_stream

    for seed in range(20):
        stream = valid_stream(seed, "openai")
        if stream.plan.ending != "completed":
            continue
        seen, final = sdk_read(stream.sse())
        assert seen == [e["type"] for e in stream.events]
        checker = Checker("openai", reconstruct=True, transport="events")
        for i, payload in enumerate(stream.events):
            assert checker.feed(Event(payload=payload, index=i)) == []
        assert checker.close() == []
        assert final is not None
        ours = checker.reconstruction()
        assert ours is not None
        assert documented(essentials(final.model_dump(mode="json"))) == documented(essentials(ours))
