"""SSE: how events are framed on the wire (enforced in ``validator.framing``)."""

from __future__ import annotations

from validator.rules import (
    ERROR,
    OPENAI_PROD,
    OPENAI_SDK,
    OPENAI_SPEC,
    OPENRESPONSES,
    WARNING,
    WHATWG_SSE,
    Rule,
    SpecRef,
    both,
    register,
)

DATA_NOT_JSON = Rule(
    code="SSE001",
    name="data-not-json",
    summary="An event's data is not valid UTF-8 JSON.",
    requirement="Individual `data` objects are returned as JSON-encoded strings.",
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=(
        (
            "openai-python-events (raises JSONDecodeError: Expecting ',' delimiter: line 1 column 74 (char "
            "73))"
        ),
        (
            "openai-python-stream (raises JSONDecodeError: Expecting ',' delimiter: line 1 column 74 (char "
            "73))"
        ),
        "openai-agents (raises JSONDecodeError: Expecting ',' delimiter: line 1 column 74 (char 73))",
        "langchain-openai (raises JSONDecodeError: Expecting ',' delimiter: line 1 column 74 (char 73))",
        (
            "pydantic-ai (raises ModelAPIError: Failed to decode response as JSON: Expecting ',' "
            "delimiter: line 1 column 74 (char 73))"
        ),
        "llamaindex (raises JSONDecodeError: Expecting ',' delimiter: line 1 column 74 (char 73))",
        "openai-node (raises OpenAIError: Error reading response: malformed server-sent event JSON.)",
        (
            "ai-sdk (raises JSONParseError: JSON parsing failed: Text: "
            "{\"type\":\"response.output_text.delta\",\"sequence_number\":5,\"delta\"...)"
        ),
        "every client that parses `data` as JSON",
    ),
    evidence=(
        (
            "Measured (SSE/data-not-json.sse, SSE/invalid-utf8.sse, 8 clients, versions in "
            "docs/clients.md): openai-python-events raises, openai-python-stream raises, openai-agents "
            "raises, langchain-openai raises, pydantic-ai raises, llamaindex raises, openai-node raises, "
            "ai-sdk raises; every client breaks."
        ),
    ),
)

PAYLOAD_NOT_OBJECT = Rule(
    code="SSE002",
    name="payload-not-object",
    summary="An event's data is JSON but not an object.",
    requirement="Every streaming event is a JSON object with a `type` member.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseStreamEvent"),),
    breaks=(
        "openai-python-stream (raises AttributeError: 'list' object has no attribute 'type')",
        "langchain-openai (raises AttributeError: 'list' object has no attribute 'type')",
        "pydantic-ai (raises AttributeError: 'list' object has no attribute 'sequence_number')",
        "openai-node (raises OpenAIError: Unhandled response stream event: unknown)",
        "ai-sdk (raises TypeValidationError: Type validation failed: Value: [1,2,3].)",
    ),
    evidence=(
        (
            "Measured (SSE/payload-not-object.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, langchain-openai raises, pydantic-ai raises, openai-node raises, "
            "ai-sdk raises; the other 3 read it as the stream says."
        ),
    ),
)

MISSING_TYPE = Rule(
    code="SSE003",
    name="missing-type",
    summary="An event object has no string `type`.",
    requirement="Every streaming event carries its type in a string `type` member.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseStreamEvent discriminator `type`"),),
    breaks=(
        "openai-node (raises OpenAIError: Unhandled response stream event: unknown)",
        (
            "ai-sdk (raises TypeValidationError: Type validation failed: Value: "
            "{\"sequence_number\":2,\"status\":\"ok\"}.)"
        ),
    ),
    evidence=(
        (
            "Measured (SSE/missing-type.sse, 8 clients, versions in docs/clients.md): openai-node raises, "
            "ai-sdk raises; the other 6 read it as the stream says."
        ),
    ),
)

