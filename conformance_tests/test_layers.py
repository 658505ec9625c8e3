"""The core never imports the outer layers (see ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "validator"
OUTER_MODULES = ("validator.cli", "validator.__main__", "validator.commands", "validator.reporters", "validator.live",
                 "validator.pytest_plugin", "validator.strategies", "validator.reference_server",
                 "validator.clients", "validator.proxy")
OUTER_PACKAGES = ("click", "pytest", "hypothesis", "httpx", "_pytest", "httpx2", "openai", "agents",
                  "langchain_openai", "pydantic_ai", "llama_index", "uvicorn", "websockets", "wsproto")
OUTER_PATHS = ("cli.py", "__main__.py", "commands", "reporters", "live", "pytest_plugin.py", "strategies",
               "reference_server.py", "clients", "proxy")


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


def test_checking_a_stream_loads_no_client_library() -> None:
    # validator.clients drives third-party client libraries; a check must load neither it nor them.
    code = (
        "import sys, validator\n"
        "from validator.checker import check\n"
        "from validator.runner import check_files\n"
        "check(b'data: {\"type\": \"response.created\"}\\n\\n')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('validator.clients', 'openai', 'httpx2')))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


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


ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"


def declared_imports() -> dict[str, set[str]]:
    """The core table of ARCHITECTURE.md: module -> the validator modules it may import."""
    table: dict[str, set[str]] = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        module = cells[0].strip("`").rstrip("/")
        allowed = cells[2].split(" (")[0]  # a note in brackets may follow
        table[module] = set() if allowed == "nothing" else {a.strip().strip("`") for a in allowed.split(",")}
    return table


def core_module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def test_the_architecture_table_names_every_core_module() -> None:
    declared = declared_imports()
    modules = {core_module_name(p) for p in core_files()} - {"__init__", "__main__"}
    assert modules <= set(declared), f"ARCHITECTURE.md does not list {sorted(modules - set(declared))}"


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_module_imports_only_what_architecture_allows(path: Path) -> None:
    module = core_module_name(path)
    if module in ("__init__", "__main__"):
        return
    allowed = declared_imports()[module]
    used = {
        name.split(".")[1]
        for name in imported_names(path)
        if name.startswith("validator.") and name.split(".")[1] != "_schemas"
    }
    if module != "machine":
        used.discard(module)  # a package's modules import each other (rules, machine)
    assert used <= allowed | {module}, f"{module} imports {sorted(used - allowed - {module})}, not in ARCHITECTURE.md"
