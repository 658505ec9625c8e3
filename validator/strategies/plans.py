"""Drawing stream plans from any source of choices.

``draw_plan(chooser, ...)`` makes every decision through a ``Chooser``: the
Hypothesis layer passes one backed by ``draw`` (so failing examples shrink
towards few items, few deltas and short ASCII text), and ``RandomChooser``
uses ``random.Random`` so ``responses-conformance generate --seed`` works
without Hypothesis installed.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from validator.strategies.model import (
    ENDINGS,
    ITEM_KINDS,
    Annotation,
    Ending,
    Item,
    Profile,
    StreamPlan,
    TextPart,
)

T = TypeVar("T")

_ID_PREFIX = {
    "message": "msg_",
    "refusal": "msg_",
    "function_call": "fc_",
    "reasoning": "rs_",
    "web_search_call": "ws_",
    "file_search_call": "fs_",
    "code_interpreter_call": "ci_",
    "image_generation_call": "ig_",
    "mcp_call": "mcp_",
    "mcp_list_tools": "mcpl_",
    "custom_tool_call": "ctc_",
    "shell_call": "sh_",
    "shell_call_output": "sho_",
}
_WORDS = (
    "the",
    "stream",
    "of",
    "events",
    "Paris",
    "is",
    "capital",
    "France",
    "naïve",
    "café",
    "東京",
    "Grüße",
    "🙂",
    "ok",
    "42",
    "\n",
    " ",
    "—",
    '"quoted"',
    "line\nbreak",
    "tab\tstop",
    "Ω",
    "",
)
_FUNCTIONS = ("get_weather", "lookup_order", "search_docs", "add", "send_email")
_MODELS = ("gpt-4o-mini-2024-07-18", "gpt-5-mini-2025-08-07", "o4-mini-2025-04-16", "gpt-4.1-2025-04-14")


class Chooser(Protocol):
    """The decisions a plan needs. Implementations must shrink towards the low end."""

    def integer(self, low: int, high: int) -> int: ...

    def boolean(self) -> bool: ...

    def text(self, max_size: int) -> str: ...

    def many(self, low: int, high: int, make: Callable[[Chooser], T]) -> list[T]:
        """Between ``low`` and ``high`` values from ``make`` (a list that shrinks by deletion)."""
        ...


def choose(chooser: Chooser, options: Sequence[T]) -> T:
    return options[chooser.integer(0, len(options) - 1)]


class RandomChooser:
    """A Chooser over ``random.Random``: reproducible from a seed, no Hypothesis."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def boolean(self) -> bool:
        return self.rng.random() < 0.5

    def text(self, max_size: int) -> str:
        out: list[str] = []
        size = 0
        for _ in range(self.rng.randint(0, max(0, max_size // 3))):
            word = self.rng.choice(_WORDS)
            if size + len(word) > max_size:
                break
            out.append(word)
            size += len(word)
        return " ".join(out)[:max_size] if out else ""

    def many(self, low: int, high: int, make: Callable[[Chooser], T]) -> list[T]:
        return [make(self) for _ in range(self.integer(low, max(low, high)))]


@dataclass(frozen=True)
class Sizes:
    """Bounds on how big a drawn stream gets.

    ``min_items``/``max_items`` output items; ``max_parts`` content parts
    per message (and summary parts per reasoning item);
    ``min_deltas``/``max_deltas`` deltas per streamed text; ``max_text``
    characters per delta. The defaults keep streams in the
    tens of events; ``Sizes.large()`` reaches thousands.
    """

    min_items: int = 0
    max_items: int = 4
    max_parts: int = 3
    max_deltas: int = 6
    max_text: int = 12
    min_deltas: int = 1

    @classmethod
    def large(cls) -> Sizes:
        return cls(min_items=1, max_items=8, max_parts=4, max_deltas=400, max_text=40, min_deltas=50)


def _hex_id(chooser: Chooser, prefix: str, serial: int, width: int = 48) -> str:
    # Unique by construction (the serial), realistic in shape (hex digits like OpenAI's).
    salt = chooser.integer(0, 0xFFFF)
    return prefix + f"{salt:04x}{serial:04x}".rjust(width, "0")


def _chunks(chooser: Chooser, sizes: Sizes) -> list[str]:
    low = max(1, sizes.min_deltas)
    return chooser.many(low, max(low, sizes.max_deltas), lambda c: c.text(sizes.max_text))


def _json_chunks(chooser: Chooser, sizes: Sizes) -> list[str]:
    """JSON object text for arguments, split at drawn points (a split may fall inside a string)."""
    keys = ("city", "q", "n", "note")
    obj = {keys[i]: chooser.text(sizes.max_text) for i in range(chooser.integer(0, 2))}
    text = json.dumps(obj, ensure_ascii=False)
    cuts = sorted({chooser.integer(0, len(text)) for _ in range(chooser.integer(0, sizes.max_deltas))})
    pieces: list[str] = []
    last = 0
    for cut in cuts:
        pieces.append(text[last:cut])
        last = cut
    pieces.append(text[last:])
    return pieces


def _text_part(chooser: Chooser, sizes: Sizes) -> TextPart:
    part = TextPart(_chunks(chooser, sizes))
    n = len(part.text)
    if n:
        for _ in range(chooser.integer(0, 2)):
            start = chooser.integer(0, n - 1)
            end = chooser.integer(start + 1, n)
            title = chooser.text(sizes.max_text)
            part.annotations.append(Annotation(f"https://example.com/{start}-{end}", title, start, end))
    return part


def _serialise(item: Item, serial: int) -> Item:
    """Make the item's ids unique in its stream: their last four hex digits are its position."""
    tail = f"{serial:04x}"
    item.id = item.id[:-4] + tail
    if item.call_id:
        item.call_id = item.call_id[:-4] + tail
    return item


def draw_item(chooser: Chooser, kind: str, serial: int, sizes: Sizes, profile: Profile) -> Item:
    """One output item of ``kind`` with drawn content."""
    item = Item(kind=kind, id=_hex_id(chooser, _ID_PREFIX[kind], serial))
    if kind in ("message", "refusal"):
        if kind == "refusal":
            item.parts = [TextPart(_chunks(chooser, sizes), refusal=True)]
        else:
            item.parts = chooser.many(1, max(1, sizes.max_parts), lambda c: _text_part(c, sizes))
        if profile == "openai" and chooser.boolean():
            item.phase = choose(chooser, ("final_answer", "commentary"))
    elif kind == "function_call":
        item.name = choose(chooser, _FUNCTIONS)
        item.call_id = _hex_id(chooser, "call_", serial, 24)
        item.chunks = _json_chunks(chooser, sizes)
    elif kind == "reasoning":
        item.summaries = chooser.many(0, sizes.max_parts, lambda c: _chunks(c, sizes))
        item.reasoning = chooser.many(0, 1, lambda c: _chunks(c, sizes))
        if profile == "openai" and chooser.boolean():
            item.encrypted_content = "gAAAAB" + _hex_id(chooser, "", serial)
    elif kind in ("web_search_call", "file_search_call"):
        item.queries = [chooser.text(sizes.max_text) or "query" for _ in range(chooser.integer(1, 2))]
    elif kind == "code_interpreter_call":
        item.container_id = _hex_id(chooser, "cntr_", serial)
        item.chunks = _chunks(chooser, sizes)
        item.output = chooser.text(sizes.max_text)
    elif kind == "image_generation_call":
        images = [base64.b64encode(bytes([i, serial % 256]) * 6).decode() for i in range(chooser.integer(0, 3))]
        item.partial_images = images
        item.result = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes([serial % 256]) * 8).decode()
    elif kind == "mcp_call":
        item.server_label = choose(chooser, ("deepwiki", "docs"))
        item.name = choose(chooser, ("ask_question", "read_wiki"))
        item.chunks = _json_chunks(chooser, sizes)
        item.output = chooser.text(sizes.max_text)
    elif kind == "mcp_list_tools":
        item.server_label = choose(chooser, ("deepwiki", "docs"))
        item.tools = [
            {"name": name, "description": None, "input_schema": {"type": "object"}, "annotations": None}
            for name in ("ask_question", "read_wiki")[: chooser.integer(0, 2)]
        ]
    elif kind in ("shell_call", "shell_call_output"):
        item.call_id = _hex_id(chooser, "call_", serial, 24)
        item.container_id = _hex_id(chooser, "cntr_", serial)
        item.commands = chooser.many(1, 2, lambda c: _chunks(c, sizes))
    elif kind == "custom_tool_call":
        item.name = choose(chooser, ("set_html", "apply_patch_text"))
        item.call_id = _hex_id(chooser, "call_", serial, 24)
        item.chunks = _chunks(chooser, sizes)
    return item


def draw_plan(
    chooser: Chooser,
    profile: Profile = "openai",
    *,
    kinds: Sequence[str] | None = None,
    endings: Sequence[Ending] | None = None,
    background: bool | None = None,
    sizes: Sizes | None = None,
) -> StreamPlan:
    """A valid stream's plan.

    ``kinds`` restricts the item kinds (default: every kind the profile
    knows); ``endings`` the terminal outcomes; ``background`` pins the
    queued opening on or off.
    """
    sizes = sizes or Sizes()
    allowed = tuple(kinds) if kinds is not None else ITEM_KINDS[profile]
    unknown = [k for k in allowed if k not in ITEM_KINDS[profile]]
    if unknown or not allowed:
        raise ValueError(f"item kinds {unknown or list(allowed)} are not valid in the {profile} profile")
    ending_options = tuple(endings) if endings is not None else ENDINGS
    if not ending_options or any(e not in ENDINGS for e in ending_options):
        raise ValueError(f"endings must be chosen from {', '.join(ENDINGS)}")
    ending = choose(chooser, ending_options)
    items: list[Item] = []
    if ending != "error_only":
        items = chooser.many(
            sizes.min_items,
            max(sizes.min_items, sizes.max_items),
            lambda c: draw_item(c, choose(c, allowed), 0, sizes, profile),
        )
    items = [_serialise(item, serial) for serial, item in enumerate(items)]
    return StreamPlan(
        profile=profile,
        response_id=_hex_id(chooser, "resp_", 0xFFFF),
        model=choose(chooser, _MODELS),
        created_at=1_750_000_000 + chooser.integer(0, 10_000_000),
        items=items,
        ending=ending,
        background=chooser.boolean() if background is None else background,
        error_style="flat" if profile == "openai" and chooser.boolean() else "nested",
    )
