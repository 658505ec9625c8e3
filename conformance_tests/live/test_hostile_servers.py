"""Hostile servers (issue 15): bounded memory and time whatever a server sends."""

from __future__ import annotations

import gzip
import socket
import tracemalloc
import zlib

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
