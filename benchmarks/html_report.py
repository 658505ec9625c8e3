"""The HTML report of 100k-event streams: its size, its load time in a browser, what the timeline costs.

    python benchmarks/html_report.py                 # 100,000 events per stream (about a minute)
    python benchmarks/html_report.py --events 20000 --no-browser

Three generated streams of ``--events`` events each, every one checked with the
full openai profile (``validate``'s default ``--max-per-rule 20``):

  long-message  one response: reasoning, a function call, then one long message in
                token-sized deltas (what a long answer looks like; its deltas collapse
                into a few timeline entries);
  interleaved   two function calls whose argument deltas alternate, so no two deltas
                in a row share a part and nothing collapses: one timeline entry per
                event, the worst case for the page;
  gapped        the long message with a sequence-number gap every 500 events (SEQ
                findings; each gap starts a new run).

For each: the time to check without and with a timeline, the memory the timeline
keeps (tracemalloc: what the finished report holds with a timeline minus without,
per event) and at its peak, the time to render the HTML, the file's size, and,
with Debian's chromium (``/usr/bin/chromium``, driven by Playwright), the time
from navigation until the page has drawn the stream (the page's own
``performance.now()`` when it sets ``data-ready``), the median of three loads.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import capture

from validator.checker import check_stream
from validator.report import Report, StreamReport
from validator.reporters import REPORTERS, RenderOptions
from validator.sources import Stream, streams_from_bytes
from validator.timeline import Timeline

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def long_message(events: int, gap_every: int = 0) -> bytes:
    builder = capture.StreamBuilder(random.Random(11), 0)
    builder.emit("response.created", response=builder.response("in_progress", [], None))
    builder.emit("response.in_progress", response=builder.response("in_progress", [], None))
    builder.reasoning(0, 2)
    builder.function_call(1)
    item_id, index = "msg_long", 2
    builder.emit("response.output_item.added", output_index=index, item={
        "id": item_id, "type": "message", "status": "in_progress", "content": [], "role": "assistant"})
    builder.emit("response.content_part.added", item_id=item_id, output_index=index, content_index=0,
                 part={"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
    pieces: list[str] = []
    while len(builder.events) < events - 5:
        delta = builder.rng.choice(capture.WORDS) + " "
        pieces.append(delta)
        if gap_every and len(builder.events) % gap_every == 0:
            builder.seq += 1  # a sequence number goes missing
        builder.emit("response.output_text.delta", item_id=item_id, output_index=index, content_index=0,
                     delta=delta, logprobs=[], obfuscation=builder.obfuscation())
    text = "".join(pieces)
    part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
    item = {"id": item_id, "type": "message", "status": "completed", "content": [part], "role": "assistant"}
    builder.emit("response.output_text.done", item_id=item_id, output_index=index, content_index=0,
                 text=text, logprobs=[])
    builder.emit("response.content_part.done", item_id=item_id, output_index=index, content_index=0, part=part)
    builder.emit("response.output_item.done", output_index=index, item=item)
    usage = {"input_tokens": 120, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": len(pieces),
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 120 + len(pieces)}
    builder.emit("response.completed", response=builder.response("completed", [*builder.output, item], usage))
    return capture.sse_bytes(builder.events)


def interleaved(events: int) -> bytes:
    builder = capture.StreamBuilder(random.Random(12), 0)
    builder.emit("response.created", response=builder.response("in_progress", [], None))
    builder.emit("response.in_progress", response=builder.response("in_progress", [], None))
    calls = []
    for index in (0, 1):
        item = {"id": f"fc_{index}", "type": "function_call", "status": "in_progress", "arguments": "",
                "call_id": f"call_{index}", "name": "get_weather"}
        builder.emit("response.output_item.added", output_index=index, item=item)
        calls.append([])
    turn = 0
    while len(builder.events) < events - 5:
        delta = builder.rng.choice("abcdefghij ")
        calls[turn].append(delta)
        builder.emit("response.function_call_arguments.delta", item_id=f"fc_{turn}", output_index=turn,
                     delta=delta, obfuscation=builder.obfuscation())
        turn = 1 - turn
    output = []
    for index in (0, 1):
        args = "".join(calls[index])
        builder.emit("response.function_call_arguments.done", item_id=f"fc_{index}", output_index=index,
                     arguments=args)
        item = {"id": f"fc_{index}", "type": "function_call", "status": "completed", "arguments": args,
                "call_id": f"call_{index}", "name": "get_weather"}
        builder.emit("response.output_item.done", output_index=index, item=item)
        output.append(item)
    builder.emit("response.completed", response=builder.response("completed", output, None))
    return capture.sse_bytes(builder.events)


def stream_of(body: bytes, name: str) -> Stream:
    [stream] = streams_from_bytes(body, name=name)
    return stream


def timed_check(body: bytes, name: str, timeline: Timeline | None) -> tuple[StreamReport, float]:
    stream = stream_of(body, name)
    start = time.perf_counter()
    report = check_stream(stream, max_per_rule=20, timeline=timeline)
    return report, time.perf_counter() - start


def traced(make: Callable[[], Any]) -> tuple[Any, int, int]:
    """``make()``, with the memory its result keeps and the peak while making it (bytes)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = make()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, current - before, peak - before


