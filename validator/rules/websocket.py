"""WSS: a Responses WebSocket session (enforced in ``validator.session``).

Over WebSocket (``GET /v1/responses`` upgraded), one connection carries many
responses. Each response inside a session is checked by its own ``Checker``,
with the same rules as an SSE stream; these rules judge what only the session
shows: which request a response answers, lanes and ordering, the error
envelope, continuation, how the connection ends. See docs/websocket.md.
"""

from __future__ import annotations

from validator.rules import (
    ERROR,
    OPENAI_SPEC,
    OPENRESPONSES,
    WARNING,
    Rule,
    SpecRef,
    both,
    register,
)

_OR_WS = SpecRef(OPENRESPONSES, "WebSocket Transport")
_OR_CONTINUATION = SpecRef(OPENRESPONSES, "WebSocket Transport / WebSocket Continuation")
_OR_RECONNECTS = SpecRef(OPENRESPONSES, "WebSocket Transport / WebSocket Reconnects")
_OR_ERRORS = SpecRef(OPENRESPONSES, "WebSocket Transport / WebSocket Errors")
_OR_SCHEMA = SpecRef(OPENRESPONSES, "openapi-2026-04-24.json, WebSocketResponseCreateEvent, WebSocketErrorEvent")
_OA_CLIENT = SpecRef(OPENAI_SPEC, "ResponsesClientEventResponseCreate (stream_id)")
_OA_SERVER = SpecRef(OPENAI_SPEC, "ResponsesServerEvent, ResponseWsError")
OPENAI_WS_SDK = "openai-python 3.57 (client.responses.connect(), types/responses/responses_server_event.py)"
_SDK_STEER = SpecRef(OPENAI_WS_SDK, "response.steer and the response.steer.* events")
_SDK_PARSE = SpecRef(OPENAI_WS_SDK, "ResponsesConnection.parse_event")
_RFC6455 = SpecRef("RFC 6455", "7.4 Status Codes")
# The client harness replays SSE; a session defect is not something it can show (ARCHITECTURE.md,
# "Severity is evidence"): each WSS rule's severity rests on the spec or a reading of client code.
_NOT_MEASURED = (
    "Not measured by the client harness: its clients read SSE, and this defect exists only in a WebSocket "
    "session (openai-python's `client.responses.connect()` reads every generated valid session: "
    "conformance_tests/test_sdk_ws_crosscheck.py)."
)

RESPONSE_WITHOUT_REQUEST = Rule(
    code="WSS001",
    name="response-without-request",
    summary="A response starts on the connection (or lane) with no `response.create` waiting for it.",
    requirement=(
        "Clients MUST start each turn by sending `response.create`; servers treat each such message as "
        "a request to create a response. A response starts only in answer to one (or, in the openai "
        "profile, as the automatic successor of a steered response)."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (Open Responses WebSocket Transport; OpenAI ResponsesClientEventResponseCreate): a response"
            " is the answer to a `response.create`, or in the openai profile the successor of a steered one; "
            "an unrequested response is taken as the answer to the next request."
        ),
    ),
    refs=(_OR_WS, _OA_CLIENT, _SDK_STEER),
    breaks=(
        "clients that pair each response with the request they sent (openai-agents, Codex): "
        "an unrequested response is taken as the answer to the next request",
    ),
    rationale=(
        "Requests are answered in order (FIFO per lane): a response or a request-level error takes "
        "the oldest unanswered `response.create` of its lane. A response with none left is a "
        "replayed or misrouted answer (a pooled upstream socket answering an earlier caller)."
    ),
)

TRANSPORT_FIELD_SENT = Rule(
    code="WSS002",
    name="transport-field-in-create",
    summary="A WebSocket `response.create` carries `stream`, `stream_options` or `background`.",
    requirement=(
        "HTTP/SSE transport-specific fields such as `stream`, `stream_options`, and `background` MUST "
        "NOT be sent on WebSocket requests."
    ),
    severity={"openresponses": ERROR, "openai": WARNING},
    evidence=(
        _NOT_MEASURED,
        (
            "MUST NOT (Open Responses WebSocket Transport): `stream`, `stream_options` and `background` MUST "
            "NOT be sent; OpenAI's spec only says they are not used over WebSocket, so the openai profile "
            "warns."
        ),
    ),
    refs=(_OR_WS, _OR_SCHEMA, _OA_CLIENT),
    rationale=(
        "This judges the client side of a capture. OpenAI's spec says `stream` is implicit and "
        "`background` not supported over WebSocket (a SHOULD NOT), so the openai profile warns; "
        "gateways strip these fields before forwarding."
    ),
)

