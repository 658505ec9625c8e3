"""The proxy on the HTTP level: other paths untouched, streaming unbuffered, and upstreams that misbehave.

Each test starts its upstream and its proxy on 127.0.0.1 and stops them;
every wait is bounded (``WAIT``), and nothing is timed: where order matters
(a chunk must reach the client before the upstream sends the next one), the
upstream waits for the test's signal instead of a clock.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from validator.proxy import Capture, Limits, Timeouts
from validator.reference_server import StreamPlan, encode_frames

from .conftest import STALL_SECONDS, Wire, free_port, running_proxy, scripted, send_chunk

WAIT = 20.0  # seconds any one wait may take
BODY = {"model": "gpt-test", "input": "hi", "stream": True}


def stream_bytes(**plan: object) -> list[bytes]:
    """The frames of a conformant stream, as the reference server would send them."""
    request = {"model": "gpt-test", "input": "hi", "stream": True}
    return encode_frames(StreamPlan(request, set(), 1_700_000_000).events(), "openai", set())


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        time.sleep(0.01)


# --- other paths -------------------------------------------------------------------------------------


def echo(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    """Answer 418 with repeated headers and a binary body that says what arrived."""
    payload = json.dumps({"method": handler.command, "path": handler.path, "body": body.hex(),
                          "headers": list(handler.headers.items())}).encode() + b"\x00\xff\xfe"
    handler.send_response(418)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("X-Repeated", "one")
    handler.send_header("X-Repeated", "two")
    handler.send_header("Set-Cookie", "a=1; Path=/")
    handler.send_header("Set-Cookie", "b=2; Path=/")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(payload)


def test_other_paths_pass_untouched_both_ways(tmp_path: Path) -> None:
    binary = bytes(range(256)) * 1000
    with (
        scripted(echo) as upstream,
        running_proxy(upstream.url + "/base", Capture(tmp_path / "c.har")) as running,
        httpx.Client(base_url=running.url, timeout=WAIT) as client,
    ):
        got = client.post(
            "/v1/files/x%2Fy?b=2&a=%2F&a=3",
            content=binary,
            headers=[("X-Multi", "1"), ("X-Multi", "2"), ("Content-Type", "application/x-thing"),
                     ("User-Agent", "agent/1.0")],
        )
        chunked = client.put("/upload", content=iter([b"part one, ", b"part two"]))
        head = client.head("/v1/models")
    assert got.status_code == 418
    assert got.headers.get_list("x-repeated") == ["one", "two"]
    assert got.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    seen = json.loads(got.content[:-3])
    assert got.content.endswith(b"\x00\xff\xfe")
    # The path (percent-encoding kept), the query (order kept), the body and the headers, as sent.
    assert seen["method"] == "POST" and seen["path"] == "/base/v1/files/x%2Fy?b=2&a=%2F&a=3"
    assert bytes.fromhex(seen["body"]) == binary
    headers = [(k.lower(), v) for k, v in seen["headers"]]
    assert [v for k, v in headers if k == "x-multi"] == ["1", "2"]
    assert ("user-agent", "agent/1.0") in headers and ("content-type", "application/x-thing") in headers
    assert ("content-length", str(len(binary))) in headers
    assert not {"accept", "accept-encoding"} - {k for k, _ in headers} or True  # whatever httpx sent
    # A chunked request body arrives whole; HEAD gets the headers and no body.
    assert bytes.fromhex(json.loads(chunked.content[:-3])["body"]) == b"part one, part two"
    assert head.status_code == 418 and head.content == b""
    assert running.report is not None and running.report.streams == []  # none of these is a stream
    entries = json.loads((tmp_path / "c.har").read_text())["log"]["entries"]
    assert [e["request"]["method"] for e in entries] == ["POST", "PUT", "HEAD"]


def test_the_proxy_adds_no_request_header_of_its_own() -> None:
    with scripted(echo) as upstream, running_proxy(upstream.url) as running:
        raw = socket.create_connection(("127.0.0.1", int(running.url.rsplit(":", 1)[1])), timeout=WAIT)
        with raw:
            raw.sendall(b"GET /bare HTTP/1.1\r\nHost: example\r\nX-Only: this\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := raw.recv(65536):
                answer += chunk
    seen = json.loads(answer.split(b"\r\n\r\n", 1)[1][:-3])
    names = sorted(k.lower() for k, _ in seen["headers"])
    assert names == ["host", "x-only"]  # Connection is hop-by-hop; Host is the upstream's


# --- streaming, unbuffered ----------------------------------------------------------------------------


def test_each_event_reaches_the_client_before_the_upstream_sends_the_next() -> None:
    frames = stream_bytes()
    released = [threading.Event() for _ in frames]

    def drip(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for frame, go in zip(frames, released, strict=True):
            send_chunk(handler, frame)
            assert go.wait(WAIT)  # the client has it: only then the next one
        send_chunk(handler, b"")

    received = bytearray()
    with (
        scripted(drip) as upstream,
        running_proxy(upstream.url) as running,
        httpx.Client(timeout=WAIT) as client,
        client.stream("POST", running.url + "/v1/responses", json=BODY) as response,
    ):
        pieces = response.iter_raw()
        for n, frame in enumerate(frames):
            while not received.endswith(frame):
                received.extend(next(pieces))
            released[n].set()
        received.extend(b"".join(pieces))
    assert bytes(received) == b"".join(frames)
    assert running.report is not None
    (stream,) = running.report.streams
    assert stream.ok() and stream.events == len(frames)


def test_gzip_reaches_the_client_compressed_and_is_checked_decompressed(tmp_path: Path) -> None:
    body = b"".join(stream_bytes())
    squeezed = gzip.compress(body)

    def gzipped(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for i in range(0, len(squeezed), 100):
            send_chunk(handler, squeezed[i : i + 100])
        send_chunk(handler, b"")

    with scripted(gzipped) as upstream:
        direct, proxied = Wire(), Wire()
        with httpx.Client(transport=direct, timeout=WAIT) as client:
            want = client.post(upstream.url + "/v1/responses", json=BODY)
        with running_proxy(upstream.url, Capture(tmp_path / "c.har")) as running, httpx.Client(
            transport=proxied, timeout=WAIT
        ) as client:
            got = client.post(running.url + "/v1/responses", json=BODY)
    assert bytes(proxied.received[0].body) == bytes(direct.received[0].body) == squeezed  # still compressed
    assert got.content == want.content == body
    assert ("content-encoding", "gzip") in proxied.received[0].headers
    assert running.report is not None
    (stream,) = running.report.streams
    assert stream.ok() and stream.events == len(stream_bytes())
    (entry,) = json.loads((tmp_path / "c.har").read_text())["log"]["entries"]
    assert entry["response"]["content"]["text"].encode() == body
    assert entry["response"]["bodySize"] == len(squeezed)


def test_a_corrupt_gzip_body_still_reaches_the_client_and_the_stream_says_why_it_was_not_checked() -> None:
    def corrupt(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        data = b"\x1f\x8b\x08\x00garbage-not-deflate" * 3
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    with (
        scripted(corrupt) as upstream,
        running_proxy(upstream.url) as running,
        httpx.Client(timeout=WAIT) as client,
        client.stream("POST", running.url + "/responses", json=BODY) as response,
    ):
        raw = b"".join(response.iter_raw())
    assert raw == b"\x1f\x8b\x08\x00garbage-not-deflate" * 3
    assert running.report is not None
    (stream,) = running.report.streams
    assert stream.error is not None and "corrupt gzip data" in stream.error


# --- upstreams that misbehave --------------------------------------------------------------------------


def test_an_unreachable_upstream_is_a_502_and_a_finding() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with running_proxy(closed) as running, httpx.Client(timeout=WAIT) as client:
        stream = client.post(running.url + "/v1/responses", json=BODY)
        other = client.get(running.url + "/v1/models")
    assert stream.status_code == 502 and other.status_code == 502
    assert stream.json()["error"]["code"] == "upstream_unreachable"
    assert running.report is not None
    (report,) = running.report.streams  # the stream is reported; the other request is a note
    assert report.codes == {"HTT007"} and report.error is not None
    assert any("GET /v1/models" in note and "answered 502" in note for note in running.notes)


def test_slow_headers_wait_for_the_upstream_by_default(reference: str) -> None:
    with running_proxy(reference + "/v1") as running, httpx.Client(timeout=WAIT) as client:
        answer = client.post(running.url + "/responses", json=BODY, headers={"X-Conformance-Fault": "slow-headers"})
    assert answer.status_code == 200 and b"response.completed" in answer.content
    assert running.report is not None and running.report.streams[0].ok()


def test_headers_slower_than_the_first_byte_timeout_are_a_504(reference: str) -> None:
    timeouts = Timeouts(first_byte=STALL_SECONDS / 4, drain=1.0)
    with running_proxy(reference + "/v1", timeouts=timeouts) as running, httpx.Client(timeout=WAIT) as client:
        answer = client.post(running.url + "/responses", json=BODY, headers={"X-Conformance-Fault": "slow-headers"})
    assert answer.status_code == 504 and answer.json()["error"]["code"] == "upstream_timeout"
    assert running.report is not None and running.report.streams[0].codes == {"HTT005"}


def test_a_stall_past_the_idle_timeout_breaks_the_clients_body_too(reference: str) -> None:
    timeouts = Timeouts(idle=STALL_SECONDS / 4, drain=1.0)
    received = bytearray()
    with (
        running_proxy(reference + "/v1", timeouts=timeouts) as running,
        httpx.Client(timeout=WAIT) as client,
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("POST", running.url + "/responses", json=BODY,
                      headers={"X-Conformance-Fault": "stall"}) as response,
    ):
        for chunk in response.iter_raw():
            received.extend(chunk)
    assert b"response.created" in received and b"response.completed" not in received
    assert running.report is not None
    (stream,) = running.report.streams
    assert {"HTT004", "LIF007"} <= stream.codes


def test_a_reset_mid_stream_reaches_the_client_as_a_broken_body() -> None:
    frames = stream_bytes()

    def reset(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for frame in frames[:4]:
            send_chunk(handler, frame)
        # SO_LINGER 0: close with a TCP reset, not a clean FIN (the file descriptor itself, at once).
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        os.close(handler.connection.detach())
        handler.wfile = io.BytesIO()  # what the server writes after this goes nowhere

    with (
        scripted(reset) as upstream,
        running_proxy(upstream.url) as running,
        httpx.Client(timeout=WAIT) as client,
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("POST", running.url + "/responses", json=BODY) as response,
    ):
        for _ in response.iter_raw():
            pass
    assert running.report is not None
    (stream,) = running.report.streams
    assert "HTT003" in stream.codes and stream.events == 4


def test_a_client_that_leaves_ends_the_upstream_exchange_and_the_stream_says_so(reference: str) -> None:
    with running_proxy(reference + "/v1") as running, httpx.Client(timeout=WAIT) as client:
        with client.stream("POST", running.url + "/responses", json=BODY,
                           headers={"X-Conformance-Fault": "endless-stream"}) as response:
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > 200_000:
                    break
        wait_for(lambda: running.verdicts, "the stream's verdict")
    (_, _, _, report) = running.verdicts[0]
    assert report.error is not None and "the client closed the connection" in report.error
    assert not report.codes & {"LIF007", "HTT003"}  # the end of the stream was not the upstream's doing


def test_a_client_that_leaves_before_the_upstream_answers_is_not_kept_waiting(reference: str) -> None:
    with running_proxy(reference + "/v1") as running:
        with httpx.Client(timeout=STALL_SECONDS / 6) as client, pytest.raises(httpx.ReadTimeout):
            client.post(running.url + "/responses", json=BODY, headers={"X-Conformance-Fault": "slow-headers"})
        wait_for(lambda: running.verdicts, "the stream's verdict")
    (_, _, _, report) = running.verdicts[0]
    assert report.http is not None and report.http.status is None  # it never waited for the headers
    assert report.error is not None and "the client closed the connection before the upstream answered" in report.error


@pytest.mark.parametrize(
    ("fault", "code"), [("endless-event", "HTT018"), ("endless-stream", "HTT017")]
)
def test_past_the_limits_the_check_stops_and_the_client_gets_everything(
    reference: str, tmp_path: Path, fault: str, code: str
) -> None:
    limits = Limits(stream_bytes=1 << 20, event_bytes=1 << 18)
    with running_proxy(reference + "/v1", Capture(tmp_path / "c.har"), limits=limits) as running:
        with httpx.Client(timeout=WAIT) as client, client.stream(
            "POST", running.url + "/responses", json=BODY, headers={"X-Conformance-Fault": fault}
        ) as response:
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > 3 << 20:  # well past the limits: the client still gets the stream
                    break
        wait_for(lambda: running.verdicts, "the stream's verdict")
    assert running.report is not None
    (stream,) = running.report.streams
    assert code in stream.codes
    assert stream.error is not None and "unchecked" in stream.error
    (entry,) = json.loads((tmp_path / "c.har").read_text())["log"]["entries"]
    assert len(entry["response"]["content"]["text"]) <= (1 << 20) + (1 << 16)  # what was kept is bounded
    assert "kept up to" in entry["comment"]


def test_a_redirect_is_passed_to_the_client_and_reported(reference: str) -> None:
    with running_proxy(reference + "/v1") as running, httpx.Client(timeout=WAIT) as client:
        answer = client.post(running.url + "/responses", json=BODY, headers={"X-Conformance-Fault": "redirect"})
    assert answer.status_code == 307 and answer.headers["location"] == "http://elsewhere.invalid/v1/responses"
    assert running.report is not None and running.report.streams[0].codes == {"HTT008"}


def test_concurrent_streams_are_reported_apart_and_captured_in_arrival_order(reference: str, tmp_path: Path) -> None:
    with running_proxy(reference + "/v1", Capture(tmp_path / "c.har")) as running:
        results: list[int] = []

        def one(fault: str) -> None:
            with httpx.Client(timeout=WAIT) as client:
                results.append(client.post(running.url + "/responses", json=BODY,
                                           headers={"X-Conformance-Fault": fault}).status_code)

        threads = [threading.Thread(target=one, args=(f,)) for f in ("stall", "sequence-gap", "")]
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join(WAIT)
    assert results.count(200) == 3
    assert running.report is not None
    assert sorted(len(s.findings) > 0 for s in running.report.streams) == [False, False, True]
    entries = json.loads((tmp_path / "c.har").read_text())["log"]["entries"]
    assert len(entries) == 3
    names = [s.name for s in running.report.streams]
    assert names == sorted(names, key=lambda n: int(n.split("#entries[")[1].split("]")[0]))


def test_stopping_the_proxy_mid_stream_reports_what_arrived(reference: str) -> None:
    errors: list[BaseException] = []
    with running_proxy(reference + "/v1", timeouts=Timeouts(drain=0.2)) as running:

        def stalled() -> None:
            try:
                with httpx.Client(timeout=WAIT) as client:
                    client.post(running.url + "/responses", json=BODY, headers={"X-Conformance-Fault": "stall"})
            except httpx.HTTPError as exc:
                errors.append(exc)

        thread = threading.Thread(target=stalled)
        thread.start()
        wait_for(lambda: running.proxy.app is not None and running.proxy.app.in_flight, "the stream to start")
        time.sleep(0.2)  # into the stall
    thread.join(WAIT)
    assert running.report is not None
    (stream,) = running.report.streams
    assert stream.error is not None and "the proxy stopped" in stream.error
    assert errors and isinstance(errors[0], httpx.RemoteProtocolError)
