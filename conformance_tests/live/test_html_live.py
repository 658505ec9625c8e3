"""``check --report html=PATH``: the live battery drawn, with the run's secrets masked in the page."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli import main


def test_check_writes_a_masked_html_report(keyed_reference: tuple[str, str], tmp_path: Path) -> None:
    url, key = keyed_reference
    out = tmp_path / "live.html"
    # The model name is echoed in every Response snapshot: with the key in it, the key reaches the events.
    args = ["check", "--base-url", url + "/v1", "--api-key", key, "--model", f"gpt-{key}",
            "--scenario", "plain-text", "--report", f"html={out}", "-o", "html"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for document in (out.read_text(encoding="utf-8"), result.stdout):
        assert key not in document
        block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', document, re.S)
        assert block is not None
        data = json.loads(block.group(1))  # masking kept the embedded JSON valid
        [stream] = data["streams"]
        timeline = stream["timeline"]
        assert timeline["events"] == stream["events"] > 0
        created = json.loads(timeline["entries"][0][6])
        assert created["response"]["model"] == "gpt-[REDACTED]"


ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "html-report.md"


def test_the_doc_commands_and_snippet_run(reference_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the doc's paths are relative to the checkout
    text = DOC.read_text(encoding="utf-8")
    [commands] = re.findall(r"```bash\n(.*?)```", text, re.S)
    ran = 0
    for line in commands.strip().splitlines():
        args = shlex.split(line.replace("http://127.0.0.1:8000", reference_url))
        assert args[0] == "responses-conformance"
        target = None
        if ">" in args:
            target = tmp_path / args[args.index(">") + 1]
            args = args[: args.index(">")]
        args = [re.sub(r"=(\w+\.html)$", lambda m: f"={tmp_path / m.group(1)}", a) for a in args]
        result = CliRunner().invoke(main, args[1:], catch_exceptions=False)
        assert result.exit_code in (0, 1), (line, result.output)
        if target is not None:
            target.write_text(result.stdout, encoding="utf-8")
        written = target or tmp_path / re.search(r"html=(\w+\.html)", line).group(1)  # type: ignore[union-attr]
        assert '<script type="application/json" id="report-data">' in written.read_text(encoding="utf-8")
        ran += 1
    assert ran == 3
    [snippet] = re.findall(r"```python\n(.*?)```", text, re.S)
    scope: dict[str, object] = {}
    exec(compile(snippet, str(DOC), "exec"), scope)
    assert str(scope["html"]).startswith("<!DOCTYPE html>")
