"""HTT: what a live server does on the HTTP side of a streaming request.

These rules are enforced by ``validator.live`` (the ``check --base-url``
battery): they judge the status line, the headers, how the body ends and
whether the server did what each scenario asked. A capture file cannot show
most of them, so they never fire on ``validate``.
"""

from __future__ import annotations

from validator.rules import (
    ERROR,
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

LIVE = "responses-conformance live battery"

STATUS_NOT_2XX = Rule(
    code="HTT001",
    name="status-not-2xx",
    summary="A valid streaming request was answered with a non-2xx HTTP status.",
    requirement="A well-formed `POST /responses` with `stream: true` is answered with 200 and an event stream.",
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses"), SpecRef(OPENAI_SPEC, "POST /responses")),
    breaks=(
        "every client (openai-python raises APIStatusError before reading events)",
    ),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

CONTENT_TYPE = Rule(
    code="HTT002",
    name="content-type-not-event-stream",
    summary="A streaming response does not carry `Content-Type: text/event-stream`.",
    requirement="When streaming, servers MUST return header `Content-Type: text/event-stream`.",
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / Streaming HTTP Responses"), SpecRef(WHATWG_SSE, "9.2.2")),
    breaks=(
        "WHATWG EventSource (fails the connection)",
        "proxies that buffer non-SSE bodies",
    ),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

BODY_TRUNCATED = Rule(
    code="HTT003",
    name="body-truncated",
    summary="The connection broke before the HTTP body ended (reset, truncated chunked encoding).",
    requirement="A streamed body ends with a complete HTTP message (the last chunk, or Content-Length bytes).",
    severity=both(ERROR),
    refs=(SpecRef("RFC 9112", "7.1 Chunked Transfer Coding"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

IDLE_TIMEOUT = Rule(
    code="HTT004",
    name="idle-timeout",
    summary="The server sent nothing for longer than the idle timeout in the middle of a stream.",
    requirement="A streaming server keeps the stream moving or ends it; clients give up on a silent stream.",
    severity=both(ERROR),
    refs=(SpecRef(LIVE, "timeouts (--idle-timeout)"),),
    breaks=(
        "clients with a read timeout (openai-python defaults to 600 s, gateways far less)",
    ),
    rationale="A stall mid-stream looks to a client exactly like a dead server.",
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

FIRST_BYTE_TIMEOUT = Rule(
    code="HTT005",
    name="first-byte-timeout",
    summary="No response headers arrived within the first-byte timeout.",
    requirement="A streaming server answers promptly and streams the work, rather than buffering it.",
    severity=both(ERROR),
    refs=(SpecRef(LIVE, "timeouts (--first-byte-timeout)"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

TOTAL_TIMEOUT = Rule(
    code="HTT006",
    name="total-timeout",
    summary="The stream was still running when the total timeout expired.",
    requirement="A stream for a small, fixed request ends in bounded time.",
    severity=both(ERROR),
    refs=(SpecRef(LIVE, "timeouts (--total-timeout)"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

CONNECTION_FAILED = Rule(
    code="HTT007",
    name="connection-failed",
    summary="The server could not be reached (connection refused, DNS, TLS).",
    requirement="The server under test accepts connections at the base URL.",
    severity=both(ERROR),
    refs=(SpecRef(LIVE, "--base-url"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

REDIRECT = Rule(
    code="HTT008",
    name="redirect-not-followed",
    summary="The server answered with a redirect; the battery never follows one.",
    requirement=(
        "The Responses endpoint answers at its URL. Following a redirect could send the "
        "credentials to another host, so the battery reports it instead."
    ),
    severity=both(ERROR),
    refs=(SpecRef(LIVE, "security: redirects"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

INVALID_REQUEST_ACCEPTED = Rule(
    code="HTT009",
    name="invalid-request-not-rejected",
    summary="An invalid request was not rejected cleanly (neither an HTTP 4xx nor a conformant error stream).",
    requirement=(
        "A request the server cannot accept fails with an HTTP 4xx and a JSON error body, "
        "or with an `error` / `response.failed` event in a well-formed stream."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "Errors"), SpecRef(OPENAI_SPEC, "ResponseErrorEvent")),
    breaks=(
        "clients that cannot tell a server bug (5xx) from their own mistake",
    ),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

STRUCTURED_OUTPUT_MISMATCH = Rule(
    code="HTT010",
    name="structured-output-mismatch",
    summary="With `text.format` `json_schema`, the output text does not parse or does not match the schema.",
    requirement="With a `json_schema` text format the model output is JSON that adheres to the supplied schema.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "TextResponseFormatJsonSchema"), SpecRef(OPENRESPONSES, "Structured output")),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

TOOL_NOT_CALLED = Rule(
    code="HTT011",
    name="forced-tool-not-called",
    summary="`tool_choice` forced a function, but the response contains no call to it.",
    requirement="With `tool_choice` naming a function, the model calls that function.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ToolChoiceFunction"), SpecRef(OPENRESPONSES, "Tool use")),
    breaks=(
        "agent loops waiting for the call they forced",
    ),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

PARALLEL_CALLS_MISSING = Rule(
    code="HTT012",
    name="parallel-calls-missing",
    summary="The parallel tool-call scenario produced fewer than two function calls.",
    requirement="With `parallel_tool_calls: true` and two independent tools required, both are called in one turn.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "CreateResponse.parallel_tool_calls"),),
    rationale="A model may legitimately serialise calls, so this is a warning.",
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

NOT_INCOMPLETE = Rule(
    code="HTT013",
    name="max-output-tokens-not-incomplete",
    summary="A response cut by `max_output_tokens` did not end `incomplete` with reason `max_output_tokens`.",
    requirement=(
        "If the model exhausts its token budget the item is `incomplete` and the containing "
        "response also MUST be in an `incomplete` state."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "Items are state machines"), SpecRef(OPENAI_SPEC, "Response.incomplete_details")),
    breaks=(
        "clients that show a truncated answer as complete",
    ),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

REASONING_MISSING = Rule(
    code="HTT014",
    name="reasoning-missing",
    summary="The server declares reasoning, but the reasoning scenario streamed no reasoning item.",
    requirement="A reasoning request on a server that supports reasoning yields a `reasoning` output item.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "ReasoningItem"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

ERROR_BODY_NOT_JSON = Rule(
    code="HTT015",
    name="error-body-not-json",
    summary="An HTTP error response does not carry a JSON error object.",
    requirement="When not streaming (errors included), servers MUST return data only as `application/json`.",
    severity=both(WARNING),
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / HTTP Response Bodies"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

EMPTY_BODY = Rule(
    code="HTT016",
    name="empty-body",
    summary="A 2xx streaming response had an empty body.",
    requirement="A streaming response carries at least the events of one response.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SDK, "responses.stream"),),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

BODY_TOO_LARGE = Rule(
    code="HTT017",
    name="body-too-large",
    summary="A streaming body grew past the size limit (`--max-bytes`); the rest was not read.",
    requirement="One response's stream is bounded; a client must be able to hold what it accumulates.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SDK, "responses.stream accumulates every event into a snapshot"),),
    breaks=(
        "every accumulating client (memory grows without bound)",
    ),
    rationale="A validator that reads without limit can be made to exhaust memory by the server it checks.",
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

EVENT_TOO_LARGE = Rule(
    code="HTT018",
    name="event-too-large",
    summary="One event (a frame without its ending blank line) grew past the event size limit.",
    requirement="An event is dispatched at the blank line that ends it; a frame that never ends is never delivered.",
    severity=both(ERROR),
    refs=(SpecRef(WHATWG_SSE, "9.2.6 Interpreting an event stream"),),
    breaks=(
        "every SSE client (the event is buffered in full before it is dispatched)",
    ),
    evidence=(
        (
            "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
            "requirement and references above."
        ),
    ),
)

NOT_REPLAYED = (
    "Not replayed: the live battery judges the HTTP exchange; the severity rests on the "
    "requirement and references above."
)

OPEN_AFTER_TERMINAL = Rule(
    code="HTT019",
    name="open-after-terminal",
    summary="After the terminal event the body did not end within the close bound (`--close-timeout`).",
    requirement=(
        "The terminal event (`response.completed`, `response.incomplete`, `response.failed`, then `[DONE]` "
        "where the profile sends it) is the last thing in the stream: the server ends the body right after it."
    ),
    severity={"openai": ERROR, "openresponses": WARNING},
    refs=(SpecRef(OPENRESPONSES, "Streaming / terminal events"), SpecRef(OPENAI_SDK, "Stream.__stream__")),
    breaks=(
        "openai-python and openai-node iterate a Responses stream until the body ends when no `[DONE]` "
        "comes (OpenAI sends none): `get_final_response()` and `for event in stream` block",
    ),
    rationale=(
        "In the openresponses profile the `[DONE]` marker lets the SDKs stop reading, so a lingering "
        "connection leaks a socket rather than hanging the client: a warning there."
    ),
    evidence=(NOT_REPLAYED,),
)

ERROR_SHAPE = Rule(
    code="HTT020",
    name="error-object-shape",
    summary=(
        "An HTTP error body lacks fields of the error object "
        "(`error.type`, `error.code`, `error.message`, `error.param`)."
    ),
    requirement=(
        "An error response is `{\"error\": {\"type\", \"code\", \"message\", \"param\"}}`: "
        "`message` and `type` strings, `code` and `param` a string or null."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENRESPONSES, "Errors"), SpecRef(OPENAI_SPEC, "Error")),
    breaks=(
        "openai-python falls back to a generic message and `e.code` / `e.param` are None (no crash)",
    ),
    rationale="Every SDK still raises its status error, so the missing fields cost diagnostics only: a warning.",
    evidence=(NOT_REPLAYED,),
)

NON_STREAMING_INVALID = Rule(
    code="HTT021",
    name="non-streaming-invalid",
    summary="A `stream: false` request was not answered with HTTP 200 and a valid JSON Response object.",
    requirement=(
        "When not streaming, servers MUST return data only as `application/json`; the body is a Response "
        "object (the official suite's `basic-response` test)."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "HTTP Responses / HTTP Response Bodies"), SpecRef(OPENAI_SPEC, "Response")),
    breaks=(
        "`client.responses.create()` without `stream` in every SDK",
    ),
    evidence=(NOT_REPLAYED,),
)

NON_STREAMING_SHAPE = Rule(
    code="HTT022",
    name="non-streaming-shape-differs",
    summary="The `stream: false` Response differs in shape from the streamed terminal response to the same request.",
    requirement=(
        "The same request answers with the same Response whether streamed or not: the same top-level "
        "fields, status and output item types."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Response"), SpecRef(OPENRESPONSES, "HTTP Responses")),
    breaks=(
        "code that switches `stream` on or off and reads the same fields",
    ),
    rationale="Each shape may be valid on its own; a difference surprises a client but breaks no MUST.",
    evidence=(NOT_REPLAYED,),
)

CANCEL_BROKE_NEXT = Rule(
    code="HTT023",
    name="cancel-broke-next-request",
    summary="After the client closed a stream mid-way, the server failed or hung the next request.",
    requirement=(
        "A client may cancel a stream by closing its connection; the server must stay available and "
        "answer the next request as usual."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SDK, "Stream.close() / AbortController"), SpecRef("RFC 9110", "9.3.3 POST")),
    breaks=(
        "every client that stops a stream (openai-python `stream.close()`, openai-node `controller.abort()`, "
        "a user pressing stop in a chat UI)",
    ),
    evidence=(NOT_REPLAYED,),
)

CROSS_TALK = Rule(
    code="HTT024",
    name="concurrent-cross-talk",
    summary="Parallel streams share a response id or an item id, or one stream carries another's items or text.",
    requirement=(
        "Each of several concurrent requests is answered by its own response, with its own ids, items and text."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "Response.id"), SpecRef(OPENRESPONSES, "Items")),
    breaks=(
        "every client under load (a user is shown another request's answer; ids stored for "
        "`previous_response_id` point at the wrong response)",
    ),
    evidence=(NOT_REPLAYED,),
)

RESUME_MISMATCH = Rule(
    code="HTT025",
    name="resume-mismatch",
    summary="A background response resumed with `starting_after=N` did not replay exactly the original events after N.",
    requirement=(
        "`GET /responses/{id}?stream=true&starting_after=N` streams the events of the background response "
        "whose `sequence_number` is greater than N, the same events with the same numbers."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "GET /responses/{response_id} (starting_after)"),),
    breaks=(
        "openai-python `responses.retrieve(id, stream=True, starting_after=N)` resumes a dropped stream "
        "and its accumulated snapshot goes wrong",
    ),
    evidence=(NOT_REPLAYED,),
)

# --- continuation and background cancellation (HTT026-HTT035 are this block's) --------------------

CONTINUATION_FAILED = Rule(
    code="HTT026",
    name="continuation-not-answered",
    summary=(
        "A request with `previous_response_id` naming the response the server had just streamed (with "
        "`store: true`) was not answered: an HTTP error, a failed stream, or no terminal response."
    ),
    requirement=(
        "When `previous_response_id` is provided, the server MUST load both the input and output "
        "associated with that prior response and treat them as part of the new request's context."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "previous_response_id"), SpecRef(OPENAI_SPEC, "CreateResponse.previous_response_id")),
    breaks=(
        "every client that chains turns by id (openai-agents `previous_response_id`, Codex over HTTP, "
        "`client.responses.create(previous_response_id=...)` in every SDK): the second turn raises",
    ),
    rationale="The capability is declared (`continuation`): a server that stores no responses declares nothing.",
    evidence=(NOT_REPLAYED, "maximhq/bifrost#2441: the second turn of a Codex session failed with "
              "previous_response_not_found on a gateway that did not store the first"),
)

PREVIOUS_ID_NOT_ECHOED = Rule(
    code="HTT027",
    name="previous-response-id-not-echoed",
    summary="A continued response does not carry the `previous_response_id` it was asked to continue.",
    requirement=(
        "The Response object's `previous_response_id` is the ID of the previous response in the chain "
        "that was referenced, if any (a required field of the Open Responses ResponseResource)."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENRESPONSES, "ResponseResource.previous_response_id"), SpecRef(OPENAI_SPEC, "Response")),
    breaks=(
        "code that follows a conversation's chain back through `previous_response_id` (no SDK crashes)",
    ),
    rationale="The answer is right and every client reads it; only the chain's record is wrong: a warning.",
    evidence=(NOT_REPLAYED, "masaic-ai-platform/AgC#49 (Missing previous response id in response), fixed by #48"),
)

REJECTION_CODE = Rule(
    code="HTT028",
    name="rejection-error-code",
    summary=(
        "A rejection does not carry the documented `error.code` (`previous_response_not_found` for an "
        "unknown `previous_response_id`)."
    ),
    requirement=(
        "A continuation whose previous response is not available fails with an error whose code is "
        "`previous_response_not_found` (param `previous_response_id`), as OpenAI answers it."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENRESPONSES, "WebSocket continuation (the same previous_response_id semantics as HTTP)"),
          SpecRef(OPENAI_SPEC, "Error.code")),
    breaks=(
        "recovery keyed on the code: a client or proxy that resends the full context when the anchor is "
        "lost (Codex-facing proxies such as codex-lb) passes the raw 400 to the user instead",
    ),
    rationale="Every SDK still raises its 4xx error, so only the recovery is lost: a warning.",
    evidence=(NOT_REPLAYED, "Soju06/codex-lb#1817 (an anchor rejection without the code defeats the recovery)"),
)

CANCEL_NOT_CANCELLED = Rule(
    code="HTT029",
    name="background-cancel-not-cancelled",
    summary=(
        "`POST /responses/{id}/cancel` on a running background response was not answered with HTTP 200 and "
        "that Response in status `cancelled`."
    ),
    requirement=(
        "Cancels a model response with the given ID; only responses created with `background: true` can be "
        "cancelled. The answer is the Response (200), its status `cancelled`."
    ),
    severity={"openai": ERROR, "openresponses": WARNING},
    refs=(SpecRef(OPENAI_SPEC, "POST /responses/{response_id}/cancel"),),
    breaks=(
        "`client.responses.cancel(id)` in every SDK (raises, or the work goes on and is billed)",
    ),
    rationale=(
        "The Open Responses specification defines background mode but no cancel endpoint, so a server "
        "judged by it gets a warning; OpenAI documents the endpoint: an error there."
    ),
    evidence=(NOT_REPLAYED,),
)

CANCEL_NOT_KEPT = Rule(
    code="HTT030",
    name="background-cancel-not-kept",
    summary="After a background response was cancelled, `GET /responses/{id}` shows another status.",
    requirement=(
        "A cancelled response stays cancelled: retrieving it answers the same Response in status `cancelled`."
    ),
    severity={"openai": ERROR, "openresponses": WARNING},
    refs=(
        SpecRef(OPENAI_SPEC, "GET /responses/{response_id}"),
        SpecRef(OPENAI_SPEC, "POST /responses/{response_id}/cancel"),
    ),
    breaks=(
        "clients that poll a background response (`responses.retrieve` until a terminal status): they wait "
        "for, or show, an answer the user cancelled",
    ),
    rationale="As HTT029: no cancel endpoint in the Open Responses specification, so a warning there.",
    evidence=(NOT_REPLAYED,),
)

# --- include and stream_options ------------------------------------------------------------------

ENCRYPTED_REASONING_MISSING = Rule(
    code="HTT031",
    name="encrypted-reasoning-missing",
    summary=(
        "With `include: [\"reasoning.encrypted_content\"]`, a completed reasoning item carries no "
        "`encrypted_content` string."
    ),
    requirement=(
        "`reasoning.encrypted_content` in `include` adds an encrypted version of the reasoning tokens to "
        "reasoning item outputs; clients use the completed item's `encrypted_content` (from "
        "`response.output_item.done`) in later requests."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Includable / ReasoningItem.encrypted_content"),
          SpecRef(OPENRESPONSES, "IncludeEnum / ReasoningBody.encrypted_content")),
    breaks=(
        "stateless multi-turn (`store: false`, zero data retention: Codex, openai-agents) loses the "
        "reasoning between turns",
    ),
    rationale="The answer itself is intact and no client raises: a warning.",
    evidence=(NOT_REPLAYED,),
)

OBFUSCATION_NOT_DISABLED = Rule(
    code="HTT032",
    name="obfuscation-not-disabled",
    summary="With `stream_options.include_obfuscation: false`, delta events still carry an `obfuscation` field.",
    requirement=(
        "Obfuscation fields are included by default; `include_obfuscation: false` turns them off (to save "
        "bandwidth on trusted links)."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "ResponseStreamOptions.include_obfuscation"),
          SpecRef(OPENRESPONSES, "StreamOptionsParam.include_obfuscation")),
    breaks=("nothing but bandwidth: every client ignores the field",),
    rationale="The option is ignored at a cost in bytes only: a warning.",
    evidence=(NOT_REPLAYED,),
)

register(
    STATUS_NOT_2XX,
    CONTENT_TYPE,
    BODY_TRUNCATED,
    IDLE_TIMEOUT,
    FIRST_BYTE_TIMEOUT,
    TOTAL_TIMEOUT,
    CONNECTION_FAILED,
    REDIRECT,
    INVALID_REQUEST_ACCEPTED,
    STRUCTURED_OUTPUT_MISMATCH,
    TOOL_NOT_CALLED,
    PARALLEL_CALLS_MISSING,
    NOT_INCOMPLETE,
    REASONING_MISSING,
    ERROR_BODY_NOT_JSON,
    EMPTY_BODY,
    BODY_TOO_LARGE,
    EVENT_TOO_LARGE,
    OPEN_AFTER_TERMINAL,
    ERROR_SHAPE,
    NON_STREAMING_INVALID,
    NON_STREAMING_SHAPE,
    CANCEL_BROKE_NEXT,
    CROSS_TALK,
    RESUME_MISMATCH,
    # continuation and background cancellation
    CONTINUATION_FAILED,
    PREVIOUS_ID_NOT_ECHOED,
    REJECTION_CODE,
    CANCEL_NOT_CANCELLED,
    CANCEL_NOT_KEPT,
    # include and stream_options
    ENCRYPTED_REASONING_MISSING,
    OBFUSCATION_NOT_DISABLED,
)

# --- official-suite coverage (issue 20): HTT036-HTT039 -----------------------------------------
# Kept apart from HTT026-HTT035 (the deeper battery) so that the two blocks merge cleanly.

OPTIONAL_INPUT_SERVER_ERROR = Rule(
    code="HTT036",
    name="optional-input-server-error",
    summary=(
        "A well-formed request with an input the server need not support (assistant `phase` labels, "
        "an `input_image`) was answered with an HTTP 5xx."
    ),
    requirement=(
        "An input the server does not support is refused as the client's error: HTTP 4xx, error type "
        "`invalid_request` (\"one or more parameters are ... unsupported\"); `server_error` is for failures "
        "\"not caused by the client\". A server that declares the capability answers the request."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "Errors / Error Types"), SpecRef(OPENRESPONSES, "Items / User content"),
          SpecRef(OPENAI_SPEC, "EasyInputMessage.phase, InputImageContent")),
    breaks=(
        "openai-python and openai-node retry a 5xx (two retries by default), so the unsupported request is "
        "sent three times before InternalServerError is raised, where a 4xx raises BadRequestError at once",
        "agents and gateways that fall back or drop the field on a 4xx treat a 5xx as an outage instead",
    ),
    rationale=(
        "The clients disagree with the server about whose fault the request is: they retry a request that can "
        "never succeed and report an outage; an error (a clean 4xx passes when the capability is not declared)."
    ),
    evidence=(NOT_REPLAYED,),
)

COMPACT_INVALID = Rule(
    code="HTT037",
    name="compact-invalid",
    summary=(
        "`POST /responses/compact` was not answered with HTTP 200 and a valid compacted response "
        "(`object: response.compaction`, `id`, `created_at`, `output` items, `usage`)."
    ),
    requirement=(
        "A server that declares compaction answers `POST /responses/compact` with a CompactResource: `id`, "
        "`object` \"response.compaction\", `output` (the compacted window, a list of items, among them a "
        "`compaction` item with `encrypted_content`), `created_at` and `usage`, all required."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "POST /responses/compact (CompactResource)"),
          SpecRef(OPENRESPONSES, "WebSocket Compaction"), SpecRef(OPENAI_SPEC, "POST /responses/compact")),
    breaks=(
        "openai-python / openai-node `responses.compact()` raise on a non-200 answer",
        "a client that replaces its history with `output` (the spec's WebSocket compaction flow, Codex's "
        "remote compaction) has nothing, or something that is not a list of items, to send next",
    ),
    evidence=(NOT_REPLAYED,),
)

COMPACT_MISSING_MODEL = Rule(
    code="HTT038",
    name="compact-missing-model-accepted",
    summary="`POST /responses/compact` without the required `model` was not rejected with HTTP 400 or 422.",
    requirement=(
        "`model` is required in the compact request body; a request without it is refused as the client's "
        "error, HTTP 400 (`invalid_request`) or 422, with a JSON error body."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENRESPONSES, "POST /responses/compact (CompactResponseMethodPublicBody.required)"),
          SpecRef(OPENRESPONSES, "Errors / Error Types")),
    breaks=(
        "no SDK sends it (each requires `model` for compact); a hand-written client learns of its mistake "
        "late, or never when a default model answers",
    ),
    rationale=(
        "The official suite's compact-missing-model test fails such a server, but no mainstream client sends "
        "the request and none breaks on the answer: a warning."
    ),
    evidence=(NOT_REPLAYED,),
)

COMPACTED_WINDOW_REFUSED = Rule(
    code="HTT039",
    name="compacted-window-refused",
    summary=(
        "The window `POST /responses/compact` returned, passed back as the base input of a new WebSocket "
        "response (no `previous_response_id`), was not answered with a response."
    ),
    requirement=(
        "After standalone compaction, clients MUST start a new response by omitting `previous_response_id`, "
        "passing the compacted output as the base `input` and appending the latest items; the server that "
        "produced the window accepts it back."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "WebSocket Mode / WebSocket Compaction"),
          SpecRef(OPENRESPONSES, "POST /responses/compact")),
    breaks=(
        "every client that follows the spec's compaction flow (Codex's remote compaction) loses the conversation: "
        "the only input it may send after compacting is refused",
    ),
    evidence=(NOT_REPLAYED,),
)

register(
    OPTIONAL_INPUT_SERVER_ERROR,
    COMPACT_INVALID,
    COMPACT_MISSING_MODEL,
    COMPACTED_WINDOW_REFUSED,
)
