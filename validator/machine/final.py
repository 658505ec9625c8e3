"""FIN checks: the terminal response against what was streamed; and the reconstruction.

After an item is done the machine keeps only its fingerprint (a 16-byte digest
per text field: each content part's text, each summary's text, the call's
arguments/input/code) and drops its accumulated text, so memory stays bounded by
the open items. The terminal response's items are fingerprinted the same way and
compared field by field. The full texts are kept only when a reconstruction was
asked for.
"""

from __future__ import annotations

from typing import Any

from validator.machine.automata import ITEM_OPEN
from validator.machine.compare import part_text_field
from validator.machine.state import Item, State, as_int, as_str, digest
from validator.model import Event
from validator.rules import final as rules
from validator.rules import items as item_rules
from validator.rules.content import ITEM_DONE_MISMATCH
from validator.rules.tools import ARGS_ITEM_MISMATCH

_ARG_FIELDS = ("arguments", "input", "code")


def fingerprint(raw: dict[str, Any]) -> dict[str, bytes]:
    """Digest of every text an item carries, by field path."""
    out: dict[str, bytes] = {}
    for field in ("content", "summary"):
        entries = raw.get(field)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, dict):
                    key = part_text_field(as_str(entry.get("type")))
                    text = entry.get(key)
                    if isinstance(text, str):
                        out[f"{field}/{i}/{key}"] = digest(text)
    for field in _ARG_FIELDS:
        value = raw.get(field)
        if isinstance(value, str):
            out[field] = digest(value)
    return out


def keep(state: State, item: Item, raw: dict[str, Any], event: Event) -> None:
    """Called when an item is done: keep what FIN needs, drop the rest.

    The fingerprint of a streamed text is its text as streamed (``Part.truth``); the done
    item gives the rest. Where the done item carried another text (CNT007, FCA002 at
    ``event``), its digest is kept too, so that a final output repeating it is marked as
    caused by that finding rather than blamed on its own.
    """
    carried = fingerprint(raw)
    truths = _streamed_truths(item)
    item.fingerprint = {**carried, **truths}
    for field, value in truths.items():
        other = carried.get(field)
        if other is not None and other != value:
            rule = ARGS_ITEM_MISMATCH if item.args is not None and field == item.args.kind else ITEM_DONE_MISMATCH
            item.done_copies[field] = (other, (rule.code, event.index))
    if state.reconstruct:
        item.rebuilt = rebuild(item, raw)
    item.parts.clear()
    item.summaries.clear()
    item.args = None


def _streamed_truths(item: Item) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for field, parts in (("content", item.parts), ("summary", item.summaries)):
        for part in parts.values():
            if not part.adopted:
                out[f"{field}/{part.index}/{part_text_field(part.kind)}"] = digest(part.truth())
    args = item.args
    if args is not None and not args.adopted and args.kind is not None and (args.chunks or args.done_text is not None):
        out[args.kind] = digest(args.truth())
    return out


def on_terminal(state: State, event: Event, response: dict[str, Any] | None, kind: str) -> None:
    if response is None:
        return
    if state.reconstruct:
        state.final_response = {k: response.get(k) for k in ("id", "status", "usage") if k in response}
    if kind == "response.failed":
        if not isinstance(response.get("error"), dict):
            state.emit(rules.FAILED_ERROR, "response.failed has no response.error", event, pointer="/response/error")
        return
    if kind == "response.incomplete":
        details = response.get("incomplete_details")
        if not (isinstance(details, dict) and isinstance(details.get("reason"), str)):
            state.emit(
                rules.INCOMPLETE_DETAILS,
                "response.incomplete has no incomplete_details.reason",
                event,
                pointer="/response/incomplete_details",
            )
    usage = response.get("usage")
    if kind == "response.completed" and usage is None:
        state.emit(rules.USAGE_MISSING, "response.completed has no usage", event, pointer="/response/usage")
    if isinstance(usage, dict):
        _usage(state, event, usage)
    for item in sorted(state.items.values(), key=lambda i: i.index):
        if item.state in ITEM_OPEN:
            state.emit(
                item_rules.NOT_DONE,
                f"{kind} while {state.item_name(item)} was never closed with output_item.done",
                event,
            )
    if state.incomplete_item is not None and kind != "response.incomplete":
        state.emit(
            item_rules.INCOMPLETE_ITEM,
            f"{state.item_name(state.incomplete_item)} ended incomplete but the response ends with {kind}",
            event,
        )
    output = response.get("output")
    if isinstance(output, list):
        _output(state, event, output, kind)


