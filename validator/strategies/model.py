"""A plain model of a valid stream: describe the output, get the events.

Nothing here knows about Hypothesis. A ``StreamPlan`` says what the response
holds (its items, how it opens and ends); ``build_events(plan)`` turns it into
the exact event objects a conforming server sends, in order, with
``sequence_number`` counting from 0, and ``final_response(plan)`` gives the
response object the terminal event carries.

Shapes follow the OpenAI OpenAPI spec v2.3.0 (``ResponseStreamEvent`` and the
output item schemas) as OpenAI's production API sends them (recordings in
the shared corpus), and, in the ``openresponses`` profile, the Open Responses
specification 2026-04-24 ("Items are streamable"; ``response.reasoning.*``
events; the nested ``error`` event). Each item kind emits its events in one
uninterrupted run: ``output_item.added``, its own progress events, then
``output_item.done``, which is how both OpenAI and the specification's
examples order them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Json = dict[str, Any]
Profile = Literal["openai", "openresponses"]
Ending = Literal["completed", "incomplete", "failed", "error", "error_only"]

#: Item kinds each profile's schemas know. Open Responses 2026-04-24 defines
#: only messages, function calls and reasoning as output items.
ITEM_KINDS: dict[str, tuple[str, ...]] = {
    "openai": (
        "message",
        "refusal",
        "function_call",
        "reasoning",
        "web_search_call",
        "file_search_call",
        "code_interpreter_call",
        "image_generation_call",
        "mcp_call",
        "mcp_list_tools",
        "custom_tool_call",
        "shell_call",
        "shell_call_output",
    ),
    "openresponses": ("message", "refusal", "function_call", "reasoning"),
}

ENDINGS: tuple[Ending, ...] = ("completed", "incomplete", "failed", "error", "error_only")

# Item kinds whose status may be ``incomplete`` (a truncated response's last item).
_CAN_BE_INCOMPLETE = frozenset({"message", "refusal", "function_call", "reasoning", "custom_tool_call"})


@dataclass
class Annotation:
    """A URL citation over ``[start, end)`` of the part's final text."""

    url: str
    title: str
    start: int
    end: int

    def to_json(self) -> Json:
        return {
            "type": "url_citation",
            "url": self.url,
            "title": self.title,
            "start_index": self.start,
            "end_index": self.end,
        }


@dataclass
class TextPart:
    """One content part of a message: ``output_text`` or ``refusal``, streamed as ``chunks``."""

    chunks: list[str]
    refusal: bool = False
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


@dataclass
class Item:
    """One output item. ``kind`` is its ``type``; the other fields are used by the kinds that need them.

    ``chunks`` is what streams as deltas (function or MCP arguments, custom
    tool input, code-interpreter code); ``commands`` a shell call's commands
    (or a shell call output's stdout per command), each a list of deltas;
    ``parts`` the message content;
    ``summaries`` and ``reasoning`` the reasoning item's summary parts and
    reasoning-text parts, each a list of deltas; ``partial_images`` the
    image-generation previews.
    """

    kind: str
    id: str
    parts: list[TextPart] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)
    name: str = ""
    call_id: str = ""
    summaries: list[list[str]] = field(default_factory=list)
    reasoning: list[list[str]] = field(default_factory=list)
    encrypted_content: str | None = None
    queries: list[str] = field(default_factory=list)
    partial_images: list[str] = field(default_factory=list)
    result: str = ""
    server_label: str = ""
    output: str = ""
    tools: list[Json] = field(default_factory=list)
    container_id: str = ""
    phase: str | None = None
    status: str = "completed"
    commands: list[list[str]] = field(default_factory=list)

    @property
    def joined(self) -> str:
        return "".join(self.chunks)


