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
    breaks=("openai-python (json.loads raises)", "every client that parses `data` as JSON"),
)

PAYLOAD_NOT_OBJECT = Rule(
    code="SSE002",
    name="payload-not-object",
    summary="An event's data is JSON but not an object.",
    requirement="Every streaming event is a JSON object with a `type` member.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseStreamEvent"),),
    breaks=("openai-python (event construction fails)",),
)

MISSING_TYPE = Rule(
    code="SSE003",
    name="missing-type",
    summary="An event object has no string `type`.",
    requirement="Every streaming event carries its type in a string `type` member.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseStreamEvent discriminator `type`"),),
    breaks=("openai-python (discriminated union cannot pick a model)",),
)

EVENT_FIELD_MISMATCH = Rule(
    code="SSE004",
    name="event-field-mismatch",
    summary="The SSE `event:` field differs from the payload's `type`.",
    requirement="The `event` field MUST match the `type` in the event body.",
    severity={"openai": WARNING, "openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=("EventSource clients that dispatch on the event name",),
    rationale=(
        "OpenAI's API always sends `event:` equal to `type`; openai-python reads only "
        "`data`, so a mismatch is a warning in the openai profile."
    ),
)

MISSING_EVENT_FIELD = Rule(
    code="SSE005",
    name="missing-event-field",
    summary="A frame has `data:` but no `event:` field.",
    requirement="The `event` field MUST match the `type` in the event body.",
    severity={"openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=("EventSource clients that listen by event name (they never see data-only frames)",),
    rationale=(
        "Not checked in the openai profile: the SDKs read only `data`, and many "
        "recorded OpenAI streams were stored as data-only lines."
    ),
)

DONE_MISSING = Rule(
    code="SSE006",
    name="done-marker-missing",
    summary="The stream does not end with `data: [DONE]`.",
    requirement="The terminal event MUST be the literal string `[DONE]`.",
    severity={"openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=("Open Responses clients that wait for `[DONE]` before closing",),
)

DATA_AFTER_DONE = Rule(
    code="SSE007",
    name="data-after-done",
    summary="A frame follows the `[DONE]` sentinel.",
    requirement="`[DONE]` is the terminal event; nothing follows it.",
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
    breaks=("openai-python (stops reading at `[DONE]` and drops the rest)",),
)

DONE_IN_OPENAI = Rule(
    code="SSE008",
    name="done-marker-unexpected",
    summary="The stream sends `data: [DONE]`, which OpenAI's Responses API never sends.",
    requirement="Responses streams end with the terminal event; `[DONE]` belongs to Chat Completions.",
    severity={"openai": WARNING},
    refs=(SpecRef(OPENAI_PROD, "stream endings"), SpecRef(OPENAI_SDK, "Stream.__stream__")),
    breaks=("clients that JSON-parse every `data:` line (Vercel AI SDK's Responses provider)",),
    rationale="openai-python stops at `[DONE]`, so it is tolerated: a warning.",
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
    breaks=("openai-python and every WHATWG EventSource (the event is dropped)",),
    rationale=(
        "The validator still checks the unterminated event, so what follows from "
        "losing it is reported once, here."
    ),
)

SSE_ID_USED = Rule(
    code="SSE010",
    name="sse-id-used",
    summary="A frame sets the SSE `id` field.",
    requirement="Servers SHOULD NOT use `id`.",
    severity={"openresponses": WARNING},
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"),),
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
