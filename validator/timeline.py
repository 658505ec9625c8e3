"""A bounded, compact record of one stream's events, for reports that show the stream.

The Checker keeps no events: it checks each one and forgets it. A report that
draws the stream (the HTML report) needs them, so ``Timeline`` observes them
through ``Checker(on_event=timeline.add)`` and keeps, per event, where it sits
(index, type, output item, content or summary part, sequence number, line) and
its payload as JSON with long strings and deep structures clipped.

Runs of deltas are collapsed: consecutive ``*.delta`` events of one type to one
part, with the same item id, the same set of fields and consecutive sequence
numbers, become one entry holding the concatenated text (clipped) and each
delta's length. Whatever breaks such a run (a gap, another item id, a missing
field) starts a new entry, so the events a rule is likely to flag keep their
own payload. Only reports that ask for a timeline pay for it.

Memory is bounded per stream, in three ways, and what is dropped is counted:

* entries: at most ``max_entries``; past that the first three quarters stay,
  the last quarter rolls along with the end of the stream, and the events in
  between are counted as dropped;
* payloads: ``raw_budget`` characters of clipped JSON; three quarters go to the
  first events, the last quarter rolls along, so the terminal events keep theirs;
* run texts: ``text_budget`` characters in all (a per-delta length counts as
  four), at most ``text_chars`` of them and ``MAX_RUN_MARKS`` lengths per run.

So one stream's timeline holds at most about ``max_entries * ENTRY_COST +
raw_budget + text_budget`` characters and bytes, whatever the stream's length
(``Timeline.size()`` counts them; a character costs one to four bytes).

Strings the timeline keeps are masked with the patterns every report masks
(bearer tokens, credentials in URLs, keys in query strings) and with ``redact``
when it is given (a live check's own secrets).
"""

from __future__ import annotations

import json
import re
from array import array
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from validator.model import Event
from validator.redact import CREDENTIAL_PARAMS, Redactor

# How much of a payload is kept: strings, list items, object members, nesting.
CLIP_STRING = 2_000
CLIP_ITEMS = 64
CLIP_DEPTH = 12
# One payload's JSON text past this is kept as clipped text instead of JSON.
CLIP_RAW = 64_000
CLIP_NAME = 200  # event types, item ids, lane labels
MAX_LANES = 256
MAX_TYPES = 1_024
MAX_RUN_MARKS = 65_536  # per-delta lengths kept for one run
ENTRY_COST = 200  # what one entry costs besides its strings, roughly, in bytes

LIFECYCLE_LANE = 0  # response.* events that name no output item, error, [DONE]
OTHER_LANE = 1  # unknown or undecodable events, events past MAX_LANES or with an implausible index
OTHER_TYPE = "(other types)"
NO_OBJECT = "(not an event object)"
UNDECODABLE = "(undecodable)"
DONE = "[DONE]"

_PART_FIELDS = (("content_index", "c"), ("summary_index", "s"))
_COMPACT_EVERY = 1_024  # a run's text pieces are joined in blocks of this many

# Text in which none of ``validator.redact``'s patterns can match: what it masks starts with
# "Bearer", holds "://", or is a credential query parameter (``redact.CREDENTIAL_PARAMS``). A
# quick test spares the substitutions on most payloads; conformance_tests/test_timeline.py
# holds it to the Redactor.
_CREDENTIAL_PARAMETER = re.compile(
    "[?&#;](?:" + "|".join(sorted(map(re.escape, CREDENTIAL_PARAMS), key=len, reverse=True)) + ")=", re.IGNORECASE
)
_GENERIC = Redactor()


def maybe_secret(text: str) -> bool:
    """False when none of the generic patterns can match ``text`` (a quick test, in C)."""
    return "://" in text or ("=" in text and _CREDENTIAL_PARAMETER.search(text) is not None) or (
        "bearer" in text.lower()
    )


def generic_redact(text: str) -> str:
    """The patterns every report masks (bearer tokens, credentials in URLs, keys in query strings)."""
    return _GENERIC.text(text) if maybe_secret(text) else text


def _int(value: Any) -> int | None:
    return value if type(value) is int and 0 <= value < 1_000_000_000 else None


