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
* ``AddEnum``: values production sends that the spec's enum lacks.
* ``AddVariant``: a union member production sends that the spec's union lacks.
* ``Accept``: a difference from openai-python's types (``tools/sdk_drift.py``)
  that we keep on purpose; it changes no schema.

``tools/sdk_drift.py`` compares the built schemas with the installed
openai-python SDK's types; every difference it finds must be *explained* by
an entry (``Entry.explains``): an entry that makes our schema differ from the
SDK on purpose names the place, and its reason is the explanation. Entries
that bring our schema in line with the SDK explain nothing (no difference is
left), except where they deliberately accept more than the SDK (an enum value
or a union member the SDK lacks). An ``Accept`` entry that explains no
difference is stale and fails the drift test, as a stale entry of any other
kind fails the build.
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

    def explains(self, drift: Any) -> bool:
        """Whether this entry is the reason for an SDK difference (a ``sdk_drift.Drift``)."""
        return False

    def _here(self, drift: Any, path: str, *extra: str) -> bool:
        """The drift is at this entry's target, at ``path`` (a pointer) plus ``extra`` fields."""
        return _same_target(self.target, drift.target) and tuple(drift.fields) == (*pointer_fields(path), *extra)

    def _under(self, drift: Any, path: str) -> bool:
        base = pointer_fields(path)
        return _same_target(self.target, drift.target) and tuple(drift.fields)[: len(base)] == base

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


def pointer_fields(pointer: str) -> tuple[str, ...]:
    """The field path a JSON pointer into a schema names: property names, ``[]`` for array items.

    ``/allOf/2/properties/usage`` -> ``("usage",)``; union and ``allOf`` steps name no field.
    """
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")] if pointer else []
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i] == "properties" and i + 1 < len(parts):
            out.append(parts[i + 1])
            i += 2
            continue
        if parts[i] == "items":
            out.append("[]")
        i += 1
    return tuple(out)


def _same_target(entry: str, drift: str) -> bool:
    return entry == drift or (entry == "event:*" and drift.startswith("event:"))


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

    def explains(self, drift: Any) -> bool:
        # Only that the SDK's union lacks the event; where the SDK has it, the two are compared.
        return bool(drift.target == self.target and drift.kind == "event" and drift.only == "ours")


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

    def explains(self, drift: Any) -> bool:
        # The SDK requires the field (or no longer declares it); we do not require it.
        wanted = drift.kind == "required" or (drift.kind == "field" and drift.only == "ours")
        return wanted and any(self._here(drift, self.path, f) for f in self.fields)


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

    def explains(self, drift: Any) -> bool:
        # Only a property the SDK does not declare: where it does, the two are compared.
        return bool(drift.kind == "field" and drift.only == "ours" and self._here(drift, self.path, self.name))


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

    def explains(self, drift: Any) -> bool:
        return self._under(drift, self.path)


@dataclass(frozen=True)
class AddEnum(Entry):
    """Values added to the ``enum`` at ``path`` (a string enum, or a nullable one)."""

    path: str = ""
    values: tuple[str, ...] = ()

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        node = _at(self._root(components, events), self.path, self.target)
        if not isinstance(node.get("enum"), list):
            raise OverlayError(f"{self.profile}: {self.target}{self.path} has no enum")
        present = [v for v in self.values if v in node["enum"]]
        if present:
            raise OverlayError(f"{self.profile}: {self.target}{self.path} has {present} now; drop them from the entry")
        node["enum"] = [*node["enum"], *self.values]

    def explains(self, drift: Any) -> bool:
        # Only where we accept values the SDK lacks; values the SDK has and we lack still show.
        return bool(drift.kind == "enum" and drift.stricter == "sdk" and self._here(drift, self.path))

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "values": list(self.values)}


