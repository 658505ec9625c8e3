"""Llama Stack 0.2.12's Responses API over our fake Chat Completions upstream.

0.2.12 is the last release for Python 3.11. It is installed into its own
virtualenv under ``.cache/thirdparty-venv/llama-stack`` with every dependency
pinned (``llama-stack-constraints.txt``: it pulls openai, starlette and more
unpinned). The run configuration is written here: the ``remote::vllm``
inference provider pointed at the fake upstream, faiss for vector_io (the
sqlite-vec extension does not load in every Python build), sqlite stores in
the scratch directory, one model (``fake-model``), bound to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from conformance_tests.live.servers.launch import SERVERS, Running, fake_upstream, free_port, serving, venv_with

VERSION = "0.2.12"
REQUIREMENTS = (
    f"llama-stack=={VERSION}",
    "uvicorn",
    "aiosqlite",
    "sqlalchemy[asyncio]",
    "faiss-cpu",
    "mcp",
    "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-proto-http",
)
CONSTRAINTS = SERVERS / "llama-stack-constraints.txt"
MODEL_NAME = "fake-model"
# Where Llama Stack 0.2.12 serves the OpenAI-compatible API.
API_PATH = "/v1/openai/v1"
START_TIMEOUT = 120.0


def run_config(upstream: str, port: int, workdir: Path) -> dict[str, object]:
    def sqlite(name: str) -> dict[str, str]:
        return {"type": "sqlite", "db_path": str(workdir / f"{name}.db")}

    return {
        "version": "2",
        "image_name": "responses-conformance",
        "apis": ["agents", "inference", "safety", "tool_runtime", "vector_io"],
        "providers": {
            "inference": [
                {
                    "provider_id": "fake-upstream",
                    "provider_type": "remote::vllm",
                    "config": {"url": f"{upstream}/v1", "api_token": "fake", "max_tokens": 4096, "tls_verify": False},
                }
            ],
            "vector_io": [
                {"provider_id": "faiss", "provider_type": "inline::faiss", "config": {"kvstore": sqlite("faiss")}}
            ],
            "safety": [
                {
                    "provider_id": "llama-guard",
                    "provider_type": "inline::llama-guard",
                    "config": {"excluded_categories": []},
                }
            ],
            "agents": [
                {
                    "provider_id": "meta-reference",
                    "provider_type": "inline::meta-reference",
                    "config": {"persistence_store": sqlite("agents"), "responses_store": sqlite("responses")},
                }
            ],
            "tool_runtime": [],
        },
        "metadata_store": sqlite("registry"),
        "inference_store": sqlite("inference"),
        "models": [{"metadata": {}, "model_id": MODEL_NAME, "provider_id": "fake-upstream", "model_type": "llm"}],
        "shields": [],
        "vector_dbs": [],
        "tool_groups": [],
        "server": {"port": port, "host": "127.0.0.1"},
    }


def install() -> Path:
    """The python of Llama Stack's own virtualenv (installed once, pinned)."""
    return venv_with("llama-stack", REQUIREMENTS, CONSTRAINTS)


@contextmanager
def serve(workdir: Path) -> Iterator[Running]:
    """Llama Stack on 127.0.0.1; Responses at ``{url}/v1/openai/v1/responses``."""
    python = install()
    with fake_upstream(workdir) as upstream:
        port = free_port()
        config = workdir / "run.yaml"
        config.write_text(yaml.safe_dump(run_config(upstream.url, port, workdir), sort_keys=False), encoding="utf-8")
        command = [str(python), "-m", "llama_stack.distribution.server.server", "--config", str(config),
                   "--port", str(port)]
        # Keep Llama Stack's own files (~/.llama) in the scratch directory.
        env = {"HOME": str(workdir), "LLAMA_STACK_TELEMETRY": "false"}
        with serving(command, port, workdir / "llama-stack.log", workdir, env, "/v1/health", START_TIMEOUT) as running:
            yield running