def browser_load(paths: list[Path], repeat: int) -> dict[Path, list[float]] | str:
    """Milliseconds from navigation to ``data-ready``, per file; a reason when no browser runs here."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    times: dict[Path, list[float]] = {}
    with sync_playwright() as driver, tempfile.TemporaryDirectory() as profile:
        context = driver.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS[1:],
            viewport={"width": 1400, "height": 900},
        )
        try:
            for path in paths:
                for _ in range(repeat):
                    page = context.new_page()
                    page.goto(path.as_uri(), wait_until="load", timeout=120_000)
                    page.wait_for_selector("html[data-ready]", timeout=120_000)
                    times.setdefault(path, []).append(float(page.get_attribute("html", "data-ready") or "nan"))
                    page.close()
        finally:
            context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="browser loads per file (the median is shown)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="write the reports into this directory")
    args = parser.parse_args()
    streams = {
        "long-message": long_message(args.events),
        "interleaved": interleaved(args.events),
        "gapped": long_message(args.events, gap_every=500),
    }
    out = args.keep or Path(tempfile.mkdtemp(prefix="html-report-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    print(f"{'stream':13s} {'events':>8s} {'entries':>8s} {'check':>7s} {'+timeline':>9s} "
          f"{'kept/event':>10s} {'peak/event':>10s} {'render':>7s} {'html':>9s}")
    for name, body in streams.items():
        # Untraced timings first, then the memory under tracemalloc (which slows everything).
        plain, plain_s = timed_check(body, name, None)
        with_timeline, timeline_s = timed_check(body, name, Timeline())
        _, kept_plain, peak_plain = traced(lambda b=body, n=name: check_stream(stream_of(b, n), max_per_rule=20))
        _, kept_timeline, peak_timeline = traced(
            lambda b=body, n=name: check_stream(stream_of(b, n), max_per_rule=20, timeline=Timeline()))
        report = Report("openai", [with_timeline])
        start = time.perf_counter()
        page = REPORTERS["html"](report, RenderOptions())
        render_s = time.perf_counter() - start
        path = out / f"{name}.html"
        path.write_text(page, encoding="utf-8")
        written[name] = path
        events = with_timeline.events
        assert with_timeline.timeline is not None and plain.codes == with_timeline.codes
        entries = len(with_timeline.timeline.entries)
        print(f"{name:13s} {events:8,d} {entries:8,d} {plain_s:6.2f}s {timeline_s:8.2f}s "
              f"{(kept_timeline - kept_plain) / events:8.1f} B {(peak_timeline - peak_plain) / events:8.1f} B "
              f"{render_s:6.2f}s {len(page.encode()) / 1e6:7.2f} MB")
    if args.no_browser:
        print(f"reports in {out}")
        return
    loads = browser_load(list(written.values()), args.repeat)
    if isinstance(loads, str):
        print(f"browser: skipped: {loads}")
    else:
        for name, path in written.items():
            ms = loads[path]
            print(f"browser {name:13s} ready after {statistics.median(ms):7.0f} ms "
                  f"(median of {len(ms)}: {', '.join(f'{m:.0f}' for m in ms)})")
    if args.keep is None:
        shutil.rmtree(out)
    else:
        print(f"reports in {out}")


if __name__ == "__main__":
    main()
