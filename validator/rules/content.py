"""CNT: content parts and their text (enforced in ``validator.machine.content``)."""

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

_STREAMABLE = SpecRef(OPENRESPONSES, "Items are streamable")
_SDK = SpecRef(OPENAI_SDK, "ResponseStreamState.accumulate_event / handle_event")

PART_NOT_ADDED = Rule(
    code="CNT001",
    name="delta-before-part-added",
    summary="A text event names a `content_index` that no `content_part.added` opened.",
    requirement=(
        "Streamable content MUST be backed by a content part. The first event in such cases MUST be "
        "`response.content_part.added`, followed by the delta events."
    ),
    severity=both(ERROR),
    refs=(_STREAMABLE, SpecRef(OPENAI_SPEC, "ResponseContentPartAddedEvent"), _SDK),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        "openai-python-stream (raises IndexError: list index out of range)",
        "openai-agents (wrong: returns another text than the stream's)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (raises OpenAIError: missing content at index 0)",
        "ai-sdk (wrong: returns another text than the stream's)",
    ),
    rationale=(
        "A delta that names no `content_index` at all is reported here too. open-responses-server "
        "sends deltas with neither an item nor a part; ITM001 reports those, once per item."
    ),
    evidence=(
        (
            "Measured (CNT/delta-before-part-added.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, openai-python-stream raises, openai-agents wrong, "
            "langchain-openai wrong, pydantic-ai wrong, llamaindex wrong, openai-node raises, ai-sdk "
            "wrong; every client breaks."
        ),
    ),
)

PART_INDEX_ORDER = Rule(
    code="CNT002",
    name="content-index-out-of-order",
    summary="`content_part.added` does not use the item's next `content_index` (0, 1, 2, ...).",
    requirement="`content_index` is the part's position in the item's `content`.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseContentPartAddedEvent.content_index"), _SDK),
    breaks=(
        "openai-python-stream (raises IndexError: list index out of range)",
        "openai-node (raises OpenAIError: missing content at index 1)",
    ),
    evidence=(
        (
            "Measured (CNT/content-index-not-zero.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, openai-node raises; the other 6 read it as the stream says."
        ),
    ),
)

PART_KIND = Rule(
    code="CNT003",
    name="delta-kind-mismatch",
    summary="A delta's kind does not match its part's type (e.g. `output_text.delta` into a `refusal` part).",
    requirement=(
        "`output_text.*` events fill `output_text` parts, `refusal.*` fill `refusal` parts, "
        "`reasoning_text.*` fill `reasoning_text` parts."
    ),
    severity=both(ERROR),
    refs=(_STREAMABLE, _SDK),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        "openai-python-stream (raises AssertionError)",
        "openai-agents (wrong: returns another text than the stream's)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (raises OpenAIError: expected content to be 'output_text', got refusal)",
        "ai-sdk (wrong: returns another text than the stream's)",
    ),
    evidence=(
        (
            "Measured (CNT/delta-kind-mismatch.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, openai-python-stream raises, openai-agents wrong, "
            "langchain-openai wrong, pydantic-ai wrong, llamaindex wrong, openai-node raises, ai-sdk "
            "wrong; every client breaks."
        ),
    ),
)

WRONG_ITEM = Rule(
    code="CNT004",
    name="content-on-wrong-item",
    summary="A content or text event targets an item of a kind that cannot hold it.",
    requirement=(
        "`output_text`/`refusal` parts belong to `message` items; `reasoning_text` and summary "
        "parts belong to `reasoning` items."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseOutputMessage.content / ResponseReasoningItem"), _SDK),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        "openai-python-stream (raises AssertionError)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "openai-node (raises OpenAIError: expected output item type 'message', got 'function_call')",
        "ai-sdk (raises error part: text part fc_fx1 not found)",
    ),
    rationale=(
        "Reasoning streamed as `reasoning_text` content parts of a `reasoning` item is allowed "
        "(Open Responses: raw reasoning follows the same delta semantics as other content parts; "
        "DeepSeek, LM Studio and OpenRouter do it), and so is an `output_text` part on a reasoning "
        "item (the Open Responses reasoning example holds one). An `output_text.delta` must still "
        "target a message: openai-python asserts it. Item types this validator does not know "
        "(vendor extensions) are not judged."
    ),
    evidence=(
        (
            "Measured (CNT/text-on-function-call.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, openai-python-stream raises, langchain-openai wrong, pydantic-ai "
            "wrong, openai-node raises, ai-sdk raises; the other 2 read it as the stream says."
        ),
    ),
)

