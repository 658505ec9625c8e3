"""The pre-commit hook definitions, `validate --baseline`, and the CI snippet in docs/ci.md."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from validator.cli import main

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

GOOD_EVENTS = b"""event: response.created
data: {"type":"response.created","sequence_number":0,"response":{"id":"r","object":"response","status":"in_progress","output":[]}}

"""  # noqa: E501 - one SSE frame


def hooks() -> list[dict[str, object]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(data, list)
    return data


def test_hook_definitions_are_complete() -> None:
    ids = [h["id"] for h in hooks()]
    assert ids == ["responses-conformance", "responses-conformance-openresponses"]
    for hook in hooks():
        assert {"id", "name", "entry", "language", "files"} <= set(hook)
        assert hook["language"] == "python"
        pattern = re.compile(str(hook["files"]))
        for name in ("a.sse", "dir/b.jsonl", "c.ndjson.gz", "d.har"):
            assert pattern.search(name), name
        for name in ("pyproject.toml", "e.json", "f.sse.bak"):
            assert not pattern.search(name), name


def test_hook_entry_runs_on_files(tmp_path: Path) -> None:
    """What pre-commit does: the entry, then the staged file names."""
    capture = tmp_path / "capture.sse"
    capture.write_bytes(GOOD_EVENTS)
    entry = shlex.split(str(hooks()[0]["entry"]))
    command = [str(BIN / entry[0]), *entry[1:], str(capture)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1  # the capture has no terminal event
    assert f"{capture}:2:1:" in result.stdout


def test_validate_baseline(tmp_path: Path) -> None:
    capture = tmp_path / "capture.sse"
    capture.write_bytes(GOOD_EVENTS)
    runner = CliRunner()
    found = runner.invoke(main, ["validate", str(capture), "-o", "json"])
    codes = sorted({f["code"] for s in yaml.safe_load(found.stdout)["streams"] for f in s["findings"]})
    assert found.exit_code == 1 and codes
    baseline = tmp_path / "known.txt"
    baseline.write_text("".join(f"capture.sse {code}\n" for code in codes))
    accepted = runner.invoke(main, ["validate", str(capture), "--baseline", str(baseline)])
    assert accepted.exit_code == 0, accepted.output
    baseline.write_text(baseline.read_text() + "capture.sse SSE001  # fixed long ago\n")
    stale = runner.invoke(main, ["validate", str(capture), "--baseline", str(baseline)])
    assert stale.exit_code == 1
    assert f"{baseline}:{len(codes) + 1}: known failure 'capture.sse SSE001' no longer occurs" in stale.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("only-one-field\n")
    broken = runner.invoke(main, ["validate", str(capture), "--baseline", str(bad)])
    assert broken.exit_code == 2 and "expected 'STREAM-GLOB CODE'" in broken.stderr


def test_ci_doc_snippet_is_valid_yaml_using_real_options() -> None:
    text = (ROOT / "docs" / "ci.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    workflow = next(yaml.safe_load(b) for b in blocks if "jobs:" in b and "Live battery" in b)
    steps = workflow["jobs"]["conformance"]["steps"]
    battery = next(s for s in steps if s.get("name") == "Live battery")["run"]
    args = shlex.split(battery)
    assert args[:2] == ["responses-conformance", "check"]
    help_text = CliRunner().invoke(main, ["check", "--help"]).output
    for option in [a for a in args if a.startswith("--")]:
        assert option in help_text, option
    precommit = next(yaml.safe_load(b) for b in blocks if "repos:" in b)
    assert precommit["repos"][0]["hooks"][0]["id"] == "responses-conformance"
