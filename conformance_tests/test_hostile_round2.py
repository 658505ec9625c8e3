"""Issue 15, hostile input and hostile servers, round two: one regression test per item.

Each test feeds what the outside attack used and asserts the outcome a wrong
implementation does not give: a finding or a one-line error with exit 2, the
other results kept, nothing injected into the output, no secret shown.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from validator.cli import main
from validator.emitter import KEEP_AT_MOST
from validator.model import Event, Finding
from validator.report import Report, StreamReport
from validator.reporters import REPORTERS, RenderOptions


def run(*args: str, input: bytes | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input)


def nested(depth: int, leaf: object = 1) -> Any:
    value: Any = leaf
    for _ in range(depth):
        value = [value]
    return value


# ---- already on main: depth-safe values, the findings cap, one bad file among many ---------------


def deep_sequence_number_stream(depth: int) -> bytes:
    created = {"type": "response.created", "sequence_number": 0,
               "response": {"id": "r", "object": "response", "status": "in_progress", "output": []}}
    # orjson refuses nesting past 1024 levels; the raw text goes in as it is, one level at a time.
    deep = "[" * depth + "1" + "]" * depth
    return (b"data: " + orjson.dumps(created) + b"\n\n"
            b'data: {"type":"response.in_progress","sequence_number":' + deep.encode() + b"}\n\n")


def test_a_sequence_number_nested_1000_deep_is_a_finding_in_every_format(tmp_path: Path) -> None:
    path = tmp_path / "deep.sse"
    path.write_bytes(deep_sequence_number_stream(1000))
    for fmt in REPORTERS:
        result = run("validate", "-vv", "-o", fmt, str(path))
        assert result.exit_code in (1, 2), (fmt, result.output)
        assert "Traceback" not in result.output + result.stderr
        assert "RecursionError" not in result.output + result.stderr
    result = run("validate", "-o", "json", str(path))
    assert json.loads(result.stdout)["streams"][0]["findings"], result.output


def deep_finding(depth: int) -> Finding:
    from validator.emitter import Emitter
    from validator.rules.sequence import NOT_INCREASING

    emitter = Emitter("openai", source="deep.sse")
    event = Event({"type": "x", "sequence_number": nested(depth)}, index=0, line=1)
    emitter.emit(NOT_INCREASING, "deep", event, expected=nested(depth), actual=nested(depth))
    (finding,) = emitter.take()
    return finding


def test_an_actual_nested_300_deep_goes_through_the_json_and_sarif_writers() -> None:
    finding = deep_finding(300)
    stream = StreamReport("deep.sse", "openai", "sse", findings=[finding], events=1)
    report = Report("openai", [stream])
    for fmt in ("json", "sarif", "junit", "markdown", "github", "text"):
        rendered = REPORTERS[fmt](report, RenderOptions(verbose=2))
        assert "deep" in rendered
        if fmt in ("json", "sarif"):
            json.loads(rendered)


def test_in_a_directory_run_a_hostile_file_keeps_every_other_result(tmp_path: Path) -> None:
    good = (Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "openai").glob("*.sse")
    first = sorted(good)[0]
    (tmp_path / "a.sse").write_bytes(first.read_bytes())
    (tmp_path / "b.sse").write_bytes(deep_sequence_number_stream(1000))
    (tmp_path / "c.sse").write_bytes(b'data: {"type":"response.in_progress","sequence_number":"x"}\n\n')
    result = run("validate", "-o", "json", str(tmp_path))
    report = json.loads(result.stdout)
    names = [Path(s["name"]).name for s in report["streams"]]
    assert names == ["a.sse", "b.sse", "c.sse"], names
    ok = {Path(s["name"]).name: s["ok"] for s in report["streams"]}
    assert ok["a.sse"] and not ok["b.sse"] and not ok["c.sse"]


def test_a_flood_of_findings_keeps_the_cap_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "flood.sse"
    path.write_bytes(b"data: {}\n\n" * (KEEP_AT_MOST + 5000))
    result = run("validate", "--max-per-rule", "0", "-o", "json", str(path))
    (stream,) = json.loads(result.stdout)["streams"]
    assert len(stream["findings"]) == KEEP_AT_MOST
    elided = sum(e["count"] for e in stream["elided"])
    assert elided > 0
    # every event breaks the same rules: what was counted is what was not kept
    total = len(stream["findings"]) + elided
    assert total >= KEEP_AT_MOST + 5000


# ---- (1) output injection: everything that leaves the tool is escaped per format -------------------

INJECTED = (
    b'data: {"type":"response.created","sequence_number":0,'
    b'"response":{"id":"r\x1b]0;pwn\x07","status":"\xc2\x9b31m"}}\n\n'
    b"event: \x1b[2J::error file=x::hacked\n"
    b'data: {"type":"\\n::error file=a.py::injected\\u001b[31m\\u202e\\r::warning::cr","sequence_number":1}\n\n'
    b'data: {"type":"\\u0085::notice::nel \\u2028::notice::ls","sequence_number":2}\n\n'
)
# Everything but LF may not reach the output raw: C0, DEL, C1, line/paragraph separators, bidi overrides.
UNSAFE = [chr(c) for c in (*range(0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0))] + [
    "\u2028", "\u2029", "\u202e", "\u2066",
]


def hostile_tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    (root / "evil\x1b[31m\u202e.sse").write_bytes(INJECTED)
    (root / "::error file=name::x.sse").write_bytes(INJECTED)
    # A name that is not UTF-8 (it reaches Python as a lone surrogate).
    with open(bytes(root) + b"/\xff\xfe.sse", "wb") as handle:
        handle.write(INJECTED)
    return root


def assert_no_raw_controls(text: str, where: str) -> None:
    for char in UNSAFE:
        assert char not in text, (where, repr(char))


def test_no_format_lets_a_payload_or_file_name_inject_controls_or_workflow_commands(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    root = hostile_tree(tmp_path)
    for fmt in REPORTERS:
        result = run("validate", "-vv", "-o", fmt, "--report", f"{fmt}={tmp_path / ('r.' + fmt)}", str(root))
        assert result.exit_code == 1, (fmt, result.output, result.stderr)
        written = (tmp_path / ("r." + fmt)).read_text(encoding="utf-8")
        for text in (result.output, result.stderr, written):
            assert_no_raw_controls(text, fmt)
            for line in text.splitlines():
                if line.lstrip().startswith("::"):
                    # only our own annotations, one a line, their properties free of the payload's colons
                    assert fmt == "github" and re.match(r"::(error|warning|notice) [^:]*::", line), (fmt, line)
        if fmt in ("json", "sarif"):
            json.loads(written)
        if fmt == "junit":
            ET.fromstring(written.encode())
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert any(uri.endswith("%FF%FE.sse") for uri in uris), uris  # the name's own bytes


def test_diagnostics_on_stderr_are_escaped_too(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone\x1b[31m\n::error file=x::boom.sse")
    result = run("validate", missing)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert_no_raw_controls(result.stderr, "stderr")
    assert "\n::" not in result.stderr


# ---- (2) validate's size bounds: named findings, decoded bytes counted ------------------------------


def gzip_bomb(path: Path, megabytes: int, line: bool = True) -> None:
    """``megabytes`` of one never-ending event (``line``) or of tiny events, gzipped to a few hundred KB."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    event = b'data: {"type":"response.output_text.delta","delta":"a"}\n\n'
    block = b"a" * (1 << 20) if line else event * ((1 << 20) // len(event))
    parts = [packer.compress(b'data: {"type":"x","t":"' if line else b"")]
    parts += [packer.compress(block) for _ in range(megabytes)]
    path.write_bytes(b"".join(parts) + packer.flush())


def test_a_gzip_bomb_stops_at_the_decoded_byte_limit_with_a_finding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.sse.gz"
    gzip_bomb(bomb, 64, line=False)
    assert bomb.stat().st_size < 1_000_000
    result = run("validate", "-o", "json", "--max-bytes", "2000000", str(bomb))
    assert result.exit_code == 2
    (stream,) = json.loads(result.stdout)["streams"]
    codes = [f["code"] for f in stream["findings"]]
    assert "HTT017" in codes and "2,000,000 bytes" in stream["error"]
    assert "LIF007" not in codes  # the end was never read: no finding about it
    assert result.stderr.count("\n") == 1 and "not read to its end" in result.stderr


def test_one_endless_event_stops_at_the_event_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "line.sse.gz"
    gzip_bomb(bomb, 8, line=True)
    result = run("validate", "-o", "json", "--max-event-bytes", "1000000", str(bomb))
    assert result.exit_code == 2
    (stream,) = json.loads(result.stdout)["streams"]
    # the event cut at the limit is not judged (no SSE001 "invalid JSON", no SSE009)
    assert [f["code"] for f in stream["findings"]] == ["HTT018"]


def test_a_json_array_or_har_past_the_limit_is_a_one_line_input_error(tmp_path: Path) -> None:
    doc = tmp_path / "big.json"
    doc.write_bytes(orjson.dumps([{"type": "response.output_text.delta", "delta": "x" * 1000}] * 2000))
    result = run("validate", "--max-bytes", "100000", str(doc))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--max-bytes" in result.stderr


def test_a_stream_within_the_limits_is_untouched(tmp_path: Path) -> None:
    good = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "openai").glob("*.sse"))[0]
    size = good.stat().st_size
    assert run("validate", "--max-bytes", str(size), "--max-event-bytes", "65536", str(good)).exit_code == 0
    result = run("validate", "--max-bytes", str(size - 1), str(good))
    assert result.exit_code == 2 and "HTT017" in result.output