def clip_value(value: Any, depth: int = 0) -> Any:
    """``value`` with long strings, long lists and objects, and deep nesting cut (a JSON value again)."""
    if isinstance(value, str):
        if len(value) > CLIP_STRING:
            return value[:CLIP_STRING] + f"…[{len(value) - CLIP_STRING} more characters]"
        return value
    if isinstance(value, dict):
        if depth >= CLIP_DEPTH:
            return "…[nested too deep]"
        out: dict[str, Any] = {}
        for i, (key, item) in enumerate(value.items()):
            if i == CLIP_ITEMS:
                out["…"] = f"[{len(value) - CLIP_ITEMS} more members]"
                break
            out[str(key)[:CLIP_STRING]] = clip_value(item, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        if depth >= CLIP_DEPTH:
            return "…[nested too deep]"
        items = [clip_value(item, depth + 1) for item in value[:CLIP_ITEMS]]
        if len(value) > CLIP_ITEMS:
            items.append(f"…[{len(value) - CLIP_ITEMS} more items]")
        return items
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:CLIP_STRING]


def to_json(value: Any) -> str:
    """Compact JSON text for a clipped value, whatever Python put in it (huge ints, lone surrogates)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, ValueError):
        return json.dumps(value, ensure_ascii=True, default=str)


class Entry:
    """One event, or one run of deltas (``count`` > 1), as the timeline keeps it."""

    __slots__ = ("clipped", "count", "first", "lane", "lengths", "line", "raw", "seq", "sse", "text", "text_len",
                 "type")

    def __init__(self, first: int, type_id: int, lane: int, seq: int | None, line: int, raw: str | None) -> None:
        self.first = first
        self.count = 1
        self.type = type_id
        self.lane = lane
        self.seq = seq
        self.line = line
        self.raw = raw
        self.sse: str | None = None  # the SSE event: line, kept when it differs from the type
        # A delta's text; for a run, its pieces (joined in blocks), their total length, each length.
        self.text: str | list[str] | None = None
        self.text_len = 0
        self.clipped = False
        self.lengths: array[int] | None = None

    def joined(self) -> str | None:
        return self.text if self.text is None or isinstance(self.text, str) else "".join(self.text)

    def to_list(self, redact: Callable[[str], str]) -> list[Any]:
        """The entry as ``Timeline.to_dict`` lists it."""
        text = self.joined()
        shown = redact(text) if text is not None else None
        lengths = self.lengths.tolist() if self.lengths is not None else None
        return [self.first, self.count, self.type, self.lane, self.seq, self.line, self.raw,
                shown, self.text_len, lengths, self.sse, self.clipped, shown != text]


class Timeline:
    """A stream's events as a report draws them; feed it with ``Checker(on_event=timeline.add)``."""

    def __init__(
        self,
        *,
        max_entries: int = 100_000,
        raw_budget: int = 16 * 1024 * 1024,
        text_budget: int = 16 * 1024 * 1024,
        text_chars: int = 1024 * 1024,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        self.max_entries = max(4, max_entries)
        self.raw_budget = raw_budget
        self.text_chars = text_chars
        self._own_redact = redact
        self.events = 0  # events seen
        self.types: list[str] = []
        self._type_ids: dict[str, int] = {}
        # Lanes: [key, label, kind, output_index, part]; 0 is the lifecycle lane, 1 "other".
        self.lanes: list[list[Any]] = [
            ["response", "response", "response", None, None],
            ["other", "other", "other", None, None],
        ]
        self._lane_ids: dict[tuple[Any, ...], int] = {}
        self._item_ids: dict[str, int] = {}  # item id -> output_index, for events that give only the id
        self.head: list[Entry] = []
        self.tail: deque[Entry] = deque()
        self.dropped_events = 0  # events between head and tail that were not kept
        self.dropped_entries = 0
        self.raw_dropped = 0  # entries kept without their payload
        self.texts_clipped = 0  # runs whose text was cut
        self._raw_head_left = raw_budget * 3 // 4
        self._raw_window: deque[Entry] = deque()  # entries holding a payload from the rolling quarter
        self._raw_window_size = 0
        self._text_left = text_budget
        self.reconstruction: Any = None
        # The run the next delta may join (only the last entry can grow), and what it must share.
        self._open: Entry | None = None
        self._open_kind: Any = None
        self._open_sse: str | None = None
        self._open_seq: int | None = None
        self._open_keys: Any = None
        self._open_where: tuple[Any, Any, Any, Any] | None = None

    # ---- input ----------------------------------------------------------------------------------

    def add(self, event: Event) -> None:
        """One event, in stream order (the ``on_event`` callback)."""
        self.events += 1
        payload = event.payload
        if type(payload) is dict:
            kind = payload.get("type")
            if self._open is not None and kind == self._open_kind and self._joins(event, payload):
                return
            self._start(event, payload, kind if type(kind) is str else NO_OBJECT)
        elif event.done:
            self._start(event, None, DONE)
        elif event.error is not None:
            self._start(event, None, UNDECODABLE)
        else:
            self._start(event, payload, NO_OBJECT)

    def extend(self, events: Iterable[Event]) -> None:
        for event in events:
            self.add(event)

    def finish(self, reconstruction: dict[str, Any] | None) -> None:
        """The end of the stream: keeps the Checker's reconstruction, clipped and redacted."""
        self._close_run()
        if reconstruction is not None:
            self.reconstruction = _redact_value(clip_value(reconstruction), self._redact)

    # ---- output ---------------------------------------------------------------------------------

    @property
    def entries(self) -> list[Entry]:
        return [*self.head, *self.tail]

    def size(self) -> int:
        """What the timeline holds, roughly (entries, payload and text characters, lengths): what the bounds limit."""
        total = 0
        for entry in self.entries:
            total += ENTRY_COST
            if entry.raw is not None:
                total += len(entry.raw)
            if entry.text is not None:
                total += len(entry.text) if isinstance(entry.text, str) else sum(len(t) for t in entry.text)
            if entry.lengths is not None:
                total += 4 * len(entry.lengths)
        return total

    def to_dict(self, redact: Callable[[str], str] | None = None) -> dict[str, Any]:
        """The plain data a report embeds; ``redact`` masks every string once more (a report's own).

        ``entries`` are lists: ``[first event index, events in it, type id, lane id, first
        sequence number, line, payload JSON or None, delta or run text or None, its full
        length, per-delta lengths or None, the SSE event name when it differs from the type,
        whether the text was clipped, whether masking changed it]``, without the trailing
        items that are None or False.
        ``gap`` is the position in ``entries`` where ``dropped.events`` events are missing.
        ``order`` lists the lanes in use, in display order.
        """
        more = redact if redact is not None else _same
        entries = [entry.to_list(self._redact) for entry in self.entries]
        if redact is not None:
            for entry in entries:
                if entry[6] is not None:
                    entry[6] = _redact_json(entry[6], redact)
                if entry[7] is not None:
                    masked = redact(entry[7])
                    entry[12] = entry[12] or masked != entry[7]
                    entry[7] = masked
                if entry[10] is not None:
                    entry[10] = redact(entry[10])
        for entry in entries:  # what is left out at the end reads as null (or false) in the page
            while entry[-1] is None or entry[-1] is False:
                entry.pop()
        return {
            "events": self.events,
            "types": [more(t) for t in self.types],
            "lanes": [
                {"key": key, "label": more(label), "kind": kind, "output_index": oi, "part": part}
                for key, label, kind, oi, part in self.lanes
            ],
            "order": self.lane_order(),
            "entries": entries,
            "gap": len(self.head) if self.dropped_events else None,
            "dropped": {"events": self.dropped_events, "entries": self.dropped_entries},
            "raw_dropped": self.raw_dropped,
            "texts_clipped": self.texts_clipped,
            "reconstruction": _redact_value(self.reconstruction, more),
        }

    def lane_order(self) -> list[int]:
        """The lanes in use, in display order: the lifecycle lane, each item followed by its parts, then other."""

        def key(lane_id: int) -> tuple[int, int, int, str, int]:
            _, _, kind, oi, part = self.lanes[lane_id]
            if kind in ("response", "other"):
                return (0 if kind == "response" else 2, 0, 0, "", 0)
            if part is None:
                return (1, oi, 0, "", 0)
            return (1, oi, 1, part[0], part[1])

        used = {LIFECYCLE_LANE} | {entry.lane for entry in self.entries}
        # A part's item keeps its column even when only the part's events were kept.
        used |= {self._lane_ids[(lane[3],)] for i, lane in enumerate(self.lanes) if i in used and lane[2] == "part"}
        return sorted(used, key=key)

    # ---- inside ---------------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        if self._own_redact is not None:
            text = self._own_redact(text)
        return generic_redact(text)

    def _joins(self, event: Event, payload: dict[str, Any]) -> bool:
        """Whether ``event`` is the next delta of the open run; if so, it is added to it."""
        delta = payload.get("delta")
        if type(delta) is not str or event.sse_event != self._open_sse:
            return False
        seq = payload.get("sequence_number")
        last = self._open_seq
        if last is None:
            if seq is not None:
                return False
        elif type(seq) is not int or seq != last + 1:
            return False
        where = self._open_where
        assert where is not None
        if (
            payload.get("item_id") != where[0]
            or payload.get("output_index") != where[1]
            or payload.get("content_index") != where[2]
            or payload.get("summary_index") != where[3]
            or payload.keys() != self._open_keys
        ):
            return False
        run = self._open
        assert run is not None
        if run.count == 1:  # a delta becomes a run: its pieces in a list, each delta's length
            first = run.text
            assert isinstance(first, str)
            run.text = [first] if first else []
            if self._text_left >= 4:  # text_len is still the first delta's whole length
                run.lengths = array("I", [min(run.text_len, 0xFFFFFFFF)])
                self._text_left -= 4
        run.count += 1
        self._open_seq = seq
        self._append_text(run, delta)
        return True

    def _append_text(self, run: Entry, delta: str) -> None:
        have = run.text_len
        run.text_len = have + len(delta)
        room = max(0, min(self.text_chars - have, self._text_left))
        piece = delta[:room] if len(delta) > room else delta
        pieces = run.text
        if pieces is None:
            run.text = piece
        else:
            assert isinstance(pieces, list)
            if piece:
                pieces.append(piece)
                if len(pieces) > _COMPACT_EVERY:
                    pieces[-_COMPACT_EVERY:] = ["".join(pieces[-_COMPACT_EVERY:])]
        self._text_left -= len(piece)
        if len(piece) < len(delta) and not run.clipped:
            run.clipped = True
            self.texts_clipped += 1
        lengths = run.lengths
        if lengths is not None and len(lengths) < MAX_RUN_MARKS and self._text_left >= 4:
            lengths.append(min(len(delta), 0xFFFFFFFF))
            self._text_left -= 4

    def _close_run(self) -> None:
        self._open = None
        self._open_keys = None

    def _start(self, event: Event, payload: Any, kind: str) -> None:
        self._close_run()
        raw = self._raw(event, payload)
        is_dict = type(payload) is dict
        lane = self._lane(payload) if is_dict else (LIFECYCLE_LANE if kind == DONE else OTHER_LANE)
        seq = payload.get("sequence_number") if is_dict else None
        entry = Entry(event.index, self._type_id(kind), lane, _int(seq), event.line, raw)
        sse = event.sse_event
        if sse is not None and sse != kind:
            entry.sse = self._redact(sse[:CLIP_NAME])
        if is_dict and kind.endswith(".delta"):
            delta = payload.get("delta")
            if type(delta) is str and (seq is None or type(seq) is int):
                self._append_text(entry, delta)
                self._open = entry
                self._open_kind = kind
                self._open_sse = sse
                self._open_seq = seq
                self._open_keys = payload.keys()
                self._open_where = (payload.get("item_id"), payload.get("output_index"),
                                    payload.get("content_index"), payload.get("summary_index"))
        if raw is not None and self._raw_head_left < 0:
            self._raw_window.append(entry)
        self._keep(entry)

    def _keep(self, entry: Entry) -> None:
        if not self.tail and len(self.head) < self.max_entries * 3 // 4:
            self.head.append(entry)
            return
        self.tail.append(entry)
        if len(self.head) + len(self.tail) > self.max_entries:
            # The entry leaves the report; if its payload is in the rolling window, it is freed
            # when the window moves on (the window stays within its quarter either way).
            gone = self.tail.popleft()
            self.dropped_entries += 1
            self.dropped_events += gone.count

    def _raw(self, event: Event, payload: Any) -> str | None:
        """The payload as clipped, redacted JSON text, while the budget lasts (see the module doc)."""
        if event.done:
            text = DONE
        elif event.error is not None and payload is None:
            text = self._redact(event.error[:CLIP_STRING])
        else:
            text = self._json(payload)
        size = len(text)
        if self._raw_head_left >= 0:
            if size <= self._raw_head_left:
                self._raw_head_left -= size
                return text
            self._raw_head_left = -1  # the first three quarters are spent: from now on, the window
        # The last quarter rolls along: the oldest payloads in it make room for the new one.
        window = self.raw_budget - self.raw_budget * 3 // 4
        if size > window:
            self.raw_dropped += 1
            return None
        self._raw_window_size += size
        while self._raw_window_size > window and self._raw_window:
            old = self._raw_window.popleft()
            if old.raw is not None:
                self._raw_window_size -= len(old.raw)
                old.raw = None
                self.raw_dropped += 1
        return text

    def _json(self, payload: Any) -> str:
        """The payload as JSON text, clipped, with every string in it redacted.

        A payload whose whole JSON text is shorter than a clipped string needs no clipping.
        Masking the JSON text itself could swallow a closing quote (a key in a query string
        runs to the next ``&``, ``#`` or space), so the text is only a quick test: when
        masking it changes nothing, nothing needs masking (credentials hold no character
        that JSON escapes); otherwise each string is masked on its own.
        """
        try:
            data = orjson.dumps(payload)
        except (TypeError, ValueError):
            data = None
        if data is not None and len(data) <= CLIP_STRING:
            value, text = payload, data.decode()
        else:
            value = clip_value(payload)
            text = to_json(value)
            if len(text) > CLIP_RAW:
                return self._redact(text[:CLIP_RAW]) + f"…[{len(text) - CLIP_RAW} more characters]"
        if self._redact(text) == text:
            return text
        return to_json(_redact_value(value, self._redact))

    def _type_id(self, kind: str) -> int:
        ids = self._type_ids
        found = ids.get(kind)
        if found is not None:
            return found
        if len(self.types) >= MAX_TYPES - 1:
            kind = OTHER_TYPE
            found = ids.get(kind)
            if found is not None:
                return found
        found = ids[kind] = len(self.types)
        self.types.append(self._redact(kind[:CLIP_NAME]))
        return found

    def _lane(self, payload: dict[str, Any]) -> int:
        """The lane of an event: its content or summary part, its output item, the lifecycle lane
        (``response.*`` and ``error`` events that name no item), or ``other`` (the rest: ``ping``,
        ``keepalive``, vendor events, events without a type)."""
        raw_oi = payload.get("output_index")
        item_id = payload.get("item_id")
        oi = _int(raw_oi)
        if oi is None and raw_oi is None and type(item_id) is str:
            oi = self._item_ids.get(item_id)
        kind = payload.get("type")
        if oi is None:
            if raw_oi is not None or item_id is not None:
                return OTHER_LANE
            lifecycle = type(kind) is str and (kind.startswith("response.") or kind == "error")
            return LIFECYCLE_LANE if lifecycle else OTHER_LANE
        if kind in ("response.output_item.added", "response.output_item.done"):
            item = payload.get("item")
            if type(item) is dict:
                known = item.get("id")
                if type(known) is str and len(self._item_ids) < MAX_LANES:
                    self._item_ids.setdefault(known, oi)
        for field, letter in _PART_FIELDS:
            index = _int(payload.get(field))
            if index is not None:
                return self._lane_for((oi, letter, index), payload)
        return self._lane_for((oi,), payload)

    def _lane_for(self, key: tuple[Any, ...], payload: dict[str, Any]) -> int:
        found = self._lane_ids.get(key)
        if found is None:
            if len(self.lanes) >= MAX_LANES - 1:
                return OTHER_LANE
            oi = key[0]
            if len(key) == 3 and (oi,) not in self._lane_ids:
                self._lane_for((oi,), {})  # a part's item gets a lane of its own too
            found = self._lane_ids[key] = len(self.lanes)
            if len(key) == 1:
                self.lanes.append([f"{oi}", f"#{oi}", "item", oi, None])
            else:
                name = f"{oi}.{key[1]}{key[2]}"
                self.lanes.append([name, f"#{name}", "part", oi, [key[1], key[2]]])
        self._label(found, payload)
        return found

    def _label(self, lane_id: int, payload: dict[str, Any]) -> None:
        """Names a lane after what its ``added`` event says (item type and id, part type)."""
        lane = self.lanes[lane_id]
        kind = payload.get("type")
        if kind == "response.output_item.added" and lane[2] == "item":
            item = payload.get("item")
            if type(item) is dict:
                words = [f"#{lane[3]}", _word(item.get("type")), _word(item.get("id"))]
                lane[1] = self._redact(" ".join(w for w in words if w))
        elif kind in ("response.content_part.added", "response.reasoning_summary_part.added") and lane[2] == "part":
            part = payload.get("part")
            if type(part) is dict and part.get("type") is not None:
                lane[1] = self._redact(f"#{lane[0]} {_word(part.get('type'))}")


def _word(value: Any) -> str:
    return value[:CLIP_NAME] if type(value) is str else ""


def _same(text: str) -> str:
    return text


def _redact_value(value: Any, redact: Callable[[str], str]) -> Any:
    """``value`` with every string in it (keys too) masked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_value(v, redact) for v in value]
    if isinstance(value, dict):
        return {redact(k): _redact_value(v, redact) for k, v in value.items()}
    return value


def _redact_json(text: str, redact: Callable[[str], str]) -> str:
    """JSON text masked string by string (so that a mask cannot swallow a quote); other text as text."""
    if redact(text) == text:
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return redact(text)
    return to_json(_redact_value(value, redact))