@dataclass(frozen=True)
class AddVariant(Entry):
    """A member added to the union (``anyOf``/``oneOf``) at ``path``."""

    path: str = ""
    tag: str = ""
    schema: dict[str, Any] = field(default_factory=dict)

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        node = _at(self._root(components, events), self.path, self.target)
        for key in ("oneOf", "anyOf"):
            if isinstance(node.get(key), list):
                if any(_branch_tag(b, components) == self.tag for b in node[key]):
                    raise OverlayError(f"{self.profile}: {self.target}{self.path} has {self.tag!r} now; drop the entry")
                node[key].append(copy.deepcopy(self.schema))
                return
        raise OverlayError(f"{self.profile}: {self.target}{self.path} is not a union")

    def explains(self, drift: Any) -> bool:
        return bool(drift.kind == "variant" and drift.only == "ours" and self._here(drift, self.path))

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "tag": self.tag}


def _branch_tag(branch: Any, components: dict[str, Any], depth: int = 0) -> str | None:
    if not isinstance(branch, dict) or depth > 10:
        return None
    ref = branch.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _branch_tag(components.get(ref[len("#/$defs/") :]), components, depth + 1)
    prop = branch.get("properties", {}).get("type", {})
    values = [prop["const"]] if "const" in prop else prop.get("enum", [])
    return str(values[0]) if len(values) == 1 else None