def _usage(state: State, event: Event, usage: dict[str, Any]) -> None:
    inp = as_int(usage.get("input_tokens"))
    out = as_int(usage.get("output_tokens"))
    total = as_int(usage.get("total_tokens"))
    if inp is not None and out is not None and total is not None and total != inp + out:
        state.emit(
            rules.USAGE_TOTALS,
            f"usage.total_tokens is {total}, input_tokens + output_tokens is {inp + out}",
            event,
            pointer="/response/usage/total_tokens",
            expected=inp + out,
            actual=total,
        )
    for detail, key, limit, name in (
        ("input_tokens_details", "cached_tokens", inp, "input_tokens"),
        ("output_tokens_details", "reasoning_tokens", out, "output_tokens"),
    ):
        details = usage.get(detail)
        value = as_int(details.get(key)) if isinstance(details, dict) else None
        if value is not None and limit is not None and value > limit:
            state.emit(
                rules.USAGE_TOTALS,
                f"usage.{detail}.{key} is {value}, more than {name} {limit}",
                event,
                pointer=f"/response/usage/{detail}/{key}",
                expected=f"<= {limit}",
                actual=value,
            )


def _output(state: State, event: Event, output: list[Any], kind: str) -> None:
    """The terminal ``response.output`` against the streamed items.

    Each streamed item, in output_index order, is matched to one entry of the final output:

    1. by id: the first entry with the item's id;
    2. else by position: the entry at the item's rank among the streamed items, if no
       other item took it, when the item had no id, or when that entry has the same type
       and an id that no streamed item has (the same item under another id: FIN002);
    3. else it is missing (FIN001).

    A matched entry at another position, or of another type, is FIN002; a done item's
    texts are compared with the entry's (FIN004). Entries no item matched were never
    streamed (FIN003). An empty output after streamed items is one FIN001, not one per item.
    """
    streamed = sorted(state.items.values(), key=lambda i: i.index)
    final_ids: dict[str, int] = {}
    for at, entry in enumerate(output):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            final_ids.setdefault(entry["id"], at)
    if streamed and not output:
        state.emit(
            rules.OUTPUT_MISSING,
            f"{kind} has an empty response.output but {len(streamed)} item(s) were streamed",
            event,
            pointer="/response/output",
            expected=len(streamed),
            actual=0,
        )
        return
    matched: set[int] = set()
    streamed_ids = {item.id for item in streamed if item.id is not None}
    for rank, item in enumerate(streamed):
        pos: int | None = final_ids.get(item.id) if item.id is not None else None
        if pos is None and rank < len(output) and rank not in matched:
            candidate = output[rank]
            other_id = candidate.get("id") if isinstance(candidate, dict) else None
            same_type = isinstance(candidate, dict) and candidate.get("type") == item.type
            if item.id is None or (other_id not in streamed_ids and same_type):
                pos = rank
                if item.id is not None:
                    matched.add(pos)
                    state.emit(
                        rules.OUTPUT_ORDER,
                        f"{state.item_name(item)} ({item.type}) is response.output[{pos}] with id {other_id}",
                        event,
                        pointer=f"/response/output/{pos}/id",
                        expected=item.id,
                        actual=other_id,
                    )
                    continue
        if pos is None:
            state.emit(
                rules.OUTPUT_MISSING,
                f"{kind} response.output lacks streamed {state.item_name(item)} ({item.type})",
                event,
                pointer="/response/output",
            )
            continue
        matched.add(pos)
        entry = output[pos]
        if not isinstance(entry, dict):
            continue
        entry_type = as_str(entry.get("type"))
        if pos != rank or (item.type is not None and entry_type != item.type):
            state.emit(
                rules.OUTPUT_ORDER,
                f"{state.item_name(item)} was streamed as {item.type} at position {rank}; "
                f"response.output[{pos}] is {entry_type}",
                event,
                pointer=f"/response/output/{pos}",
                expected={"position": rank, "type": item.type},
                actual={"position": pos, "type": entry_type},
            )
        if item.done and not item.adopted:
            _content(state, event, item, entry, pos)
    for pos, entry in enumerate(output):
        if pos in matched or not isinstance(entry, dict):
            continue
        state.emit(
            rules.OUTPUT_EXTRA,
            f"response.output[{pos}] ({_label(entry)}) was never streamed",
            event,
            pointer=f"/response/output/{pos}",
        )


