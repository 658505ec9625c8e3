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
        "openai-python (`get_final_response().output` is empty or short: the answer is lost)",
        "clients that store the final response rather than the deltas",
    ),
    rationale=(
        "The ChatGPT Codex backend sends `response.completed` with `output: []` after streaming "
        "its items (recorded). Not checked on `response.failed`: a failure may drop unfinished output "
        "(azure-ai-agentserver sends `output: []`). A terminal response with `output` absent "
        "or null is not judged either: openai-python then rebuilds it from the done items."
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
        "openai-python (RuntimeError: Completed response output identity changed, for function and "
        "custom tool calls whose id changes)",
        "clients that reference items by id in the next request (`previous_response_id`, item references)",
    ),
    rationale=(
        "Open Responses requires ids that let clients reference an item unambiguously. OpenRouter "
        "streams a reasoning item as `rs_tmp_...` and names it differently in the final output "
        "(recorded); an item matched by position whose id differs is reported once, here."
    ),
)

OUTPUT_EXTRA = Rule(
    code="FIN003",
    name="final-output-unstreamed-item",
    summary="The terminal `output` holds an item that was never streamed.",
    requirement="Every item of the response is streamed with `output_item.added` and `output_item.done`.",
    severity=both(WARNING),
    refs=(SpecRef(OPENRESPONSES, "Items are streamable"),),
    breaks=("clients that render the stream (the item never appears)",),
    rationale="openai-python uses the final output, so nothing crashes: a warning.",
)

CONTENT_MISMATCH = Rule(
    code="FIN004",
    name="final-content-mismatch",
    summary="A final item's text, arguments or summary differs from the streamed one.",
    requirement="The final response carries the same content that was streamed for each item.",
    severity=both(ERROR),
    refs=(_COMPLETED,),
    breaks=("every client that shows the stream and then stores the final response (two different answers)",),
    rationale=(
        "Compared by a digest kept per finished item, so memory stays bounded by the open items' "
        "text. Items with nothing streamed (no parts, no argument deltas) are not compared."
    ),
)

USAGE_MISSING = Rule(
    code="FIN005",
    name="usage-missing",
    summary="`response.completed` carries no `usage`.",
    requirement="The completed response reports token usage.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Response.usage"),),
    breaks=("billing and observability clients (usage unknown)",),
    rationale=(
        "`usage` is nullable in both specs; servers without a tokenizer send null "
        "(azure-ai-agentserver, open-responses-server). A warning."
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
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseUsage"),),
    breaks=("cost accounting in every client (openai-python passes the numbers through unchecked)",),
    rationale="Checked on `response.completed` and `response.incomplete`; OpenAI sends `usage: null` on failures.",
)

INCOMPLETE_DETAILS = Rule(
    code="FIN007",
    name="incomplete-details-missing",
    summary="`response.incomplete` gives no `incomplete_details.reason`.",
    requirement="An incomplete response says why in `incomplete_details.reason`.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Response.incomplete_details"),),
    breaks=("Vercel AI SDK (a missing reason maps to finish reason `stop`: a truncated answer looks finished)",),
)

FAILED_ERROR = Rule(
    code="FIN008",
    name="failed-without-error",
    summary="`response.failed` gives no `error` object.",
    requirement="A failed response carries the error that failed it in `response.error`.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "Response.error"), SpecRef(OPENRESPONSES, "Errors")),
    breaks=("clients that surface `response.error.message` to the user (a blank failure)",),
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