@dataclass
class StreamPlan:
    """Everything that decides a valid stream.

    ``ending``: ``completed``, ``incomplete`` (``response.incomplete``, the last
    item cut short), ``failed`` (``response.failed``), ``error`` (an
    ``error`` event then ``response.failed``, as OpenAI sends it) or
    ``error_only`` (a lone ``error`` event: the request failed before the
    response existed; ``items`` are ignored).
    ``background``: the response opens ``queued`` (``response.created`` with
    status ``queued``, then ``response.queued``) before ``in_progress``.
    ``error_style``: ``nested`` (``{"type": "error", "error": {...}}``, what
    OpenAI's API sends and Open Responses specifies) or ``flat`` (the fields
    at top level, as OpenAI's OpenAPI ``ResponseErrorEvent`` is written);
    only the ``openai`` profile uses ``flat``.
    """

    profile: Profile = "openai"
    response_id: str = "resp_0"
    model: str = "gpt-4o-mini-2024-07-18"
    created_at: int = 1_750_000_000
    items: list[Item] = field(default_factory=list)
    ending: Ending = "completed"
    background: bool = False
    error_style: Literal["nested", "flat"] = "nested"
    error_message: str = "The server had an error while processing your request."

    def __post_init__(self) -> None:
        if self.profile not in ITEM_KINDS:
            raise ValueError(f"unknown profile {self.profile!r}")
        known = ITEM_KINDS[self.profile]
        for item in self.items:
            if item.kind not in known:
                raise ValueError(f"the {self.profile} profile has no {item.kind!r} items")


def item_type(item: Item) -> str:
    """The item's ``type`` on the wire (a refusal is a ``message``)."""
    return "message" if item.kind == "refusal" else item.kind


def _final_status(plan: StreamPlan, index: int) -> str:
    item = plan.items[index]
    if plan.ending == "incomplete" and index == len(plan.items) - 1 and item.kind in _CAN_BE_INCOMPLETE:
        return "incomplete"
    return item.status


# --- item objects -------------------------------------------------------------------------------


def _part_json(part: TextPart, *, final: bool) -> Json:
    if part.refusal:
        return {"type": "refusal", "refusal": part.text if final else ""}
    return {
        "type": "output_text",
        "annotations": [a.to_json() for a in part.annotations] if final else [],
        "logprobs": [],
        "text": part.text if final else "",
    }


def item_json(item: Item, *, final: bool, status: str = "completed", profile: Profile = "openai") -> Json:
    """The item as ``output_item.added`` (``final=False``) or ``.done`` and the final response carry it."""
    kind = item.kind
    state = status if final else "in_progress"
    if kind in ("message", "refusal"):
        out: Json = {
            "id": item.id,
            "type": "message",
            "status": state,
            "content": [_part_json(p, final=True) for p in item.parts] if final else [],
            "role": "assistant",
        }
        if item.phase is not None:
            out["phase"] = item.phase
        return out
    if kind == "function_call":
        return {
            "id": item.id,
            "type": "function_call",
            "status": state,
            "arguments": item.joined if final else "",
            "call_id": item.call_id,
            "name": item.name,
        }
    if kind == "reasoning":
        out = {
            "id": item.id,
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": "".join(s)} for s in item.summaries] if final else [],
        }
        if item.reasoning or profile == "openresponses":
            out["content"] = [{"type": "reasoning_text", "text": "".join(r)} for r in item.reasoning] if final else []
        if item.encrypted_content is not None:
            out["encrypted_content"] = item.encrypted_content
        out["status"] = state
        return out
    if kind == "web_search_call":
        action: Json = {"type": "search", "query": item.queries[0] if item.queries else ""}
        if final:
            action["queries"] = list(item.queries)
        return {"id": item.id, "type": "web_search_call", "status": state, "action": action}
    if kind == "file_search_call":
        return {
            "id": item.id,
            "type": "file_search_call",
            "status": state,
            "queries": list(item.queries) if final else [],
            "results": None,
        }
    if kind == "code_interpreter_call":
        return {
            "id": item.id,
            "type": "code_interpreter_call",
            "status": state,
            "code": item.joined if final else "",
            "container_id": item.container_id,
            "outputs": [{"type": "logs", "logs": item.output}] if final and item.output else [],
        }
    if kind == "image_generation_call":
        out = {"id": item.id, "type": "image_generation_call", "status": state, "result": None}
        if final:
            out.update(result=item.result, output_format="png", quality="low", size="1024x1024")
        return out
    if kind == "mcp_call":
        return {
            "id": item.id,
            "type": "mcp_call",
            "status": state,
            "approval_request_id": None,
            "arguments": item.joined if final else "",
            "error": None,
            "name": item.name,
            "output": item.output if final else None,
            "server_label": item.server_label,
        }
    if kind == "mcp_list_tools":
        return {
            "id": item.id,
            "type": "mcp_list_tools",
            "server_label": item.server_label,
            "tools": copy.deepcopy(item.tools) if final else [],
        }
    if kind == "shell_call":
        return {
            "id": item.id,
            "type": "shell_call",
            "status": state,
            "action": {
                "commands": ["".join(c) for c in item.commands] if final else [],
                "max_output_length": None,
                "timeout_ms": None,
            },
            "call_id": item.call_id,
            "environment": {"type": "container_reference", "container_id": item.container_id},
        }
    if kind == "shell_call_output":
        return {
            "id": item.id,
            "type": "shell_call_output",
            "status": state,
            "call_id": item.call_id,
            "max_output_length": None,
            "output": [_shell_output(c) for c in item.commands] if final else [],
        }
    if kind == "custom_tool_call":
        return {
            "id": item.id,
            "type": "custom_tool_call",
            "status": state,
            "call_id": item.call_id,
            "input": item.joined if final else "",
            "name": item.name,
        }
    raise ValueError(f"unknown item kind {kind!r}")


