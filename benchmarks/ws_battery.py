"""How long the live battery takes against the reference server, over WebSocket and over HTTP.

    python benchmarks/ws_battery.py [--repeat 5] [--profile openai]

Starts the reference server on 127.0.0.1 in this process, runs each battery
``--repeat`` times and prints the median wall time, the scenarios, responses and
events checked. The WebSocket figure includes one socket per scenario, the
listening after the last turn (``ws_client.GRACE``) and every close handshake.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from validator import reference_server
from validator.live import Target, run_battery
from validator.live.ws_battery import run_ws_battery


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", choices=("openai", "openresponses"), default="openai")
    args = parser.parse_args()
    server, thread = reference_server.start(profile=args.profile)
    target = Target(base_url=server.url + "/v1")
    try:
        for name, run in (("websocket", run_ws_battery), ("http", run_battery)):
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                report = run(target, args.profile)
                times.append(time.perf_counter() - started)
                assert report.ok(), [(s.name, sorted(s.codes)) for s in report.streams if not s.ok()]
            ran = [s for s in report.streams if s.skipped is None]
            scenarios = len({s.scenario for s in ran})
            responses = len([s for s in ran if not s.name.endswith("#session")]) if name == "websocket" else len(ran)
            events = sum(s.events for s in ran if not s.name.endswith("#session"))
            print(
                f"{name:>9} battery ({args.profile}): median {statistics.median(times):.2f} s over {args.repeat} runs "
                f"(min {min(times):.2f} s); {scenarios} scenarios, {responses} responses, {events} events"
            )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
