"""Peak resident memory of validating large files, above the interpreter's baseline.

    python benchmarks/memory.py --size-mb 100

Two files, each checked in a fresh process with the full openai profile:
  long-stream  one response of about SIZE MB: reasoning, tool calls and a very long
               message cut into token-sized deltas (the validator keeps only the text
               each open item accumulates).
  one-line     one event whose single data line is about SIZE MB (bounded by its own size).
The baseline is the process's peak after importing the validator and compiling its
schemas, before reading the file.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import capture

PROBE = r"""
import sys

def high_water_kb():
    # VmHWM belongs to this process image; ru_maxrss would carry the parent's peak across fork.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status")

import validator
from validator.checker import check_stream
from validator.sources import streams_from_path
warm = validator.check(b'data: {"type": "response.created", "sequence_number": 0}\n\n')
base = high_water_kb()
events = 0
codes = set()
for stream in streams_from_path(sys.argv[1]):
    report = check_stream(stream, "openai", max_per_rule=20)
    events += report.events
    codes |= report.codes
peak = high_water_kb()
print(base, peak, events, ",".join(sorted(codes)))
"""


def long_stream(path: Path, size_mb: float) -> None:
    builder = capture.StreamBuilder(random.Random(7), 0)
    target = int(size_mb * 1e6)
    builder.emit("response.created", response=builder.response("in_progress", [], None))
    builder.emit("response.in_progress", response=builder.response("in_progress", [], None))
    builder.reasoning(0, 2)
    builder.function_call(1)
    with path.open("wb") as handle:
        handle.write(capture.sse_bytes(builder.events))
        written = handle.tell()
        builder.events = []
        # The message is written delta by delta so the generator stays small too.
        item_id = "msg_long"
        index = 2
        builder.emit("response.output_item.added", output_index=index, item={
            "id": item_id, "type": "message", "status": "in_progress", "content": [], "role": "assistant"})
        builder.emit("response.content_part.added", item_id=item_id, output_index=index, content_index=0,
                     part={"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
        pieces: list[str] = []
        while written < target:
            for delta in builder.text(2000):
                pieces.append(delta)
                builder.emit("response.output_text.delta", item_id=item_id, output_index=index,
                             content_index=0, delta=delta, logprobs=[], obfuscation=builder.obfuscation())
            data = capture.sse_bytes(builder.events)
            handle.write(data)
            written += len(data)
            builder.events = []
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
        handle.write(capture.sse_bytes(builder.events))


def one_line(path: Path, size_mb: float) -> None:
    text = "x" * int(size_mb * 1e6)
    path.write_bytes(
        b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":0,'
        b'"item_id":"msg_1","output_index":0,"content_index":0,"logprobs":[],"delta":"' + text.encode() + b'"}\n\n'
    )


def measure(path: Path) -> tuple[float, float, int, str]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True)
    base, peak, events, codes = [*out.stdout.split(), ""][:4]
    return int(base) / 1024, int(peak) / 1024, int(events), codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("long-stream", long_stream), ("one-line", one_line)):
            path = Path(tmp) / f"{name}.sse"
            make(path, args.size_mb)
            size = path.stat().st_size / 1e6
            base, peak, events, codes = measure(path)
            print(f"{name:12s} {size:7.1f} MB file, {events:8,} events: baseline {base:6.1f} MB, "
                  f"peak {peak:7.1f} MB, above baseline {peak - base:6.1f} MB"
                  + (f" (findings: {codes})" if codes else ""))
            path.unlink()


if __name__ == "__main__":
    main()
