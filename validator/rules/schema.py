"""SCH: each event object against its type's JSON Schema (enforced in ``validator.schemas``).

The schemas are generated from the specs by ``tools/build_schemas.py``; the
``openai`` profile carries a small overlay of corrections where OpenAI's
production API sends something else than its OpenAPI spec
(``tools/schema_overlay.py`` lists each with its evidence).
"""

from __future__ import annotations

from validator.rules import (
    ERROR,
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
        "correction is an overlay entry with its corpus evidence. Extra properties are allowed, as the "
        "specs allow them."
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
        "here (see SCH003)."
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

register(SCHEMA_VIOLATION, UNKNOWN_EVENT_TYPE, EXTENSION_WITHOUT_SEQUENCE)
