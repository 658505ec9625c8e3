"""The validate command through click's runner: output lines and exit codes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli import main

CREATED = {
    "type": "response.created",
    "sequence_number": 0,
    "response": {"id": "resp_1", "status": "in_progress"},
}


def sse(*events: dict[str, object], done: bool = False) -> bytes:
    out = b"".join(
        f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events
    )
    return out + (b"data: [DONE]\n\n" if done else b"")


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_bad_data_gives_a_located_finding_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.sse"
    path.write_bytes(b"event: x\ndata: {oops\n\n")
    code, out, _ = run("validate", "--select", "SSE", str(path))
    assert code == 1
    assert f"{path}:2:1: SSE001 data is not JSON" in out


def test_event_line_mismatch_is_an_error_only_in_openresponses(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b'event: other\ndata: {"type": "response.created"}\n\ndata: [DONE]\n\n')
    code, out, _ = run("validate", "--select", "SSE004", str(path))
    assert code == 0 and "SSE004" in out and "[warning]" in out
    code, out, _ = run("validate", "--profile", "openresponses", "--select", "SSE004", str(path))
    assert code == 1 and "SSE004" in out and "[warning]" not in out


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(sse(CREATED, done=True))
    assert run("validate", "--select", "SSE008", str(path))[0] == 0
    assert run("validate", "--select", "SSE008", "--strict", str(path))[0] == 1


def test_select_and_ignore_by_prefix(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b'data: [1]\n\ndata: {"no": "type"}\n\n')
    _, out, _ = run("validate", "--select", "SSE", "--ignore", "SSE002", str(path))
    assert "SSE003" in out and "SSE002" not in out


def test_unknown_rule_prefix_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(sse(CREATED))
    code, _, err = run("validate", "--select", "XYZ", str(path))
    assert code == 2 and "XYZ" in err


def test_json_output_is_a_versioned_report(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b"data: nope\n\n")
    code, out, _ = run("validate", "-o", "json", "--select", "SSE", str(path))
    report = json.loads(out)
    assert code == 1
    assert report["version"] == 1 and report["summary"]["errors"] == 1
    (finding,) = report["streams"][0]["findings"]
    assert finding["code"] == "SSE001" and finding["location"]["line"] == 1


def test_report_file_is_independent_of_console(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b"data: nope\n\n")
    target = tmp_path / "out" / "report.json"
    code, out, _ = run("validate", "--select", "SSE", "--report", f"json={target}", str(path))
    assert code == 1 and "SSE001" in out
    assert json.loads(target.read_text())["summary"]["errors"] == 1


def test_bad_report_target_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(sse(CREATED))
    assert run("validate", "--report", "nonsense", str(path))[0] == 2
    assert run("validate", "--report", "pdf=x.pdf", str(path))[0] == 2


def test_stdin(tmp_path: Path) -> None:
    code, out, _ = run("validate", "--select", "SSE", "-", input=b"data: {]\n\n")
    assert code == 1 and "<stdin>:1:1: SSE001" in out


def test_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sse.gz"
    path.write_bytes(gzip.compress(b"data: 42\n\n"))
    code, out, _ = run("validate", "--select", "SSE", str(path))
    assert code == 1 and "SSE002" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02garbage\xff" * 20, "binary data"),
        (b"", "no events found"),
        (b"\n\n: only a comment\n\n", "no events found"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(content)
    code, out, err = run("validate", str(path))
    assert code == 2
    assert message in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_missing_path_and_empty_directory_exit_2(tmp_path: Path) -> None:
    assert run("validate", str(tmp_path / "absent.sse"))[0] == 2
    assert run("validate", str(tmp_path))[0] == 2


def test_one_bad_file_among_good_ones_still_exits_2(tmp_path: Path) -> None:
    good = tmp_path / "good.sse"
    good.write_bytes(b"data: {}\n\n")
    code, out, err = run("validate", "--select", "SSE", str(good), str(tmp_path / "absent.sse"))
    assert code == 2 and "absent.sse" in err and "SSE003" in out


def test_no_color_env_and_color_always(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b"data: nope\n\n")
    _, out, _ = run("validate", "--color", "always", str(path))
    assert "\x1b[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run("validate", "--color", "auto", str(path))
    assert "\x1b[" not in out


def test_max_per_rule_caps_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b"data: nope\n\n" * 30)
    _, out, _ = run("validate", "--select", "SSE001", "--max-per-rule", "5", str(path))
    lines = [line for line in out.splitlines() if "SSE001" in line]
    assert len(lines) == 6 and lines[-1].endswith("SSE001 25 more errors not shown")
    assert "30 errors" in out.splitlines()[-1]  # the counts do not depend on what is shown
    _, out, _ = run("validate", "--select", "SSE001", "--max-per-rule", "0", str(path))
    assert sum("SSE001" in line for line in out.splitlines()) == 30


def test_quiet_drops_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b"data: nope\n\n")
    _, out, _ = run("validate", "-q", str(path))
    assert "streams" not in out and "stream," not in out


def test_secrets_inside_har_files_appear_in_no_report(tmp_path: Path) -> None:
    key = "sk-har-secret-5550123"
    body = 'event: response.created\ndata: {"type": "response.created"}\n\n'
    har = {"log": {"entries": [{
        "request": {"method": "POST", "url": f"https://api.example/v1/responses?key={key}",
                    "headers": [{"name": "api-key", "value": key}]},
        "response": {"status": 200, "headers": [{"name": "content-type", "value": "text/event-stream"}],
                     "content": {"mimeType": "text/event-stream", "text": body}},
    }]}}
    path = tmp_path / "capture.har"
    path.write_text(json.dumps(har))
    formats = ("json", "junit", "sarif", "github", "html")
    reports = [f"{fmt}={tmp_path / ('r.' + fmt)}" for fmt in formats]
    args = ["validate", "-v", str(path)]
    for report in reports:
        args += ["--report", report]
    code, out, err = run(*args)
    assert code == 1
    for text in [out, err] + [(tmp_path / f"r.{fmt}").read_text() for fmt in formats]:
        assert key not in text


def test_resumed_after_declares_a_resumed_stream(tmp_path: Path) -> None:
    from conformance_tests.test_machine import numbered, text_events
    from validator.writers import to_sse

    path = tmp_path / "resumed.sse"
    path.write_bytes(to_sse(numbered(text_events(("a", "b", "c")))[5:]))
    code, out, _ = run("validate", "--select", "LIF,SEQ,ITM,CNT", str(path))
    assert code == 1 and "LIF001" in out
    code, out, _ = run("validate", "--select", "LIF,SEQ,ITM,CNT", "--resumed-after", "4", str(path))
    assert code == 0, out
    code, out, _ = run("validate", "--select", "SEQ", "--resumed-after", "2", str(path))
    assert "SEQ003" in out and "resumes after 2" in out
