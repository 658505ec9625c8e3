"""What a stream's events say, as the validator reads them: the yardstick for every client.

``expected(body)`` runs the Checker with ``reconstruct=True`` over the SSE bytes
and keeps what a client's result is compared on: the assistant text (the
``output_text`` parts of message items, joined), the function calls (name,
call id, arguments) and the status of the terminal event. Items that appear
only in the terminal ``response.output`` were never streamed, so they are not
part of it: a client that reports them reads the terminal event, not the stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from validator.checker import Checker
from validator.sources import iter_sse_events

TERMINAL = {"response.completed": "completed", "response.incomplete": "incomplete", "response.failed": "failed"}


@dataclass(slots=True)
class Expected:
    text: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: str | None = None  # of the terminal event; None when there is none
    ending: str = "none"  # completed, incomplete, failed, error-nested, error-flat or none
    tool_names: list[str] = field(default_factory=list)  # every function name the stream mentions
    custom_tool_names: list[str] = field(default_factory=list)  # every custom tool name it mentions
    # Call ids of custom tool calls: clients report them in shapes of their own (LangChain wraps the
    # input, the AI SDK parses it), so they are not compared; a client that reports one is not wrong.
    uncompared_calls: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "tool_calls": self.tool_calls, "status": self.status, "ending": self.ending}


def expected(body: bytes) -> Expected:
    """The result the stream's own events describe."""
    checker = Checker("openai", reconstruct=True, transport="sse")
    checker.run_data([body])
    built = checker.reconstruction() or {}
    out = Expected(status=built.get("status") if isinstance(built.get("status"), str) else None)
    texts: list[str] = []
    names: set[str] = set()
    for item in built.get("output") or []:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "message":
            texts.extend(
                str(part.get("text") or "")
                for part in item.get("content") or []
                if isinstance(part, dict) and part.get("type") == "output_text"
            )
        elif item.get("type") == "function_call":
            out.tool_calls.append(
                {"name": item.get("name"), "call_id": item.get("call_id"), "arguments": item.get("arguments")}
            )
    joined = "".join(texts)
    out.text = joined or None
    out.ending, names, custom, custom_names = _ending_and_names(body)
    out.uncompared_calls = sorted(custom)
    out.custom_tool_names = sorted(custom_names)
    names.update(str(call["name"]) for call in out.tool_calls if isinstance(call.get("name"), str))
    out.tool_names = sorted(names)
    return out


def _ending_and_names(body: bytes) -> tuple[str, set[str], set[str], set[str]]:
    ending = "none"
    names: set[str] = set()
    custom: set[str] = set()
    custom_names: set[str] = set()
    for event in iter_sse_events([body]):
        payload = event.payload
        if not isinstance(payload, dict):
            continue
        kind = payload.get("type")
        if kind == "error":
            ending = "error-nested" if isinstance(payload.get("error"), dict) else "error-flat"
        elif kind in TERMINAL and not ending.startswith("error"):
            ending = TERMINAL[str(kind)]
        _collect_names(payload, names, custom, custom_names)
    return ending, names, custom, custom_names


def _collect_names(payload: dict[str, Any], names: set[str], custom: set[str], custom_names: set[str]) -> None:
    # Function names from items (added, done, and the terminal output): the agents need a tool
    # for each, or they fail on an unknown tool instead of showing what they read.
    items = [payload.get("item")]
    response = payload.get("response")
    if isinstance(response, dict) and isinstance(response.get("output"), list):
        items.extend(response["output"])
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in ("function_call", "custom_tool_call"):
            continue
        name = item.get("name")
        is_custom = item.get("type") == "custom_tool_call"
        if isinstance(name, str) and name:
            (custom_names if is_custom else names).add(name)
        if is_custom and isinstance(item.get("call_id"), str):
            custom.add(item["call_id"])