def test_dev_zero_on_stdin_is_a_one_line_error_in_bounded_memory() -> None:
    import subprocess
    import sys

    for fmt in ("sse", "jsonl", "json", "auto"):
        with open("/dev/zero", "rb") as zero:
            done = subprocess.run(
                [sys.executable, "-m", "validator", "validate", "-q", "--format", fmt, "--max-bytes", "4000000", "-"],
                stdin=zero, capture_output=True, timeout=120, check=False,
            )
        assert done.returncode == 2, (fmt, done.stderr)
        assert done.stderr.count(b"\n") == 1, (fmt, done.stderr)
        assert b"Traceback" not in done.stderr and b"MemoryError" not in done.stderr


# ---- (3) input errors are errors: never a silent pass, and the good parts still checked ------------


def valid_sse() -> bytes:
    return sorted((Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "openai").glob("*.sse"))[0].read_bytes()


def test_an_unreadable_subdirectory_is_an_input_error_not_conformant(tmp_path: Path, monkeypatch: Any) -> None:
    import os

    (tmp_path / "ok.sse").write_bytes(valid_sse())
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.sse").write_bytes(b"data: {}\n\n")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        # As root, mode 000 does not stop a listing: the refusal is simulated where os.walk asks.
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run("validate", "-o", "json", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "locked" in result.stderr and "cannot list" in result.stderr
    assert result.stderr.count("\n") == 1
    assert [Path(s["name"]).name for s in json.loads(result.stdout)["streams"]] == ["ok.sse"]


def har(entries: list[dict[str, Any]]) -> bytes:
    return orjson.dumps({"log": {"version": "1.2", "entries": entries}})


def har_entry(text: str, encoding: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"mimeType": "text/event-stream", "text": text}
    if encoding:
        content["encoding"] = encoding
    return {"request": {"method": "POST", "url": "http://h/v1/responses", "headers": []},
            "response": {"status": 200, "headers": [], "content": content}}


def test_a_bad_base64_har_entry_is_reported_and_the_good_entries_checked(tmp_path: Path) -> None:
    import base64

    good = valid_sse()
    path = tmp_path / "cap.har"
    path.write_bytes(har([
        har_entry(good.decode()),
        har_entry("abc", "base64"),  # incorrect padding
        har_entry(base64.b64encode(b'data: {"type":"response.in_progress"}\n\n').decode(), "base64"),
    ]))
    result = run("validate", "-o", "json", str(path))
    assert result.exit_code == 2
    streams = json.loads(result.stdout)["streams"]
    assert len(streams) == 3
    assert streams[0]["ok"] and streams[0].get("error") is None
    assert "base64" in streams[1]["error"]
    assert streams[2]["findings"]  # checked: LIF001 and the like
    assert result.stderr.count("\n") == 1 and "entries[1]" in result.stderr


def test_a_baseline_that_is_a_fifo_or_dev_zero_is_a_one_line_error(tmp_path: Path) -> None:
    import os

    stream = tmp_path / "s.sse"
    stream.write_bytes(valid_sse())
    fifo = tmp_path / "baseline.fifo"
    os.mkfifo(fifo)
    for baseline in (str(fifo), "/dev/zero", str(tmp_path / "missing")):
        result = run("validate", "--baseline", baseline, str(stream))  # a FIFO must not block
        assert result.exit_code == 2, (baseline, result.output)
        assert result.stderr.count("\n") == 1 and "baseline" in result.stderr, result.stderr


def test_a_baseline_line_can_name_a_har_entry(tmp_path: Path) -> None:
    path = tmp_path / "cap.har"
    path.write_bytes(har([har_entry(valid_sse().decode()),
                          har_entry('data: {"type":"response.in_progress","sequence_number":0}\n\n')]))
    baseline = tmp_path / "baseline.txt"
    codes = sorted({f["code"] for f in json.loads(run("validate", "-o", "json", str(path)).stdout)["streams"][1][
        "findings"] if f["severity"] == "error"})
    baseline.write_text("# known\n" + "".join(f"*cap.har#entries?1?*  {code}  # entry 1\n" for code in codes))
    result = run("validate", "--baseline", str(baseline), str(path))
    assert result.exit_code == 0, result.output


# ---- (4) report paths: rename only over regular files, modes kept, one line per bad target ----------


def test_a_report_to_a_fifo_or_through_a_symlink_never_replaces_it(tmp_path: Path) -> None:
    import os
    import stat
    import threading

    stream = tmp_path / "s.sse"
    stream.write_bytes(valid_sse())
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # stands for /dev/null or /dev/stdout: a node that is not a regular file
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    real = tmp_path / "real" / "report.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = run("validate", "--report", f"json={fifo}", "--report", f"sarif={link}", str(stream))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and json.loads(got[0])["ok"] is True
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["version"] == "2.1.0"
    assert not [p.name for p in real.parent.iterdir() if p.name != "report.json"]  # no temporary left


def test_reports_keep_the_umask_or_the_files_mode(tmp_path: Path) -> None:
    import os
    import stat

    stream = tmp_path / "s.sse"
    stream.write_bytes(valid_sse())
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o640)
    old = os.umask(0o022)
    try:
        result = run("validate", "--report", f"json={tmp_path / 'new.json'}", "--report", f"json={kept}",
                     str(stream))
    finally:
        os.umask(old)
    assert result.exit_code == 0
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644  # not mkstemp's 0600
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


