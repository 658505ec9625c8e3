"""LIF: the response lifecycle (enforced in ``validator.machine.lifecycle``).

A stream carries one response through ``created`` (``queued``),
``in_progress`` and exactly one terminal event.
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

_STREAMING = SpecRef(OPENRESPONSES, "Streaming / State Machine events")
_SDK_STATE = SpecRef(OPENAI_SDK, "ResponseStreamState.accumulate_event")

FIRST_EVENT = Rule(
    code="LIF001",
    name="first-event-not-created",
    summary="The stream does not start with `response.created`.",
    requirement=(
        "A response stream opens with `response.created` (or `response.queued` in background "
        "mode); a failure before the response exists is a lone `error` event."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseCreatedEvent"), _STREAMING, _SDK_STATE),
    breaks=(
        (
            "openai-python-stream (raises RuntimeError: Expected to have received `response.created` "
            "before `response.in_progress`)"
        ),
        (
            "openai-node (raises OpenAIError: When snapshot hasn't been set yet, expected "
            "'response.created' event, got response.in_progress)"
        ),
    ),
    rationale=(
        "A resumed stream (`GET /responses/{id}?stream=true&starting_after=N`, as OpenAI's "
        "background mode does) starts without `response.created`; it is not judged here when "
        "the resumption is declared (`--resumed-after N`, `Checker(resumed_after=N)`, or a HAR "
        "entry whose request is that GET), and is never guessed from a late sequence_number, "
        "since a broken server's stream looks the same. A lone `error` event is "
        "accepted in either shape, but openai-python reacts differently: the nested shape OpenAI "
        "sends (`error` inside `error`) raises `APIError`, while the flat shape of the OpenAPI spec "
        "raises `RuntimeError: Expected to have received response.created before error`."
    ),
    evidence=(
        (
            "Measured (LIF/first-event-not-created.sse, LIF/starts-at-output-item-openresponses.sse, "
            "LIF/starts-at-output-item.sse, 8 clients, versions in docs/clients.md): openai-python-stream "
            "raises, openai-node raises; the other 6 read it as the stream says."
        ),
    ),
)

QUEUED_WITHOUT_CREATED = Rule(
    code="LIF002",
    name="queued-without-created",
    summary="A fresh stream opens with `response.queued` instead of `response.created`.",
    requirement="OpenAI's background mode sends `response.created` (status `queued`) before `response.queued`.",
    severity={"openai": ERROR},
    refs=(SpecRef(OPENAI_PROD, "background mode streams"), _SDK_STATE),
    breaks=(
        (
            "openai-python-stream (raises RuntimeError: Expected to have received `response.created` "
            "before `response.queued`)"
        ),
        (
            "openai-node (raises OpenAIError: When snapshot hasn't been set yet, expected "
            "'response.created' event, got response.queued)"
        ),
    ),
    rationale=(
        "Open Responses describes a response moving from `queued` to `in_progress` and defines "
        "`response.queued`, so it is not checked there. A declared resumption may begin with "
        "`response.queued` in both profiles."
    ),
    evidence=(
        (
            "Measured (LIF/queued-without-created.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, openai-node raises; the other 6 read it as the stream says."
        ),
    ),
)

DUPLICATE_CREATED = Rule(
    code="LIF003",
    name="second-lifecycle",
    summary=(
        "A second `response.created` (or `response.queued` after output) starts another "
        "lifecycle in the same body."
    ),
    requirement="One stream carries one response: one `response.created` and one terminal event.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "ResponseCreatedEvent"), _STREAMING),
    breaks=(
        "clients that treat everything between `created` and the terminal event as one response",
    ),
    rationale=(
        "Recorded fixtures that concatenate several HTTP responses are split per response "
        "in the corpus; a real body with two cycles is a gateway bug."
    ),
    evidence=(
        (
            "Measured (LIF/second-created.sse, 8 clients, versions in docs/clients.md): every client reads "
            "it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        (
            "Was an error: every replayed client tolerates a second cycle with the same id (a changed id "
            "is LIF004, an error)."
        ),
    ),
)

RESPONSE_ID_CHANGED = Rule(
    code="LIF004",
    name="response-id-changed",
    summary="A lifecycle event carries a different `response.id` than the first one.",
    requirement="Every lifecycle event of a stream describes the same response, with the same id.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "Response.id"), _SDK_STATE),
    breaks=(
        "openai-python-stream (raises RuntimeError: Lifecycle response identity changed.)",
        "openai-node (raises OpenAIError: Lifecycle response identity changed.)",
    ),
    evidence=(
        (
            "Measured (LIF/response-id-changed.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, openai-node raises; the other 6 read it as the stream says."
        ),
    ),
)

IN_PROGRESS_REPEATED = Rule(
    code="LIF005",
    name="in-progress-repeated",
    summary="`response.in_progress` is sent more than once.",
    requirement="A state machine event is emitted when the response changes status; `in_progress` is entered once.",
    severity=both(WARNING),
    refs=(_STREAMING,),
    breaks=(
        "clients that reset their view of the response on each lifecycle snapshot",
    ),
    rationale=(
        "openai-python tolerates it (it merges the snapshot), so it is a warning. "
        "open-responses-server sends a second one mid-stream carrying output."
    ),
    evidence=(
        (
            "Measured (LIF/in-progress-repeated.sse, 8 clients, versions in docs/clients.md): every client "
            "reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

IN_PROGRESS_LATE = Rule(
    code="LIF006",
    name="in-progress-after-output",
    summary="The first `response.in_progress` arrives after output has started.",
    requirement="The response moves to `in_progress` before the model emits output items.",
    severity=both(WARNING),
    refs=(_STREAMING, SpecRef(OPENAI_SPEC, "ResponseInProgressEvent")),
    rationale="No mainstream client depends on it; a warning. Omitting `in_progress` entirely is allowed.",
    evidence=(
        (
            "Measured (LIF/in-progress-after-output.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

NO_TERMINAL = Rule(
    code="LIF007",
    name="missing-terminal-event",
    summary="The stream ends without a terminal event.",
    requirement=(
        "A stream ends with exactly one of `response.completed`, `response.failed`, "
        "`response.incomplete` (or, in the openai profile, an `error` event)."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseCompletedEvent"), _STREAMING),
    breaks=(
        "openai-python-stream (raises RuntimeError: Didn't receive a `response.completed` event.)",
        "openai-agents (raises ModelBehaviorError: Model did not produce a final response!)",
        "llamaindex (wrong: returns another text than the stream's)",
        "clients that wait for the terminal event (the answer looks truncated, usage is lost)",
    ),
    rationale=(
        "A cut connection and a server that just stops look the same; both lose the final response "
        "(open-responses-server ends the stream this way when its upstream is cut)."
    ),
    evidence=(
        (
            "Measured (LIF/missing-terminal-event.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, openai-agents raises, llamaindex wrong; the other 5 read it as "
            "the stream says."
        ),
    ),
)

AFTER_TERMINAL = Rule(
    code="LIF008",
    name="event-after-terminal",
    summary="An event follows the terminal event.",
    requirement=(
        "The terminal event is the last event of the stream (only `response.failed` may "
        "follow an `error` event)."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseCompletedEvent"), _STREAMING),
    breaks=(
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (wrong: reports another status than the stream's)",
        "clients that stop reading at the terminal event and silently drop the rest",
    ),
    evidence=(
        (
            "Measured (LIF/event-after-error.sse, LIF/event-after-terminal.sse, 8 clients, versions in "
            "docs/clients.md): llamaindex wrong, openai-node wrong; the other 6 read it as the stream "
            "says."
        ),
    ),
)

STATUS_MISMATCH = Rule(
    code="LIF009",
    name="lifecycle-status-mismatch",
    summary="The `response.status` inside a lifecycle event does not match the event.",
    requirement=(
        "`response.created` carries status `in_progress` or `queued`, `response.queued` `queued`, "
        "`response.in_progress` `in_progress`, and each terminal event its own status."
    ),
    severity=both(ERROR),
    refs=(_STREAMING, SpecRef(OPENAI_SPEC, "Response.status")),
    breaks=(
        "ai-sdk (wrong: reports another status than the stream's)",
        "clients that read the final status from the snapshot (a truncated answer reported as success)",
    ),
    evidence=(
        (
            "Measured (LIF/status-mismatch.sse, 8 clients, versions in docs/clients.md): ai-sdk wrong; the "
            "other 7 read it as the stream says."
        ),
    ),
)

ERROR_NOT_FOLLOWED = Rule(
    code="LIF010",
    name="error-not-followed-by-failed",
    summary="An `error` event after `response.created` is not followed by `response.failed`.",
    requirement="Any error incurred while streaming will be followed by a `response.failed` event.",
    severity={"openresponses": ERROR},
    refs=(SpecRef(OPENRESPONSES, "Errors"),),
    breaks=(
        "Open Responses clients that wait for a terminal response event",
    ),
    rationale=(
        "In the openai profile an `error` event may end the stream (OpenAI's SDK treats it as "
        "final); OpenAI's production API also sends `error` then `response.failed`, which both "
        "profiles accept. A lone `error` before `response.created` is a failure before the "
        "response exists and needs no `response.failed`."
    ),
    evidence=(
        (
            "Measured (LIF/error-not-followed-by-failed.sse, 8 clients, versions in docs/clients.md): "
            "every client reads it as the stream says (or as it reads a valid stream that ends the same "
            "way)."
        ),
        "Spec (openresponses): Errors: an error while streaming will be followed by `response.failed`.",
    ),
)

FIELD_CHANGED = Rule(
    code="LIF011",
    name="response-field-changed",
    summary="`response.model` or `response.created_at` changes between lifecycle events.",
    requirement="Lifecycle events are snapshots of one response; its model and creation time do not change.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Response.model / Response.created_at"),),
    breaks=(
        "clients that take the model id from `response.created` (Vercel AI SDK's response metadata)",
    ),
    rationale=(
        "LiteLLM reports the alias in `created` and the upstream model in `completed`; clients "
        "only show the wrong name, so a warning. An empty model is not compared."
    ),
    evidence=(
        (
            "Measured (LIF/model-changed.sse, 8 clients, versions in docs/clients.md): every client reads "
            "it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

register(
    FIRST_EVENT,
    QUEUED_WITHOUT_CREATED,
    DUPLICATE_CREATED,
    RESPONSE_ID_CHANGED,
    IN_PROGRESS_REPEATED,
    IN_PROGRESS_LATE,
    NO_TERMINAL,
    AFTER_TERMINAL,
    STATUS_MISMATCH,
    ERROR_NOT_FOLLOWED,
    FIELD_CHANGED,
)