def _shell_output(chunks: list[str]) -> Json:
    return {"outcome": {"type": "exit", "exit_code": 0}, "stderr": "", "stdout": "".join(chunks)}


# --- the response object ------------------------------------------------------------------------


def _tools(plan: StreamPlan) -> list[Json]:
    tools: list[Json] = []
    seen: set[tuple[str, str]] = set()

    def add(key: tuple[str, str], tool: Json) -> None:
        if key not in seen:
            seen.add(key)
            tools.append(tool)

    for item in plan.items:
        kind = item.kind
        if kind == "function_call":
            add(
                ("function", item.name),
                {
                    "type": "function",
                    "name": item.name,
                    "description": None,
                    "parameters": {"type": "object", "properties": {}, "additionalProperties": True},
                    "strict": False,
                },
            )
        elif kind == "web_search_call":
            add(("web_search", ""), {"type": "web_search"})
        elif kind == "file_search_call":
            add(("file_search", ""), {"type": "file_search", "vector_store_ids": ["vs_0001"]})
        elif kind == "code_interpreter_call":
            add(("code_interpreter", ""), {"type": "code_interpreter", "container": {"type": "auto"}})
        elif kind == "image_generation_call":
            add(("image_generation", ""), {"type": "image_generation"})
        elif kind in ("mcp_call", "mcp_list_tools"):
            add(
                ("mcp", item.server_label),
                {"type": "mcp", "server_label": item.server_label, "server_url": "https://mcp.example.com/mcp"},
            )
        elif kind == "custom_tool_call":
            add(("custom", item.name), {"type": "custom", "name": item.name})
        elif kind in ("shell_call", "shell_call_output"):
            add(("shell", ""), {"type": "shell"})
    return tools


def response_json(plan: StreamPlan, status: str, output: list[Json] | None = None) -> Json:
    """The response object in a lifecycle event, with the fields both profiles require."""
    out: Json = {
        "id": plan.response_id,
        "object": "response",
        "created_at": plan.created_at,
        "status": status,
        "background": plan.background,
        "completed_at": plan.created_at + 2 if status == "completed" else None,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": plan.model,
        "output": output if output is not None else [],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "prompt_cache_key": None,
        "reasoning": {"effort": None, "summary": None},
        "safety_identifier": None,
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": _tools(plan),
        "top_logprobs": 0,
        "top_p": 1.0,
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "truncation": "disabled",
        "usage": _usage(plan) if status in ("completed", "incomplete") else None,
        "metadata": {},
    }
    if status == "incomplete":
        out["incomplete_details"] = {"reason": "max_output_tokens"}
        out["max_output_tokens"] = 16
    if status == "failed":
        out["error"] = {"code": "server_error", "message": plan.error_message}
    return out