def test_a_bad_report_path_is_one_line_and_the_other_reports_are_written(tmp_path: Path) -> None:
    stream = tmp_path / "s.sse"
    stream.write_bytes(valid_sse())
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    result = run(
        "validate",
        "--report", f"json={tmp_path}",  # a directory
        "--report", f"junit={a_file / 'below' / 'r.xml'}",  # no such place: its parent is a file
        "--report", f"sarif={tmp_path / 'ok.sarif'}",
        str(stream),
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("responses-conformance: error: cannot write") for line in lines)
    assert json.loads((tmp_path / "ok.sarif").read_text())["runs"]


# ---- (5) secrets in captures: a HAR request's credentials echoed by the server ---------------------


def test_a_har_requests_credentials_echoed_in_the_body_are_masked_in_every_format(tmp_path: Path) -> None:
    token = "sk-har-\"&<0123456789"
    entry = har_entry("data: " + json.dumps({"type": f"echo Bearer {token}", "sequence_number": 0,
                                              "url": "https://h/?client_secret=cs-0123456789"}) + "\n\n")
    entry["request"]["headers"] = [{"name": "Authorization", "value": f"Bearer {token}"}]
    entry["request"]["url"] = "https://h/v1/responses?client_secret=cs-0123456789"
    path = tmp_path / "cap.har"
    path.write_bytes(har([entry]))
    import html
    from urllib.parse import quote

    forms = {token, json.dumps(token)[1:-1], html.escape(token), quote(token, safe=""), repr(token)[1:-1],
             "cs-0123456789"}
    for fmt in REPORTERS:
        result = run("validate", "-vv", "-o", fmt, str(path))
        assert result.exit_code == 1, result.output
        for form in forms:
            assert form not in result.output, (fmt, form)


