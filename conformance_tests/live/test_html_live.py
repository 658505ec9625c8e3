"""``check --report html=PATH``: the live battery drawn, with the run's secrets masked in the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

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

