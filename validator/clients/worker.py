"""One client's driver process: requests in, observations out, a clock on each.

``replay_all(command, bodies, timeout)`` starts the driver, sends the streams
one at a time and waits at most ``timeout`` seconds for each answer. A driver
that does not answer in time is killed with its process group, the stream is
recorded as ``hangs``, and a fresh driver takes the remaining streams; a driver
that dies is recorded the same way with what it wrote to stderr.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import selectors
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# A driver imports its client library and warms it up before it says hello; on two busy cores
# that can take a minute or more.
START_TIMEOUT = 300.0


@dataclass(slots=True)
class Request:
    body: bytes
    tools: list[str] = field(default_factory=list)  # function names, for clients that need a tool per call
    custom_tools: list[str] = field(default_factory=list)  # custom tool names (openai-agents needs those too)


@dataclass(slots=True)
class Answer:
    """What came back for one stream: an observation, or why there is none."""

    observation: dict[str, Any] | None = None
    hang: float | None = None  # the driver gave no answer within this many seconds
    crash: str | None = None  # the driver process died (its last stderr line)


@dataclass(slots=True)
class Run:
    versions: dict[str, str]
    answers: list[Answer]
    error: str | None = None  # the driver never started


class _Driver:
    def __init__(self, command: Sequence[str], env: dict[str, str], cwd: str | None) -> None:
        # stderr goes to a file: a chatty client must never block on a full pipe.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            cwd=cwd,
            start_new_session=True,  # its own process group, so a kill takes its children too
        )
        assert self.process.stdout is not None
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.buffer = b""

    def line(self, timeout: float) -> dict[str, Any] | None:
        """The next JSON line, or None if none came within ``timeout`` or the driver died."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                return None
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\n")
        value = json.loads(raw)
        return value if isinstance(value, dict) else None

    def send(self, index: int, request: Request) -> bool:
        assert self.process.stdin is not None
        line = {"id": index, "body": base64.b64encode(request.body).decode("ascii"), "tools": request.tools,
                "custom_tools": request.custom_tools}
        try:
            self.process.stdin.write(json.dumps(line).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def last_error(self) -> str:
        """The last line the driver wrote to stderr."""
        try:
            self.stderr.seek(0)
            text = self.stderr.read()[-4096:].decode("utf-8", "replace")
        except (OSError, ValueError):
            text = ""
        lines = [line for line in text.strip().splitlines() if line.strip()]
        return lines[-1][:300] if lines else f"exit status {self.process.returncode}"

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.stderr.close()
        self.selector.close()


def replay_all(
    command: Sequence[str],
    requests: Sequence[Request],
    timeout: float,
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> Run:
    """Every request through the driver ``command``, in order, each within ``timeout`` seconds."""
    environment = {**os.environ, **(env or {})}
    answers: list[Answer] = []
    versions: dict[str, str] = {}
    while len(answers) < len(requests) or not versions:
        driver = _Driver(command, environment, cwd)
        try:
            hello = driver.line(START_TIMEOUT)
            if hello is None or "versions" not in hello:
                return Run(versions, answers, f"the driver did not start: {driver.last_error()}")
            versions = {str(k): str(v) for k, v in hello["versions"].items()}
            while len(answers) < len(requests):
                index = len(answers)
                if not driver.send(index, requests[index]):
                    answers.append(Answer(crash=driver.last_error()))
                    break
                started = time.monotonic()
                reply = driver.line(timeout)
                if reply is not None and reply.get("id") == index:
                    answers.append(Answer(observation=reply.get("observation")))
                    continue
                if driver.process.poll() is None and time.monotonic() - started >= timeout:
                    answers.append(Answer(hang=timeout))
                else:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        driver.process.wait(timeout=5)  # it died: let it finish writing stderr
                    answers.append(Answer(crash=driver.last_error()))
                break
        finally:
            driver.stop()
    return Run(versions, answers)
