"""ITM: output items and their lifecycle (enforced in ``validator.machine.items``)."""

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
_STATES = SpecRef(OPENRESPONSES, "Items are state machines")
_ADDED = SpecRef(OPENAI_SPEC, "ResponseOutputItemAddedEvent")
_DONE = SpecRef(OPENAI_SPEC, "ResponseOutputItemDoneEvent")
_SDK = SpecRef(OPENAI_SDK, "ResponseStreamState.accumulate_event")

UNKNOWN_ITEM = Rule(
    code="ITM001",
    name="event-before-item-added",
    summary="An event refers to an output item that was never added.",
    requirement="The first event of an item MUST always be `response.output_item.added`.",
    severity=both(ERROR),
    refs=(_STREAMABLE, _SDK),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        (
            "openai-python-stream (raises RuntimeError: Received a content event for output index 0 before "
            "receiving its output item)"
        ),
        "openai-agents (wrong: returns another text than the stream's)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (raises OpenAIError: missing output at index 0)",
        "ai-sdk (raises error part: text part msg_fx1 not found)",
    ),
    rationale="Relaxed on resumed streams, whose items may have been added before the resume point.",
    evidence=(
        (
            "Measured (ITM/delta-before-item-added.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, openai-python-stream raises, openai-agents wrong, "
            "langchain-openai wrong, pydantic-ai wrong, llamaindex wrong, openai-node raises, ai-sdk "
            "raises; every client breaks."
        ),
    ),
)

INDEX_ORDER = Rule(
    code="ITM002",
    name="output-index-out-of-order",
    summary="`output_item.added` does not use the next `output_index` (0, 1, 2, ...).",
    requirement="`output_index` is the item's position in `response.output`; items are added in order.",
    severity=both(WARNING),
    refs=(_ADDED,),
    breaks=(
        "clients that store items in an array by position (holes or overwritten items)",
    ),
    rationale=(
        "Items may be open at the same time and may finish in any order (OpenRouter, xAI and "
        "OpenAI's own mcp_list_tools items do): nothing in either spec forbids it and clients key "
        "items by index or id, so it is not flagged. "
        "openai-python keys items by index and tolerates gaps (it documents providers that skip "
        "an index), so a gap or jump is a warning; the final output order is checked by FIN002."
    ),
    evidence=(
        (
            "Measured (ITM/output-index-not-zero.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

INDEX_REUSED = Rule(
    code="ITM003",
    name="output-index-reused",
    summary="Two `output_item.added` events use the same `output_index`.",
    requirement="Each output item has its own `output_index`.",
    severity=both(ERROR),
    refs=(_ADDED, _SDK),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        "openai-python-stream (raises RuntimeError: Duplicate response output index 0.)",
        "openai-agents (wrong: returns another text than the stream's)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (raises OpenAIError: Duplicate response output index 0.)",
        "ai-sdk (wrong: returns another text than the stream's)",
    ),
    evidence=(
        (
            "Measured (ITM/output-index-reused.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, openai-python-stream raises, openai-agents wrong, "
            "langchain-openai wrong, pydantic-ai wrong, llamaindex wrong, openai-node raises, ai-sdk "
            "wrong; every client breaks."
        ),
    ),
)

ID_REUSED = Rule(
    code="ITM004",
    name="item-id-reused",
    summary="An item is added with an id that another item of the stream already has.",
    requirement="An item id MUST be unique enough for clients to reference the item unambiguously.",
    severity=both(ERROR),
    refs=(SpecRef(OPENRESPONSES, "Required item fields (id)"),),
    breaks=(
        (
            "openai-python-stream (raises RuntimeError: Response snapshot has conflicting output "
            "identities.)"
        ),
        "llamaindex (wrong: returns another text than the stream's)",
        "openai-node (raises OpenAIError: duplicate output item identity 'id:msg_fx1')",
        "clients that key streamed items by id (the two items merge)",
    ),
    rationale="Items without an id (allowed for some OpenAI tool items) are not compared.",
    evidence=(
        (
            "Measured (ITM/item-id-reused.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, llamaindex wrong, openai-node raises; the other 5 read it as the "
            "stream says."
        ),
    ),
)

ITEM_ID_MISMATCH = Rule(
    code="ITM005",
    name="item-id-index-mismatch",
    summary="An event's `item_id` is not the id of the item at its `output_index`.",
    requirement="`item_id` and `output_index` name the same output item.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseTextDeltaEvent.item_id / output_index"), _STREAMABLE),
    breaks=(
        "pydantic-ai (wrong: returns another text than the stream's)",
        "openai-node (raises OpenAIError: expected item_id 'msg_fx1', got 'msg_other')",
    ),
    evidence=(
        (
            "Measured (ITM/item-id-index-mismatch.sse, 8 clients, versions in docs/clients.md): "
            "pydantic-ai wrong, openai-node raises; the other 6 read it as the stream says."
        ),
    ),
)

DONE_TWICE = Rule(
    code="ITM006",
    name="item-done-twice",
    summary="`output_item.done` is sent twice for the same item.",
    requirement="`completed` is a terminal status and no updates may be made to the item after it.",
    severity=both(ERROR),
    refs=(_STATES,),
    breaks=(
        "ai-sdk (raises error part: text part msg_fx1 not found)",
        "clients that emit the finished item on `done` (it is reported twice)",
    ),
    evidence=(
        (
            "Measured (ITM/item-done-twice.sse, 8 clients, versions in docs/clients.md): ai-sdk raises; "
            "the other 7 read it as the stream says."
        ),
    ),
)

