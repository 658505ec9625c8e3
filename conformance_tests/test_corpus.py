"""The recorded corpus: OpenAI's own streams pass; known-broken servers get their known defects."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from types import ModuleType

import pytest

from validator import check
from validator.model import Finding, Severity

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "corpus" / "real"
SERVERS = SHARED / "corpus" / "servers"
MACHINE = ("LIF", "SEQ", "ITM", "CNT", "FCA", "TOL", "FIN")

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (specs and corpus) is not beside the checkout")


def manifest() -> list[dict[str, str]]:
    if not (REAL / "MANIFEST.tsv").is_file():
        return []
    with (REAL / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


UNTOUCHED_OPENAI = [r["file"] for r in manifest() if r["provider"] == "OpenAI" and r["authenticity"] == "recorded"]


def machine_findings(path: Path, profile: str = "openai") -> list[Finding]:
    resumed_after = _corpus_report().RESUMED.get(path.name)
    return [f for f in check(str(path), profile, resumed_after=resumed_after).findings if f.code.startswith(MACHINE)]


def errors(path: Path, profile: str = "openai") -> set[str]:
    return {f.code for f in machine_findings(path, profile) if f.severity is Severity.ERROR}


def codes(path: Path, profile: str = "openai") -> set[str]:
    return {f.code for f in machine_findings(path, profile)}


def test_the_manifest_lists_enough_untouched_openai_streams() -> None:
    assert len(UNTOUCHED_OPENAI) >= 40


@pytest.mark.parametrize("name", UNTOUCHED_OPENAI)
def test_untouched_openai_recording_has_no_ordering_error(name: str) -> None:
    found = [f"{f.code} {f.message}" for f in machine_findings(REAL / name) if f.severity is Severity.ERROR]
    assert found == []


def _corpus_report() -> ModuleType:
    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    import corpus_report

    return corpus_report


MINIMIZED = dict(_corpus_report().MINIMIZED_IN_FACT)
UNTOUCHED_OPENAI_AND_AZURE = [
    r["file"] for r in manifest()
    if r["provider"] in ("OpenAI", "Azure OpenAI") and r["authenticity"] == "recorded" and r["file"] not in MINIMIZED
]


def test_every_stream_called_minimized_in_fact_is_in_the_manifest() -> None:
    names = {r["file"] for r in manifest()}
    assert set(MINIMIZED) <= names


@pytest.mark.parametrize("name", UNTOUCHED_OPENAI_AND_AZURE)
def test_untouched_openai_recording_has_no_error_from_any_rule(name: str) -> None:
    report = check(str(REAL / name), "openai", resumed_after=_corpus_report().RESUMED.get(name))
    found = [f"{f.code} {f.message}" for f in report.findings if f.severity is Severity.ERROR]
    assert found == []
    assert report.streams and report.streams[0].error is None


# open-responses-server 0.4.1 (SERVERS.md): no output_item/content_part events, so the first delta names an
# item that was never added (openai-python raises); no sequence_number; a second in_progress mid-stream; the
# final output carries items that were never streamed; an upstream cut just ends the stream.
def test_open_responses_server_defects() -> None:
    plain = SERVERS / "open-responses-server.sse"
    assert {"ITM001"} <= errors(plain)
    assert {"ITM001", "SEQ001", "FIN003", "FIN005"} <= codes(plain)
    assert {"ITM001", "SEQ001"} <= errors(plain, "openresponses")
    tools = SERVERS / "open-responses-server.tools.sse"
    assert {"ITM001", "LIF005", "SEQ001", "FIN003"} <= codes(tools)
    cut = SERVERS / "open-responses-server.midstream-cut.sse"
    assert {"LIF007", "ITM001"} <= errors(cut)


# LiteLLM 1.106 (SERVERS.md): sequence_number only on output_item.done; the model changes between created and
# completed. Its truncation-reported-as-completed cannot be seen in the stream and is not asserted.
@pytest.mark.parametrize("name", ["litellm-bridge.sse", "litellm-bridge.tools.sse", "litellm-midstream-cut.sse"])
def test_litellm_defects(name: str) -> None:
    path = SERVERS / name
    assert "SEQ005" in errors(path)
    assert "LIF011" in codes(path)


def test_azure_agentserver_failure_with_open_item_is_accepted() -> None:
    # The handler raised mid-message: response.failed with output [] while the message is open (our decision:
    # a failure may interrupt items).
    assert codes(SERVERS / "azure-agentserver.midstream-error.sse") == set()
    assert errors(SERVERS / "azure-agentserver.sse") == set()


def test_other_providers_deviations_are_reported() -> None:
    for name in (
        "pydai__openai_codex_agent_run_stream__i0.sse",
        "pydai__openai_codex_tool_call_round_trip__i1.sse",
    ):
        assert "FIN001" in errors(REAL / name)  # ChatGPT Codex backend: completed.output is []
    assert "FIN002" in errors(REAL / "pydai__raw_cot_stream_openrouter__i0.sse")  # reasoning id changes


def test_accepted_provider_quirks_stay_quiet() -> None:
    # reasoning as reasoning_text content parts (DeepSeek, LM Studio), items added already completed (xAI),
    # items open at once and finishing out of order (xAI), items without status (OpenAI reasoning).
    for name in (
        "vercel__deepseek-tool-call.sse",
        "vercel__lmstudio-tool-call-1.sse",
        "vercel__xai-oc-tool-call.sse",
        "vercel__xai-web-search-tool-result.sse",
        "vercel__openai-web-search.sse",
    ):
        assert codes(REAL / name) == set(), name


def test_corpus_report_counts_the_providers() -> None:
    module = _corpus_report()
    tallies = module.tally(SHARED / "corpus", "openai")
    assert tallies["open-responses-server (local)"].by_code["ITM001"] == 3
    assert tallies["LiteLLM proxy (local)"].by_code["SEQ005"] == 3
    assert tallies["OpenAI"].streams == len([r for r in manifest() if r["provider"] == "OpenAI"])
    text = module.render(tallies, "openai")
    assert "| ITM001 event-before-item-added | error |" in text
