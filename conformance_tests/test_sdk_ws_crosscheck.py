"""Cross-check against code nobody here wrote: openai-python's WebSocket client reads every valid session.

Each generated valid session is replayed by a loopback WebSocket server (the
``websockets`` package's): every client message the SDK sends is answered with
the server messages that followed it in the session. The client is
``client.responses.connect()`` (openai-python 3.x): it sends each request with
``connection.response.create(...)`` (and ``.steer(...)``), and every server
message must come back from ``connection.recv()`` parsed as the
``ResponsesServerEvent`` of its type, with nothing raised. Errors must read as
the SDK's ``ResponseWsError`` (``event.error.message``), the shape WSS008 holds
servers to.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator.session import check_session
from validator.strategies import sessions
from validator.strategies.session_model import GeneratedSession
from validator.wsframes import RECEIVE, SEND, WsMessage

openai = pytest.importorskip("openai")
pytest.importorskip("websockets")
responses_module = pytest.importorskip("openai.resources.responses.responses")
if not hasattr(responses_module, "ResponsesConnection"):  # pragma: no cover - an SDK before WebSocket mode
    pytest.skip("this openai-python has no client.responses.connect()", allow_module_level=True)

from websockets.sync.server import ServerConnection, serve  # noqa: E402


def _script(session: GeneratedSession) -> list[tuple[str, list[str]]]:
    """Each client message's type with the server messages (their exact text) that answer it."""
    out: list[tuple[str, list[str]]] = []
    for message in session.messages():
        assert isinstance(message.data, str)
        if message.direction == SEND:
            out.append((orjson.loads(message.data)["type"], []))
        else:
            out[-1][1].append(message.data)
    return out


@contextmanager
def replay(session: GeneratedSession) -> Iterator[tuple[str, list[str]]]:
    """A loopback server replaying the session; yields its URL and the client messages it received."""
    script = _script(session)
    received: list[str] = []

    def handler(connection: ServerConnection) -> None:
        turns = iter(script)
        for message in connection:
            received.append(str(message))
            _, answers = next(turns)
            for text in answers:
                connection.send(text)

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        try:
            yield f"ws://127.0.0.1:{port}/v1", received
        finally:
            server.shutdown()
            thread.join(timeout=5)


def sdk_session(session: GeneratedSession) -> list[Any]:
    """Drive the session through openai-python's WebSocket client; the events it parsed."""
    client = openai.OpenAI(api_key="test", base_url="http://unused.invalid/v1", max_retries=0)
    expected = sum(1 for m in session.messages() if m.direction == RECEIVE)
    events: list[Any] = []
    with replay(session) as (url, received):
        client.websocket_base_url = url
        with client.responses.connect() as connection:
            for message in session.messages():
                if message.direction != SEND:
                    continue
                value = orjson.loads(message.data)
                kind = value.pop("type")
                if kind == "response.create":
                    connection.response.create(**value)
                else:
                    connection.response.steer(**value)
            while len(events) < expected:
                events.append(connection.recv())
    sent = [orjson.loads(text)["type"] for text in received]
    assert sent == [orjson.loads(m.data)["type"] for m in session.messages() if m.direction == SEND]
    return events


def _server_values(session: GeneratedSession) -> list[dict[str, Any]]:
    return [orjson.loads(m.data) for m in session.messages() if m.direction == RECEIVE and isinstance(m, WsMessage)]


@pytest.mark.parametrize("profile", ["openai", "openresponses"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_openai_python_reads_every_valid_session(profile: str, data: st.DataObject) -> None:
    session = data.draw(sessions(profile))
    assert all(report.ok(strict=True) for report in check_session(session.records, profile))
    events = sdk_session(session)
    values = _server_values(session)
    assert [e.type for e in events] == [v["type"] for v in values]
    for event, value in zip(events, values, strict=True):
        if value["type"] == "error":
            assert event.error.message == value["error"]["message"]
            assert event.error.code == value["error"]["code"]
        elif "response" in value:
            assert event.response.id == value["response"]["id"]
            assert [item.id for item in event.response.output] == [i["id"] for i in value["response"]["output"]]
        if "stream_id" in value:
            assert event.stream_id == value["stream_id"]


def test_a_flat_error_breaks_the_sdk_reader() -> None:
    """The evidence for WSS008: the SSE-shaped error over WebSocket has no `error.message` for the SDK."""
    flat = {"type": "error", "code": "server_error", "message": "boom", "param": None}
    connection_type = responses_module.ResponsesConnection
    event = connection_type.parse_event(object.__new__(connection_type), orjson.dumps(flat))
    with pytest.raises(AttributeError):
        _ = event.error.message
