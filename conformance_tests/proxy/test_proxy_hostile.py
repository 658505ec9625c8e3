"""Hostile upstreams: credentials echoed back, escape sequences in payloads.

The proxy is run as a user runs it (``responses-conformance proxy ... -- COMMAND``
in a subprocess, every report format, both capture formats, ``-v``), in front of
an upstream that echoes every credential it receives into its headers and its
stream, in the stream's findings too (a ``.done`` text that is not its deltas
puts the text in the finding's expected and actual values). No spelling of a
credential may appear in anything the proxy prints or writes, and nothing a
payload holds may reach the terminal as a control character.
"""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote

import pytest

from validator.proxy.redaction import spellings

from .conftest import scripted, send_chunk

BEARER = 'sk-proj-Ab/Cd+Ef"Gh<Ij>&Kl'
API_KEY = "azure-key-0123456789abcdef"
NAMED = "tenant-secret-ÄÖ-42"  # named with --redact-env
SECRETS = (BEARER, API_KEY, NAMED)
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\u202e\x9b31m"
REPORTS = ("json", "junit", "sarif", "github", "text")
TIMEOUT = 120


def echoing(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    """Echo every credential: in a header, in the text, in a wrong `.done` text, in an unknown event."""
    auth = handler.headers.get("Authorization", "")
    key = handler.headers.get("api-key", "")
    said = json.loads(body)["input"]
    text = f"{auth} {key} {said} {ESCAPES}"
    events = [
        {"type": "response.created", "response": {"id": "resp_1", "object": "response", "status": "in_progress",
                                                  "output": [], "instructions": auth}},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 0, "content_index": 0,
         "part": {"type": "output_text", "text": "", "annotations": []}},
        {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0,
         "delta": text},
        {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 0, "content_index": 0,
         "text": text + "!"},
        {"type": f"acme:{ESCAPES}{key}", "note": said},
    ]
    frames = b"".join(
        f"event: {e['type'] if 'acme' not in e['type'] else 'acme'}\ndata: {json.dumps(e)}\n\n".encode()
        for i, e in enumerate({**e, "sequence_number": i} for i, e in enumerate(events))
    )
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("X-Echo", f"{auth} {key}")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    send_chunk(handler, frames)
    send_chunk(handler, b"")


CLIENT = f"""
import os, httpx
base = os.environ["OPENAI_BASE_URL"]
headers = {{"Authorization": "Bearer " + {BEARER!r}, "api-key": {API_KEY!r}}}
body = {{"model": "m", "stream": True, "input": "mine: " + {NAMED!r} + " " + {BEARER!r}}}
with httpx.Client(timeout=60) as client:
    # One stream on a path whose name holds escape sequences, one on the usual path.
    client.post(base + "/v1/%1b%5b2J%e2%80%ae/responses", json=body, headers=headers)
    answer = client.post(base + "/v1/responses", json=body, headers=headers)
    assert answer.status_code == 200, answer.status_code
"""


def run_proxy(upstream: str, tmp_path: Path, capture: list[str]) -> subprocess.CompletedProcess[str]:
    reports = [f"--report={fmt}={tmp_path / f'report.{fmt}'}" for fmt in REPORTS]
    command = [
        sys.executable, "-m", "validator.cli", "proxy", "--upstream", upstream, "--listen", "127.0.0.1:0",
        *capture, *reports, "--redact-env", "NAMED_SECRET", "-vv", "--", sys.executable, "-c", CLIENT,
    ]
    env = {"NAMED_SECRET": NAMED, "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path, env=env,
                          check=False)


def leaks(text: str) -> list[str]:
    return [form for secret in SECRETS for form in spellings(secret) | {unquote(secret)} if form in text]


@pytest.mark.parametrize("capture", ["har", "sse"])
def test_no_credential_in_any_output_report_or_capture(tmp_path: Path, capture: str) -> None:
    where = ["--capture", str(tmp_path / "cap.har")] if capture == "har" else ["--capture", str(tmp_path / "caps")]
    with scripted(echoing) as upstream:
        result = run_proxy(upstream.url, tmp_path, where)
    assert result.returncode == 1, result.stderr  # the stream's `.done` text is wrong
    assert "Traceback" not in result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {f"report.{fmt}" for fmt in REPORTS}
    assert len(written) == len(REPORTS) + (1 if capture == "har" else 2)
    everything = {"stdout": result.stdout, "stderr": result.stderr}
    everything.update({str(p): p.read_text(encoding="utf-8") for p in written})
    for name, text in everything.items():
        assert not leaks(text), f"{name} holds {leaks(text)}"
    # What was redacted is still there to see: the mask where the values were, the finding itself.
    report = json.loads((tmp_path / "report.json").read_text())
    assert "CNT005" in {f["code"] for s in report["streams"] for f in s["findings"]}
    assert "[REDACTED]" in (tmp_path / "report.json").read_text()
    if capture == "har":
        har = json.loads((tmp_path / "cap.har").read_text())
        entry = har["log"]["entries"][1]
        assert {"name": "authorization", "value": "[REDACTED]"} in entry["request"]["headers"]
        assert {"name": "X-Echo", "value": "[REDACTED] [REDACTED]"} in entry["response"]["headers"]


def test_escape_sequences_in_payloads_never_reach_the_terminal(tmp_path: Path) -> None:
    with scripted(echoing) as upstream:
        result = run_proxy(upstream.url, tmp_path, ["--no-capture"])
    assert result.returncode == 1, result.stderr
    # The console, and the report files read as lines (a CI log, a test viewer): each reporter spells
    # out what a payload could do to them, as for validate.
    lines = {fmt: (tmp_path / f"report.{fmt}").read_text(encoding="utf-8") for fmt in ("text", "github", "junit")}
    for stream_name, text in (("stdout", result.stdout), ("stderr", result.stderr), *lines.items()):
        for char in "\x1b\x07\x9b\u202e":
            assert char not in text, f"{stream_name} holds {char!r}"
    # The stream on the hostile path is reported, its path shown escaped.
    assert "/v1/\\x1b[2J\\u202e/responses" in result.stderr