@dataclass(frozen=True)
class Accept(Entry):
    """A difference from openai-python's types that we keep on purpose; it changes no schema.

    ``kinds`` are the drift kinds it explains, at ``path`` (a pointer, as in
    the other entries) plus the field ``name`` when set, on ``surface`` (``sse``,
    ``websocket-server`` or ``websocket-client``). The build checks that the
    place exists (``client:`` targets name the SDK's client events, which
    have no schema of ours); the drift test that the difference does.
    """

    kinds: tuple[str, ...] = ()
    path: str = ""
    name: str = ""
    surface: str = "sse"

    def apply(self, components: dict[str, Any], events: dict[str, Any]) -> None:
        if self.target.startswith("client:") or self.target == "event:*":
            return
        if self.target.startswith("event:") and "event" in self.kinds and not self.path:
            if self.target[len("event:") :] in events:
                raise OverlayError(f"{self.profile}: {self.target} is defined now; drop the Accept entry")
            return
        _at(self._root(components, events), self.path, self.target)

    def explains(self, drift: Any) -> bool:
        extra = (self.name,) if self.name else ()
        return bool(drift.kind in self.kinds and drift.surface == self.surface and self._here(drift, self.path, *extra))

    def summary(self) -> dict[str, Any]:
        out = super().summary()
        out["kinds"] = list(self.kinds)
        out["surface"] = self.surface
        return out


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


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(required: tuple[str, ...] = (), **props: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def _enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


INTEGER = {"type": "integer"}
STRING = {"type": "string"}
SDK = "openai-python 3.57.0 openai/types/responses/"
# Deltas the spec's own text says carry `obfuscation` ("adds random characters to an `obfuscation`
# field on streaming delta events", StreamOptions.include_obfuscation) but whose schemas lack it.
_DELTAS_WITHOUT_OBFUSCATION = (
    "response.audio.delta",
    "response.audio.transcript.delta",
    "response.reasoning_text.delta",
    "response.refusal.delta",
    "response.shell_call_output_content.delta",
)
_TOKEN_SPLIT = _object(("image_tokens", "text_tokens"), image_tokens=INTEGER, text_tokens=INTEGER)
_EFFORT = _nullable(_enum("none", "minimal", "low", "medium", "high", "xhigh", "max"))

# openai-python 3.57 (generated from OpenAI's current API spec) against the public spec v2.3.0:
# what production has grown since. New fields are optional and nullable here whatever the SDK's
# generator says (it cannot tell optional from nullable), so older recordings stay valid.
OVERLAY += (
    *(
        AddProperty(
            "openai",
            f"event:{tag}",
            name="obfuscation",
            schema=STRING,
            reason="the spec says stream obfuscation adds an `obfuscation` string to streaming delta events",
            evidence="openapi.yaml StreamOptions.include_obfuscation; same field as on the other deltas",
        )
        for tag in _DELTAS_WITHOUT_OBFUSCATION
    ),
    AddProperty(
        "openai",
        "Response",
        path="/allOf/2",
        name="access_programs",
        schema=_nullable(_object(("cyber",), cyber=_enum("standard", "daybreak_blue", "daybreak_red"))),
        reason="production Response objects carry the access programs the request ran under",
        evidence=SDK + "response.py (Response.access_programs, AccessPrograms)",
    ),
    AddProperty(
        "openai",
        "Response",
        path="/allOf/2",
        name="image",
        schema=_nullable(_object(("context_compression",), context_compression=_enum("enabled", "disabled"))),
        reason="production Response objects echo the image input options",
        evidence=SDK + "response.py (Response.image, Image)",
    ),
    AddProperty(
        "openai",
        "Response",
        path="/allOf/2",
        name="input_transformations",
        schema=_nullable(
            {
                "type": "array",
                "items": _object(
                    ("id", "action", "reason", "type"),
                    id=STRING,
                    action=_enum("removed"),
                    reason=_enum(
                        "organization_mismatch", "end_user_mismatch", "model_mismatch", "prefix_mismatch",
                        "turn_boundary",
                    ),
                    type=_enum("reasoning"),
                ),
            }
        ),
        reason="production Response objects list input items the API removed before sampling",
        evidence=SDK + "response.py (Response.input_transformations, InputTransformation)",
    ),
    AddProperty(
        "openai",
        "Response",
        path="/allOf/2",
        name="prompt_cache_diagnostics",
        schema=_nullable(
            {
                "anyOf": [
                    _object(
                        ("cache_missed_tokens", "reason", "type"),
                        type=_enum("cache_miss"),
                        cache_missed_tokens=INTEGER,
                        reason=_enum(
                            "model_changed", "prompt_cache_key_changed", "tools_changed", "text_format_changed",
                            "reasoning_effort_changed", "verbosity_changed", "context_compacted", "input_changed",
                            "service_tier_changed",
                        ),
                        comparison_reusable_tokens=_nullable(INTEGER),
                    ),
                    _object(("type",), type=_enum("cache_hit")),
                    _object(("type",), type=_enum("comparison_response_not_found")),
                    _object(("type",), type=_enum("unavailable")),
                ]
            }
        ),
        reason="production Response objects explain prompt-cache hits and misses",
        evidence=SDK + "response.py (Response.prompt_cache_diagnostics, PromptCacheDiagnostics*)",
    ),
    AddProperty(
        "openai",
        "Response",
        path="/allOf/2",
        name="tool_usage",
        schema=_nullable(
            _object(
                ("image_gen", "web_search"),
                image_gen=_object(
                    ("input_tokens", "input_tokens_details", "output_tokens", "total_tokens"),
                    input_tokens=INTEGER,
                    input_tokens_details=_TOKEN_SPLIT,
                    output_tokens=INTEGER,
                    total_tokens=INTEGER,
                    cached_tokens=_nullable(INTEGER),
                    cached_tokens_details=_nullable(
                        _object(
                            ("cached_image_tokens", "cached_text_tokens"),
                            cached_image_tokens=INTEGER,
                            cached_text_tokens=INTEGER,
                        )
                    ),
                    output_tokens_details=_nullable(_TOKEN_SPLIT),
                ),
                web_search=_object(("num_requests",), num_requests=INTEGER),
            )
        ),
        reason="production Response objects report hosted-tool usage",
        evidence=SDK + "response.py (ToolUsage); corpus/real/pydai__moderation_stream__i0.sse (response.completed)",
    ),
    AddEnum(
        "openai",
        "Response",
        path="/allOf/2/properties/incomplete_details/anyOf/0/properties/reason",
        values=("max_messages", "steered"),
        reason="production ends responses as incomplete for these reasons too (steering: WebSocket mode)",
        evidence=SDK + "response.py (IncompleteDetails.reason); shared/WEBSOCKET.md (steering)",
    ),
    AddProperty(
        "openai",
        "ResponseUsage",
        path="/properties/input_tokens_details",
        name="cache_write_tokens_details",
        schema=_nullable(
            _object(("ttl_12h_tokens", "ttl_30m_tokens"), ttl_12h_tokens=INTEGER, ttl_30m_tokens=INTEGER)
        ),
        reason="production usage splits cache writes by retention",
        evidence=SDK + "response_usage.py (InputTokensDetails.cache_write_tokens_details)",
    ),
    AddProperty(
        "openai",
        "ResponseError",
        path="/anyOf/0",
        name="param",
        schema=_nullable(STRING),
        reason="production response errors name the offending parameter",
        evidence=SDK + "response_error.py (ResponseError.param)",
    ),
    AddProperty(
        "openai",
        "ResponseError",
        path="/anyOf/0",
        name="type",
        schema=_nullable(STRING),
        reason="production response errors carry an error type",
        evidence=SDK + "response_error.py (ResponseError.type)",
    ),
    AddProperty(
        "openai",
        "ResponseError",
        path="/anyOf/0",
        name="misalignment",
        schema=_nullable(
            _object(
                detailed_explanation=_nullable(STRING),
                error_type=_nullable(STRING),
                review_target=_nullable(STRING),
                steer=_nullable(_object(("message",), message=STRING)),
            )
        ),
        reason="production fails responses with a misalignment review (code misalignment_policy_violation)",
        evidence=SDK + "response_error.py (ResponseError.misalignment, Misalignment)",
    ),
    *(
        AddProperty(
            "openai",
            "ImageGenToolCall",
            name=name,
            schema=schema,
            reason=f"production image_generation_call items carry `{name}`",
            evidence=SDK + "response_output_item.py (ImageGenerationCall); "
            "corpus/real/vercel__openai-image-generation.sse (background, output_format, quality, size)",
        )
        for name, schema in (
            ("action", _nullable(_enum("generate", "edit", "auto"))),
            ("background", _nullable(_enum("transparent", "opaque", "auto"))),
            ("output_format", _nullable(_enum("png", "webp", "jpeg", "gif", "svg"))),
            ("quality", _nullable(_enum("low", "medium", "high", "xhigh", "max", "auto"))),
            ("revised_prompt", _nullable(STRING)),
            ("size", _nullable(STRING)),
            (
                "error",
                _nullable(
                    _object(
                        ("message", "type"),
                        code=_nullable(STRING),
                        message=STRING,
                        param=_nullable(STRING),
                        type=STRING,
                        moderation_details=_nullable(
                            _object(
                                ("categories", "moderation_stage"),
                                categories={"type": "array", "items": STRING},
                                moderation_stage=_enum("input", "output", "unknown"),
                            )
                        ),
                    )
                ),
            ),
            (
                "svg_usage",
                _nullable(
                    _object(
                        ("input_tokens", "model", "output_tokens", "reasoning_tokens", "total_tokens"),
                        input_tokens=INTEGER,
                        model=STRING,
                        output_tokens=INTEGER,
                        reasoning_tokens=INTEGER,
                        total_tokens=INTEGER,
                    )
                ),
            ),
        )
    ),
    AddEnum(
        "openai",
        "WebSearchToolCall",
        path="/properties/status",
        values=("incomplete",),
        reason="production ends web_search_call items as incomplete when the response is cut short",
        evidence=SDK + "response_function_web_search.py (status)",
    ),
    AddEnum(
        "openai",
        "ComputerToolCallOutput",
        path="/properties/status",
        values=("failed",),
        reason="computer_call_output items may have failed",
        evidence=SDK + "response_computer_tool_call_output_item.py (status)",
    ),
    *(
        AddProperty(
            "openai",
            target,
            name="async",
            schema=_nullable({"type": "boolean"}),
            reason="function and custom tools (and their calls) may run asynchronously",
            evidence=SDK + source,
        )
        for target, source in (
            ("FunctionToolCall", "response_function_tool_call.py (async)"),
            ("CustomToolCall", "response_custom_tool_call.py (async)"),
            ("FunctionTool", "function_tool.py (async)"),
            ("FunctionToolParam", "namespace_tool.py (function tools in a namespace: async)"),
            ("CustomToolParam", "custom_tool.py (async)"),
        )
    ),
    *(
        AddProperty(
            "openai",
            "ImageGenTool",
            name=name,
            schema=schema,
            reason=f"the image_generation tool echoed in Response.tools has `{name}`",
            evidence=SDK + "tool.py (ImageGeneration)",
        )
        for name, schema in (
            ("complexity", _nullable(_enum("low", "medium", "high"))),
            ("frame_count", _nullable(INTEGER)),
            ("frame_duration_ms", _nullable(INTEGER)),
            ("svg", _nullable(_object(model=_nullable(STRING), reasoning=_nullable(_object(effort=_EFFORT))))),
        )
    ),
    AddEnum(
        "openai",
        "ImageGenTool",
        path="/properties/output_format",
        values=("gif", "svg"),
        reason="the image_generation tool takes animated and vector output formats",
        evidence=SDK + "tool.py (ImageGeneration.output_format)",
    ),
    AddEnum(
        "openai",
        "ImageGenTool",
        path="/properties/quality",
        values=("xhigh", "max"),
        reason="the image_generation tool takes two higher quality levels",
        evidence=SDK + "tool.py (ImageGeneration.quality)",
    ),
    AddEnum(
        "openai",
        "PromptCacheTTLEnum",
        values=("12h",),
        reason="prompt caches may be kept for 12 hours",
        evidence=SDK + "response.py (PromptCacheOptions.ttl)",
    ),
    AddProperty(
        "openai",
        "PromptCacheOptions",
        name="comparison_response_id",
        schema=_nullable(STRING),
        reason="prompt cache options echo the response the cache diagnostics compare against",
        evidence=SDK + "response.py (PromptCacheOptions.comparison_response_id)",
    ),
    *(
        AddProperty(
            "openai",
            target,
            name="ttl",
            schema=_enum("30m", "12h"),
            reason="prompt cache breakpoints take a retention",
            evidence=SDK + "response_input_text.py and the other input content types (prompt_cache_breakpoint.ttl)",
        )
        for target in ("PromptCacheBreakpointConfig", "PromptCacheBreakpointParam")
    ),
    AddProperty(
        "openai",
        "CompactionTriggerItemParam",
        name="id",
        schema=_nullable(STRING),
        reason="compaction_trigger input items may carry an id",
        evidence=SDK + "response_input_item.py (CompactionTrigger.id)",
    ),
    AddVariant(
        "openai",
        "InputItem",
        tag="configuration_update",
        schema=_object(
            ("type",),
            id=STRING,
            type=_enum("configuration_update"),
            reasoning=_nullable(_object(effort=_EFFORT)),
            text=_nullable(_object(("format",), format={"type": "object", "required": ["type"]})),
        ),
        reason="input items (echoed in Response.instructions) include configuration updates",
        evidence=SDK + "response_configuration_update_item.py",
    ),
    # Differences we keep.
    Accept(
        "openai",
        "Response",
        kinds=("field",),
        path="/allOf/2",
        name="output_text",
        reason="the spec declares `output_text` as an SDK-only convenience property; openai-python computes it "
        "client-side instead of declaring a field; declared here it is only type-checked when a server sends it",
        evidence="openapi.yaml Response.output_text (\"SDK-only convenience property\"); "
        "openai-python openai/types/responses/response.py (Response.output_text is a @property)",
    ),
    Accept(
        "openai",
        "event:*",
        kinds=("field",),
        name="stream_id",
        surface="websocket-server",
        reason="`stream_id` is a WebSocket lane id that only WebSocket server events echo; SSE events never carry "
        "it (an undeclared property is allowed anyway)",
        evidence="openai-python responses_server_event.py (every member adds stream_id); shared/WEBSOCKET.md",
    ),
    *(
        Accept(
            "openai",
            f"event:response.steer.{name}",
            kinds=("event",),
            surface="websocket-server",
            reason="steering events exist only on a WebSocket connection; an SSE stream cannot carry them, "
            "and the WebSocket schemas belong to the WebSocket mode work (issue 16)",
            evidence=f"openai-python response_steer_{name}_event.py; shared/WEBSOCKET.md (steering)",
        )
        for name in ("accepted", "failed", "pending")
    ),
    *(
        Accept(
            "openai",
            f"client:{name}",
            kinds=("event",),
            surface="websocket-client",
            reason="a client-to-server WebSocket message, not a server event: schemas/openai holds what servers "
            "send (the WebSocket mode work, issue 16, checks what clients send)",
            evidence="openai-python responses_client_event.py (ResponsesClientEvent); shared/WEBSOCKET.md",
        )
        for name in ("response.create", "response.steer")
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

