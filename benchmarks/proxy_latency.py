"""The delay the proxy adds to each event of a stream, and its throughput, against a direct connection.

    python benchmarks/proxy_latency.py [--events 500] [--interval-ms 2] [--runs 3] [--burst 20000]

Three processes on 127.0.0.1: an upstream that streams a conformant Responses
stream (one delta per event, paced by ``--interval-ms``) and notes the
monotonic clock as it writes each event; the proxy (``responses-conformance
proxy``, checking every event, capturing to a HAR file unless ``--no-capture``);
and this client, a plain socket that notes the same clock as each event arrives.
Linux's monotonic clock is one clock for every process, so arrival minus
sending is each event's delay; the runs alternate direct and proxied.

Paced: the percentiles of the per-event delay, directly and through the proxy,
and their difference, what the proxy adds. Burst: ``--burst`` events written as
fast as the upstream can, the time until the client has the last one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from validator.reference_server import StreamPlan, encode_frames


def stream_frames(events: int) -> list[bytes]:
    words = " ".join(f"w{i}" for i in range(events))
    request = {"model": "bench", "input": words, "stream": True}
    return encode_frames(StreamPlan(request, set(), 1_700_000_000).events(), "openai", set())


# --- the upstream (its own process) -------------------------------------------------------------------


class Upstream:
    def __init__(self) -> None:
        self.sent: dict[str, list[int]] = {}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request per connection (the client says ``Connection: close``)."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            body = await reader.readexactly(int(length.group(1))) if length else b""
            target = head.split(b" ", 2)[1].decode()
            if target.startswith("/times/"):
                data = json.dumps(self.sent.pop(target.rsplit("/", 1)[1], [])).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n%s" % (len(data), data))
            else:
                request = json.loads(body)
                await self.stream(writer, request["run"], request["events"], request["interval"])
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stream(self, writer: asyncio.StreamWriter, run: str, events: int, interval: float) -> None:
        frames = stream_frames(events)
        times = self.sent[run] = []
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        await writer.drain()
        for frame in frames:
            writer.write(b"%x\r\n%s\r\n" % (len(frame), frame))
            await writer.drain()
            times.append(time.monotonic_ns())
            if interval:
                await asyncio.sleep(interval)
        writer.write(b"0\r\n\r\n")
        await writer.drain()


async def serve_upstream() -> None:
    upstream = Upstream()
    server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


# --- the client (this process) ------------------------------------------------------------------------


def receive(port: int, path: str, run: str, events: int, interval: float) -> list[int]:
    """POST the request; the monotonic clock at the arrival of each event's end (``\\n\\n``)."""
    body = json.dumps({"model": "bench", "stream": True, "run": run, "events": events, "interval": interval})
    request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode()
    arrivals: list[int] = []
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request)
        tail = b""
        while True:
            data = sock.recv(1 << 16)
            now = time.monotonic_ns()
            if not data:
                break
            seen = tail + data
            arrivals.extend(now for _ in range(seen.count(b"\n\n") - tail.count(b"\n\n")))
            tail = seen[-1:]
    return arrivals


