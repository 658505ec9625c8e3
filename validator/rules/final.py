"""FIN: the terminal response against the streamed history (enforced in ``validator.machine.final``)."""

from __future__ import annotations

from validator.rules import (
    ERROR,
    OPENAI_SDK,
    OPENAI_SPEC,
    OPENRESPONSES,
    WARNING,
    Rule,
    SpecRef,
    both,
    register,
)

_COMPLETED = SpecRef(OPENAI_SPEC, "ResponseCompletedEvent.response")
_SDK = SpecRef(OPENAI_SDK, "ResponseStreamState.accumulate_event (response.completed)")

OUTPUT_MISSING = Rule(
    code="FIN001",
    name="final-output-missing-items",
    summary="The terminal response's `output` lacks items that were streamed.",
    requirement="`response.completed` (or `incomplete`) carries the full response: every streamed item in `output`.",
    severity=both(ERROR),
    refs=(_COMPLETED, SpecRef(OPENRESPONSES, "Streaming / State Machine events")),
    breaks=(
        "openai-python-stream (wrong: returns another text than the stream's)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (wrong: returns another text than the stream's)",
        "clients that store the final response rather than the deltas",
    ),
    rationale=(
        "The ChatGPT Codex backend sends `response.completed` with `output: []` after streaming "
        "its items (recorded). Not checked on `response.failed`: a failure may drop unfinished output "
        "(azure-ai-agentserver sends `output: []`). A terminal response with `output` absent "
        "or null is not judged either: openai-python then rebuilds it from the done items."
    ),
    evidence=(
        (
            "Measured (FIN/final-output-empty.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream wrong, llamaindex wrong, openai-node wrong; the other 5 read it as the "
            "stream says."
        ),
    ),
)

OUTPUT_ORDER = Rule(
    code="FIN002",
    name="final-output-identity-mismatch",
    summary="An item of the terminal `output` has another id or type than the item streamed at that index.",
    requirement="Items keep their id, type and position from `output_item.added` into the final response.",
    severity=both(ERROR),
    refs=(_COMPLETED, _SDK),
    breaks=(
        "openai-python-stream (raises RuntimeError: Completed response output identity changed.)",
        "openai-node (raises OpenAIError: expected output item id 'fc_fx1', got 'fc_fx9')",
        (
            "clients that reference items by id in the next request (`previous_response_id`, item "
            "references)"
        ),
    ),
    rationale=(
        "Open Responses requires ids that let clients reference an item unambiguously. OpenRouter "
        "streams a reasoning item as `rs_tmp_...` and names it differently in the final output "
        "(recorded); an item matched by position whose id differs is reported once, here."
    ),
    evidence=(
        (
            "Measured (FIN/final-output-call-id-changed.sse, FIN/final-output-id-changed.sse, 8 clients, "
            "versions in docs/clients.md): openai-python-stream raises, openai-node raises; the other 6 "
            "read it as the stream says."
        ),
    ),
)

OUTPUT_EXTRA = Rule(
    code="FIN003",
    name="final-output-unstreamed-item",
    summary="The terminal `output` holds an item that was never streamed.",
    requirement="Every item of the response is streamed with `output_item.added` and `output_item.done`.",
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "Items are streamable"),),
    breaks=(
        "openai-python-stream (wrong: reports a function call the stream never streamed)",
        "openai-agents (wrong: reports a function call the stream never streamed)",
        "llamaindex (wrong: reports a function call the stream never streamed)",
        "openai-node (wrong: reports a function call the stream never streamed)",
        "clients that render the stream (the item never appears)",
    ),
    rationale=(
        "Clients disagree on the result: those that rebuild the response from the terminal event "
        "(openai-python and openai-node stream helpers, openai-agents, LlamaIndex) see the item, those that "
        "read the stream (event iteration, LangChain, pydantic-ai, the AI SDK) do not; for a function "
        "call, openai-agents runs it and the AI SDK never does. An error."
    ),
    evidence=(
        (
            "Measured (FIN/final-output-unstreamed-call-openresponses.sse, "
            "FIN/final-output-unstreamed-call.sse, FIN/final-output-unstreamed-item.sse, 8 clients, "
            "versions in docs/clients.md): openai-python-stream wrong, openai-agents wrong, llamaindex "
            "wrong, openai-node wrong; the other 4 read it as the stream says."
        ),
        (
            "Was a warning: clients disagree on the result (measured: the stream helpers of openai-python "
            "and openai-node, openai-agents and LlamaIndex report the item; plain event iteration, "
            "LangChain, pydantic-ai and the AI SDK do not)."
        ),
    ),
)

