"""FCA and TOL: tool-call arguments and hosted-tool lifecycles (enforced in ``validator.machine.tools``)."""

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

_ARGS_DONE = SpecRef(OPENAI_SPEC, "ResponseFunctionCallArgumentsDoneEvent")
_STREAMABLE = SpecRef(OPENRESPONSES, "Items are streamable")

ARGS_DONE_MISMATCH = Rule(
    code="FCA001",
    name="arguments-done-mismatch",
    summary="A function-call, custom-tool, MCP or code-interpreter `.done` value is not its deltas concatenated.",
    requirement=(
        "`function_call_arguments.done.arguments` (`custom_tool_call_input.done.input`, "
        "`mcp_call_arguments.done.arguments`, `code_interpreter_call_code.done.code`) is the deltas concatenated."
    ),
    severity=both(ERROR),
    refs=(_ARGS_DONE, SpecRef(OPENAI_SPEC, "ResponseCustomToolCallInputDoneEvent"), _STREAMABLE),
    breaks=(
        "langchain-openai (wrong: returns other arguments than the stream's)",
        "pydantic-ai (wrong: returns other arguments than the stream's)",
        (
            "clients that use the accumulated deltas (openai-python's snapshot) and those that take "
            "`.done` disagree on the call"
        ),
    ),
    rationale=(
        "A `.done` with no deltas before it is accepted: OpenAI sends short arguments in the `.done` "
        "event alone. Text is stricter (CNT005): a text `.done` is always compared with its deltas."
    ),
    evidence=(
        (
            "Measured (FCA/arguments-done-mismatch.sse, 8 clients, versions in docs/clients.md): "
            "langchain-openai wrong, pydantic-ai wrong; the other 6 read it as the stream says."
        ),
    ),
)

ARGS_ITEM_MISMATCH = Rule(
    code="FCA002",
    name="arguments-item-mismatch",
    summary="The done tool-call item's `arguments`/`input` differs from what was streamed.",
    requirement="`output_item.done` carries the finished call with the arguments that were streamed.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseOutputItemDoneEvent.item"), _ARGS_DONE),
    breaks=(
        "openai-python-events (wrong: returns other arguments than the stream's)",
        "openai-python-stream (wrong: returns other arguments than the stream's)",
        "openai-agents (wrong: returns other arguments than the stream's)",
        "llamaindex (wrong: returns other arguments than the stream's)",
        "openai-node (wrong: returns other arguments than the stream's)",
        "ai-sdk (wrong: returns other arguments than the stream's)",
    ),
    rationale="Items whose arguments were never streamed (sent whole in `added` or `done`) are not compared.",
    evidence=(
        (
            "Measured (FCA/arguments-item-mismatch.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-events wrong, openai-python-stream wrong, openai-agents wrong, llamaindex "
            "wrong, openai-node wrong, ai-sdk wrong; the other 2 read it as the stream says."
        ),
    ),
)

ARGS_WRONG_ITEM = Rule(
    code="FCA003",
    name="arguments-on-wrong-item",
    summary="An arguments/input event targets an item that is not a call of its kind.",
    requirement=(
        "`function_call_arguments.*` belong to `function_call` items, `custom_tool_call_input.*` "
        "to `custom_tool_call` items, `mcp_call_arguments.*` to `mcp_call` items."
    ),
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseFunctionCallArgumentsDeltaEvent"), SpecRef(OPENAI_SDK, "handle_event")),
    breaks=(
        "openai-python-stream (raises AssertionError)",
        "langchain-openai (wrong: reports a function call the stream never streamed)",
        "openai-node (raises OpenAIError: expected output item type 'function_call', got 'message')",
    ),
    evidence=(
        (
            "Measured (FCA/arguments-on-message.sse, 8 clients, versions in docs/clients.md): "
            "openai-python-stream raises, langchain-openai wrong, openai-node raises; the other 5 read it "
            "as the stream says."
        ),
    ),
)

ARGS_AFTER_DONE = Rule(
    code="FCA004",
    name="arguments-after-done",
    summary="An arguments delta (or a second `.done`) arrives after the arguments' `.done` event.",
    requirement="The argument deltas end with the `.done` event.",
    severity={"openai": WARNING, "openresponses": ERROR},
    refs=(_ARGS_DONE, _STREAMABLE),
    breaks=(
        "clients that execute the call on `.done` (it runs with truncated arguments)",
    ),
    evidence=(
        (
            "Measured (FCA/arguments-after-done.sse, 8 clients, versions in docs/clients.md): every client "
            "reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        (
            "Was an error in the openai profile: every replayed client tolerates it (they all keep the "
            "`.done` value)."
        ),
        "MUST (openresponses): Items are streamable: the delta events end with the `.done` event.",
    ),
)

