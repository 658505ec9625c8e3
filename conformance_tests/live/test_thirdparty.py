"""What the real-server tests rest on: the pins, the docs section, the fake upstream, the tiny model, the tiers.

The servers themselves are tested in test_llama_cpp.py, test_llama_stack.py,
test_azure_agentserver.py, test_open_responses_server.py and (slow tier)
test_litellm.py; each asserts its verdict in ``servers/verdicts.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest

from conformance_tests.live import conftest
from conformance_tests.live.servers import catalog, llama_cpp, tiny_gguf
from conformance_tests.live.servers.fake_chat_upstream import WORDS
from conformance_tests.live.servers.launch import fake_upstream
from validator.live import SCENARIO_NAMES

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import server_report  # noqa: E402 - tools/ is not a package


@pytest.mark.parametrize(("ci", "outcome"), [(False, pytest.skip.Exception), (True, pytest.fail.Exception)])
def test_unavailable_server_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: bool, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(conftest, "IN_CI", ci)
    with pytest.raises(outcome, match="cannot install"):
        conftest.unavailable("cannot install example==1.0")


# --- the pins and the docs ---------------------------------------------------------------------


def test_every_server_but_the_slow_tier_is_pinned_for_every_scenario_and_profile() -> None:
    pins = catalog.pinned()
    for server in catalog.ALL:
        if server.name not in pins:
            assert server.slow, f"{server.name} has no pinned verdict: run tools/server_report.py"
            continue
        assert set(pins[server.name]) == set(catalog.PROFILES)
        for profile in catalog.PROFILES:
            assert list(pins[server.name][profile]) == list(SCENARIO_NAMES), (server.name, profile)


def test_every_pinned_code_is_explained_and_every_explanation_is_pinned() -> None:
    for name, verdicts in catalog.pinned().items():
        server = catalog.BY_NAME[name]
        codes = {c for v in verdicts.values() for codes in v.values() for c in codes} - {"skipped", "error"}
        assert codes == set(server.why), name


def test_docs_section_matches_the_pinned_verdicts() -> None:
    expected = server_report.render_section(catalog.pinned())
    stale = "docs/corpus-report.md is stale: python tools/server_report.py --no-run"
    assert server_report.docs_section() == expected, stale


def test_the_section_names_each_finding_and_skips(tmp_path: Path) -> None:
    docs = tmp_path / "report.md"
    docs.write_text("# Corpus\n\ntext above\n", encoding="utf-8")
    assert server_report.main(["--no-run", "--docs", str(docs)]) == 0
    first = docs.read_text(encoding="utf-8")
    assert first.startswith("# Corpus\n\ntext above\n\n" + server_report.START)
    assert server_report.main(["--no-run", "--docs", str(docs)]) == 0
    assert docs.read_text(encoding="utf-8") == first  # rewritten in place, not appended twice
    assert "| max-output-tokens | FIN003, FIN005, HTT013, ITM001, SCH001, SEQ005 |" in first
    htt013 = "- **HTT013** max-output-tokens-not-incomplete (error / error): `max_output_tokens` is not forwarded"
    assert htt013 in first


def test_pins_file_keeps_one_scenario_a_line() -> None:
    text = catalog.VERDICTS.read_text(encoding="utf-8")
    assert server_report.dump(catalog.pinned()) == text
    assert json.loads(text) == catalog.pinned()


# --- the fake upstream honours what a bridge forwards ------------------------------------------


def _post(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        url + "/v1/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        lines = response.read().decode().splitlines()
    return [json.loads(line[6:]) for line in lines if line.startswith("data: {")]


def test_fake_upstream_honours_limits_formats_tool_choice_and_usage(tmp_path: Path) -> None:
    with fake_upstream(tmp_path) as upstream:
        plain = _post(upstream.url, {"model": "m", "stream": True, "messages": []})
        usage = {"include_usage": True}
        cut = _post(upstream.url, {"model": "m", "stream": True, "max_tokens": 3, "stream_options": usage})
        schema = {"type": "object", "properties": {"city": {"type": "string"}, "n": {"type": "integer"}}}
        shaped = _post(upstream.url, {"model": "m", "stream": True,
                                      "response_format": {"type": "json_schema", "json_schema": {"schema": schema}}})
        tools = [{"type": "function", "function": {"name": n, "parameters": {}}} for n in ("a", "b")]
        named = _post(upstream.url, {"model": "m", "stream": True, "tools": tools,
                                     "tool_choice": {"type": "function", "function": {"name": "b"}}})
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in plain)
    assert text == "".join(WORDS) and plain[-1]["choices"][0]["finish_reason"] == "stop"
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in cut if c["choices"]) == "".join(WORDS[:3])
    assert [c["choices"][0]["finish_reason"] for c in cut if c["choices"]][-1] == "length"
    assert cut[-1]["usage"]["completion_tokens"] == 3
    shaped_text = "".join(c["choices"][0]["delta"].get("content", "") for c in shaped)
    assert json.loads(shaped_text) == {"city": "Paris", "n": 4}
    names = [t["function"]["name"] for c in named for t in c["choices"][0]["delta"].get("tool_calls", []) if "id" in t]
    assert names == ["b"]
    assert len({c["id"] for c in plain} | {c["id"] for c in cut}) == 2  # one id per answer, never reused
    logged = [json.loads(line) for line in (tmp_path / "upstream.jsonl").read_text().splitlines()]
    assert [r.get("max_tokens") for r in logged] == [None, 3, None, None]


# --- the tiny model ----------------------------------------------------------------------------


def test_tiny_model_follows_one_chain_from_the_generation_prompt() -> None:
    tokens, _ = tiny_gguf.vocabulary()
    table = tiny_gguf.bigram_table(tokens)
    ids = {t: i for i, t in enumerate(tokens)}
    current, produced = ids[tiny_gguf.as_token_text("\n")], []
    for _ in range(len(tokens)):
        current = int(np.argmax(table[:, current]))
        if tokens[current] == "<|im_end|>":
            break
        produced.append(tokens[current])
    text = "".join(t if t.startswith("<") else bytes(tiny_gguf.BYTES.index(ch) for ch in t).decode() for t in produced)
    assert text == f"<think>{''.join(tiny_gguf.REASONING)}</think>{''.join(tiny_gguf.ANSWER)}"
    assert len(produced) > 16  # longer than the battery's max_output_tokens


def test_tiny_model_prefers_ending_then_closing_json_off_the_chain() -> None:
    tokens, _ = tiny_gguf.vocabulary()
    table = tiny_gguf.bigram_table(tokens)
    ids = {t: i for i, t in enumerate(tokens)}
    column = table[: len(tokens), ids["{"]]
    ranked = [tokens[i] for i in np.argsort(-column, kind="stable")[:4]]
    assert ranked == ["<|im_end|>", '"', "}", "]"]
    # Wide gaps: min-p sampling keeps only the top token at any usual temperature.
    assert sorted(column)[-1] - sorted(column)[-2] >= tiny_gguf.RANK_STEP


def test_tiny_model_file_is_small_and_carries_the_template(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    tiny_gguf.write(path, "{{ messages }}")
    assert path.stat().st_size < 4_000_000
    reader = gguf.GGUFReader(path)
    template = reader.fields["tokenizer.chat_template"]
    assert bytes(template.parts[template.data[0]]).decode() == "{{ messages }}"
    assert len(reader.tensors) == 3 + 9 * tiny_gguf.LAYERS


# --- the build cache and the slow tier ---------------------------------------------------------


def test_llama_cpp_build_is_keyed_by_version_and_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    key = llama_cpp.build_key()
    assert key.startswith(llama_cpp.VERSION + "-")
    monkeypatch.setattr(llama_cpp, "CMAKE_FLAGS", (*llama_cpp.CMAKE_FLAGS, "-DEXTRA=ON"))
    assert llama_cpp.build_key() != key
    assert "-DCMAKE_C_FLAGS_DEBUG=-O0" in llama_cpp.CMAKE_FLAGS


def test_slow_tier_is_deselected_unless_asked() -> None:
    test = ROOT / "conformance_tests" / "live" / "test_litellm.py"
    base = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    base.append(str(test))
    env = {k: v for k, v in os.environ.items() if k != conftest.SLOW_ENV}
    quiet = subprocess.run(base, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    slow_env = {**env, conftest.SLOW_ENV: "1"}
    asked = subprocess.run(base, capture_output=True, text=True, cwd=ROOT, env=slow_env, timeout=120)
    assert "deselected" in quiet.stdout and "test_verdict_is_pinned" not in quiet.stdout, quiet.stdout
    assert "test_verdict_is_pinned" in asked.stdout, asked.stdout