CONTENT_MISMATCH = Rule(
    code="FIN004",
    name="final-content-mismatch",
    summary="A final item's text, arguments or summary differs from the streamed one.",
    requirement="The final response carries the same content that was streamed for each item.",
    severity=both(ERROR),
    refs=(_COMPLETED,),
    breaks=(
        "openai-python-stream (wrong: returns another text than the stream's)",
        "openai-agents (wrong: returns another text than the stream's)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (wrong: returns another text than the stream's)",
        "every client that shows the stream and then stores the final response (two different answers)",
    ),
    rationale=(
        "Compared by a digest kept per finished item, so memory stays bounded by the open items' "
        "text. Items with nothing streamed (no parts, no argument deltas) are not compared."
    ),
    evidence=(
        (
            "Measured (FIN/final-content-mismatch.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream wrong, openai-agents wrong, llamaindex wrong, openai-node wrong; the "
            "other 4 read it as the stream says."
        ),
    ),
)

USAGE_MISSING = Rule(
    code="FIN005",
    name="usage-missing",
    summary="`response.completed` carries no `usage`.",
    requirement="The completed response reports token usage.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Response.usage"),),
    breaks=(
        "billing and observability clients (usage unknown)",
    ),
    rationale=(
        "`usage` is nullable in both specs; servers without a tokenizer send null "
        "(azure-ai-agentserver, open-responses-server). A warning."
    ),
    evidence=(
        (
            "Measured (FIN/usage-missing.sse, 8 clients, versions in docs/clients.md): every client reads "
            "it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

USAGE_TOTALS = Rule(
    code="FIN006",
    name="usage-totals-inconsistent",
    summary="`usage.total_tokens` is not input + output, or a detail exceeds its total.",
    requirement=(
        "`total_tokens` = `input_tokens` + `output_tokens`; `cached_tokens` <= `input_tokens`; "
        "`reasoning_tokens` <= `output_tokens`."
    ),
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "ResponseUsage"),),
    breaks=(
        "cost accounting in every client (openai-python passes the numbers through unchecked)",
    ),
    rationale="Checked on `response.completed` and `response.incomplete`; OpenAI sends `usage: null` on failures.",
    evidence=(
        (
            "Measured (FIN/usage-totals-inconsistent.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        "Was an error: clients pass the numbers through unchecked, and neither spec requires the sums.",
    ),
)

INCOMPLETE_DETAILS = Rule(
    code="FIN007",
    name="incomplete-details-missing",
    summary="`response.incomplete` gives no `incomplete_details.reason`.",
    requirement="An incomplete response says why in `incomplete_details.reason`.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "Response.incomplete_details"),),
    breaks=(
        "ai-sdk (wrong: reports another status than the stream's)",
    ),
    evidence=(
        (
            "Measured (FIN/incomplete-details-missing.sse, 8 clients, versions in docs/clients.md): ai-sdk "
            "wrong; the other 7 read it as the stream says."
        ),
        (
            "Was a warning: the AI SDK reports a truncated answer as finished (finish reason `stop`, "
            "measured)."
        ),
    ),
)

FAILED_ERROR = Rule(
    code="FIN008",
    name="failed-without-error",
    summary="`response.failed` gives no `error` object.",
    requirement="A failed response carries the error that failed it in `response.error`.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Response.error"), SpecRef(OPENRESPONSES, "Errors")),
    breaks=(
        "clients that surface `response.error.message` to the user (a blank failure)",
    ),
    evidence=(
        (
            "Measured (FIN/failed-without-error.sse, 8 clients, versions in docs/clients.md): every client "
            "reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

register(
    OUTPUT_MISSING,
    OUTPUT_ORDER,
    OUTPUT_EXTRA,
    CONTENT_MISMATCH,
    USAGE_MISSING,
    USAGE_TOTALS,
    INCOMPLETE_DETAILS,
    FAILED_ERROR,
)
