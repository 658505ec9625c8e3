"""The check command end to end: exit codes, report files, baseline, redaction."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from validator.cli import main
from validator.live import SCENARIO_NAMES

ROOT = Path(__file__).resolve().parents[2]
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report" / "report-v1.schema.json").read_text())


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def fast(url: str) -> list[str]:
    return ["--base-url", url + "/v1", "--idle-timeout", "0.5", "--first-byte-timeout", "2", "--total-timeout", "15"]


def test_conformant_server_exits_0(reference_url: str) -> None:
    code, out, err = run(*fast(reference_url), "--capability", "all", "-v")
    assert code == 0, out + err
    assert "plain-text: ok" in out
    assert f"{len(SCENARIO_NAMES)} streams" in out and "conformant" in out


def test_skipped_scenarios_are_listed(reference_url: str) -> None:
    code, out, _ = run(*fast(reference_url), "-v")
    assert code == 0
    assert "reasoning: skipped: the server does not declare capability 'reasoning'" in out
    assert "reasoning: ok" not in out  # a skip never reads as a pass
    # Undeclared by default: reasoning, unknown-model, background, the continuation and keep-alive
    # capabilities, the include ones, compact; phase-history and image-input run (lenient).
    assert "14 streams" in out and "10 scenarios skipped" in out


def test_violations_exit_1(reference_url: str) -> None:
    args = [*fast(reference_url), "--header", "X-Conformance-Fault: sequence-gap", "--scenario", "plain-text"]
    code, out, _ = run(*args)
    assert code == 0  # a sequence gap is a warning
    assert "live:plain-text:" in out and "SEQ004" in out
    assert run(*args, "--strict")[0] == 1
    code, out, _ = run(*fast(reference_url), "--header", "X-Conformance-Fault: delta-before-part")
    assert code == 1
    assert "CNT001" in out


def test_ignore_applies_to_http_rules(reference_url: str) -> None:
    args = [*fast(reference_url), "--header", "X-Conformance-Fault: wrong-content-type", "--scenario", "plain-text"]
    assert run(*args)[0] == 1
    code, out, _ = run(*args, "--ignore", "HTT002")
    assert code == 0, out
    assert "HTT002" not in out


def test_nothing_checked_exits_2(reference_url: str) -> None:
    code, _, err = run(*fast(reference_url), "--scenario", "reasoning")
    assert code == 2
    assert "nothing was checked" in err


def test_unreachable_server_exits_2() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run("--base-url", f"http://127.0.0.1:{port}", "--scenario", "plain-text")
    assert code == 2
    assert "cannot connect" in err


def test_usage_errors_exit_2(reference_url: str) -> None:
    assert run(*fast(reference_url), "--scenario", "bogus")[0] == 2
    assert run(*fast(reference_url), "--capability", "bogus")[0] == 2
    assert run("--base-url", "ftp://example")[0] == 2
    code, _, err = run(*fast(reference_url), "--api-key-env", "RC_TEST_UNSET_VARIABLE")
    assert code == 2 and "RC_TEST_UNSET_VARIABLE" in err


def test_missing_httpx_gives_one_line(monkeypatch: pytest.MonkeyPatch, reference_url: str) -> None:
    for name in [m for m in sys.modules if m == "httpx" or m.startswith(("httpx.", "validator.live"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "httpx", None)
    import validator

    monkeypatch.delattr(validator, "live", raising=False)
    code, _, err = run(*fast(reference_url))
    assert code == 2
    assert err.strip() == (
        "responses-conformance: error: the check command needs httpx: pip install 'responses-conformance[live]'"
    )


def test_list_scenarios(reference_url: str) -> None:
    code, out, _ = run(*fast(reference_url), "--list-scenarios", "--capability", "text,tools")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(SCENARIO_NAMES)
    assert lines[0].startswith("run  plain-text")
    assert any(line.startswith("skip reasoning") for line in lines)
    assert any(line.startswith("run  phase-history") and "answered or 4xx until phase is declared" in line
               for line in lines)
    code, out, _ = run(*fast(reference_url), "--list-scenarios", "--capability", "text,phase")
    (line,) = [line for line in out.splitlines() if line.startswith("run  phase-history")]
    assert "[text]" in line  # declared: the strict verdict


def test_report_files_are_independent_of_console(reference_url: str, tmp_path: Path) -> None:
    args = [*fast(reference_url), "--header", "X-Conformance-Fault: changed-ids", "--capability", "all"]
    for fmt in ("json", "junit", "sarif", "github"):
        args += ["--report", f"{fmt}={tmp_path / ('report.' + fmt)}"]
    code, out, _ = run(*args, "-q", "-o", "text")
    assert code == 1
    assert not out.lstrip().startswith("{")
    data = json.loads((tmp_path / "report.json").read_text())
    Draft202012Validator(REPORT_SCHEMA).validate(data)
    assert data["ok"] is False
    streams = {s["name"]: s for s in data["streams"]}
    assert set(streams) >= {"plain-text", "function-tool", "invalid-request"}
    assert streams["function-tool"]["scenario"] == "function-tool"
    assert streams["function-tool"]["http"]["status"] == 200
    assert "ITM008" in {f["code"] for f in streams["function-tool"]["findings"]}
    suites = ET.parse(tmp_path / "report.junit").getroot()
    assert suites.tag == "testsuites"
    assert [s.get("name") for s in suites] == [s["name"] for s in data["streams"]]
    sarif = json.loads((tmp_path / "report.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"ITM008"}
    # Without --capture-dir, a SARIF report still points every result at a file and line: the
    # bodies are saved beside it (code scanning shows a result only at a file).
    captures = tmp_path / "responses-conformance-captures"
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri.endswith(".sse") and (captures / Path(uri).name).is_file()
        assert physical["region"]["startLine"] >= 1
    github = (tmp_path / "report.github").read_text()
    assert "title=ITM008::" in github and f"file={captures}" in github


def test_console_json_output_validates(reference_url: str) -> None:
    code, out, _ = run(*fast(reference_url), "-o", "json", "--capability", "all")
    assert code == 0
    data = json.loads(out)
    Draft202012Validator(REPORT_SCHEMA).validate(data)
    assert data["summary"]["streams"] == len(SCENARIO_NAMES)
    assert data["summary"]["skipped"] == 0


def test_capture_dir_gives_sarif_file_and_line(
    reference_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [*fast(reference_url), "--header", "X-Conformance-Fault: sequence-gap", "--scenario", "plain-text"]
    code, out, _ = run(*args, "--capture-dir", "captures", "-o", "sarif", "--strict")
    assert code == 1
    capture = tmp_path / "captures" / "plain-text.sse"
    assert capture.read_bytes().startswith(b"event: response.created")
    result = next(r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "SEQ004")
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "captures/plain-text.sse"
    line = physical["region"]["startLine"]
    # The line points at the data: line of the event whose number jumped.
    assert '"sequence_number":13' in capture.read_text().splitlines()[line - 1]


def test_baseline_accepts_known_failures_and_is_strict(reference_url: str, tmp_path: Path) -> None:
    args = [*fast(reference_url), "--header", "X-Conformance-Fault: delta-before-part", "--scenario", "plain-text"]
    baseline = tmp_path / "known.txt"
    code, _, err = run(*args, "--write-baseline", str(baseline))
    assert code == 0 and "wrote" in err
    assert "plain-text CNT001" in baseline.read_text()
    assert run(*args)[0] == 1
    code, out, err = run(*args, "--baseline", str(baseline))
    assert code == 0, out + err
    assert "known failure" not in out  # known findings are info: hidden without -v
    # The defect is fixed: the baseline line is now stale and fails the run.
    code, out, err = run(*fast(reference_url), "--scenario", "plain-text", "--baseline", str(baseline))
    assert code == 1
    assert "no longer occurs" in err and f"{baseline}:3" in err


def test_api_key_never_appears_anywhere(keyed_reference: tuple[str, str], tmp_path: Path) -> None:
    url, key = keyed_reference
    # Credentials in the URL, a secret header, and the key from the environment.
    base = url.replace("http://", "http://alice:hunter2pass@") + "/v1"
    reports = [f"--report={fmt}={tmp_path / fmt}" for fmt in ("json", "junit", "sarif", "github")]
    env = {"RC_TEST_KEY": key}
    outputs = []
    for extra in (
        [],
        ["--header", "X-Conformance-Fault: http-500"],
        ["--header", "X-Conformance-Fault: redirect"],
        ["--api-key-header", "api-key"],
    ):
        for fmt in ("text", "json", "sarif", "junit", "github"):
            code, out, err = run(
                "--base-url",
                base,
                "--api-key-env",
                "RC_TEST_KEY",
                "--header",
                "X-Custom-Token: tok-SECRETVALUE",
                "--capability",
                "all",
                "-vv",
                "-o",
                fmt,
                *reports,
                *extra,
                env=env,
            )
            assert code in (0, 1), err
            outputs += [out, err] + [(tmp_path / f).read_text() for f in ("json", "junit", "sarif", "github")]
    blob = "\n".join(outputs)
    assert "HTT001" in blob and "HTT008" in blob  # the faults were really exercised
    for secret in (key, "hunter2pass", "tok-SECRETVALUE"):
        assert secret not in blob
    assert "[REDACTED]" in blob


def test_wrong_key_is_rejected_and_not_echoed(keyed_reference: tuple[str, str]) -> None:
    url, _ = keyed_reference
    code, out, err = run("--base-url", url + "/v1", "--api-key", "sk-wrong-key-XYZ123", "--scenario", "plain-text")
    assert code == 1
    assert "HTT001" in out and "401" in out
    assert "sk-wrong-key-XYZ123" not in out + err


def test_progress_lines_on_stderr(reference_url: str) -> None:
    code, out, err = run(*fast(reference_url), "--progress", "--scenario", "plain-text", "--scenario", "reasoning")
    assert code == 0
    assert err.splitlines() == ["[1/2] plain-text: ok (25 events)", "[2/2] reasoning: skipped (0 events)"]
    assert "[1/2]" not in out


def test_ctrl_c_reports_the_finished_scenarios_and_exits_130(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from validator import reference_server

    server, thread = reference_server.start(delay=0.05)
    report_path = tmp_path / "report.json"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "validator", "check", "--base-url", server.url + "/v1", "--progress",
             "--report", f"json={report_path}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            # A background job may have inherited an ignored SIGINT; the child gets the default back.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + 60
        assert proc.stderr is not None
        seen = ""
        while "[2/" not in seen and time.monotonic() < deadline:
            seen += proc.stderr.readline()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert proc.returncode == 130, seen + err
    assert "interrupted after" in err
    assert "Traceback" not in err
    finished = int(err.split("interrupted after ")[1].split()[0])
    assert finished >= 2
    report = json.loads(report_path.read_text())
    assert report["summary"]["streams"] == finished
    assert report["complete"] is False and report["ok"] is False


def test_base_url_with_a_query_keeps_it_and_redacts_its_key(reference_url: str, tmp_path: Path) -> None:
    secret = "azk-0123456789SECRET"
    base = f"{reference_url}/v1?api-version=2025-04-01-preview&api-key={secret}"
    report = tmp_path / "report.json"
    code, out, err = run(
        "--base-url", base, "--idle-timeout", "0.5", "--total-timeout", "15", "--scenario", "plain-text",
        "--report", f"json={report}", "-vv",
    )
    assert code == 0, out + err  # posted to /v1/responses?..., not to /v1?...=.../responses
    text = report.read_text()
    assert secret not in out + err + text
    (stream,) = json.loads(text)["streams"]
    assert stream["http"]["url"] == (
        f"{reference_url}/v1/responses?api-version=2025-04-01-preview&api-key=[REDACTED]"
    )


def test_every_request_keeps_the_query() -> None:
    import httpx

    from validator.live import Target, run_battery

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(500, json={"error": {"message": "no"}})

    target = Target("https://example.invalid/openai/deployments/d?api-version=2025-04-01-preview")
    run_battery(target, capabilities=frozenset({"text", "tools"}), transport=httpx.MockTransport(answer))
    assert len(seen) >= 2
    assert set(seen) == {"https://example.invalid/openai/deployments/d/responses?api-version=2025-04-01-preview"}


def test_quiet_hides_skipped_scenarios(reference_url: str) -> None:
    code, out, _ = run(*fast(reference_url), "-q", "--scenario", "plain-text", "--scenario", "reasoning")
    assert code == 0
    assert out == ""  # no findings, no summary, no skipped scenario
    code, out, _ = run(*fast(reference_url), "--scenario", "plain-text", "--scenario", "reasoning")
    assert "reasoning: skipped" in out


def test_markdown_summary(reference_url: str, tmp_path: Path) -> None:
    args = [*fast(reference_url), "--header", "X-Conformance-Fault: delta-before-part", "--capability", "all"]
    code, out, _ = run(*args, "-o", "markdown")
    assert code == 1
    assert out.startswith("## responses-conformance: does not conform")
    assert "| plain-text | **FAIL** |" in out and "| CNT001 | error |" in out
