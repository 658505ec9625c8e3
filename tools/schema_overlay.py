"""Our corrections to the specs' schemas: the overlay that tools/build_schemas.py applies.

Every entry says what it changes, in which profile, why (one line) and
where the evidence is (a corpus file under ../shared/corpus, an SDK module,
or a section of the spec). Entries apply to the cleaned schemas, after the
spec's ``#/components/schemas/X`` references became ``#/$defs/X`` and before
unions become dispatches on ``type``.

``target`` is either a component name (``FunctionToolCall``) or
``event:<type>`` for an event schema (``event:*``: every event, for
``Unrequire``); ``path`` is a JSON pointer inside it.
An entry whose target or path is missing stops the build (``OverlayError``),
so an entry that a new spec release made stale is noticed, not silently kept.

Kinds of entry:

* ``AddEvent``: an event type that the spec's union lacks.
* ``Unrequire``: fields the spec requires that production leaves out.
* ``AddProperty``: a property production sends that the spec does not
  declare (extra properties are allowed anyway; declaring it checks its type).
* ``Replace``: a sub-schema replaced outright.
* ``ExtensionBranch``: a union that also admits slug-prefixed extension types.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


class OverlayError(Exception):
    """An overlay entry does not fit the spec it is applied to."""


@dataclass(frozen=True)
class Entry:
    profile: str
    target: str
    reason: str
    evidence: str

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": type(self).__name__, "target": self.target}
        for name in ("path", "fields", "name"):
            value = getattr(self, name, None)
            if value:
                out[name] = list(value) if isinstance(value, tuple) else value
        out["reason"] = self.reason
        out["evidence"] = self.evidence
        return out

    def _root(self, components: dict[str, Any], events: dict[str, Any]) -> Any:
        if self.target.startswith("event:"):
            tag = self.target[len("event:") :]
            if tag not in events:
                raise OverlayError(f"{self.profile}: no event {tag!r} for overlay entry")
            return events[tag]
        if self.target not in components:
            raise OverlayError(f"{self.profile}: no component {self.target!r} for overlay entry")
        return components[self.target]


def _at(schema: Any, pointer: str, what: str) -> Any:
    node = schema
    if pointer:
        for raw in pointer.lstrip("/").split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise OverlayError(f"{what}: no {pointer!r}")
    return node


@dataclass(frozen=True)
class AddEvent(Entry):
    schema: dict[str, Any] = field(default_factory=dict)

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        tag = self.target[len("event:") :]
        if tag in events:
            raise OverlayError(f"{self.profile}: event {tag!r} is in the spec now; drop the AddEvent entry")
        events[tag] = copy.deepcopy(self.schema)


@dataclass(frozen=True)
class Unrequire(Entry):
    fields: tuple[str, ...] = ()
    path: str = ""

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        if self.target == "event:*":
            hits = [schema for schema in events.values() if set(self.fields) <= set(schema.get("required", ()))]
            if not hits:
                raise OverlayError(f"{self.profile}: no event requires {list(self.fields)}")
            for schema in hits:
                schema["required"] = [f for f in schema["required"] if f not in self.fields]
            return
        node = _at(self._root(components, events), self.path, self.target)
        required = node.get("required", [])
        missing = [f for f in self.fields if f not in required]
        if missing:
            raise OverlayError(f"{self.profile}: {self.target}{self.path} does not require {missing}")
        node["required"] = [f for f in required if f not in self.fields]


@dataclass(frozen=True)
class AddProperty(Entry):
    name: str = ""
    schema: dict[str, Any] = field(default_factory=dict)
    path: str = ""

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        node = _at(self._root(components, events), self.path, self.target)
        props = node.setdefault("properties", {})
        if self.name in props:
            raise OverlayError(f"{self.profile}: {self.target} declares {self.name!r} now; drop the entry")
        props[self.name] = copy.deepcopy(self.schema)


@dataclass(frozen=True)
class ExtensionBranch(Entry):
    """A union of type-tagged objects also admits slug-prefixed extension types.

    The build turns the added branch into the open case of the dispatch on
    ``type``: a known type is checked against its own schema, a slug-prefixed
    one against ``schema``, anything else is outside the union's enum.
    """

    path: str = ""
    schema: dict[str, Any] = field(default_factory=dict)

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        node = _at(self._root(components, events), self.path, self.target)
        for key in ("oneOf", "anyOf"):
            if isinstance(node.get(key), list):
                node[key].append(copy.deepcopy(self.schema))
                return
        raise OverlayError(f"{self.profile}: {self.target}{self.path} is not a union")


@dataclass(frozen=True)
class Replace(Entry):
    path: str = ""
    schema: dict[str, Any] = field(default_factory=dict)

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        root = self._root(components, events)
        if not self.path:
            root.clear()
            root.update(copy.deepcopy(self.schema))
            return
        parent_path, _, last = self.path.rpartition("/")
        parent = _at(root, parent_path, self.target)
        key: Any = int(last) if isinstance(parent, list) else last.replace("~1", "/").replace("~0", "~")
        if isinstance(parent, dict) and key not in parent:
            raise OverlayError(f"{self.profile}: {self.target} has no {self.path!r}")
        parent[key] = copy.deepcopy(self.schema)


SLUG_PREFIXED = "^[A-Za-z0-9][A-Za-z0-9_.-]*:"
NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}

OVERLAY: tuple[Entry, ...] = (
    # --- openai --------------------------------------------------------------------------------
    AddEvent(
        "openai",
        "event:response.compaction.compacting",
        reason="the official SDK's event union has it; the OpenAPI spec's ResponseStreamEvent does not",
        evidence="openai-python openai/types/responses/response_compaction_compacting_event.py; "
        "shared/specs/openai/python-sdk-events.json",
        schema={
            "type": "object",
            "required": ["item_id", "output_index", "sequence_number", "type"],
            "properties": {
                "type": {"type": "string", "enum": ["response.compaction.compacting"]},
                "item_id": {"type": "string"},
                "output_index": {"type": "integer"},
                "sequence_number": {"type": "integer"},
            },
        },
    ),
    Replace(
        "openai",
        "event:error",
        reason="production nests code/message/param under `error`; the spec has them flat: accept either form",
        evidence="corpus/real/vercel__openai-error-insufficient-quota.sse (event 2)",
        schema={
            "type": "object",
            "required": ["type", "sequence_number"],
            "properties": {
                "type": {"type": "string", "enum": ["error"]},
                "sequence_number": {"type": "integer"},
                "code": NULLABLE_STRING,
                "message": {"type": "string"},
                "param": NULLABLE_STRING,
                "error": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "type": {"type": "string"},
                        "code": NULLABLE_STRING,
                        "message": {"type": "string"},
                        "param": NULLABLE_STRING,
                    },
                },
            },
            "if": {"required": ["error"]},
            "else": {"required": ["code", "message", "param"]},
        },
    ),
    Unrequire(
        "openai",
        "event:response.function_call_arguments.done",
        fields=("name",),
        reason="production sends the done event without `name` (the item carries it)",
        evidence="corpus/real/vercel__openai-function-call*.sse and every other OpenAI function-call recording",
    ),
    Unrequire(
        "openai",
        "event:*",
        fields=("sequence_number",),
        reason="production streams before 2025-04 carry no `sequence_number`; the SEQ rules judge its absence",
        evidence="corpus/real/pydai__stream__i0.sse, pydai__stream__i1.sse (gpt-4o-2024-08-06, created_at 1743082657)",
    ),
    Unrequire(
        "openai",
        "event:response.output_text.delta",
        fields=("logprobs",),
        reason="older production streams send text deltas without `logprobs`",
        evidence="corpus/real/pydai__stream__i1.sse",
    ),
    Unrequire(
        "openai",
        "event:response.output_text.done",
        fields=("logprobs",),
        reason="older production streams send text done events without `logprobs`",
        evidence="corpus/real/pydai__stream__i1.sse",
    ),
    Unrequire(
        "openai",
        "OutputTextContent",
        fields=("logprobs",),
        reason="older production streams send output_text parts without `logprobs`",
        evidence="corpus/real/pydai__stream__i1.sse (content_part.added/done, output_item.done, response.completed)",
    ),
    *(
        AddProperty(
            "openai",
            f"event:{tag}",
            name="obfuscation",
            schema={"type": "string"},
            reason="production pads delta events with an undeclared `obfuscation` string",
            evidence=f"corpus/real: {tag} events of the OpenAI recordings, e.g. {example}",
        )
        for tag, example in (
            ("response.output_text.delta", "vercel__openai-web-search.sse"),
            ("response.function_call_arguments.delta", "pydai__openai_client_tool_search_streaming__i0.sse"),
            ("response.reasoning_summary_text.delta", "vercel__azure-reasoning-encrypted__r1.sse"),
            ("response.code_interpreter_call_code.delta", "vercel__openai-code-interpreter.sse"),
            ("response.custom_tool_call_input.delta", "vercel__openai-custom-text-tool.sse"),
            ("response.mcp_call_arguments.delta", "pydai__model_mcp_server_tool_stream__i0.sse"),
        )
    ),
    Replace(
        "openai",
        "ModelResponseProperties",
        path="/properties/user",
        schema=NULLABLE_STRING,
        reason="production sends `user: null` in the Response object when the request set none",
        evidence="corpus/real/pydai__streaming_usage__i0.sse and most 2025-2026 OpenAI/Azure recordings",
    ),
    Replace(
        "openai",
        "Response",
        path="/allOf/2/properties/usage",
        schema={"anyOf": [{"$ref": "#/$defs/ResponseUsage"}, {"type": "null"}]},
        reason="production sends `usage: null` until the response completes",
        evidence="corpus/real: response.created/in_progress of most OpenAI recordings, e.g. vercel__azure-text.sse",
    ),
    Unrequire(
        "openai",
        "ResponseUsage",
        path="/properties/input_tokens_details",
        fields=("cache_write_tokens",),
        reason="the spec added `cache_write_tokens`; production usage objects do not carry it",
        evidence="corpus/real: response.completed of every OpenAI recording, e.g. vercel__openai-web-search.sse",
    ),
    Replace(
        "openai",
        "MCPTool",
        path="/properties/server_description",
        schema=NULLABLE_STRING,
        reason="production echoes MCP tools with `server_description: null`",
        evidence="corpus/real/pydai__model_mcp_server_tool_stream__i0.sse",
    ),
    Replace(
        "openai",
        "ResponseError",
        path="/anyOf/0/properties/code",
        schema={"type": "string"},
        reason="production fails responses with codes outside the spec's enum (`insufficient_quota`)",
        evidence="corpus/real/vercel__openai-error-insufficient-quota.sse (response.failed)",
    ),
    Unrequire(
        "openai",
        "WebSearchToolCall",
        fields=("action",),
        reason="production announces a web_search_call in output_item.added before it has an `action`",
        evidence="corpus/real/pydai__run__i0.sse, pydai__web_search_citations_stream__i0.sse",
    ),
    Unrequire(
        "openai",
        "ImageGenToolCall",
        fields=("result",),
        reason="production announces an image_generation_call in output_item.added without `result`",
        evidence="corpus/real/vercel__openai-image-generation.sse, vercel__azure-image-generation.sse",
    ),
    Unrequire(
        "openai",
        "FunctionShellCall",
        fields=("environment",),
        reason="production sends shell_call items without `environment`",
        evidence="corpus/real/vercel__openai-shell__r1.sse (output_item.added/done, response.completed)",
    ),
)


OVERLAY += (
    # --- openresponses -------------------------------------------------------------------------
    ExtensionBranch(
        "openresponses",
        "ItemField",
        reason="the spec lets implementors add item types prefixed with their slug; each still needs id, type, status",
        evidence="specification-2026-04-24.md, Items are extensible; Extending Items / Required item fields",
        schema={
            "type": "object",
            "required": ["type", "id", "status"],
            "properties": {"type": {"type": "string", "pattern": SLUG_PREFIXED}, "id": {"type": "string"}},
        },
    ),
)


def entries(profile: str) -> list[Entry]:
    return [entry for entry in OVERLAY if entry.profile == profile]


def apply(profile: str, components: dict[str, Any], events: dict[str, Any]) -> None:
    for entry in entries(profile):
        entry.apply(components, events)
