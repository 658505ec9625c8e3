"""Every command in docs/websocket.md runs, with the output the page shows."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "websocket.md"


def commands() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the page's console blocks with the output lines shown under it."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            elif out:
                out[-1][1].append(line)
    return out


def test_the_page_has_commands() -> None:
    assert len(commands()) >= 3


@pytest.mark.parametrize("command", [c for c, _ in commands()], ids=lambda c: c[:60])
def test_each_command_runs_as_shown(command: str, reference_url: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shown = dict(commands())[command]
    argv = shlex.split(command.replace("ws://127.0.0.1:8765", reference_url.replace("http://", "ws://")))
    assert argv[0] == "responses-conformance"
    argv = [str(ROOT / a) if a.startswith("fixtures/") else a for a in argv[1:]]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert result.exit_code in (0, 1), result.output
    if shown:
        lines = [line.replace(str(ROOT) + os.sep, "") for line in result.stdout.splitlines()]
        assert lines == shown
    if "--capture-dir" in argv:
        assert sorted(p.name for p in (tmp_path / "captures").iterdir())[0].endswith(".ws.jsonl")
