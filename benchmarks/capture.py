"""A large, realistic capture for the benchmarks, generated deterministically.

Streams look like what OpenAI's API sends: full Response snapshots in the
lifecycle events, `event:` lines, `obfuscation` and `logprobs` on deltas,
reasoning summaries, function calls with streamed arguments, long texts cut
into token-sized deltas. ``write_capture`` writes them as SSE files.

Workloads (``--workload``):

* ``text``: a long answer, reasoning summaries and function calls now and then;
* ``agent``: what an agent loop streams: a reasoning summary, several function
  calls, a web search, an answer with URL citations (``annotation.added``), and
  Response snapshots that carry the request's instructions and several tools;
* ``logprobs``: answers whose text deltas carry ``logprobs`` (``top_logprobs=2``);
* ``short``: short answers (20 to 120 words, a function call now and then): many small files.

    python benchmarks/capture.py --size-mb 100 --out /tmp/capture
    python benchmarks/capture.py --workload agent --size-mb 50 --out /tmp/agent
"""

from __future__ import annotations

import argparse
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

_WORD_TEXT = (
    "the of and to in is that for it as with was on be by this are from at or an have not which "
    "stream event delta response item content part text token model server client protocol order "
    "sequence number valid schema conformance gateway proxy function call argument reasoning summary "
    "température naïve café 東京 данные 🙂"
)
WORDS = tuple(_WORD_TEXT.split())


WORKLOADS = ("text", "agent", "logprobs", "short")

_INSTRUCTIONS = (
    "You are a travel assistant. Answer in the user's language, cite the pages you used, and call "
    "get_weather before you talk about the weather. " * 6
).strip()
_AGENT_TOOLS: list[dict[str, Any]] = [
    {"type": "function", "name": name, "description": description, "strict": True,
     "parameters": {"type": "object", "properties": {key: {"type": "string", "description": f"The {key}."}
                                                     for key in keys},
                    "required": list(keys), "additionalProperties": False}}
    for name, description, keys in (
        ("get_weather", "Weather for a city", ("city",)),
        ("search_flights", "Flights between two airports on a date", ("origin", "destination", "date")),
        ("book_hotel", "Book a hotel room", ("city", "check_in", "check_out", "guests")),
        ("convert_currency", "Convert an amount between currencies", ("amount", "from", "to")),
    )
] + [{"type": "web_search", "search_context_size": "medium"}]