MULTIPLEXED = Rule(
    code="WSS003",
    name="responses-multiplexed",
    summary="A second response starts on the connection while another is still in flight.",
    requirement=(
        "A single WebSocket connection MUST process at most one in-flight response at a time. Servers "
        "MUST NOT multiplex multiple in-flight responses over one connection."
    ),
    severity={"openresponses": ERROR},
    evidence=(
        _NOT_MEASURED,
        (
            "MUST NOT (Open Responses WebSocket Transport): servers MUST NOT multiplex several in-flight "
            "responses over one connection."
        ),
    ),
    refs=(_OR_WS,),
    breaks=("Open Responses clients, which cannot tell two interleaved responses apart (the events carry no lane)",),
    rationale="The openai profile has lanes (`stream_id`) instead; see WSS004.",
)

LANE_NOT_FIFO = Rule(
    code="WSS004",
    name="lane-not-fifo",
    summary="A response starts in a `stream_id` lane before the lane's previous response has ended.",
    requirement=(
        "Requests with the same `stream_id` are processed FIFO, and events for the response echo the "
        "same `stream_id`. Different lanes may interleave; one lane may not."
    ),
    severity={"openai": ERROR},
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (OpenAI ResponsesClientEventResponseCreate.stream_id): requests with the same `stream_id` "
            "are processed FIFO."
        ),
    ),
    refs=(_OA_CLIENT,),
    breaks=("openai-node's lane helper and every client that accumulates a lane's events into one response",),
    rationale="Requests without `stream_id` share one default lane.",
)

STREAM_ID_NOT_ECHOED = Rule(
    code="WSS005",
    name="stream-id-not-echoed",
    summary="An event (or error) of a `stream_id` lane does not carry the lane's `stream_id`.",
    requirement=(
        "`stream_id` on a server event is present when the originating `response.create` event supplied "
        "a `stream_id`: every event of the lane, errors included, echoes it."
    ),
    severity={"openai": ERROR},
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (OpenAI ResponsesServerEvent): `stream_id` is present on a server event when the "
            "originating `response.create` supplied one."
        ),
    ),
    refs=(_OA_CLIENT, _OA_SERVER),
    breaks=(
        "openai-node's lane helper (events without the id land in the default lane)",
        "clients running parallel lanes, which cannot route the event",
    ),
    rationale="Reported publicly for gateways that drop the field on `response.created` and on errors.",
)

STEERED_WITHOUT_SUCCESSOR = Rule(
    code="WSS006",
    name="steered-without-successor",
    summary="A response ended `incomplete` with reason `steered`, but no successor `response.created` followed.",
    requirement=(
        "Steering may cause the active response to finish with `response.incomplete` and "
        "`incomplete_details.reason` `steered`, followed automatically by a successor `response.created`."
    ),
    severity={"openai": ERROR},
    evidence=(
        _NOT_MEASURED,
        (
            "From code (openai-python 3.57 types/responses/responses_server_event.py, response.steer): a "
            "steered response is followed automatically by a successor `response.created`; a client that "
            "steered waits for it."
        ),
    ),
    refs=(_SDK_STEER,),
    breaks=("clients that steer (openai-python 3.57 `connection.response.steer`): they wait for the successor",),
)

