"""Write the WebSocket session fixtures: valid sessions and one broken session per WSS rule.

    python tools/gen_ws_fixtures.py

The sessions come from the strategies' session model (``validator.strategies.session_model``)
with fixed seeds, and each broken one from its session mutation operator
(``validator.strategies.mutations.websocket``), so a fixture and the operator that
produced it cannot drift apart; ``conformance_tests/test_session.py``
checks that the files are what this script writes.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from validator.strategies.mutations.websocket import SESSION_OPERATORS, mutate_session  # noqa: E402
from validator.strategies.plans import RandomChooser, Sizes, draw_plan  # noqa: E402
from validator.strategies.session_model import GeneratedSession, SessionPlan, build_session  # noqa: E402

FIXTURES = ROOT / "fixtures"
SIZES = Sizes(min_items=1, max_items=1, max_parts=1, max_deltas=2, max_text=8)

# name: (profile, shape, not_found, endings of each response)
VALID: dict[str, tuple[str, str, bool, tuple[str, ...]]] = {
    "ws-sequential": ("openai", "sequential", False, ("completed", "completed")),
    "ws-continuation-not-found": ("openai", "continuation", True, ("completed", "completed")),
    "ws-lanes": ("openai", "lanes", False, ("completed", "completed")),
    "ws-steering": ("openai", "steering", False, ("completed", "completed")),
    "ws-errors": ("openai", "sequential", False, ("error_only", "error")),
    "ws-or-sequential": ("openresponses", "sequential", False, ("completed", "incomplete")),
    "ws-or-continuation-not-found": ("openresponses", "continuation", True, ("completed", "completed")),
    "ws-or-errors": ("openresponses", "sequential", False, ("error_only", "error")),
}

# fixture name: (operator, the valid session it breaks)
INVALID: dict[str, tuple[str, str]] = {
    "response-without-request": ("drop-create", "ws-sequential"),
    "create-with-stream": ("create-with-stream", "ws-or-sequential"),
    "responses-multiplexed": ("interleave-responses", "ws-or-sequential"),
    "lane-not-fifo": ("interleave-responses", "ws-sequential"),
    "stream-id-not-echoed": ("drop-stream-id", "ws-lanes"),
    "steered-without-successor": ("drop-successor", "ws-steering"),
    "stray-steer-accepted": ("stray-steer-accepted", "ws-sequential"),
    "flat-error": ("flat-error", "ws-continuation-not-found"),
    "error-without-status": ("drop-error-status", "ws-or-continuation-not-found"),
    "continuation-wrong-code": ("wrong-not-found-code", "ws-or-continuation-not-found"),
    "silent-connection-limit": ("silent-connection-limit", "ws-sequential"),
    "done-sentinel": ("done-sentinel", "ws-or-sequential"),
    "closed-mid-response": ("close-mid-response", "ws-sequential"),
    "request-not-answered": ("unanswered-request", "ws-or-sequential"),
    "huge-message": ("huge-message", "ws-sequential"),
    "error-without-request": ("stray-error", "ws-sequential"),
    "response-done": ("response-done", "ws-or-sequential"),
    "upgrade-refused": ("upgrade-refused", "ws-sequential"),
    "message-not-json": ("not-json-message", "ws-sequential"),
    "continuation-refused": ("refuse-continuation", "ws-or-continuation-not-found"),
}


def valid_session(name: str) -> GeneratedSession:
    profile, shape, not_found, endings = VALID[name]
    chooser = RandomChooser(sorted(VALID).index(name))
    plans = [
        draw_plan(chooser, profile, kinds=["message"], endings=[ending], background=False, sizes=SIZES)  # type: ignore[arg-type]
        for ending in endings
    ]
    return build_session(SessionPlan(profile, plans, shape, not_found))  # type: ignore[arg-type]


def files() -> dict[Path, bytes]:
    """Every fixture file this script writes, with its content."""
    out: dict[Path, bytes] = {}
    sessions = {name: valid_session(name) for name in VALID}
    for name, session in sessions.items():
        out[FIXTURES / "valid" / session.profile / f"{name}.ws.jsonl"] = session.frame_log()
    out[FIXTURES / "valid" / "openai" / "ws-session.har"] = sessions["ws-lanes"].har()
    for name, (operator, base) in INVALID.items():
        session = sessions[base]
        mutation = mutate_session(session, SESSION_OPERATORS[operator], lambda n: n // 2)
        if mutation is None:
            raise SystemExit(f"{operator} does not apply to {base}")
        log = mutation.frame_log()
        stream = FIXTURES / "invalid" / "WSS" / f"{name}.ws.jsonl"
        if len(log) > 1 << 20:  # the 16 MiB message is kept compressed
            stream = stream.with_name(stream.name + ".gz")
            log = gzip.compress(log, mtime=0)
        out[stream] = log
        codes = ", ".join(f'"{c}"' for c in sorted(mutation.codes))
        meta = f'profile = "{session.profile}"\ncodes = [{codes}]\nabout = "{mutation.detail} ({operator})"\n'
        out[FIXTURES / "invalid" / "WSS" / f"{name}.toml"] = meta.encode()
    return out


def main() -> int:
    for path, data in files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
