"""One client's observation against the stream's own result: ok, raises, wrong or hangs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from validator.clients.expect import Expected
from validator.clients.worker import Answer

KINDS = ("ok", "raises", "wrong", "hangs")


@dataclass(slots=True)
class Outcome:
    """How one client fared on one stream."""

    client: str
    kind: str  # one of KINDS
    detail: str = ""  # raises: "Type: first line"; wrong: the differences; hangs: the bound
    differences: list[str] = field(default_factory=list)  # wrong: one entry per field that differs
    error_type: str | None = None
    # The client does the same with a valid stream that ends the same way (failed, incomplete, error):
    # the ending explains the outcome, not a defect of this stream.
    as_on_valid: bool = False
    observation: dict[str, Any] | None = None

    @property
    def signature(self) -> tuple[str, ...]:
        """What two outcomes must share to be "the same reaction" (details may name other values)."""
        if self.kind == "raises":
            return (self.kind, self.error_type or "")
        if self.kind == "wrong":
            return (self.kind, *sorted(d.split(":", 1)[0] for d in self.differences))
        return (self.kind,)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"client": self.client, "outcome": self.kind}
        if self.detail:
            out["detail"] = self.detail
        if self.as_on_valid:
            out["as_on_valid_stream"] = True
        return out


def classify(client: str, answer: Answer, want: Expected) -> Outcome:
    if answer.hang is not None:
        return Outcome(client, "hangs", f"no result within {answer.hang:g} s")
    if answer.crash is not None:
        return Outcome(client, "raises", f"the client's process died: {safe(answer.crash)}", error_type="died")
    seen = answer.observation or {}
    error = seen.get("error")
    if isinstance(error, dict):
        kind = safe(str(error.get("type") or "Exception"), 80)
        message = safe(str(error.get("message") or ""), 200)
        detail = f"{kind}: {message}" if message else kind
        return Outcome(client, "raises", detail, error_type=kind, observation=seen)
    differences = compare(seen, want)
    if differences:
        return Outcome(client, "wrong", "; ".join(differences), differences, observation=seen)
    return Outcome(client, "ok", observation=seen)


def compare(seen: dict[str, Any], want: Expected) -> list[str]:
    """The fields where the client's result differs from the stream's, one line each."""
    out: list[str] = []
    text = seen.get("text") or None
    if text != want.text:
        out.append(f"text: the stream says {quote(want.text)}, the client has {quote(text)}")
    reported = [c for c in seen.get("tool_calls") or [] if not (isinstance(c, dict) and c.get("call_id") in
                                                                 want.uncompared_calls)]
    out.extend(_calls(reported, want.tool_calls))
    status = seen.get("status")
    if status is not None and want.status is not None and status != want.status:
        out.append(f"status: the stream says {want.status}, the client has {safe(str(status), 40)}")
    return out


def _calls(seen: list[Any], want: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    remaining = [c for c in seen if isinstance(c, dict)]
    for call in want:
        match = next((c for c in remaining if _same_call(c, call)), None)
        if match is None:
            match = next((c for c in remaining if c.get("call_id") == call.get("call_id")), None)
            if match is None:
                out.append(f"tool calls: {_call_name(call)} is missing")
                continue
            out.append(
                f"tool calls: {_call_name(call)} has arguments {quote(_text(match.get('arguments')))}, "
                f"the stream says {quote(_text(call.get('arguments')))}"
            )
        remaining.remove(match)
    out.extend(f"tool calls: {_call_name(c)} is not in the stream" for c in remaining)
    return out


def _same_call(seen: dict[str, Any], want: dict[str, Any]) -> bool:
    return (
        seen.get("name") == want.get("name")
        and seen.get("call_id") == want.get("call_id")
        and _arguments(seen.get("arguments")) == _arguments(want.get("arguments"))
    )


def _arguments(value: Any) -> Any:
    # Clients hand arguments back as the raw string or as parsed JSON re-serialised: compare the value.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) or value is None else json.dumps(value)


def _call_name(call: dict[str, Any]) -> str:
    return f"{safe(str(call.get('name')), 60)} ({safe(str(call.get('call_id')), 60)})"


def quote(text: str | None, limit: int = 48) -> str:
    if text is None:
        return "nothing"
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return '"' + safe(shown, limit + 8) + '"'


def safe(text: str, limit: int = 300) -> str:
    """One line of printable text: control characters (terminal escapes, newlines) shown as escapes."""
    out = []
    for ch in text[:limit]:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)
