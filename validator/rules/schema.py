"""SCH: each event object against its type's JSON Schema (enforced in ``validator.schemas``).

The schemas are generated from the specs by ``tools/build_schemas.py``; the
``openai`` profile carries a small overlay of corrections where OpenAI's
production API sends something else than its OpenAPI spec
(``tools/schema_overlay.py`` lists each with its evidence).
"""

from __future__ import annotations

from validator.rules import (
    ERROR,
    INFO,
    OPENAI_PROD,
    OPENAI_SDK,
    OPENAI_SPEC,
    OPENRESPONSES,
    WARNING,
    Rule,
    SpecRef,
    both,
    register,
)

SCHEMA_VIOLATION = Rule(
    code="SCH001",
    name="schema-violation",
    summary="An event does not match the schema of its `type` (missing field, wrong type, value outside an enum).",
    requirement=(
        "Each streaming event is one of the event objects of the profile's spec, with every required "
        "field present and every field of the declared type and enum."
    ),
    severity=both(ERROR),
    refs=(
        SpecRef(OPENAI_SPEC, "components.schemas.ResponseStreamEvent and its members"),
        SpecRef(OPENRESPONSES, "openapi.json, POST /responses text/event-stream events"),
        SpecRef(OPENRESPONSES, "Items are streamable: all fields not marked nullable MUST have a value"),
        SpecRef(OPENAI_PROD, "corrections in tools/schema_overlay.py, each with its recorded evidence"),
    ),
    breaks=(
        (
            "openai-python-events (raises TypeError: sequence item 0: expected str instance, NoneType "
            "found)"
        ),
        "openai-python-stream (raises TypeError: can only concatenate str (not \"NoneType\") to str)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "llamaindex (raises ValidationError: 1 validation error for TextBlock)",
        "openai-node (raises OpenAIError: missing content at index 0)",
        (
            "ai-sdk (raises TypeValidationError: Type validation failed: Value: "
            "{\"type\":\"response.output_text.delta\",\"sequence_number\":...)"
        ),
        "clients generated from the OpenAPI spec with strict decoders (Go, Java, .NET)",
    ),
    rationale=(
        "In the openai profile the schemas accept what OpenAI's production API sends where it differs "
        "from the spec: the `error` event nested under `error`, `function_call_arguments.done` without "
        "`name`, `obfuscation` on deltas, items without `status`, deltas without `logprobs`; each "
        "correction is an overlay entry with its corpus evidence; tools/sdk_drift.py keeps the schemas in "
        "line with openai-python's types. Extra properties are allowed, as the specs allow them. In the "
        "openai profile a union member of unknown `type` is SCH004 (a warning), not SCH001."
    ),
    evidence=(
        (
            "Measured (SCH/schema-missing-field.sse, SCH/schema-violation.sse, "
            "SCH/schema-wrong-type-openresponses.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events raises, openai-python-stream raises, langchain-openai wrong, pydantic-ai "
            "wrong, llamaindex raises, openai-node raises, ai-sdk raises; the other 1 read it as the "
            "stream says."
        ),
        "MUST: every required field of the event's schema present, of its declared type.",
    ),
)

UNKNOWN_EVENT_TYPE = Rule(
    code="SCH002",
    name="unknown-event-type",
    summary="An event's `type` is not defined by the profile (reported once per type per stream).",
    requirement=(
        "Implementors MAY introduce new, non-standard streaming event types [...] all extended "
        "streaming events MUST be prefixed with the implementor slug (for example, `acme:trace_event`)."
    ),
    severity={"openai": WARNING, "openresponses": ERROR},
    refs=(
        SpecRef(OPENRESPONSES, "Extending Open Responses / Extending streaming events"),
        SpecRef(OPENAI_SPEC, "ResponseStreamEvent (58 members)"),
        SpecRef(OPENAI_SDK, "ResponseStreamEvent union (59 members, adds response.compaction.compacting)"),
    ),
    breaks=(
        "openai-node (raises OpenAIError: Unhandled response stream event: unknown)",
        "clients with an exhaustive switch over event types (generated Go/Java/.NET clients)",
    ),
    rationale=(
        "A warning in the openai profile: openai-python passes unknown types through, and OpenAI "
        "adds event types before its spec lists them. In openresponses an unprefixed unknown type is "
        "an error; a slug-prefixed one (`acme:trace_event`) is a legal extension and is not reported "
        "here (see SCH003). Non-standard events seen in the wild are named instead (SCH005-SCH007)."
    ),
    evidence=(
        (
            "Measured (SCH/unknown-event-type-openresponses.sse, SCH/unknown-event-type.sse, 8 clients, "
            "versions in docs/clients.md): openai-node raises; the other 7 read it as the stream says."
        ),
        (
            "Warning in the openai profile although openai-node's stream helper raises on an event type it "
            "does not know: it skips `keepalive`, which OpenAI sends and the openai profile does not "
            "define, so an error here would flag OpenAI itself. Making other unknown types an error needs "
            "`keepalive` in the openai profile's event set (open)."
        ),
        "MUST (openresponses): extended streaming events MUST be prefixed with the implementor slug.",
    ),
)