TEXT_DONE_MISMATCH = Rule(
    code="CNT005",
    name="done-text-mismatch",
    summary="A `*.done` text is not the concatenation of its deltas.",
    requirement="The `.done` event carries the full text: the deltas concatenated.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseTextDoneEvent.text"), _STREAMABLE),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        "openai-python-stream (wrong: returns another text than the stream's)",
        "openai-agents (wrong: returns another text than the stream's)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (wrong: returns another text than the stream's)",
        "ai-sdk (wrong: returns another text than the stream's)",
        "clients that render deltas and then store the `.done` text (the user saw a different answer)",
    ),
    rationale="Not judged for parts of a resumed stream that began before the resume point.",
    evidence=(
        (
            "Measured (CNT/done-text-mismatch.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, openai-python-stream wrong, openai-agents wrong, langchain-openai "
            "wrong, pydantic-ai wrong, llamaindex wrong, openai-node wrong, ai-sdk wrong; every client "
            "breaks."
        ),
    ),
)

PART_DONE_MISMATCH = Rule(
    code="CNT006",
    name="part-done-text-mismatch",
    summary="`content_part.done` carries another text than its part's deltas and `.done` event.",
    requirement="The content part is closed with `response.content_part.done` carrying the part's full content.",
    severity=both(WARNING),
    refs=(_STREAMABLE, SpecRef(OPENAI_SPEC, "ResponseContentPartDoneEvent")),
    breaks=(
        "clients that take the part from `content_part.done`",
    ),
    evidence=(
        (
            "Measured (CNT/part-done-text-mismatch.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        (
            "Was an error: every replayed client tolerates it and neither spec has a MUST for the part's "
            "text."
        ),
    ),
)

ITEM_DONE_MISMATCH = Rule(
    code="CNT007",
    name="item-done-content-mismatch",
    summary="The `output_item.done` item's content differs from the streamed parts (count, type or text).",
    requirement="`output_item.done` carries the finished item: its parts as streamed.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseOutputItemDoneEvent.item"), _STREAMABLE),
    breaks=(
        "clients that take the finished item from `output_item.done` (the text changes under the user)",
    ),
    rationale=(
        "Only parts that were streamed are compared: items that stream no parts and arrive whole "
        "in `done` (OpenAI reasoning items without summaries, some providers' messages) are accepted."
    ),
    evidence=(
        (
            "Measured (CNT/item-done-content-mismatch.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        (
            "From code: the Codex CLI builds the conversation history from `output_item.done` items "
            "(codex-rs/codex-api/src/sse/responses.rs), so the next turn carries another text than the "
            "user saw."
        ),
    ),
)

TEXT_DONE_MISSING = Rule(
    code="CNT008",
    name="text-done-missing",
    summary="A content part is closed without its `*.done` text event.",
    requirement="The delta events end with `response.<content_type>.done`; then `content_part.done` closes the part.",
    severity={"openresponses": ERROR, "openai": WARNING},
    refs=(_STREAMABLE,),
    breaks=(
        "clients that take the final text from `output_text.done`",
    ),
    rationale="openai-python does not need it, so a warning in the openai profile.",
    evidence=(
        (
            "Measured (CNT/text-done-missing.sse, 8 clients, versions in docs/clients.md): every client "
            "reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        (
            "MUST (openresponses): Items are streamable: streamable content is backed by a content part "
            "whose deltas end with `response.<content_type>.done`."
        ),
    ),
)

PART_NOT_DONE = Rule(
    code="CNT009",
    name="part-not-done",
    summary="An item is closed while one of its content parts was never closed with `content_part.done`.",
    requirement="The content part is closed with `response.content_part.done` before the item is done.",
    severity={"openresponses": ERROR, "openai": WARNING},
    refs=(_STREAMABLE,),
    breaks=(
        "clients that finalise a part (and its annotations) on `content_part.done`",
    ),
    rationale="openai-python ignores `content_part.done`, so a warning in the openai profile.",
    evidence=(
        (
            "Measured (CNT/part-not-done.sse, 8 clients, versions in docs/clients.md): every client reads "
            "it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        (
            "MUST (openresponses): Items are streamable: the content part is closed with "
            "`response.content_part.done`."
        ),
    ),
)

AFTER_PART_DONE = Rule(
    code="CNT010",
    name="event-after-part-done",
    summary="A delta, `.done` or annotation arrives for a part after its `.done` text or `content_part.done`.",
    requirement="A part accepts deltas only until its `.done` event; it is then closed.",
    severity=both(ERROR),
    refs=(_STREAMABLE,),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "ai-sdk (wrong: returns another text than the stream's)",
        "clients that finalise the text on `.done` (the late delta is lost or duplicated)",
    ),
    evidence=(
        (
            "Measured (CNT/delta-after-text-done.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, langchain-openai wrong, pydantic-ai wrong, ai-sdk wrong; the "
            "other 4 read it as the stream says."
        ),
    ),
)