NOT_DONE = Rule(
    code="ITM007",
    name="item-not-done",
    summary=(
        "An output item is never closed with `output_item.done` before "
        "`response.completed` or `response.incomplete`."
    ),
    requirement="When finished, the item is closed with `response.output_item.done`.",
    severity={"openai": WARNING, "openresponses": ERROR},
    refs=(_STREAMABLE, _DONE, _SDK),
    breaks=(
        "openai-python-events (wrong: drops the function call)",
        "ai-sdk (wrong: drops the function call)",
        "clients that finalise items on `output_item.done` (the item stays pending)",
    ),
    rationale=(
        "A warning in the openai profile: OpenAI's API leaves `mcp_list_tools` items without "
        "`done` when the final output carries them (recorded in the corpus), and openai-python "
        "accepts an unfinished item that the final `output` holds. When the final output lacks "
        "it too, openai-python raises (Cannot complete response with unfinished output items): "
        "FIN001 reports that as an error. Not checked before `response.failed` or `error`: a "
        "failure interrupts items, and azure-ai-agentserver leaves its message open before "
        "`response.failed` with `output: []`. Nor at a stream that just ends (LIF007 says so once)."
    ),
    evidence=(
        (
            "Measured (ITM/function-call-not-done-openresponses.sse, ITM/function-call-not-done.sse, "
            "ITM/item-not-done.sse, 8 clients, versions in docs/clients.md): openai-python-events wrong, "
            "ai-sdk wrong; the other 6 read it as the stream says."
        ),
        (
            "Warning in the openai profile although the function_call variant breaks clients (measured: "
            "ai-sdk drops the call): OpenAI's own API leaves mcp_list_tools items without "
            "`output_item.done` (recorded in the corpus). Making the function-call variant an error needs "
            "the state machine to report it apart (open)."
        ),
    ),
)

DONE_IDENTITY = Rule(
    code="ITM008",
    name="item-done-identity-changed",
    summary="The item in `output_item.done` has another type or id than the one added at that index.",
    requirement="An item keeps its id and type from `added` to `done` and into the final response.",
    severity=both(ERROR),
    refs=(_DONE, _SDK),
    breaks=(
        "openai-python-stream (raises RuntimeError: Completed output item identity changed.)",
        "openai-node (raises OpenAIError: expected output item id 'msg_fx1', got 'msg_fx2')",
    ),
    evidence=(
        (
            "Measured (ITM/item-done-identity-changed.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, openai-node raises; the other 6 read it as the stream says."
        ),
    ),
)

EVENT_AFTER_DONE = Rule(
    code="ITM009",
    name="event-after-item-done",
    summary="An event updates an item after its `output_item.done`.",
    requirement="No updates may be made to an item after it has moved into a terminal state.",
    severity=both(ERROR),
    refs=(_STATES,),
    breaks=(
        "openai-python-events (wrong: returns another text than the stream's)",
        "langchain-openai (wrong: returns another text than the stream's)",
        "pydantic-ai (wrong: returns another text than the stream's)",
        "ai-sdk (raises error part: text part msg_fx1 not found)",
        "clients that finalise an item on `done` (the late text is lost)",
    ),
    evidence=(
        (
            "Measured (ITM/event-after-item-done.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, langchain-openai wrong, pydantic-ai wrong, ai-sdk raises; the "
            "other 4 read it as the stream says."
        ),
    ),
)

DONE_STATUS = Rule(
    code="ITM010",
    name="item-done-in-progress",
    summary="`output_item.done` carries an item whose status is still `in_progress`.",
    requirement="An item closed by `output_item.done` is in a terminal status (`completed`, `incomplete`, `failed`).",
    severity=both(WARNING),
    refs=(_STATES,),
    rationale=(
        "Items without a `status` are not judged (OpenAI's reasoning, mcp_list_tools and program "
        "items carry none), and items added already `completed` are accepted (xAI's function calls "
        "and web searches, OpenAI's shell_call_output): clients take the state from `done`. A `done` "
        "still `in_progress` misleads clients that render status, but none crash: a warning. "
        "OpenAI's programmatic tool calling sends such function_call items (recorded)."
    ),
    evidence=(
        (
            "Measured (ITM/item-done-in-progress.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

INCOMPLETE_ITEM = Rule(
    code="ITM011",
    name="incomplete-item-not-last",
    summary="An item ends `incomplete` but is not the last item, or the response is not `incomplete`.",
    requirement=(
        "If an item ends in a terminal state [incomplete], it MUST be the last item emitted, "
        "and the containing response also MUST be in an `incomplete` state."
    ),
    severity={"openresponses": ERROR, "openai": WARNING},
    refs=(_STATES,),
    rationale="OpenAI's spec states no such rule; its API behaves this way, so a warning in the openai profile.",
    evidence=(
        (
            "Measured (ITM/incomplete-item-completed-response.sse, ITM/incomplete-item-not-last.sse, 8 "
            "clients, versions in docs/clients.md): every client reads it as the stream says (or as it "
            "reads a valid stream that ends the same way)."
        ),
        (
            "MUST (openresponses): Items are state machines: an incomplete item MUST be the last item "
            "emitted."
        ),
    ),
)

register(
    UNKNOWN_ITEM,
    INDEX_ORDER,
    INDEX_REUSED,
    ID_REUSED,
    ITEM_ID_MISMATCH,
    DONE_TWICE,
    NOT_DONE,
    DONE_IDENTITY,
    EVENT_AFTER_DONE,
    DONE_STATUS,
    INCOMPLETE_ITEM,
)