STEER_EVENT_OUT_OF_PLACE = Rule(
    code="WSS007",
    name="steer-event-out-of-place",
    summary="A `response.steer.*` event does not fit the session (no steer sent, no such response, pending too early).",
    requirement=(
        "`response.steer.accepted` and `.failed` answer a `response.steer` the client sent for that "
        "`previous_response_id`; `response.steer.pending` follows the target's `response.completed` "
        "and names an accepted steering submission."
    ),
    severity={"openai": WARNING},
    evidence=(
        _NOT_MEASURED,
        (
            "A warning: the steering events are OpenAI's SDK types, not a spec MUST, and a stray one changes "
            "no response a client assembles."
        ),
    ),
    refs=(_SDK_STEER,),
    rationale=(
        "Only OpenAI's SDK documentation defines steering (openai-python 3.57); no client is known to "
        "fail on a stray steering event, so this is a warning. The Open Responses profile does not define "
        "these events: there they are unknown event types (SCH002)."
    ),
)

ERROR_NOT_NESTED = Rule(
    code="WSS008",
    name="error-envelope-not-nested",
    summary="A WebSocket `error` message does not nest its details in an `error` object with a `message`.",
    requirement=(
        "WebSocket failures are sent as an error envelope: `{\"type\": \"error\", \"status\": N, "
        "\"error\": {\"code\", \"message\", ...}}` (OpenAI's `ResponseWsError` requires `error`)."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (Open Responses WebSocket Errors; OpenAI ResponseWsError, whose `error` member is "
            "required): the WebSocket error nests its details in `error`."
        ),
    ),
    refs=(_OR_ERRORS, _OR_SCHEMA, _OA_SERVER),
    breaks=(
        "openai-python (`event.error.message` on a ResponseWsError built from the flat SSE shape raises "
        "AttributeError)",
    ),
    rationale=(
        "The SSE `error` event of OpenAI's spec is flat (`code`, `message` at the top); over WebSocket "
        "both specifications nest them. A server that reuses its SSE encoder sends the flat shape."
    ),
)

ERROR_STATUS_OR_CODE = Rule(
    code="WSS009",
    name="error-envelope-status-or-code-missing",
    summary="A WebSocket `error` envelope has no integer `status` or no string `error.code`.",
    requirement="WebSocket failures MUST be sent as a JSON `error` envelope with a `status` code and an `error.code`.",
    severity={"openresponses": ERROR},
    evidence=(
        _NOT_MEASURED,
        (
            "MUST (Open Responses WebSocket Errors): failures are sent as an `error` envelope with a `status`"
            " code and an `error.code`."
        ),
    ),
    refs=(_OR_ERRORS, _OR_SCHEMA),
    rationale=(
        "OpenAI's `ResponseWsError` makes `status` optional and `error.code` nullable, so the openai "
        "profile does not check this."
    ),
)

CONTINUATION_NOT_REJECTED = Rule(
    code="WSS010",
    name="continuation-not-rejected",
    summary=(
        "A `store=false` continuation from a response this connection does not hold was not failed "
        "with `previous_response_not_found`."
    ),
    requirement=(
        "With `store=false`, if the referenced response is not available from connection-local state, "
        "the server MUST fail the turn with an error whose code is `previous_response_not_found`. After "
        "a continuation fails with a 4xx or 5xx error the id MUST be evicted; continuing from it again "
        "MUST fail the same way."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "MUST (Open Responses WebSocket Continuation): an unavailable `store=false` continuation fails "
            "with `previous_response_not_found`, and a failed id is evicted."
        ),
    ),
    refs=(_OR_CONTINUATION,),
    breaks=("clients that recover by resending the full context only on `previous_response_not_found`",),
    rationale=(
        "A response this connection holds is one it produced (and did not evict). A server may also "
        "fail a continuation from an older id of the same connection (it need keep only the latest); "
        "that is not reported."
    ),
)

CONNECTION_LIMIT_WITHOUT_ERROR = Rule(
    code="WSS011",
    name="connection-limit-without-error",
    summary="The server ended a connection of 60 minutes or more without a `websocket_connection_limit_reached` error.",
    requirement=(
        "WebSocket connections are limited to 60 minutes. When the limit is reached, servers MUST return "
        "an error whose code is `websocket_connection_limit_reached`."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "MUST (Open Responses WebSocket Reconnects): at the 60-minute limit servers return an error with "
            "code `websocket_connection_limit_reached`."
        ),
    ),
    refs=(_OR_RECONNECTS, _OR_ERRORS),
    breaks=("clients that reconnect on that code and treat any other close as a failure",),
)