def _usage(plan: StreamPlan) -> Json:
    produced = sum(
        len(item.joined) + sum(len(p.text) for p in item.parts) + sum(len("".join(s)) for s in item.summaries)
        for item in plan.items
    )
    output_tokens = produced // 4 + len(plan.items)
    reasoning_tokens = sum(len("".join(r)) // 4 for item in plan.items for r in item.reasoning)
    return {
        "input_tokens": 12,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens + reasoning_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": 12 + output_tokens + reasoning_tokens,
    }


def final_output(plan: StreamPlan) -> list[Json]:
    """The items of the terminal response, exactly as their ``output_item.done`` carried them."""
    return [
        item_json(item, final=True, status=_final_status(plan, i), profile=plan.profile)
        for i, item in enumerate(plan.items)
    ]


def final_response(plan: StreamPlan) -> Json:
    """The response object of the terminal lifecycle event."""
    status = {"completed": "completed", "incomplete": "incomplete"}.get(plan.ending, "failed")
    return response_json(plan, status, final_output(plan))


# --- events -------------------------------------------------------------------------------------


class _Events:
    def __init__(self) -> None:
        self.events: list[Json] = []

    def add(self, kind: str, **fields: Any) -> None:
        event: Json = {"type": kind, "sequence_number": len(self.events)}
        event.update(fields)
        self.events.append(event)


def build_events(plan: StreamPlan) -> list[Json]:
    """Every event of the stream, in order, with ``sequence_number`` 0, 1, 2, ..."""
    out = _Events()
    if plan.ending == "error_only":
        _error_event(out, plan)
        return out.events
    if plan.background:
        out.add("response.created", response=response_json(plan, "queued"))
        out.add("response.queued", response=response_json(plan, "queued"))
    else:
        out.add("response.created", response=response_json(plan, "in_progress"))
    out.add("response.in_progress", response=response_json(plan, "in_progress"))
    for index, item in enumerate(plan.items):
        _item_events(out, plan, index, item)
    if plan.ending == "error":
        _error_event(out, plan)
    if plan.ending in ("error", "failed"):
        out.add("response.failed", response=final_response(plan))
    elif plan.ending == "incomplete":
        out.add("response.incomplete", response=final_response(plan))
    else:
        out.add("response.completed", response=final_response(plan))
    return out.events


def _error_event(out: _Events, plan: StreamPlan) -> None:
    if plan.profile == "openai" and plan.error_style == "flat":
        out.add("error", code="server_error", message=plan.error_message, param=None)
    else:
        out.add(
            "error",
            error={"type": "server_error", "code": "server_error", "message": plan.error_message, "param": None},
        )


def _item_events(out: _Events, plan: StreamPlan, index: int, item: Item) -> None:
    status = _final_status(plan, index)
    out.add("response.output_item.added", output_index=index, item=item_json(item, final=False, profile=plan.profile))
    where: Json = {"item_id": item.id, "output_index": index}
    emit = _ITEM_BODIES.get(item.kind)
    if emit is not None:
        emit(out, plan, item, where)
    out.add(
        "response.output_item.done",
        output_index=index,
        item=item_json(item, final=True, status=status, profile=plan.profile),
    )


def _message_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    for content_index, part in enumerate(item.parts):
        at = {**where, "content_index": content_index}
        out.add("response.content_part.added", **at, part=_part_json(part, final=False))
        if part.refusal:
            for chunk in part.chunks:
                out.add("response.refusal.delta", **at, delta=chunk)
            out.add("response.refusal.done", **at, refusal=part.text)
        else:
            for chunk in part.chunks:
                out.add("response.output_text.delta", **at, delta=chunk, logprobs=[])
            for annotation_index, annotation in enumerate(part.annotations):
                out.add(
                    "response.output_text.annotation.added",
                    **at,
                    annotation_index=annotation_index,
                    annotation=annotation.to_json(),
                )
            out.add("response.output_text.done", **at, text=part.text, logprobs=[])
        out.add("response.content_part.done", **at, part=_part_json(part, final=True))


def _function_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    for chunk in item.chunks:
        out.add("response.function_call_arguments.delta", **where, delta=chunk)
    if plan.profile == "openai":
        out.add("response.function_call_arguments.done", **where, name=item.name, arguments=item.joined)
    else:
        out.add("response.function_call_arguments.done", **where, arguments=item.joined)


def _reasoning_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    for summary_index, chunks in enumerate(item.summaries):
        at = {**where, "summary_index": summary_index}
        text = "".join(chunks)
        out.add("response.reasoning_summary_part.added", **at, part={"type": "summary_text", "text": ""})
        for chunk in chunks:
            out.add("response.reasoning_summary_text.delta", **at, delta=chunk)
        out.add("response.reasoning_summary_text.done", **at, text=text)
        out.add("response.reasoning_summary_part.done", **at, part={"type": "summary_text", "text": text})
    prefix = "response.reasoning_text" if plan.profile == "openai" else "response.reasoning"
    for content_index, chunks in enumerate(item.reasoning):
        at = {**where, "content_index": content_index}
        text = "".join(chunks)
        out.add("response.content_part.added", **at, part={"type": "reasoning_text", "text": ""})
        for chunk in chunks:
            out.add(f"{prefix}.delta", **at, delta=chunk)
        out.add(f"{prefix}.done", **at, text=text)
        out.add("response.content_part.done", **at, part={"type": "reasoning_text", "text": text})


def _search_body(kind: str) -> Callable[[_Events, StreamPlan, Item, Json], None]:
    def body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
        out.add(f"response.{kind}.in_progress", **where)
        out.add(f"response.{kind}.searching", **where)
        out.add(f"response.{kind}.completed", **where)

    return body


def _code_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    out.add("response.code_interpreter_call.in_progress", **where)
    for chunk in item.chunks:
        out.add("response.code_interpreter_call_code.delta", **where, delta=chunk)
    out.add("response.code_interpreter_call_code.done", **where, code=item.joined)
    out.add("response.code_interpreter_call.interpreting", **where)
    out.add("response.code_interpreter_call.completed", **where)


def _image_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    out.add("response.image_generation_call.in_progress", **where)
    out.add("response.image_generation_call.generating", **where)
    for partial_index, image in enumerate(item.partial_images):
        out.add(
            "response.image_generation_call.partial_image",
            **where,
            partial_image_index=partial_index,
            partial_image_b64=image,
        )
    out.add("response.image_generation_call.completed", **where)


def _mcp_call_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    out.add("response.mcp_call.in_progress", **where)
    for chunk in item.chunks:
        out.add("response.mcp_call_arguments.delta", **where, delta=chunk)
    out.add("response.mcp_call_arguments.done", **where, arguments=item.joined)
    out.add("response.mcp_call.completed", **where)


def _mcp_list_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    out.add("response.mcp_list_tools.in_progress", **where)
    out.add("response.mcp_list_tools.completed", **where)


def _custom_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    for chunk in item.chunks:
        out.add("response.custom_tool_call_input.delta", **where, delta=chunk)
    out.add("response.custom_tool_call_input.done", **where, input=item.joined)


def _shell_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    index = where["output_index"]
    for command_index, chunks in enumerate(item.commands):
        at = {"output_index": index, "command_index": command_index}
        out.add("response.shell_call_command.added", **at, command="")
        for chunk in chunks:
            out.add("response.shell_call_command.delta", **at, delta=chunk)
        out.add("response.shell_call_command.done", **at, command="".join(chunks))


def _shell_output_body(out: _Events, plan: StreamPlan, item: Item, where: Json) -> None:
    for command_index, chunks in enumerate(item.commands):
        at = {**where, "command_index": command_index}
        for chunk in chunks:
            out.add("response.shell_call_output_content.delta", **at, delta={"stdout": chunk})
        out.add("response.shell_call_output_content.done", **at, output=[_shell_output(chunks)])


_ITEM_BODIES: dict[str, Callable[[_Events, StreamPlan, Item, Json], None]] = {
    "message": _message_body,
    "refusal": _message_body,
    "function_call": _function_body,
    "reasoning": _reasoning_body,
    "web_search_call": _search_body("web_search_call"),
    "file_search_call": _search_body("file_search_call"),
    "code_interpreter_call": _code_body,
    "image_generation_call": _image_body,
    "mcp_call": _mcp_call_body,
    "mcp_list_tools": _mcp_list_body,
    "custom_tool_call": _custom_body,
    "shell_call": _shell_body,
    "shell_call_output": _shell_output_body,
}


def expected_reconstruction(plan: StreamPlan) -> Json:
    """What a correct reader reconstructs from the stream: the terminal response's key facts.

    The shape matches ``Checker.reconstruction()``: id, status, and per output
    item its id, type, status and the texts, names and arguments streamed.
    """
    if plan.ending == "error_only":
        return {"id": None, "status": None, "output": []}
    response = final_response(plan)
    return {
        "id": response["id"],
        "status": response["status"],
        "output": [summarise_item(i) for i in response["output"]],
    }


def summarise_item(item: Json) -> Json:
    """The facts of one output item that a reconstruction must get right."""
    out: Json = {"id": item.get("id"), "type": item.get("type")}
    kind = item.get("type")
    if kind == "message":
        out["content"] = [
            {"type": p.get("type"), "text": p.get("text", p.get("refusal"))} for p in item.get("content") or []
        ]
    elif kind == "function_call":
        out.update(name=item.get("name"), call_id=item.get("call_id"), arguments=item.get("arguments"))
    elif kind == "reasoning":
        out["summary"] = [p.get("text") for p in item.get("summary") or []]
    elif kind == "custom_tool_call":
        out.update(name=item.get("name"), call_id=item.get("call_id"), input=item.get("input"))
    elif kind == "mcp_call":
        out.update(name=item.get("name"), arguments=item.get("arguments"))
    elif kind == "shell_call":
        action = item.get("action")
        out.update(call_id=item.get("call_id"), commands=action.get("commands") if isinstance(action, dict) else None)
    return out


@dataclass(frozen=True)
class GeneratedStream:
    """A valid stream: its plan, its events, and its bytes in each format.

    ``sse()`` writes what a conforming server of the profile sends: an
    ``event:`` line equal to each type, and, in the ``openresponses``
    profile, the closing ``data: [DONE]`` (OpenAI's API does not send it).
    """

    plan: StreamPlan
    events: list[Json]

    @classmethod
    def from_plan(cls, plan: StreamPlan) -> GeneratedStream:
        return cls(plan, build_events(plan))

    @property
    def profile(self) -> Profile:
        return self.plan.profile

    def sse(self) -> bytes:
        from validator.writers import to_sse

        return to_sse(self.events, done=self.profile == "openresponses")

    def jsonl(self) -> bytes:
        from validator.writers import to_jsonl

        return to_jsonl(self.events)

    def json(self) -> bytes:
        from validator.writers import to_json

        return to_json(self.events)

    def to_bytes(self, fmt: str) -> bytes:
        if fmt == "sse":
            return self.sse()
        if fmt == "jsonl":
            return self.jsonl()
        if fmt == "json":
            return self.json()
        raise ValueError(f"unknown format {fmt!r}; choose from sse, jsonl, json")

    def expected(self) -> Json:
        """The reconstruction a correct reader must arrive at (see ``expected_reconstruction``)."""
        return expected_reconstruction(self.plan)

    def __len__(self) -> int:
        return len(self.events)

    def __repr__(self) -> str:
        kinds = ", ".join(item.kind for item in self.plan.items) or "no items"
        opening = " background" if self.plan.background else ""
        return (
            f"<GeneratedStream {self.profile}{opening}: {len(self.events)} events; {kinds}; "
            f"ending {self.plan.ending}; .sse() for the bytes>"
        )
