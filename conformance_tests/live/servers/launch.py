"""Installing, starting and stopping third-party servers for the live tests and tools/server_report.py.

No pytest here: a server that cannot be installed or started raises
``Unavailable``; the fixtures turn that into a skip (or, under CI, a failure)
and the report tool into a one-line error. Everything is installed under the
checkout's ``.cache/`` (never into the test environment), every server binds
to 127.0.0.1 on a free port, every wait is bounded, and a server is stopped
by its own process group.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CACHE = ROOT / ".cache"
VENVS = CACHE / "thirdparty-venv"
SERVERS = Path(__file__).resolve().parent
INSTALL_TIMEOUT = 900
READY_TIMEOUT = 90.0


class Unavailable(Exception):
    """A server could not be installed, built or started (the message says why, in one line)."""


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on a file, held for the block: parallel processes take turns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_step(command: list[str], what: str, timeout: float, cwd: Path | None = None) -> None:
    """Run one install or build step; a failure becomes ``Unavailable`` with the output's last lines."""
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.CalledProcessError as exc:
        lines = [line for line in (exc.stderr or exc.stdout or "").splitlines() if "is ignored" not in line]
        tail = " | ".join(line.strip() for line in lines[-3:])
        raise Unavailable(f"{what} failed (exit {exc.returncode}): {tail or 'no output'}") from None
    except subprocess.TimeoutExpired:
        raise Unavailable(f"{what} took longer than {timeout:g} s") from None
    except OSError as exc:
        raise Unavailable(f"{what}: {exc}") from None


def venv_with(name: str, requirements: tuple[str, ...], constraints: Path | None = None) -> Path:
    """The python of a virtualenv holding these pinned packages (reused when already built)."""
    root = VENVS / name
    python = root / "bin" / "python"
    stamp = root / ".installed"
    wanted = "\n".join(requirements)
    if constraints is not None:
        wanted += "\n" + constraints.read_text(encoding="utf-8")
    with locked(VENVS / f"{name}.lock"):
        if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
            return python
        stamp.unlink(missing_ok=True)
        run_step([sys.executable, "-m", "venv", "--clear", str(root)], f"creating the {name} virtualenv", 120)
        command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *requirements]
        if constraints is not None:
            command += ["-c", str(constraints)]
        run_step(command, f"installing {' '.join(requirements)}", INSTALL_TIMEOUT)
        stamp.write_text(wanted, encoding="utf-8")
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    api_key: str | None = None


def start(
    command: list[str],
    port: int,
    log: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    ready_path: str | None = None,
    timeout: float = READY_TIMEOUT,
) -> Running:
    """Start a server and wait (bounded) until it listens, or answers 200 on ``ready_path``."""
    with log.open("wb") as handle:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    name = Path(command[0]).name if len(command) < 2 else Path(command[1]).name
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop(process)
            tail = log.read_text(errors="replace")[-500:].strip().replace("\n", " | ")
            raise Unavailable(f"{name} exited with {process.returncode}: {tail}")
        if _ready(port, ready_path):
            return Running(url, process, log)
        time.sleep(0.2)
    stop(process)
    raise Unavailable(f"{name} was not ready on port {port} within {timeout:g} s")


def _ready(port: int, path: str | None) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            if path is None:
                return True
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            sock.settimeout(2)
            return sock.recv(64).startswith((b"HTTP/1.1 200", b"HTTP/1.0 200"))
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def serving(
    command: list[str],
    port: int,
    log: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    ready_path: str | None = None,
    timeout: float = READY_TIMEOUT,
) -> Iterator[Running]:
    """``start`` as a context manager: the server is stopped when the block ends."""
    running = start(command, port, log, cwd, env, ready_path, timeout)
    try:
        yield running
    finally:
        stop(running.process)


@contextmanager
def fake_upstream(workdir: Path) -> Iterator[Running]:
    """Our deterministic Chat Completions server (stdlib only, runs in the test interpreter)."""
    port = free_port()
    command = [sys.executable, str(SERVERS / "fake_chat_upstream.py"), str(port), str(workdir / "upstream.jsonl")]
    with serving(command, port, workdir / "upstream.log", workdir) as running:
        yield running
