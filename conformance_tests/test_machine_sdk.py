"""The machine's reconstruction agrees with openai-python's own accumulation of the same stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from validator.checker import Checker
from validator.sources import streams_from_path

openai = pytest.importorskip("openai")
httpx = pytest.importorskip("httpx")

VALID = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "openai"
COMPLETED = sorted(p for p in VALID.glob("*.sse") if b'"type": "response.completed"' in p.read_bytes())


def sdk_final(body: bytes) -> dict[str, Any]:
    def handler(request: Any) -> Any:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    transport = httpx.MockTransport(handler)
    client = openai.OpenAI(api_key="test", base_url="http://sdk.test/v1", http_client=httpx.Client(transport=transport))
    with client.responses.stream(model="m", input="hi") as stream:
        for _ in stream:
            pass
        response = stream.get_final_response()
    return dict(response.model_dump(mode="json"))


def essentials(item: dict[str, Any]) -> dict[str, Any]:
    out = {"id": item.get("id"), "type": item.get("type")}
    for key in ("name", "call_id", "arguments", "input"):
        if item.get(key) is not None:
            out[key] = item[key]
    for key in ("content", "summary"):
        if item.get(key):
            out[key] = [part.get("text", part.get("refusal")) for part in item[key]]
    return out


@pytest.mark.parametrize("path", COMPLETED, ids=lambda p: p.name)
def test_reconstruction_matches_the_sdk(path: Path) -> None:
    (stream,) = streams_from_path(str(path), "auto")
    checker = Checker(reconstruct=True, source=stream.name, transport=stream.transport)
    for event in stream.events:
        checker.feed(event)
    checker.close()
    mine = checker.reconstruction()
    assert mine is not None
    theirs = sdk_final(path.read_bytes())
    assert mine["id"] == theirs["id"] and mine["status"] == theirs["status"]
    assert [essentials(i) for i in mine["output"]] == [essentials(i) for i in theirs["output"]]


def test_there_are_completed_fixtures_to_compare() -> None:
    assert len(COMPLETED) >= 6