DONE_SENTINEL = Rule(
    code="WSS012",
    name="done-sentinel-over-websocket",
    summary="The server sends a `[DONE]` message over the WebSocket.",
    requirement=(
        "Servers MUST send response progress over the WebSocket using the same streaming event objects "
        "defined for streaming HTTP responses; `[DONE]` is an SSE terminator, not an event object."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "From code (openai-python 3.57 ResponsesConnection.parse_event): every message goes through "
            "`json.loads`, which raises on `[DONE]`; MUST (Open Responses WebSocket Transport): progress is "
            "sent as the streaming event objects."
        ),
    ),
    refs=(_OR_WS, _SDK_PARSE),
    breaks=(
        "openai-python (`json.loads('[DONE]')` raises in ResponsesConnection.parse_event)",
        "the Open Responses compliance suite (fails a `[DONE]` before the terminal event)",
    ),
)

CLOSED_MID_RESPONSE = Rule(
    code="WSS013",
    name="closed-mid-response",
    summary="The connection closed (1006, 1009, ...) while a response was still in flight.",
    requirement=(
        "Terminal response events have the same meaning on both transports: each response ends with one, "
        "before the connection closes."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (Open Responses WebSocket Transport): terminal events mean the same on both transports; a "
            "response cut by the close has none, and its answer and usage are lost."
        ),
    ),
    refs=(_OR_WS, _RFC6455),
    breaks=("every client: the answer is cut off and its usage lost; openai-python raises ConnectionClosedError",),
    rationale=(
        "Reported publicly as close code 1009 on frames of 16 MiB or more and 1006 (no close frame), "
        "both without a terminal event. The response's own Checker also reports the missing terminal "
        "event (LIF007), marked as following from this finding."
    ),
)

REQUEST_NOT_ANSWERED = Rule(
    code="WSS014",
    name="request-not-answered",
    summary="A `response.create` got neither a response nor an error before the connection closed.",
    requirement=(
        "Servers MUST treat a WebSocket `response.create` message as a request to create a response; "
        "several are processed sequentially, so each gets a response or a failure."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "MUST (Open Responses WebSocket Transport): servers treat each `response.create` as a request to "
            "create a response and process them in order, so each gets a response or an error."
        ),
    ),
    refs=(_OR_WS, _OR_ERRORS),
    breaks=("clients awaiting the answer to each request they sent (they hang until their own timeout)",),
    rationale=(
        "Judged only when the capture records the close; after `websocket_connection_limit_reached` "
        "unanswered requests are expected."
    ),
)

FRAME_TOO_LARGE = Rule(
    code="WSS015",
    name="frame-too-large",
    summary="A WebSocket message is 16 MiB or larger.",
    requirement="Messages stay below 16 MiB, the size at which a production Responses WebSocket closes with 1009.",
    severity=both(WARNING),
    evidence=(
        _NOT_MEASURED,
        (
            "A warning: no spec limits message size; the 16 MiB figure is one production server's close "
            "(1009), so a larger message is a portability risk, not a broken MUST."
        ),
    ),
    refs=(SpecRef("ChatGPT Codex backend", "close code 1009 on messages of 16 MiB or more"), _RFC6455),
    rationale=(
        "No specification states a limit; a production backend closes the connection (1009, message too "
        "big) on such messages and the `websockets` library's default limit is 1 MiB, so clients "
        "that keep defaults break."
    ),
)

ERROR_WITHOUT_REQUEST = Rule(
    code="WSS016",
    name="error-without-request",
    summary="A request-level `error` arrives where no request awaits an answer (an error for someone else).",
    requirement=(
        "An error answers the request (or the response) of its lane; with no response in flight and no "
        "`response.create` waiting, it answers nothing."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (Open Responses WebSocket Errors; OpenAI ResponsesServerEvent): an error answers a request "
            "or a response of its lane; one that answers nothing was meant for another request (a pooled "
            "upstream socket)."
        ),
    ),
    refs=(_OR_ERRORS, _OA_SERVER),
    breaks=("clients that fail the next request with an error meant for an earlier one",),
    rationale=(
        "Reported publicly for a pooled upstream socket that delivers one request's error to the next "
        "request. `websocket_connection_limit_reached` belongs to the connection and may come at any time."
    ),
)

