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
        "openai-python (typed access to a missing or mistyped field fails at use: the SDK builds "
        "events without validation, so the failure surfaces later in the caller's code)",
        "clients generated from the OpenAPI spec with strict decoders (Go, Java, .NET)",
    ),
    rationale=(
        "In the openai profile the schemas accept what OpenAI's production API sends where it differs "
        "from the spec: the `error` event nested under `error`, `function_call_arguments.done` without "
        "`name`, `obfuscation` on deltas, items without `status`, deltas without `logprobs`; each "
        "correction is an overlay entry with its corpus evidence. Extra properties are allowed, as the "
        "specs allow them."
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
        "clients with an exhaustive switch over event types (generated Go/Java/.NET clients)",
        "openai-python tolerates it: the event is built loosely and passed through, not accumulated",
    ),
    rationale=(
        "A warning in the openai profile: openai-python passes unknown types through, and OpenAI "
        "adds event types before its spec lists them. In openresponses an unprefixed unknown type is "
        "an error; a slug-prefixed one (`acme:trace_event`) is a legal extension and is not reported "
        "here (see SCH003)."
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
    breaks=("clients that order events or detect gaps by `sequence_number`",),
    rationale="Only the openresponses profile defines extension events; in openai they are SCH002 warnings.",
)

register(SCHEMA_VIOLATION, UNKNOWN_EVENT_TYPE, EXTENSION_WITHOUT_SEQUENCE)