def sent_times(port: int, run: str) -> list[int]:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"GET /times/{run} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(1 << 16):
            data += chunk
    times: list[int] = json.loads(data.split(b"\r\n\r\n", 1)[1])
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux), which the machine's load does not inflate."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_proxy(upstream_port: int, capture: Path | None) -> tuple[subprocess.Popen[str], int]:
    where = ["--capture", str(capture)] if capture is not None else ["--no-capture"]
    process = subprocess.Popen(
        [sys.executable, "-m", "validator.cli", "proxy", "--upstream", f"http://127.0.0.1:{upstream_port}",
         "--listen", "127.0.0.1:0", "-q", *where],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    if not found:
        process.kill()
        raise SystemExit(f"the proxy did not start: {line.strip()}")
    return process, int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500, help="deltas per paced stream")
    parser.add_argument("--interval-ms", type=float, default=2.0, help="between two paced events")
    parser.add_argument("--runs", type=int, default=3, help="paced streams per path (direct, proxied)")
    parser.add_argument("--burst", type=int, default=20000, help="deltas in the unpaced stream (0: skip)")
    parser.add_argument("--no-capture", action="store_true", help="run the proxy without its HAR capture")
    args = parser.parse_args()

    upstream = subprocess.Popen([sys.executable, __file__, "--serve-upstream"], stdout=subprocess.PIPE, text=True)
    assert upstream.stdout is not None
    upstream_port = int(upstream.stdout.readline())
    with tempfile.TemporaryDirectory() as scratch:
        proxy, proxy_port = start_proxy(upstream_port, None if args.no_capture else Path(scratch) / "bench.har")
        try:
            results = measure(args, upstream_port, proxy_port, proxy.pid)
        finally:
            proxy.send_signal(signal.SIGINT)
            proxy.communicate(timeout=120)
            upstream.terminate()
            upstream.wait(30)
    report(args, results)


def measure(args: argparse.Namespace, upstream_port: int, proxy_port: int, pid: int) -> dict[str, Any]:
    interval = args.interval_ms / 1000
    delays: dict[str, list[float]] = {"direct": [], "proxy": []}
    receive(proxy_port, "/v1/responses", "warm", 10, 0)  # the first stream pays for compiling the schemas
    sent_times(upstream_port, "warm")
    for n in range(args.runs):
        for path, port in (("direct", upstream_port), ("proxy", proxy_port)):
            run = f"{path}-{n}"
            arrived = receive(port, "/v1/responses", run, args.events, interval)
            sent = sent_times(upstream_port, run)
            if len(arrived) != len(sent):
                raise SystemExit(f"{path}: {len(sent)} events sent, {len(arrived)} received")
            delays[path].extend((a - s) / 1e6 for a, s in zip(arrived, sent, strict=True))
    burst: dict[str, float] = {}
    if args.burst:
        for path, port in (("direct", upstream_port), ("proxy", proxy_port)):
            cpu = cpu_seconds(pid)
            started = time.monotonic_ns()
            arrived = receive(port, "/v1/responses", f"burst-{path}", args.burst, 0)
            burst[path] = (arrived[-1] - started) / 1e9
            burst[f"{path}-events"] = len(arrived)
            burst[f"{path}-cpu"] = cpu_seconds(pid) - cpu
            sent_times(upstream_port, f"burst-{path}")
    return {"delays": delays, "burst": burst}


def report(args: argparse.Namespace, results: dict[str, Any]) -> None:
    delays = results["delays"]
    capture = "no capture" if args.no_capture else "HAR capture"
    print(f"paced: {args.events + 10} events per stream (one every {args.interval_ms:g} ms), {args.runs} streams "
          f"per path; proxy checking every event, {capture}")
    quantiles = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
    for path in ("direct", "proxy"):
        cells = "  ".join(f"{name} {percentile(delays[path], q):7.3f} ms" for name, q in quantiles)
        print(f"  {path:<7} {cells}  (mean {statistics.fmean(delays[path]):.3f} ms)")
    added = "  ".join(
        f"{name} {percentile(delays['proxy'], q) - percentile(delays['direct'], q):+7.3f} ms" for name, q in quantiles
    )
    print(f"  added   {added}")
    burst = results["burst"]
    if burst:
        print(f"burst: {int(burst['direct-events'])} events as fast as the upstream writes them")
        for path in ("direct", "proxy"):
            print(f"  {path:<7} {burst[path]:7.3f} s  {burst[f'{path}-events'] / burst[path]:10,.0f} events/s")
        per_event = burst["proxy-cpu"] / burst["proxy-events"] * 1e6
        print(f"  the proxy's own CPU time: {burst['proxy-cpu']:.3f} s, {per_event:.0f} us per event "
              "(forwarding, checking and capturing; not inflated by the machine's load)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve-upstream"]:
        asyncio.run(serve_upstream())
    else:
        main()