ARGS_DONE_MISSING = Rule(
    code="FCA005",
    name="function-arguments-done-missing",
    summary="A function call's streamed arguments are never closed with `function_call_arguments.done`.",
    requirement=(
        "The `response.function_call_arguments.delta` events of a call end with "
        "`response.function_call_arguments.done` before its `output_item.done`."
    ),
    severity=both(ERROR),
    refs=(_ARGS_DONE, _STREAMABLE),
    breaks=(
        (
            "applications that collect LlamaIndex's streamed tool-call blocks (from code: a call's block "
            "is emitted only on `function_call_arguments.done`)"
        ),
    ),
    rationale=(
        "OpenAI always sends it. A call whose arguments arrive whole (no deltas) needs no `.done`. "
        "An error: an application reading LlamaIndex's streamed chunks loses the call (evidence). "
        "The other argument streams "
        "(custom tool input, MCP arguments, code interpreter code) are FCA006."
    ),
    since="0.2.0",
    evidence=(
        (
            "Measured (FCA/arguments-done-missing-openresponses.sse, FCA/arguments-done-missing.sse, 8 "
            "clients, versions in docs/clients.md): every client reads it as the stream says (or as it "
            "reads a valid stream that ends the same way)."
        ),
        (
            "From code: LlamaIndex's `stream_chat` (llama_index/llms/openai/responses.py, "
            "`process_response_event`) emits a call's ToolCallBlock only on "
            "`function_call_arguments.done`, so an application that collects tool calls from the streamed "
            "chunks never sees the call; its FunctionAgent, which reads the last chunk (rebuilt from "
            "`response.completed`), still does (measured). MUST (openresponses): Items are streamable: the "
            "delta events end with the `.done` event."
        ),
    ),
)

OTHER_ARGS_DONE_MISSING = Rule(
    code="FCA006",
    name="tool-input-done-missing",
    summary=(
        "A custom tool's input, an MCP call's arguments or a code interpreter's code is streamed "
        "without its `.done` event."
    ),
    requirement=(
        "`custom_tool_call_input.delta`, `mcp_call_arguments.delta` and `code_interpreter_call_code.delta` "
        "events end with their `.done` event before the item's `output_item.done`."
    ),
    severity={"openai": WARNING},
    refs=(
        SpecRef(OPENAI_SPEC, "ResponseCustomToolCallInputDoneEvent"),
        SpecRef(OPENAI_SPEC, "ResponseMCPCallArgumentsDoneEvent"),
    ),
    rationale=(
        "OpenAI sends them; the clients take these calls from `output_item.done`, so a warning. "
        "Open Responses does not define these events."
    ),
    since="0.2.0",
    evidence=(
        (
            "Measured (FCA/custom-tool-input-done-missing.sse, 8 clients, versions in docs/clients.md): "
            "every client reads it as the stream says (or as it reads a valid stream that ends the same "
            "way)."
        ),
    ),
)

TOOL_WRONG_ITEM = Rule(
    code="TOL001",
    name="tool-event-on-wrong-item",
    summary=(
        "A hosted-tool progress event targets an item of another type (e.g. "
        "`web_search_call.searching` on a message)."
    ),
    requirement="`response.<tool>_call.*` events describe the `<tool>_call` item at their output_index.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseWebSearchCallSearchingEvent"),),
    breaks=(
        "openai-node (raises OpenAIError: expected output item type 'web_search_call', got 'message')",
        "clients that show hosted-tool progress (it is attached to the wrong item)",
    ),
    evidence=(
        (
            "Measured (TOL/tool-event-on-message.sse, 8 clients, versions in docs/clients.md): openai-node "
            "raises; the other 7 read it as the stream says."
        ),
    ),
)

TOOL_ORDER = Rule(
    code="TOL002",
    name="tool-lifecycle-out-of-order",
    summary="A hosted-tool call's progress events are out of order (e.g. `searching` after `completed`).",
    requirement=(
        "A hosted tool call goes `in_progress`, then `searching`/`interpreting`/`generating`, then "
        "`completed` (or `failed`), all between its `output_item.added` and `output_item.done`."
    ),
    severity=both(WARNING),
    refs=(
        SpecRef(OPENAI_SPEC, "ResponseWebSearchCall*Event, ResponseCodeInterpreterCall*Event"),
        SpecRef(OPENAI_SPEC, "ResponseImageGenCall*Event, ResponseMCPCall*Event"),
    ),
    breaks=(
        "UIs that show the tool's state (it goes backwards)",
    ),
    rationale=(
        "Repeated progress events (several `searching`) and skipped stages are accepted; only "
        "going backwards is flagged, as a warning: no client crashes."
    ),
    evidence=(
        (
            "Measured (TOL/tool-lifecycle-backwards.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

TOOL_NOT_FINISHED = Rule(
    code="TOL003",
    name="tool-call-not-finished",
    summary="A hosted tool call that reported progress is done without its `completed` or `failed` event.",
    requirement="A hosted tool call that sent `in_progress` ends with `completed` or `failed` before its item is done.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "ResponseWebSearchCallCompletedEvent"),),
    rationale=(
        "Clients take the final state from `output_item.done`, so a warning. Azure OpenAI's "
        "image_generation and web_search_preview calls end this way in the recorded corpus."
    ),
    evidence=(
        (
            "Measured (TOL/tool-call-not-finished.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

register(
    ARGS_DONE_MISMATCH,
    ARGS_ITEM_MISMATCH,
    ARGS_WRONG_ITEM,
    ARGS_AFTER_DONE,
    ARGS_DONE_MISSING,
    OTHER_ARGS_DONE_MISSING,
    TOOL_WRONG_ITEM,
    TOOL_ORDER,
    TOOL_NOT_FINISHED,
)