NONSTANDARD_TERMINAL = Rule(
    code="WSS017",
    name="nonstandard-terminal-event",
    summary="A response ends with `response.done` (the Realtime API's event) instead of a Responses terminal event.",
    requirement=(
        "A response ends with `response.completed`, `response.failed` or `response.incomplete`; "
        "event ordering and terminal response events have the same meaning on both transports."
    ),
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (Open Responses WebSocket Transport; OpenAI ResponsesServerEvent, which has no "
            "`response.done`): a response ends with `response.completed`, `response.failed` or "
            "`response.incomplete`."
        ),
    ),
    refs=(_OR_WS, _OA_SERVER),
    breaks=("every Responses client: it waits for a terminal event that never comes",),
    rationale=(
        "Reported publicly for a gateway. The session treats `response.done` as the end of the response, "
        "so the next response is not reported as overlapping it; the response's missing terminal event "
        "(LIF007) is marked as following from this finding."
    ),
)

UPGRADE_REFUSED = Rule(
    code="WSS018",
    name="upgrade-refused",
    summary="The WebSocket upgrade on `/v1/responses` was not answered with 101 Switching Protocols.",
    requirement="Servers MAY expose the Responses API over a persistent WebSocket connection at the same resource.",
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "Spec (RFC 6455 4.2.2): a server that accepts the upgrade answers 101; anything else means there "
            "is no WebSocket mode at that resource."
        ),
    ),
    refs=(_OR_WS, SpecRef("RFC 6455", "4.2.2 Sending the Server's Opening Handshake")),
    rationale=(
        "Only checked where the WebSocket transport was asked for (`check --transport websocket`, or a "
        "capture that records the handshake): a server that does not offer it fails this one rule."
    ),
)

MESSAGE_NOT_EVENT = Rule(
    code="WSS019",
    name="message-not-event",
    summary="A server message is not a JSON object with a string `type`.",
    requirement="Each server message is one JSON event object (text frames, one JSON object each).",
    severity=both(ERROR),
    evidence=(
        _NOT_MEASURED,
        (
            "From code (openai-python 3.57 ResponsesConnection.parse_event): `json.loads` of a message that "
            "is not JSON raises."
        ),
    ),
    refs=(_OR_WS, _SDK_PARSE),
    breaks=("openai-python (`json.loads` of the message raises in ResponsesConnection.parse_event)",),
)

CONTINUATION_REFUSED = Rule(
    code="WSS020",
    name="continuation-refused",
    summary="A `store=false` continuation from the connection's most recent response failed.",
    requirement=(
        "Servers SHOULD keep the most recent previous-response state in connection-local memory for the "
        "active WebSocket, so that `store=false` can continue on the same socket."
    ),
    severity=both(WARNING),
    evidence=(
        _NOT_MEASURED,
        (
            "A warning: Open Responses says servers SHOULD keep the most recent response in connection-local "
            "memory; failing the continuation is allowed."
        ),
    ),
    refs=(_OR_CONTINUATION,),
    rationale="A SHOULD: clients recover by resending the full context, at the cost the WebSocket mode exists to save.",
)

register(
    RESPONSE_WITHOUT_REQUEST,
    TRANSPORT_FIELD_SENT,
    MULTIPLEXED,
    LANE_NOT_FIFO,
    STREAM_ID_NOT_ECHOED,
    STEERED_WITHOUT_SUCCESSOR,
    STEER_EVENT_OUT_OF_PLACE,
    ERROR_NOT_NESTED,
    ERROR_STATUS_OR_CODE,
    CONTINUATION_NOT_REJECTED,
    CONNECTION_LIMIT_WITHOUT_ERROR,
    DONE_SENTINEL,
    CLOSED_MID_RESPONSE,
    REQUEST_NOT_ANSWERED,
    FRAME_TOO_LARGE,
    ERROR_WITHOUT_REQUEST,
    NONSTANDARD_TERMINAL,
    UPGRADE_REFUSED,
    MESSAGE_NOT_EVENT,
    CONTINUATION_REFUSED,
)
