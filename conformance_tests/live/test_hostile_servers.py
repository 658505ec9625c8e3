"""Hostile servers (issue 15): bounded memory and time whatever a server sends."""

from __future__ import annotations

import gzip
import socket
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
