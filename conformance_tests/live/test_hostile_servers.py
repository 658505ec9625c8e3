"""Hostile servers (issue 15): bounded memory and time whatever a server sends."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
import zlib
from pathlib import Path

import httpx

from conformance_tests.live.hostile_server import serving
from validator.live import Target, Timeouts
from validator.live.client import run_scenario
from validator.live.scenarios import SCENARIOS

FAST = Timeouts(connect=2.0, first_byte=2.0, idle=2.0, total=6.0)


def scenario() -> object:
    return next(s for s in SCENARIOS if s.name == "plain-text")


def zeros_gzipped(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


def test_gzip_gzip_bomb_stops_at_max_bytes_per_layer_in_bounded_memory() -> None:
    body = gzip.compress(zeros_gzipped(1024))  # 1 GiB once both layers are undone
    assert len(body) < 100_000

    def answer(conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip, gzip\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        )

    with serving(answer) as url, httpx.Client() as client:
        target = Target(base_url=url + "/v1", timeouts=FAST, max_bytes=4_000_000, max_event_bytes=1_000_000)
        tracemalloc.start()
        try:
            report = run_scenario(client, target, scenario())  # type: ignore[arg-type]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert {"HTT017", "HTT018"} & set(report.codes), report.codes
    assert peak < 32_000_000, peak  # httpx alone would inflate a whole network chunk at once


# ---- secrets: every value the user gave as a credential, in every spelling, everywhere ------------

KEY = "sk-\"q&<x>'_0123456789"
CUSTOM = {"apikey": "ak-custom-0123456789", "x-auth": "xa-custom-9876543210"}


def spellings_of(secret: str) -> set[str]:
    import html
    import json
    from urllib.parse import quote

    return {
        secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], html.escape(secret),
        html.escape(secret, quote=False), quote(secret, safe=""), repr(secret)[1:-1],
    }


def echo(conn: socket.socket, head: bytes) -> None:
    """A stream whose event types quote every request header value, as a leaky server would."""
    import json

    values = [line.split(b":", 1)[1].strip().decode() for line in head.split(b"\r\n")[1:] if b":" in line]
    events = [{"type": f"echo {value}", "sequence_number": i} for i, value in enumerate(values)]
    body = b"".join(b"data: " + json.dumps(event).encode() + b"\n\n" for event in events)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def test_echoed_credentials_are_masked_in_output_reports_and_captures(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from conformance_tests.live.hostile_server import serving_request
    from validator.cli import main

    with serving_request(echo) as url:
        outputs = []
        for fmt in ("text", "json", "junit", "sarif", "markdown", "github"):
            args = ["check", "--base-url", url + "/v1", "--api-key", KEY, "--scenario", "plain-text",
                    "--header", f"apikey: {CUSTOM['apikey']}", "--header", f"x-auth: {CUSTOM['x-auth']}",
                    "--capture-dir", str(tmp_path / "cap"), "-vv", "-o", fmt,
                    "--report", f"{fmt}={tmp_path / ('r.' + fmt)}"]
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 1, result.output
            outputs += [result.stdout, result.stderr, (tmp_path / ("r." + fmt)).read_text()]
    captures = [p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "cap").iterdir()]
    assert captures and all("[REDACTED]" in c for c in captures)
    assert any("[REDACTED]" in text for text in outputs)
    for secret in (KEY, *CUSTOM.values()):
        for form in spellings_of(secret):
            for text in (*outputs, *captures):
                assert form not in text, (secret, form)


def test_url_credentials_are_masked() -> None:
    from validator.redact import Redactor

    redactor = Redactor()
    for url in (
        "https://h/cb?client_secret=S3cr3tValue&x=1", "https://h/?password=hunter2hunter2",
        "https://h/?secret=abcdefgh", "https://b.s3/k?X-Amz-Signature=deadbeefcafe&X-Amz-Date=1",
        "https://h/?refresh_token=rt-12345678", "https://h/cb?code=oauthcode123&state=s",
        "https://h/cb#access_token=at-12345678&token_type=bearer",
        "<a href=\"https://h/?a=1&amp;code=oauthcode123\">",
    ):
        masked = redactor.text(url)
        assert "[REDACTED]" in masked, url
        for secret in ("S3cr3tValue", "hunter2hunter2", "abcdefgh", "deadbeefcafe", "rt-12345678",
                       "oauthcode123", "at-12345678"):
            assert secret not in masked, url
    assert redactor.text("https://h/?state=keepme&x=1") == "https://h/?state=keepme&x=1"


# ---- check: a header trickle is bounded; an interrupted run says so everywhere; unreachable: 1 line ---


def trickle(conn: socket.socket, head: bytes) -> None:
    """Response headers one byte at a time, forever (until the client goes away)."""
    import itertools

    for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 50):
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def test_a_header_trickle_is_stopped_by_the_first_byte_timeout() -> None:
    import threading

    from conformance_tests.live.hostile_server import serving_request

    reports = []
    with serving_request(trickle) as url, httpx.Client() as client:
        target = Target(base_url=url + "/v1", timeouts=Timeouts(connect=2.0, first_byte=1.5, idle=1.0, total=4.0))
        # In a thread: per-read timeouts alone would wait forever, and the test must fail, not hang.
        worker = threading.Thread(
            target=lambda: reports.append(run_scenario(client, target, scenario())),  # type: ignore[arg-type]
            daemon=True,
        )
        worker.start()
        worker.join(timeout=4.0)
    assert reports, "still waiting for the headers after the first-byte timeout"
    assert reports[0].codes == {"HTT005"}, reports[0].codes


def test_an_interrupted_check_says_so_in_every_report(tmp_path: Path) -> None:
    import json
    import signal
    import subprocess
    import sys
    import threading
    import xml.etree.ElementTree as ET

    from conformance_tests.live.hostile_server import serving_request

    formats = ("json", "sarif", "junit", "markdown", "text", "github")
    asked = threading.Event()

    def answer(conn: socket.socket, head: bytes) -> None:
        asked.set()
        trickle(conn, head)

    with serving_request(answer) as url:
        proc = subprocess.Popen(
            [sys.executable, "-m", "validator", "check", "--base-url", url + "/v1", "--scenario", "plain-text",
             *[f"--report={fmt}={tmp_path / ('r.' + fmt)}" for fmt in formats]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        assert asked.wait(60), "the check never sent its request"
        time.sleep(0.5)  # the headers are trickling
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, out + err
    assert "conformant" not in out and "Traceback" not in err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["ok"] is False and report["complete"] is False and "interrupted" in report
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    junit = ET.fromstring((tmp_path / "r.junit").read_text())
    assert int(junit.get("errors", "0")) >= 1
    for fmt in ("markdown", "text", "github"):
        assert "interrupted" in (tmp_path / ("r." + fmt)).read_text(), fmt


def test_an_unreachable_server_is_one_line() -> None:
    from click.testing import CliRunner

    from validator.cli import main

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(main, ["check", "--base-url", f"http://127.0.0.1:{port}/v1"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "cannot connect" in result.stderr


# ---- the reference server bounds what a client can make it hold ----------------------------------


def raw_exchange(port: int, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        answer = b""
        try:
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break
                answer += piece
                if b"\r\n\r\n" in answer and b"Content-Length: 0" not in answer and answer.endswith(b"}"):
                    break
        except TimeoutError:
            pass
        return answer


def test_the_reference_server_answers_bad_lengths_huge_and_deep_bodies() -> None:
    from validator import reference_server

    server, thread = reference_server.start(request_timeout=1.0, max_request_bytes=100_000)
    port = server.server_address[1]
    head = b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    try:
        for length, status in ((b"abc", b"400"), (b"-5", b"400"), (b"2000000000", b"413")):
            began = time.monotonic()
            answer = raw_exchange(port, head + b"Content-Length: " + length + b"\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 " + status), (length, answer[:80])
            assert time.monotonic() - began < 3.0  # answered at once, the body never waited for
        deep = b"[" * 50_000 + b"]" * 50_000
        answer = raw_exchange(port, head + f"Content-Length: {len(deep)}\r\n\r\n".encode() + deep)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
        long_header = b"X-Big: " + b"a" * 70_000 + b"\r\n"
        answer = raw_exchange(port, head + long_header + b"\r\n")
        assert answer.split(b" ", 2)[1] in (b"400", b"431"), answer[:80]
        # A slow client (half a request, then silence) loses its connection after the timeout.
        began = time.monotonic()
        answer = raw_exchange(port, head + b"Content-Length: 10\r\n\r\n{", wait=10.0)
        assert time.monotonic() - began < 5.0, "the server held the connection past its request timeout"
        # and the server still answers
        ok = raw_exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
