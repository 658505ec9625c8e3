"""WebSocket sessions on /responses pass through the proxy: handshake, messages both ways, close, refusal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request, Response
from websockets.sync.client import connect

from validator.cli import main
from validator.proxy import Capture

from .conftest import running_proxy

SECRET = "sk-ws-secret-0123456789"
WAIT = 20.0


class Upstream:
    """A WebSocket upstream on 127.0.0.1 that echoes, answers events, closes on request, refuses /deny."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self._server = await serve(self._session, "127.0.0.1", 0, subprotocols=["proto-a", "proto-b"],
                                   process_request=self._refuse)
        self.port = self._server.sockets[0].getsockname()[1] if self._server.sockets else 0

    def _refuse(self, connection: ServerConnection, request: Request) -> Response | None:
        self.seen.append({"path": request.path, "headers": list(request.headers.raw_items())})
        if request.path.endswith("/deny"):
            return Response(401, "Unauthorized", Headers([("Content-Type", "application/json")]),
                            b'{"error": {"message": "no"}}')
        return None

    async def _session(self, websocket: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._answer(websocket)

    async def _answer(self, websocket: ServerConnection) -> None:
        async for message in websocket:
            if message == "close-me":
                await websocket.close(4000, "bye")
                return
            if isinstance(message, bytes):
                await websocket.send(message[::-1])
            else:
                await websocket.send(json.dumps({"type": "response.created", "echo": message}))

    def __enter__(self) -> Upstream:
        self._thread.start()
        assert self._ready.wait(WAIT)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(WAIT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(WAIT)
        self._loop.close()


@contextmanager
def proxied(tmp_path: Path) -> Iterator[tuple[Upstream, Any]]:
    with Upstream() as upstream, running_proxy(f"http://127.0.0.1:{upstream.port}/v1",
                                               Capture(tmp_path / "ws.har")) as running:
        yield upstream, running


def test_a_session_passes_both_ways_and_the_upstreams_close_reaches_the_client(tmp_path: Path) -> None:
    with proxied(tmp_path) as (upstream, running):
        ws_url = running.url.replace("http://", "ws://") + "/responses?x=1"
        with connect(ws_url, subprotocols=["proto-b"], additional_headers={"Authorization": f"Bearer {SECRET}"},
                     open_timeout=WAIT) as client:
            assert client.subprotocol == "proto-b"  # the upstream's choice, passed on
            client.send(f"hello {SECRET}")
            assert json.loads(client.recv(WAIT)) == {"type": "response.created", "echo": f"hello {SECRET}"}
            client.send(b"\x00\x01\x02")
            assert client.recv(WAIT) == b"\x02\x01\x00"
            client.send("close-me")
            with pytest.raises(ConnectionClosed) as closed:
                client.recv(WAIT)
        assert closed.value.rcvd is not None and (closed.value.rcvd.code, closed.value.rcvd.reason) == (4000, "bye")
    (handshake,) = upstream.seen
    assert handshake["path"] == "/v1/responses?x=1"
    assert ("authorization", f"Bearer {SECRET}") in [(k.lower(), v) for k, v in handshake["headers"]]
    assert any("WebSocket /responses: the upstream closed the session (4000 bye); 5 messages passed through, "
               "checked as a Responses session" in note for note in running.notes)
    # Not a Responses API session (the messages are no events): the session's report says what is wrong.
    session = running.verdicts[0][3]
    assert session.name.endswith("#session") and session.findings
    text = (tmp_path / "ws.har").read_text()
    assert SECRET not in text
    (entry,) = json.loads(text)["log"]["entries"]
    assert entry["response"]["status"] == 101
    messages = entry["_webSocketMessages"]
    assert [(m["type"], m["opcode"]) for m in messages] == [("send", 1), ("receive", 1), ("send", 2), ("receive", 2),
                                                           ("send", 1)]
    assert messages[0]["data"] == "hello [REDACTED]"
    # validate reads the recorded session as a WebSocket session (docs/websocket.md), not as nothing.
    validated = CliRunner().invoke(main, ["validate", str(tmp_path / "ws.har"), "-o", "json", "--no-progress"])
    assert validated.exit_code in (0, 1), validated.output
    names = [stream["name"] for stream in json.loads(validated.output)["streams"]]
    # The session, and the response its `response.created` answer opened.
    assert names == [f"{tmp_path / 'ws.har'}#entries[0]#{part}" for part in ("session", "response[0]")], names


def test_a_refused_handshake_reaches_the_client_as_the_upstreams_answer(tmp_path: Path) -> None:
    with proxied(tmp_path) as (_, running), pytest.raises(InvalidStatus) as refused:
        connect(running.url.replace("http://", "ws://") + "/deny", subprotocols=["proto-a"], open_timeout=WAIT)
    assert refused.value.response.status_code == HTTPStatus.UNAUTHORIZED
    assert refused.value.response.body == b'{"error": {"message": "no"}}'


def test_the_upstreams_own_refusal_is_passed_on(tmp_path: Path) -> None:
    with proxied(tmp_path) as (_, running), pytest.raises(InvalidStatus) as refused:
        connect(running.url.replace("http://", "ws://") + "/responses", open_timeout=WAIT)  # no subprotocol
    assert refused.value.response.status_code == HTTPStatus.BAD_REQUEST
    assert b"missing subprotocol" in refused.value.response.body
    assert not [note for note in running.notes if "uvicorn" in note]


def test_a_client_that_closes_closes_the_upstream_session(tmp_path: Path) -> None:
    with proxied(tmp_path) as (_, running):
        with connect(running.url.replace("http://", "ws://") + "/responses", subprotocols=["proto-a"],
                     open_timeout=WAIT) as client:
            client.send("one")
            client.recv(WAIT)
            client.close(4001, "done here")
        for _ in range(int(WAIT * 10)):  # a bounded wait for the proxy's note
            if any("the client closed the session (4001 done here)" in note for note in running.notes):
                break
            threading.Event().wait(0.1)
    assert any("the client closed the session (4001 done here)" in note for note in running.notes)


@pytest.mark.parametrize("fault", ["", "ws-response-done", "ws-flat-error"], ids=lambda f: f or "clean")
def test_a_responses_session_is_checked_as_it_passes_as_validate_checks_its_capture(
    reference: str, tmp_path: Path, fault: str
) -> None:
    har = tmp_path / "ws.har"
    with running_proxy(reference + "/v1", Capture(har)) as running:
        headers = {"X-Conformance-Fault": fault} if fault else {}
        ws_url = running.url.replace("http://", "ws://") + "/responses"
        with connect(ws_url, additional_headers=headers, open_timeout=WAIT) as client:
            for request in ({"type": "response.create", "model": "gpt-test", "input": "hi"},
                            {"type": "response.create", "model": "gpt-test", "input": 7}):  # the second one fails
                client.send(json.dumps(request))
                while True:
                    event = json.loads(client.recv(WAIT))
                    if event["type"] in ("response.completed", "response.done", "error"):
                        break
    assert running.report is not None
    proxied = running.report.to_dict()["streams"]
    assert [stream["name"].rsplit("#", 1)[1] for stream in proxied] == ["session", "response[0]"]
    assert [verdict[1] for verdict in running.verdicts] == ["WebSocket", "WebSocket"]
    validated = CliRunner().invoke(main, ["validate", str(har), "-o", "json", "--no-progress"])
    assert validated.exit_code in (0, 1), validated.output
    expected = json.loads(validated.output)["streams"]
    # The same streams, the same findings: the proxy also saw how the session closed, which a HAR
    # capture does not record.
    assert [s["name"] for s in proxied] == [s["name"] for s in expected]
    for got, want in zip(proxied, expected, strict=True):
        assert got["events"] == want["events"]
        assert got["findings"] == want["findings"], got["name"]
    assert (fault == "") == all(not s["findings"] for s in proxied)