SUMMARY_NOT_ADDED = Rule(
    code="CNT011",
    name="summary-delta-before-part",
    summary="A reasoning summary text event names a `summary_index` that no `reasoning_summary_part.added` opened.",
    requirement="Summary text is backed by a summary part opened with `response.reasoning_summary_part.added`.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseReasoningSummaryPartAddedEvent"), _STREAMABLE),
    breaks=(
        "openai-node (raises OpenAIError: missing content at index 0)",
    ),
    evidence=(
        (
            "Measured (CNT/summary-delta-before-part.sse, 8 clients, versions in docs/clients.md): "
            "openai-node raises; the other 7 read it as the stream says."
        ),
    ),
)

SUMMARY_INDEX_ORDER = Rule(
    code="CNT012",
    name="summary-index-out-of-order",
    summary="`reasoning_summary_part.added` does not use the item's next `summary_index`.",
    requirement="`summary_index` is the part's position in the reasoning item's `summary`.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseReasoningSummaryPartAddedEvent.summary_index"),),
    breaks=(
        "openai-node (raises OpenAIError: missing content at index 1)",
    ),
    rationale="openai-node indexes summary parts by `summary_index` and raises on a gap, so an error.",
    evidence=(
        (
            "Measured (CNT/summary-index-not-zero.sse, 8 clients, versions in docs/clients.md): "
            "openai-node raises; the other 7 read it as the stream says."
        ),
        "Was a warning: openai-node raises (measured).",
    ),
)

ANNOTATION_ORDER = Rule(
    code="CNT013",
    name="annotation-index-out-of-order",
    summary="`output_text.annotation.added` does not use the part's next `annotation_index`.",
    requirement="`annotation_index` is the annotation's position in the part's `annotations`, counted from 0.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseOutputTextAnnotationAddedEvent.annotation_index"),),
    breaks=(
        "openai-node (raises OpenAIError: missing annotation at index 1)",
    ),
    rationale="openai-node places annotations by `annotation_index` and raises on a gap, so an error.",
    evidence=(
        (
            "Measured (CNT/annotation-index-not-zero.sse, 8 clients, versions in docs/clients.md): "
            "openai-node raises; the other 7 read it as the stream says."
        ),
        "Was a warning: openai-node raises (measured).",
    ),
)

ANNOTATION_RANGE = Rule(
    code="CNT014",
    name="annotation-out-of-range",
    summary="An annotation's `start_index`/`end_index` fall outside the part's final text or are reversed.",
    requirement="Citation offsets index into the text they annotate: 0 <= start_index <= end_index <= len(text).",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "URLCitationBody / FileCitationBody"),),
    breaks=(
        "clients that slice the text at the offsets to render citations",
    ),
    rationale=(
        "Checked when the part closes. Offsets are accepted when they fit the text counted in code "
        "points or in UTF-16 units, since servers count either way."
    ),
    evidence=(
        (
            "Measured (CNT/annotation-out-of-range.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

SUMMARY_TEXT_DONE_MISSING = Rule(
    code="CNT015",
    name="summary-text-done-missing",
    summary="A reasoning summary part is closed without its `reasoning_summary_text.done` event.",
    requirement=(
        "The `reasoning_summary_text.delta` events of a summary part end with `reasoning_summary_text.done`; "
        "then `reasoning_summary_part.done` closes the part."
    ),
    severity={"openresponses": ERROR, "openai": WARNING},
    refs=(SpecRef(OPENAI_SPEC, "ResponseReasoningSummaryTextDoneEvent"), _STREAMABLE),
    breaks=(
        "clients that take the finished summary from `reasoning_summary_text.done`",
    ),
    rationale=(
        "As CNT008 for content parts: the Open Responses delta pattern ends each streamed text with "
        "its `.done` event; in the openai profile a warning until a client is shown to need it."
    ),
    since="0.2.0",
    evidence=(
        (
            "Measured (CNT/summary-text-done-missing-openresponses.sse, CNT/summary-text-done-missing.sse, "
            "8 clients, versions in docs/clients.md): every client reads it as the stream says (or as it "
            "reads a valid stream that ends the same way)."
        ),
        "MUST (openresponses): Items are streamable: streamed text ends with its `.done` event.",
    ),
)

register(
    PART_NOT_ADDED,
    PART_INDEX_ORDER,
    PART_KIND,
    WRONG_ITEM,
    TEXT_DONE_MISMATCH,
    PART_DONE_MISMATCH,
    ITEM_DONE_MISMATCH,
    TEXT_DONE_MISSING,
    PART_NOT_DONE,
    AFTER_PART_DONE,
    SUMMARY_NOT_ADDED,
    SUMMARY_INDEX_ORDER,
    ANNOTATION_ORDER,
    ANNOTATION_RANGE,
    SUMMARY_TEXT_DONE_MISSING,
)