class StreamBuilder:
    """Builds one response's events with consecutive sequence numbers."""

    def __init__(self, rng: random.Random, n: int, workload: str = "text") -> None:
        self.workload = workload
        self.rng = rng
        self.seq = 0
        self.resp_id = f"resp_{n:08x}{rng.getrandbits(64):016x}"
        self.created_at = 1764964102 + n
        self.output: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def emit(self, kind: str, **fields: Any) -> None:
        self.events.append({"type": kind, "sequence_number": self.seq, **fields})
        self.seq += 1

    def response(self, status: str, output: list[dict[str, Any]], usage: dict[str, Any] | None) -> dict[str, Any]:
        agent = self.workload == "agent"
        return {
            "id": self.resp_id, "object": "response", "created_at": self.created_at, "status": status,
            "background": False, "error": None, "incomplete_details": None,
            "instructions": _INSTRUCTIONS if agent else None,
            "max_output_tokens": None, "max_tool_calls": None, "model": "gpt-5-mini-2025-08-07",
            "output": output, "parallel_tool_calls": True, "previous_response_id": None,
            "prompt_cache_key": None, "reasoning": {"effort": "medium", "summary": "auto"},
            "safety_identifier": None, "service_tier": "auto", "store": True, "temperature": 1.0,
            "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto",
            "tools": _AGENT_TOOLS if agent else [
                {"type": "function", "name": "get_weather", "description": "Weather for a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"], "additionalProperties": False},
                 "strict": True}],
            "top_logprobs": 2 if self.workload == "logprobs" else 0,
            "top_p": 1.0, "truncation": "disabled", "usage": usage, "user": None,
            "metadata": {},
        }

    def obfuscation(self) -> str:
        return "".join(self.rng.choices(string.ascii_letters + string.digits, k=self.rng.randint(4, 14)))

    def text(self, words: int) -> list[str]:
        pieces = []
        for _ in range(words):
            word = self.rng.choice(WORDS)
            pieces.append(word if not pieces else " " + word)
            if self.rng.random() < 0.08:
                pieces.append(self.rng.choice([".", ",", "\n\n", "!", ":"]))
        return pieces

    def reasoning(self, index: int, summaries: int) -> None:
        item_id = f"rs_{self.rng.getrandbits(96):024x}"
        self.emit("response.output_item.added", output_index=index,
                  item={"id": item_id, "type": "reasoning", "summary": []})
        summary = []
        for s in range(summaries):
            self.emit("response.reasoning_summary_part.added", item_id=item_id, output_index=index,
                      summary_index=s, part={"type": "summary_text", "text": ""})
            deltas = self.text(self.rng.randint(20, 120))
            for d in deltas:
                self.emit("response.reasoning_summary_text.delta", item_id=item_id, output_index=index,
                          summary_index=s, delta=d, obfuscation=self.obfuscation())
            text = "".join(deltas)
            self.emit("response.reasoning_summary_text.done", item_id=item_id, output_index=index,
                      summary_index=s, text=text)
            self.emit("response.reasoning_summary_part.done", item_id=item_id, output_index=index,
                      summary_index=s, part={"type": "summary_text", "text": text})
            summary.append({"type": "summary_text", "text": text})
        item = {"id": item_id, "type": "reasoning", "summary": summary}
        self.emit("response.output_item.done", output_index=index, item=item)
        self.output.append(item)

    def function_call(self, index: int) -> None:
        item_id = f"fc_{self.rng.getrandbits(96):024x}"
        call_id = f"call_{self.rng.getrandbits(64):016x}"
        self.emit("response.output_item.added", output_index=index, item={
            "id": item_id, "type": "function_call", "status": "in_progress", "arguments": "",
            "call_id": call_id, "name": "get_weather"})
        args = orjson.dumps({"city": " ".join(self.text(self.rng.randint(1, 30))).strip()}).decode()
        cuts = sorted(self.rng.sample(range(1, len(args)), min(len(args) - 1, self.rng.randint(3, 40))))
        start = 0
        for cut in [*cuts, len(args)]:
            self.emit("response.function_call_arguments.delta", item_id=item_id, output_index=index,
                      delta=args[start:cut], obfuscation=self.obfuscation())
            start = cut
        self.emit("response.function_call_arguments.done", item_id=item_id, output_index=index, arguments=args)
        item = {"id": item_id, "type": "function_call", "status": "completed", "arguments": args,
                "call_id": call_id, "name": "get_weather"}
        self.emit("response.output_item.done", output_index=index, item=item)
        self.output.append(item)

    def logprobs(self, delta: str) -> list[dict[str, Any]]:
        if self.workload != "logprobs":
            return []
        rng = self.rng

        def entry(token: str) -> dict[str, Any]:
            return {"token": token, "logprob": round(-rng.random() * 4, 6), "bytes": list(token.encode())}

        return [{**entry(delta), "top_logprobs": [entry(delta), entry(rng.choice(WORDS))]}]

    def web_search(self, index: int) -> None:
        item_id = f"ws_{self.rng.getrandbits(96):024x}"
        query = " ".join(self.text(self.rng.randint(2, 6))).strip()
        self.emit("response.output_item.added", output_index=index, item={
            "id": item_id, "type": "web_search_call", "status": "in_progress",
            "action": {"type": "search", "query": query}})
        for step in ("in_progress", "searching", "completed"):
            self.emit(f"response.web_search_call.{step}", item_id=item_id, output_index=index)
        item = {"id": item_id, "type": "web_search_call", "status": "completed",
                "action": {"type": "search", "query": query}}
        self.emit("response.output_item.done", output_index=index, item=item)
        self.output.append(item)

    def message(self, index: int, words: int, citations: int = 0) -> None:
        item_id = f"msg_{self.rng.getrandbits(96):024x}"
        self.emit("response.output_item.added", output_index=index, item={
            "id": item_id, "type": "message", "status": "in_progress", "content": [], "role": "assistant"})
        self.emit("response.content_part.added", item_id=item_id, output_index=index, content_index=0,
                  part={"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
        deltas = self.text(words)
        # Citations are announced after the delta that ends the text they cite.
        cite_after = set(self.rng.sample(range(len(deltas)), min(citations, len(deltas))))
        annotations: list[dict[str, Any]] = []
        logprobs: list[dict[str, Any]] = []
        length = 0
        for i, d in enumerate(deltas):
            entries = self.logprobs(d)
            logprobs += entries
            self.emit("response.output_text.delta", item_id=item_id, output_index=index, content_index=0,
                      delta=d, logprobs=entries, obfuscation=self.obfuscation())
            length += len(d)
            if i in cite_after:
                n = len(annotations)
                annotation = {"type": "url_citation", "start_index": max(0, length - 40), "end_index": length,
                              "url": f"https://travel.example/page-{n}", "title": f"Page {n}"}
                self.emit("response.output_text.annotation.added", item_id=item_id, output_index=index,
                          content_index=0, annotation_index=n, annotation=annotation)
                annotations.append(annotation)
        text = "".join(deltas)
        self.emit("response.output_text.done", item_id=item_id, output_index=index, content_index=0,
                  text=text, logprobs=logprobs)
        part = {"type": "output_text", "annotations": annotations, "logprobs": logprobs, "text": text}
        self.emit("response.content_part.done", item_id=item_id, output_index=index, content_index=0, part=part)
        item = {"id": item_id, "type": "message", "status": "completed", "content": [part], "role": "assistant"}
        self.emit("response.output_item.done", output_index=index, item=item)
        self.output.append(item)

    def build(self) -> list[dict[str, Any]]:
        rng = self.rng
        self.emit("response.created", response=self.response("in_progress", [], None))
        self.emit("response.in_progress", response=self.response("in_progress", [], None))
        index = 0
        if self.workload == "agent":
            self.reasoning(index, rng.randint(1, 2))
            index += 1
            for _ in range(rng.randint(2, 4)):
                self.function_call(index)
                index += 1
            self.web_search(index)
            index += 1
            self.message(index, rng.randint(50, 600), citations=rng.randint(1, 4))
        elif self.workload == "short":
            if rng.random() < 0.3:
                self.function_call(index)
                index += 1
            self.message(index, rng.randint(20, 120))
        else:
            if rng.random() < 0.6:
                self.reasoning(index, rng.randint(1, 3))
                index += 1
            for _ in range(rng.choice([0, 0, 1, 2])):
                self.function_call(index)
                index += 1
            self.message(index, rng.randint(50, 1500))
        output_tokens = sum(1 for e in self.events if e["type"].endswith(".delta"))
        usage = {"input_tokens": 120, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                 "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": 0},
                 "total_tokens": 120 + output_tokens}
        self.emit("response.completed", response=self.response("completed", self.output, usage))
        return self.events


def stream_events(n: int, seed: int = 1, workload: str = "text") -> list[dict[str, Any]]:
    return StreamBuilder(random.Random(seed * 1_000_003 + n), n, workload).build()


def sse_bytes(events: list[dict[str, Any]]) -> bytes:
    return b"".join(
        b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events
    )


def iter_streams(size_bytes: int, seed: int = 1, workload: str = "text") -> Iterator[bytes]:
    total = 0
    n = 0
    while total < size_bytes:
        data = sse_bytes(stream_events(n, seed, workload))
        total += len(data)
        n += 1
        yield data


def write_capture(out: Path, size_mb: float, seed: int = 1, files: int = 0, workload: str = "text") -> list[Path]:
    """Write ``size_mb`` of streams: one file per stream, or one big file when ``files`` is 1."""
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    if files == 1:
        path = out / "capture.sse"
        with path.open("wb") as handle:
            for data in iter_streams(int(size_mb * 1e6), seed, workload):
                handle.write(data)
        return [path]
    for i, data in enumerate(iter_streams(int(size_mb * 1e6), seed, workload)):
        path = out / f"stream-{i:05d}.sse"
        path.write_bytes(data)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workload", choices=WORKLOADS, default="text")
    args = parser.parse_args()
    paths = write_capture(args.out, args.size_mb, args.seed, workload=args.workload)
    print(f"wrote {len(paths)} streams to {args.out}")


if __name__ == "__main__":
    main()