def test_a_run_keeps_a_bounded_number_of_findings_and_counts_the_rest(tmp_path: Path) -> None:
    from validator.runner import CheckOptions, check_files

    for i in range(3):
        (tmp_path / f"f{i}.sse").write_bytes(b"data: {}\n\n" * 50)
    files = sorted(str(p) for p in tmp_path.iterdir())
    every = [r for result in check_files(files, CheckOptions(keep_at_most=None)) for r in result.streams]
    total = sum(len(r.findings) + sum(e.count for e in r.elided) for r in every)
    kept = [r for result in check_files(files, CheckOptions(keep_at_most=60)) for r in result.streams]
    assert sum(len(r.findings) for r in kept) == 60
    assert sum(len(r.findings) + sum(e.count for e in r.elided) for r in kept) == total
    assert [r.ok() for r in kept] == [r.ok() for r in every]  # the verdicts count what was not kept


def test_a_report_writer_killed_mid_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    code = (
        "import sys\n"
        "from validator.reporters import write_atomically\n"
        "content = 'x' * (400 * 1024 * 1024)\n"
        "print('writing', flush=True)\n"
        f"write_atomically({str(target)!r}, content)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "writing\n"
    time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert [p.name for p in target.parent.iterdir() if p.name != "report.json"] == []
