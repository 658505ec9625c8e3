"""Replay captured streams into real client libraries and say how each fared.

``replay(streams, clients)`` runs one driver process per client (all streams go
through it, one at a time, each with its own time bound) and classifies every
result against the stream's own events (``expect``): ``ok``, ``raises``,
``wrong`` or ``hangs``. Streams that end in ``response.failed``,
``response.incomplete`` or an ``error`` event are compared with a bundled valid
stream that ends the same way (``references/``): a client that reacts to both
alike is marked ``as_on_valid``, since the ending explains it, not a defect.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.clients import environments
from validator.clients.classify import Outcome, classify
from validator.clients.expect import Expected, expected
from validator.clients.registry import BY_NAME, CLIENTS, ClientSpec
from validator.clients.worker import Request, replay_all
from validator.model import Event
from validator.session import SessionChecker
from validator.sources import Stream
from validator.writers import to_sse

HERE = Path(__file__).resolve().parent
REFERENCES = {path.stem: path for path in sorted((HERE / "references").glob("*.sse"))}
DEFAULT_TIMEOUT = 30.0

# Loads the drivers package from its directory under a name of its own, so that it needs neither
# `validator` nor anything on sys.path in the interpreter that runs it.
_BOOTSTRAP = """\
import importlib.util, runpy, sys
spec = importlib.util.spec_from_file_location("rc_drivers", {init!r}, submodule_search_locations=[{root!r}])
package = importlib.util.module_from_spec(spec)
sys.modules["rc_drivers"] = package
spec.loader.exec_module(package)
runpy.run_module("rc_drivers." + sys.argv[1], run_name="__main__")
"""


@dataclass(slots=True)
class StreamInput:
    name: str
    body: bytes


@dataclass(slots=True)
class ClientStatus:
    spec: ClientSpec
    available: bool
    reason: str = ""  # why it was not run, or why its driver failed
    versions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.spec.name, "label": self.spec.label, "ran": self.available}
        if self.versions:
            out["versions"] = self.versions
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(slots=True)
class StreamResult:
    name: str
    expected: Expected
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "expected": self.expected.to_dict(),
            "outcomes": [o.to_dict() for o in self.outcomes.values()],
        }


@dataclass(slots=True)
class Matrix:
    clients: list[ClientStatus]
    streams: list[StreamResult]

    def to_dict(self) -> dict[str, Any]:
        return {"clients": [c.to_dict() for c in self.clients], "streams": [s.to_dict() for s in self.streams]}


def inputs_of(stream: Stream, profile: str = "openai") -> list[StreamInput]:
    """What the clients are given for one stream: its SSE bytes; for a WebSocket session, each response's.

    The clients read SSE, so a session's responses are replayed one by one as the
    SSE streams their events make, named as their reports are (``NAME#response[N]``):
    the events the session model gives each response (``SessionChecker``'s routing,
    ``stream_id`` removed, an error envelope as the SSE ``error`` event).
    """
    if stream.frames is None:
        return [StreamInput(stream.name, body_of(stream))]
    received: dict[int, list[dict[str, Any]]] = {}

    def keep(number: int, event: Event) -> None:
        if isinstance(event.payload, dict):
            received.setdefault(number, []).append(event.payload)

    session = SessionChecker(profile, source=stream.name, on_event=keep)
    for record in stream.frames:
        session.feed(record)
    session.closed(None)
    return [StreamInput(f"{stream.name}#response[{n}]", to_sse(events)) for n, events in sorted(received.items())]


def body_of(stream: Stream) -> bytes:
    """A stream's SSE bytes: as captured, or written from its events (JSONL, JSON captures)."""
    if stream.body is not None and stream.transport == "sse":
        return b"".join(stream.body)
    payloads = []
    done = False
    for event in stream.events:
        if event.done:
            done = True
        elif event.payload is not None:
            payloads.append(event.payload)
    return to_sse(payloads, done=done)


def select(names: Iterable[str] | None) -> list[ClientSpec]:
    if not names:
        return list(CLIENTS)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise KeyError(f"no client {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in BY_NAME if n in set(names)]


def status(spec: ClientSpec, root: Path | None = None) -> tuple[list[str] | None, str, str | None]:
    """The command that runs the client's driver, or None and why not; and the directory to run it in."""
    if spec.environment == "main":
        import importlib.util

        if importlib.util.find_spec(spec.module) is None:
            return None, "not installed (pip install 'responses-conformance[clients]')", None
        return _python_command(sys.executable, spec.driver), "", None
    if spec.environment == "llamaindex":
        python = environments.llamaindex_python(root)
        if python is None:
            return None, "its virtualenv is not installed (responses-conformance clients --install)", None
        return _python_command(str(python), spec.driver), "", None
    node, why = environments.find_node(root)
    if node is None:
        return None, why, None
    packages = environments.js_dir(root)
    if packages is None:
        return None, "the npm packages are not installed (responses-conformance clients --install)", None
    # Node resolves packages from the script's own directory, so the driver runs from the cache.
    shutil.copyfile(HERE / "js" / "driver.mjs", packages / "driver.mjs")
    return [str(node.path), str(packages / "driver.mjs"), spec.driver], "", str(packages)


def _python_command(python: str, driver: str) -> list[str]:
    drivers = HERE / "drivers"
    code = _BOOTSTRAP.format(init=str(drivers / "__init__.py"), root=str(drivers))
    return [python, "-c", code, driver]


def replay(
    streams: Sequence[StreamInput],
    clients: Iterable[str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    root: Path | None = None,
) -> Matrix:
    """Every stream through every chosen client (those not installed are listed with the reason)."""
    wants = [expected(s.body) for s in streams]
    endings = sorted({w.ending for w in wants if w.ending in REFERENCES})
    references = [StreamInput(f"reference:{e}", REFERENCES[e].read_bytes()) for e in endings]
    reference_wants = [expected(r.body) for r in references]
    every = [*streams, *references]
    every_want = [*wants, *reference_wants]
    requests = [Request(s.body, w.tool_names, w.custom_tool_names) for s, w in zip(every, every_want, strict=True)]
    results = [StreamResult(s.name, w) for s, w in zip(streams, wants, strict=True)]
    statuses = []
    for spec in select(clients):
        command, why, cwd = status(spec, root)
        if command is None:
            statuses.append(ClientStatus(spec, False, why))
            continue
        run = replay_all(command, requests, timeout, cwd=cwd)
        if run.error is not None:
            statuses.append(ClientStatus(spec, False, run.error, run.versions))
            continue
        statuses.append(ClientStatus(spec, True, versions=run.versions))
        outcomes = [classify(spec.name, a, w) for a, w in zip(run.answers, every_want, strict=True)]
        on_valid = dict(zip(endings, outcomes[len(streams):], strict=True))
        for result, outcome in zip(results, outcomes[: len(streams)], strict=True):
            reference = on_valid.get(result.expected.ending)
            if outcome.kind != "ok" and reference is not None and reference.signature == outcome.signature:
                outcome.as_on_valid = True
            result.outcomes[spec.name] = outcome
    return Matrix(statuses, results)
