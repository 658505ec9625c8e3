"""The client harness: classification, the driver clock, the `clients` command and `validate --clients`."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.clients.classify import classify, safe
from validator.clients.expect import expected
from validator.clients.worker import Answer, Request, replay_all
from validator.writers import to_jsonl

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
FUNCTION_CALL = FIXTURES / "valid" / "openai" / "function_call.sse"
NOT_CREATED = FIXTURES / "invalid" / "LIF" / "starts-at-output-item.sse"

pytest.importorskip("openai")


def observation(**fields: object) -> Answer:
    base: dict[str, object] = {"text": None, "tool_calls": [], "status": None, "finish": None, "error": None}
    return Answer(observation={**base, **fields})


def test_expected_result_is_what_the_events_say() -> None:
    want = expected(FUNCTION_CALL.read_bytes())
    assert want.text is None and want.status == "completed" and want.ending == "completed"
    assert want.tool_calls == [{"name": "get_weather", "call_id": "call_fx1", "arguments": '{"city": "Paris"}'}]
    assert want.tool_names == ["get_weather"]
    # An item only in the terminal output is not streamed: not part of the result, but its name is known.
    only_final = expected((FIXTURES / "invalid" / "FIN" / "final-output-unstreamed-call.sse").read_bytes())
    assert only_final.tool_calls == [] and only_final.tool_names == ["get_weather"]


def test_classification_names_each_difference() -> None:
    want = expected(FUNCTION_CALL.read_bytes())
    call = {"name": "get_weather", "call_id": "call_fx1", "arguments": '{"city":"Paris"}'}
    assert classify("c", observation(tool_calls=[call], status="completed"), want).kind == "ok"  # same JSON value
    dropped = classify("c", observation(tool_calls=[], status="completed"), want)
    assert dropped.kind == "wrong" and "get_weather (call_fx1) is missing" in dropped.detail
    other = classify("c", observation(tool_calls=[{**call, "arguments": "{}"}], text="hi", status="incomplete"), want)
    assert other.kind == "wrong"
    assert [d.split(":")[0] for d in other.differences] == ["text", "tool calls", "status"]
    raised = classify("c", observation(error={"type": "RuntimeError", "message": "boom"}), want)
    assert (raised.kind, raised.detail, raised.error_type) == ("raises", "RuntimeError: boom", "RuntimeError")
    assert classify("c", Answer(hang=3.0), want).kind == "hangs"


def test_details_cannot_carry_terminal_escapes() -> None:
    assert safe("a\x1b[31mred\nline\x07") == "a\\x1b[31mred\\nline\\x07"
    want = expected(FUNCTION_CALL.read_bytes())
    outcome = classify("c", observation(error={"type": "E\x1b]0;x\x07", "message": "m\r\nn"}), want)
    assert "\x1b" not in outcome.detail and "\n" not in outcome.detail and "\r" not in outcome.detail


FAKE_DRIVER = textwrap.dedent(
    """
    import base64, json, sys, time
    print(json.dumps({"client": "fake", "versions": {"fake": "1.0"}}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        body = base64.b64decode(request["body"])
        if body == b"hang":
            time.sleep(60)
        if body == b"die":
            sys.stderr.write("fake driver: fatal\\n" * 2000)  # more than a pipe holds
            sys.exit(3)
        answer = {"text": body.decode(), "tool_calls": [], "status": None, "finish": None, "error": None}
        print(json.dumps({"id": request["id"], "observation": answer}), flush=True)
    """
)


def test_a_driver_that_hangs_or_dies_is_replaced_and_the_rest_still_run() -> None:
    requests = [Request(b"one"), Request(b"hang"), Request(b"two"), Request(b"die"), Request(b"three")]
    run = replay_all([sys.executable, "-c", FAKE_DRIVER], requests, timeout=3.0)
    assert run.error is None and run.versions == {"fake": "1.0"}
    kinds = ["hang" if a.hang else "crash" if a.crash else (a.observation or {}).get("text") for a in run.answers]
    assert kinds == ["one", "hang", "two", "crash", "three"]
    assert run.answers[3].crash == "fake driver: fatal"


def test_a_driver_that_never_starts_is_reported() -> None:
    run = replay_all([sys.executable, "-c", "import sys; sys.exit('no such client')"], [Request(b"x")], timeout=3.0)
    assert run.error is not None and "no such client" in run.error and run.answers == []


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_clients_command_shows_which_client_breaks_and_how(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    name = str(NOT_CREATED.relative_to(ROOT))
    code, out, _ = invoke("clients", "--client", "openai-python-stream", "--client", "langchain-openai", name)
    assert code == 1
    assert "openai 3.57.0" in out and "langchain-openai 1.7.4" in out  # versions in the header
    header = next(line for line in out.splitlines() if line.startswith("STREAM"))
    assert header.split() == ["STREAM", "py-stream", "langchain"]
    row = next(line for line in out.splitlines() if line.startswith(name + " "))
    assert row.split() == [name, "raises", "ok"]
    assert "openai-python-stream raises: RuntimeError: Expected to have received `response.created`" in out


def test_clients_command_json_and_a_conformant_stream() -> None:
    code, out, _ = invoke("clients", "--client", "openai-python-stream", "-o", "json", str(FUNCTION_CALL))
    assert code == 0
    data = json.loads(out)
    assert data["clients"][0]["versions"]["openai"] == "3.57.0"
    (stream,) = data["streams"]
    assert stream["outcomes"] == [{"client": "openai-python-stream", "outcome": "ok"}]


def test_clients_command_reads_jsonl_captures(tmp_path: Path) -> None:
    events = [json.loads(line[6:]) for line in NOT_CREATED.read_text().splitlines() if line.startswith("data: ")]
    capture = tmp_path / "capture.jsonl"
    capture.write_bytes(to_jsonl(events))
    code, out, _ = invoke("clients", "--client", "openai-python-stream", str(capture))
    assert code == 1 and "raises" in out


def test_clients_command_without_node_says_so_and_runs_the_rest(tmp_path: Path) -> None:
    env = {"RESPONSES_CONFORMANCE_CACHE": str(tmp_path), "PATH": os.path.dirname(sys.executable)}
    code, out, _ = invoke("clients", "--client", "openai-node", "--client", "openai-python-stream", str(FUNCTION_CALL),
                          env=env)
    assert code == 0
    assert "openai-node responses.stream() + finalResponse(): not run, no node >= 22" in out
    assert "clients --install" in out


def test_clients_command_errors() -> None:
    code, _, err = invoke("clients", "--client", "nope", str(FUNCTION_CALL))
    assert code == 2 and "no client nope" in err
    code, _, err = invoke("clients")
    assert code == 2 and "give at least one PATH" in err
    code, _, err = invoke("clients", str(ROOT / "no-such-file.sse"))
    assert code == 2 and "error:" in err and "Traceback" not in err


def test_validate_clients_attaches_outcomes_to_the_json_report(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "schemas" / "report" / "report-v1.schema.json").read_text())
    isolated = {"RESPONSES_CONFORMANCE_CACHE": str(tmp_path)}  # no LlamaIndex, no JS: the installed clients only
    code, out, _ = invoke("validate", "--clients", "-o", "json", str(NOT_CREATED), str(FUNCTION_CALL), env=isolated)
    assert code == 1
    report = json.loads(out)
    jsonschema.validate(report, schema)
    assert {c["name"] for c in report["clients"] if c["ran"]} >= {"openai-python-stream", "openai-agents"}
    by_name = {s["name"]: {o["client"]: o for o in s["clients"]} for s in report["streams"]}
    assert by_name[str(NOT_CREATED)]["openai-python-stream"]["outcome"] == "raises"
    assert by_name[str(FUNCTION_CALL)]["openai-python-stream"] == {"client": "openai-python-stream", "outcome": "ok"}
    # Without --clients the report has no such members.
    code, out, _ = invoke("validate", "-o", "json", str(FUNCTION_CALL))
    assert "clients" not in json.loads(out) and "clients" not in json.loads(out)["streams"][0]


def test_the_matrix_escapes_what_a_driver_says(tmp_path: Path) -> None:
    from validator.clients import render
    from validator.clients.harness import ClientStatus, Matrix
    from validator.clients.registry import BY_NAME

    status = ClientStatus(BY_NAME["llamaindex"], False, "the driver did not start: \x1b]0;pwned\x07")
    text = render.text(Matrix([status], []))
    assert "\x1b" not in text and "\\x1b]0;pwned\\x07" in text