def _content(state: State, event: Event, item: Item, entry: dict[str, Any], pos: int) -> None:
    final = fingerprint(entry)
    for field, value in item.fingerprint.items():
        other = final.get(field)
        if other is not None and other != value:
            copied = item.done_copies.get(field)
            state.emit(
                rules.CONTENT_MISMATCH,
                f"response.output[{pos}].{_dotted(field)} differs from what was streamed for {state.item_name(item)}",
                event,
                pointer=f"/response/output/{pos}/{field}",
                caused_by=copied[1] if copied is not None and copied[0] == other else None,
            )
            return


def _dotted(path: str) -> str:
    """``content/0/text`` as ``content[0].text``."""
    out = ""
    for step in path.split("/"):
        out += f"[{step}]" if step.isdigit() else (f".{step}" if out else step)
    return out


def _label(entry: dict[str, Any]) -> str:
    item_id = entry.get("id")
    return f"{entry.get('type')} {item_id}" if item_id else str(entry.get("type"))


def _entry_text(entry: dict[str, Any]) -> dict[str, Any]:
    key = part_text_field(as_str(entry.get("type")))
    return {"type": entry.get("type"), key: entry.get(key)}


def rebuild_start(raw: dict[str, Any]) -> dict[str, Any]:
    """The scalar fields of an item as added, the start of its reconstruction."""
    return {k: v for k, v in raw.items() if v is None or isinstance(v, (str, int, float, bool))}


def rebuild(item: Item, raw: dict[str, Any] | None) -> dict[str, Any]:
    """An item as the stream built it: streamed texts, the done item's other fields."""
    out = dict(item.rebuilt or {})
    if raw is not None:
        out.update(rebuild_start(raw))
    out.setdefault("id", item.id)
    out.setdefault("type", item.type)
    for field, parts in (("content", item.parts), ("summary", item.summaries)):
        if parts:
            out[field] = [
                {"type": p.kind, part_text_field(p.kind): p.final_text()} for _, p in sorted(parts.items())
            ]
        elif raw is not None and isinstance(raw.get(field), list):
            out[field] = [_entry_text(e) for e in raw[field] if isinstance(e, dict)]
    args = item.args
    if args is not None and args.kind is not None:
        out[args.kind] = args.final_text()
    return out


def reconstruction(state: State) -> dict[str, Any] | None:
    """The response as the stream built it (see ``validator.machine``)."""
    if state.events == 0 or (state.response_id is None and not state.items):
        return None
    final = state.final_response or {}
    output = [
        item.rebuilt if item.done and item.rebuilt is not None else rebuild(item, None)
        for item in sorted(state.items.values(), key=lambda i: i.index)
    ]
    return {
        "id": state.response_id,
        "status": final.get("status", state.response_status),
        "output": output,
        "usage": final.get("usage"),
    }