EXTENSION_WITHOUT_SEQUENCE = Rule(
    code="SCH003",
    name="extension-event-without-sequence-number",
    summary="A slug-prefixed extension event has no integer `sequence_number`.",
    requirement=(
        "At minimum, each event MUST include: `type` [...] `sequence_number`: A monotonically "
        "increasing number (within the stream or session) that allows clients to order events and "
        "detect gaps."
    ),
    severity={"openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "Extending Open Responses / Extending streaming events"),),
    breaks=(
        "openai-node (raises OpenAIError: Unhandled response stream event: unknown)",
        "clients that order events or detect gaps by `sequence_number`",
    ),
    rationale="Only the openresponses profile defines extension events; in openai they are SCH002 warnings.",
    evidence=(
        (
            "Measured (SCH/extension-without-sequence.sse, 8 clients, versions in docs/clients.md): "
            "openai-node raises; the other 7 read it as the stream says."
        ),
        "MUST (openresponses): each extension event MUST include `sequence_number`.",
    ),
)

_OR_EXTENSIONS = SpecRef(OPENRESPONSES, "Extending Open Responses / Extending streaming events")
_OPENAI_SDK_TYPES = "openai-python 3.57 types (tools/sdk_drift.py compares them with our schemas)"

UNKNOWN_VARIANT = Rule(
    code="SCH004",
    name="unknown-variant",
    summary=(
        "A member of a union told apart by `type` (an output item, content part, annotation, web search "
        "action or source, tool, ...) has a `type` the profile does not know, so it could not be checked."
    ),
    requirement=(
        "Each member of a discriminated union is one of the union's declared members; a member the schema "
        "does not know cannot be checked against it."
    ),
    severity={"openai": WARNING},
    refs=(
        SpecRef(OPENAI_SPEC, "the unions of OutputItem, OutputContent, Annotation, WebSearchToolCall.action, Tool"),
        SpecRef(OPENAI_SDK, _OPENAI_SDK_TYPES),
    ),
    breaks=(
        "ai-sdk (raises TypeValidationError: the member fails its schema)",
        "openai-python builds an unknown member as the union's first member: an unknown item type arrives "
        "as a ResponseOutputMessage whose `type` says otherwise, an unknown annotation as an "
        "AnnotationFileCitation with empty fields; code that dispatches on isinstance() misroutes it",
        "clients generated from the OpenAPI spec with closed unions (Go, Java, .NET) fail to decode it",
    ),
    rationale=(
        "OpenAI adds union members in production before its spec and SDKs list them (new item types, "
        "annotations, web search sources), so in the openai profile an unknown member is a warning that "
        "names it, not a schema error: the next production addition must not fail every gate. Known members "
        "are checked as strictly as before, and a violation elsewhere in the same event is still SCH001. "
        "The openresponses profile does not check this rule: there an unknown member is SCH001 (the spec "
        "lets implementors add only slug-prefixed item types). The known members of each union are recorded "
        "by the schema build (`unions` in schemas/<profile>/_index.json). Reported once per union member type "
        "per stream."
    ),    evidence=(
        (
            "Measured (SCH/unknown-variant.sse, 8 clients, versions in docs/clients.md): ai-sdk raises "
            "(TypeValidationError on the web_search_call action); the other 7 read it as the stream says."
        ),
        (
            "Warning in the openai profile although the AI SDK raises on it: OpenAI adds union members in "
            "production and its SDK before the published spec lists them (tools/schema_overlay.py records "
            "such members, e.g. the `configuration_update` input item from openai-python 3.57), so an error "
            "would fail OpenAI's own streams the day it adds one."
        ),
    ),
)

OPENAI_EXTENSION_EVENT = Rule(
    code="SCH005",
    name="openai-extension-event",
    summary=(
        "An event OpenAI's own services send outside OpenAI's published spec (`keepalive`, "
        "`response.apply_patch_call_operation_diff.*`, the Codex backend's `codex.*` events), named with "
        "what it is."
    ),
    requirement=(
        "Implementors MAY introduce new, non-standard streaming event types [...] all extended streaming "
        "events MUST be prefixed with the implementor slug (for example, `acme:trace_event`)."
    ),
    severity={"openai": INFO, "openresponses": ERROR},
    refs=(_OR_EXTENSIONS, SpecRef(OPENAI_PROD, "validator/nonstandard.py lists each event with its evidence")),
    breaks=(
        "openai-node (raises OpenAIError: Unhandled response stream event: unknown; `keepalive` is skipped)",
        "clients with an exhaustive switch over event types (openai-php before its fix, openai-node before "
        "6.45 for keepalive, generated Go/Java/.NET clients)",
    ),
    rationale=(
        "In the openai profile these are what OpenAI itself sends, so they are reported as information only, "
        "with what each event is (openai-node skips `keepalive`; its sequence_number counts like any "
        "other event's). In the openresponses profile they are unprefixed non-standard types, which the "
        "extension rules forbid."
    ),    evidence=(
        (
            "Measured (SCH/apply-patch-diff-openresponses.sse, SCH/codex-rate-limits-first.sse, "
            "SCH/keepalive-openresponses.sse, 8 clients, versions in docs/clients.md): openai-node raises on "
            "the apply_patch diff and codex.rate_limits events and skips `keepalive`; the other 7 read them "
            "as the stream says (openai-python-stream's raise on codex-rate-limits-first is LIF001's: the "
            "event comes before response.created)."
        ),
        (
            "Information in the openai profile although openai-node raises on some of them: OpenAI's own "
            "services send them (validator/nonstandard.py gives each one's evidence), and the openai "
            "profile never calls what OpenAI sends an error."
        ),
        "MUST (openresponses): extended streaming events MUST be prefixed with the implementor slug.",
    ),
)

NON_STANDARD_EVENT = Rule(
    code="SCH006",
    name="non-standard-event",
    summary=(
        "A known non-standard event of another implementation (OpenRouter's `response.keep_alive`, `ping`), "
        "named with what it is."
    ),
    requirement=(
        "Each streaming event is one of the events the spec defines; extended streaming events MUST be "
        "prefixed with the implementor slug."
    ),
    severity=both(ERROR),
    refs=(_OR_EXTENSIONS, SpecRef(OPENAI_SPEC, "ResponseStreamEvent")),
    breaks=(
        "openai-node (raises OpenAIError: Unhandled response stream event: unknown)",
        "openai-php and OpenRouter's Python SDK crashed on `response.keep_alive`",
    ),
    rationale=(
        "An error in both profiles, with the event's own diagnosis instead of \"unknown type\": openai-node "
        "throws on these events, and unlike `keepalive` (SCH002's reason to stay a warning in openai) OpenAI "
        "does not send them."
    ),
    evidence=(
        (
            "Measured (SCH/openrouter-keep-alive.sse, SCH/ping.sse, 8 clients, versions in docs/clients.md): "
            "openai-node raises; the other 7 read it as the stream says."
        ),
        "MUST (openresponses): extended streaming events MUST be prefixed with the implementor slug.",
    ),
)

NON_STANDARD_TERMINAL = Rule(
    code="SCH007",
    name="non-standard-terminal-event",
    summary=(
        "`response.done` or `response.error`: a look-alike of a terminal event from another API; a stream "
        "that ends with it has no valid terminal event."
    ),
    requirement=(
        "A Responses stream ends with response.completed, response.failed or response.incomplete (after an "
        "`error` event, response.failed); `response.done` is the Realtime API's terminal event and "
        "`response.error` is in neither spec."
    ),
    severity=both(ERROR),
    refs=(
        SpecRef(OPENAI_SPEC, "ResponseStreamEvent (terminal events); the Realtime API's response.done"),
        SpecRef(OPENRESPONSES, "Streaming: terminal events"),
    ),
    breaks=(
        "openai-python-stream (raises RuntimeError: Didn't receive a `response.completed` event)",
        "openai-agents (raises ModelBehaviorError: Model did not produce a final response!)",
        "llamaindex (wrong: the text is lost on response.done; raises APIError on response.error)",
        "openai-node (raises OpenAIError: Unhandled response stream event: unknown)",
        "openai-python-events (raises APIError on response.error: the SDK reads it as an error event)",
        "langchain-openai (raises APIError on response.error)",
        "pydantic-ai (raises ModelServerError on response.error)",
        "Codex: \"stream closed before response.completed\"",
    ),
    rationale=(
        "An error in both profiles: clients that wait for a terminal event never get one. The missing "
        "terminal itself is LIF007, whose message names the look-alike the stream ended with."
    ),    evidence=(
        (
            "Measured (SCH/response-done-terminal.sse, SCH/response-error-terminal.sse, "
            "SCH/response-error-terminal-openresponses.sse, 8 clients, versions in docs/clients.md): on "
            "response.done openai-python-stream, openai-agents and openai-node raise and llamaindex loses the "
            "text; on response.error every client but the AI SDK raises."
        ),
    ),
)

register(
    SCHEMA_VIOLATION,
    UNKNOWN_EVENT_TYPE,
    EXTENSION_WITHOUT_SEQUENCE,
    UNKNOWN_VARIANT,
    OPENAI_EXTENSION_EVENT,
    NON_STANDARD_EVENT,
    NON_STANDARD_TERMINAL,
)