EVENT_FIELD_MISMATCH = Rule(
    code="SSE004",
    name="event-field-mismatch",
    summary="The SSE `event:` field differs from the payload's `type`.",
    requirement="The `event` field MUST match the `type` in the event body.",
    severity={"openai": WARNING, "openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=(
        "EventSource clients that dispatch on the event name",
    ),
    rationale=(
        "OpenAI's API always sends `event:` equal to `type`; openai-python reads only "
        "`data`, so a mismatch is a warning in the openai profile."
    ),
    evidence=(
        (
            "Measured (SSE/event-field-mismatch.sse, 8 clients, versions in docs/clients.md): every client "
            "reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        "MUST (openresponses): the `event` field MUST match the `type` in the event body.",
    ),
)

MISSING_EVENT_FIELD = Rule(
    code="SSE005",
    name="missing-event-field",
    summary="A frame has `data:` but no `event:` field.",
    requirement="The `event` field MUST match the `type` in the event body.",
    severity={"openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=(
        "EventSource clients that listen by event name (they never see data-only frames)",
    ),
    rationale=(
        "Not checked in the openai profile: the SDKs read only `data`, and many "
        "recorded OpenAI streams were stored as data-only lines."
    ),
    evidence=(
        (
            "Measured (SSE/missing-event-field.sse, 8 clients, versions in docs/clients.md): every client "
            "reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        "MUST (openresponses): the `event` field MUST match the `type` in the event body.",
    ),
)

DONE_MISSING = Rule(
    code="SSE006",
    name="done-marker-missing",
    summary="The stream does not end with `data: [DONE]`.",
    requirement="The terminal event MUST be the literal string `[DONE]`.",
    severity={"openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=(
        "Open Responses clients that wait for `[DONE]` before closing",
    ),
    evidence=(
        (
            "Measured (SSE/done-missing.sse, 8 clients, versions in docs/clients.md): every client reads "
            "it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        "MUST (openresponses): the terminal event MUST be the literal string `[DONE]`.",
    ),
)

DATA_AFTER_DONE = Rule(
    code="SSE007",
    name="data-after-done",
    summary="A frame follows the `[DONE]` sentinel.",
    requirement="`[DONE]` is the terminal event; nothing follows it.",
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=(
        "openai-python-stream (raises RuntimeError: Didn't receive a `response.completed` event.)",
        "openai-agents (raises ModelBehaviorError: Model did not produce a final response!)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (wrong: reports another status than the stream's)",
    ),
    evidence=(
        (
            "Measured (SSE/data-after-done.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, openai-agents raises, llamaindex wrong, openai-node wrong; the "
            "other 4 read it as the stream says."
        ),
    ),
)

DONE_IN_OPENAI = Rule(
    code="SSE008",
    name="done-marker-unexpected",
    summary="The stream sends `data: [DONE]`, which OpenAI's Responses API never sends.",
    requirement="Responses streams end with the terminal event; `[DONE]` belongs to Chat Completions.",
    severity={"openai": WARNING},
    refs=(SpecRef(OPENAI_PROD, "stream endings"), SpecRef(OPENAI_SDK, "Stream.__stream__")),
    breaks=(
        "clients that JSON-parse every `data:` line (Vercel AI SDK's Responses provider)",
    ),
    rationale="openai-python stops at `[DONE]`, so it is tolerated: a warning.",
    evidence=(
        (
            "Measured (SSE/done-in-openai.sse, 8 clients, versions in docs/clients.md): every client reads "
            "it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

UNTERMINATED_EVENT = Rule(
    code="SSE009",
    name="unterminated-final-event",
    summary="The input ends in the middle of an event (no blank line after it).",
    requirement=(
        "An event is dispatched only at the blank line that ends it; if the stream "
        "ends before that line, the incomplete event is discarded."
    ),
    severity=both(ERROR),
    refs=(SpecRef(WHATWG_SSE, "9.2.6 Interpreting an event stream"),),
    breaks=(
        "openai-python-stream (raises RuntimeError: Didn't receive a `response.completed` event.)",
        "openai-agents (raises ModelBehaviorError: Model did not produce a final response!)",
        "llamaindex (wrong: returns another text than the stream's)",
    ),
    rationale=(
        "The validator still checks the unterminated event, so what follows from "
        "losing it is reported once, here."
    ),
    evidence=(
        (
            "Measured (SSE/unterminated-final-event.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, openai-agents raises, llamaindex wrong; the other 5 read it as "
            "the stream says."
        ),
    ),
)

SSE_ID_USED = Rule(
    code="SSE010",
    name="sse-id-used",
    summary="A frame sets the SSE `id` field.",
    requirement="Servers SHOULD NOT use `id`.",
    severity={"openresponses": WARNING},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    evidence=(
        (
            "Measured (SSE/sse-id-used.sse, 8 clients, versions in docs/clients.md): every client reads it "
            "as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

register(
    DATA_NOT_JSON,
    PAYLOAD_NOT_OBJECT,
    MISSING_TYPE,
    EVENT_FIELD_MISMATCH,
    MISSING_EVENT_FIELD,
    DONE_MISSING,
    DATA_AFTER_DONE,
    DONE_IN_OPENAI,
    UNTERMINATED_EVENT,
    SSE_ID_USED,
)
