"""The core never imports the outer layers (see ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "validator"
OUTER_MODULES = ("validator.cli", "validator.commands", "validator.reporters", "validator.live",
                 "validator.pytest_plugin", "validator.strategies", "validator.reference_server")
OUTER_PACKAGES = ("click", "pytest", "hypothesis", "httpx", "_pytest")
OUTER_PATHS = ("cli.py", "commands", "reporters", "live", "pytest_plugin.py", "strategies",
               "reference_server.py")


def core_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in OUTER_PATHS:
            continue
        files.append(path)
    return files


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_there_is_a_core() -> None:
    names = {p.name for p in core_files()}
    assert {"sse.py", "sources.py", "checker.py", "model.py", "report.py"} <= names


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_module_imports_no_outer_layer(path: Path) -> None:
    bad = sorted(
        name
        for name in imported_names(path)
        if name.startswith(OUTER_MODULES) or name.split(".")[0] in OUTER_PACKAGES
    )
    assert not bad, f"{path.name} imports {bad}"
