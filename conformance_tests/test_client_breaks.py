"""The catalogue's claims about clients hold: every invalid fixture replayed into the real clients.

The Python clients (pinned in the test extra; LlamaIndex in its own virtualenv under
``<repo>/.cache/clients/``, built here when missing) read every invalid fixture once,
through ``tools/gen_clients_doc.py``; the JavaScript clients' results are the ones
recorded in ``docs/clients-js.json``. Then:

- each rule's ``breaks`` names exactly the clients that broke on its fixtures;
- each rule's severity follows the policy (ARCHITECTURE.md): an error where a client
  breaks, a MUST or a documented reading of a client's code where none does; a warning
  only where no client breaks, or with the recorded reason why not;
- ``docs/clients.md`` is what this run renders.

If the LlamaIndex install fails, the tests skip, except under CI (``CI=true``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.clients import environments
from validator.clients.harness import Matrix
from validator.clients.registry import BY_NAME, CLIENTS, JS_CLIENTS, PYTHON_CLIENTS
from validator.model import Severity
from validator.rules import catalogue

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
HARNESS_NAMES = tuple(spec.name for spec in CLIENTS)
# Warnings although a client breaks: OpenAI itself sends a variant of the defect (see each rule's evidence).
WARNING_DESPITE_BREAKS = {("ITM007", "openai"), ("SCH002", "openai"), ("SCH004", "openai"), ("SCH005", "openai")}


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_clients_doc", ROOT / "tools" / "gen_clients_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


def unavailable(reason: str) -> None:
    __tracebackhide__ = True
    if IN_CI:
        pytest.fail(f"CI is set, so this cannot be skipped: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def python_matrix() -> Matrix:
    for name in PYTHON_CLIENTS:
        spec = BY_NAME[name]
        if spec.environment == "main" and importlib.util.find_spec(spec.module) is None:
            unavailable(f"{name} is not installed (pip install -e '.[test]')")
    # The documented install step, into the checkout's cache (a no-op once the pinned virtualenv is there).
    result = CliRunner().invoke(main, ["clients", "--install", "--client", "llamaindex"],
                                env={"RESPONSES_CONFORMANCE_CACHE": str(CACHE)})
    if result.exit_code != 0:
        unavailable(f"clients --install failed: {result.stderr.strip()[-300:]}")
    assert environments.llamaindex_python(CACHE) is not None
    matrix: Matrix = TOOL.measure(PYTHON_CLIENTS, root=CACHE)
    missing = [f"{c.spec.name}: {c.reason}" for c in matrix.clients if not c.available]
    assert missing == []
    return matrix


@pytest.fixture(scope="module")
def measured(python_matrix: Matrix) -> dict[str, dict[str, list[str]]]:
    by_rule: dict[str, dict[str, list[str]]] = TOOL.breaks_by_rule(TOOL.merged(python_matrix, TOOL.load_js()))
    return by_rule


def claimed(code: str) -> set[str]:
    """The clients a rule's ``breaks`` names as measured (entries that start with a harness name)."""
    return {entry.split(" ", 1)[0] for entry in catalogue()[code].breaks if entry.split(" ", 1)[0] in HARNESS_NAMES}


def rules_with_fixtures() -> list[str]:
    return sorted({f.code for f in TOOL.fixtures()})


def test_every_python_client_ran_every_fixture(python_matrix: Matrix) -> None:
    assert len(python_matrix.streams) == len(TOOL.fixtures())
    for result in python_matrix.streams:
        assert set(result.outcomes) == set(PYTHON_CLIENTS), result.name
    # Something was measured at all: the known breaks of CLIENTS.md show up.
    table = TOOL.cells(python_matrix)
    assert table["LIF/starts-at-output-item.sse"]["openai-python-stream"].kind == "raises"
    assert table["FIN/final-output-unstreamed-call.sse"]["openai-agents"].kind == "wrong"
    assert table["FIN/final-output-unstreamed-call.sse"]["langchain-openai"].kind == "ok"


@pytest.mark.parametrize("code", rules_with_fixtures())
def test_breaks_names_the_clients_that_broke(code: str, measured: dict[str, dict[str, list[str]]]) -> None:
    broke = set(measured.get(code, {}))
    recorded_js = {c for row in TOOL.load_js().get("outcomes", {}).values() for c in row}
    checked = set(PYTHON_CLIENTS) | recorded_js
    assert claimed(code) & checked == broke, (
        f"{code}: breaks names {sorted(claimed(code) & checked)}, measured {sorted(broke)} "
        f"({measured.get(code, {})})"
    )


@pytest.mark.parametrize("code", rules_with_fixtures())
def test_severity_follows_the_policy(code: str, measured: dict[str, dict[str, list[str]]]) -> None:
    rule = catalogue()[code]
    broke = set(measured.get(code, {}))
    evidence = " ".join(rule.evidence)
    assert evidence.startswith("Measured ("), f"{code}: the evidence does not say what was measured"
    for profile, severity in rule.severity.items():
        if broke and severity is not Severity.ERROR:
            where = f"{code} is a {severity.value} in {profile}"
            assert (code, profile) in WARNING_DESPITE_BREAKS, f"{where}, yet {sorted(broke)} break on it"
            assert "although" in evidence, f"{code}: no recorded reason for a warning despite breaks"
        if not broke and severity is Severity.ERROR:
            reasons = [line for line in rule.evidence if line.startswith(("MUST", "From code", "Spec"))]
            assert reasons, f"{code} is an error in {profile} but no client breaks and no MUST or code is cited"


def test_the_client_doc_is_current(python_matrix: Matrix) -> None:
    expected = TOOL.render(python_matrix, TOOL.load_js())
    actual = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/clients.md is stale: run python tools/gen_clients_doc.py"


def test_the_recorded_js_results_are_current() -> None:
    """When this machine has the JavaScript clients, they still do what docs/clients-js.json records."""
    node, why = environments.find_node(CACHE)
    if node is None or environments.js_dir(CACHE) is None:
        pytest.skip(f"the JavaScript clients are not installed here ({why or 'no npm packages'}); they are optional")
    record = TOOL.load_js()
    fresh = TOOL.js_record(TOOL.measure(JS_CLIENTS, root=CACHE), record["measured"])
    assert fresh["versions"] == record["versions"], "other JS versions: run python tools/gen_clients_doc.py --js"
    assert fresh["outcomes"] == record["outcomes"], "the JS clients changed: run python tools/gen_clients_doc.py --js"


@pytest.mark.parametrize("code", sorted(c for c in catalogue() if c.startswith("WSS")))
def test_session_rules_rest_on_the_spec_or_client_code(code: str) -> None:
    """The harness cannot replay a WebSocket session into SSE clients: WSS severities rest on text, not measurement."""
    rule = catalogue()[code]
    assert code not in rules_with_fixtures()  # gen_clients_doc.py leaves session fixtures out
    assert rule.evidence and rule.evidence[0].startswith("Not measured by the client harness"), code
    assert not claimed(code), f"{code}: breaks names harness clients it was never measured with"
    for profile, severity in rule.severity.items():
        reasons = [line for line in rule.evidence[1:] if line.startswith(("MUST", "From code", "Spec"))]
        if severity is Severity.ERROR:
            assert reasons, f"{code} is an error in {profile} but cites no MUST, spec or client code"
        else:
            assert any(line.startswith("A warning") for line in rule.evidence) or reasons, code
