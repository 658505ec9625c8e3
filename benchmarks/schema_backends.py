"""Accept-path throughput of the JSON Schema backends on recorded events.

    python benchmarks/schema_backends.py [CORPUS_DIR ...] [--profile openai] [--repeat 3]

Reads every event of the ``.sse`` files under the given directories (default:
../shared/corpus/real and ../shared/corpus/servers beside the checkout),
keeps those whose type the profile defines, and times, per backend, one
``is_valid`` call per event (validators compiled beforehand, once per event
type, as the schema stage does). Prints events/s per backend, overall and for
the delta events alone, and how many events each backend rejected (they must
agree). ``jsonschema-rs`` is the backend ``validator.schemas`` uses on the
accept path; ``jsonschema`` explains rejections.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from validator import schemas
from validator.sources import streams_from_path

HERE = Path(__file__).resolve().parents[1]
DEFAULT_DIRS = [HERE.parent / "shared" / "corpus" / "real", HERE.parent / "shared" / "corpus" / "servers"]


def load_events(dirs: list[Path], profile: str) -> list[dict[str, Any]]:
    known = set(schemas.event_types(profile))
    events: list[dict[str, Any]] = []
    for directory in dirs:
        for path in sorted(directory.glob("*.sse")):
            for stream in streams_from_path(str(path)):
                for event in stream.events:
                    payload = event.payload
                    if isinstance(payload, dict) and payload.get("type") in known:
                        events.append(payload)
    return events


def backends() -> dict[str, Callable[[dict[str, Any]], Callable[[Any], bool]]]:
    found: dict[str, Callable[[dict[str, Any]], Callable[[Any], bool]]] = {
        "jsonschema": lambda schema: schemas.compile_reference(schema).is_valid,
    }
    try:
        import jsonschema_rs

        found["jsonschema-rs"] = lambda schema: (
            jsonschema_rs.Draft202012Validator(schema, validate_formats=False).is_valid
        )
    except ImportError:
        pass
    try:
        import fastjsonschema

        def compile_fjs(schema: dict[str, Any]) -> Callable[[Any], bool]:
            validate = fastjsonschema.compile(schema, use_formats=False)

            def is_valid(instance: Any) -> bool:
                try:
                    validate(instance)
                except fastjsonschema.JsonSchemaException:
                    return False
                return True

            return is_valid

        found["fastjsonschema"] = compile_fjs
    except ImportError:
        pass
    return found


def measure(
    name: str,
    make: Callable[[dict[str, Any]], Callable[[Any], bool]],
    profile: str,
    events: list[dict[str, Any]],
    repeat: int,
) -> tuple[float, float, int, float]:
    started = time.perf_counter()
    compiled = {kind: make(schemas.bundled(profile, kind)) for kind in {e["type"] for e in events}}
    compile_s = time.perf_counter() - started
    pairs = [(compiled[e["type"]], e) for e in events]
    deltas = [(v, e) for v, e in pairs if e["type"].endswith(".delta")]
    best_all = best_delta = float("inf")
    rejected = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rejected = sum(1 for v, e in pairs if not v(e))
        best_all = min(best_all, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for v, e in deltas:
            v(e)
        best_delta = min(best_delta, time.perf_counter() - t0)
    return len(pairs) / best_all, len(deltas) / best_delta if deltas else 0.0, rejected, compile_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS)
    parser.add_argument("--profile", default="openai")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    events = load_events([d for d in args.dirs if d.is_dir()], args.profile)
    if not events:
        raise SystemExit("no events found (is ../shared beside the checkout?)")
    deltas = sum(1 for e in events if e["type"].endswith(".delta"))
    print(f"{len(events)} events ({deltas} deltas), profile {args.profile}, best of {args.repeat}")
    print(f"{'backend':<16}{'events/s':>12}{'deltas/s':>12}{'rejected':>10}{'compile s':>11}")
    for name, make in backends().items():
        rate, delta_rate, rejected, compile_s = measure(name, make, args.profile, events, args.repeat)
        print(f"{name:<16}{rate:>12,.0f}{delta_rate:>12,.0f}{rejected:>10}{compile_s:>11.2f}")
    stage_rate = measure_stage(args.profile, events, args.repeat)
    delta_rate = measure_stage(args.profile, [e for e in events if e["type"].endswith(".delta")], args.repeat)
    print(f"{'SchemaStage':<16}{stage_rate:>12,.0f}{delta_rate:>12,.0f}  (whole stage, explanations included)")


def measure_stage(profile: str, events: list[dict[str, Any]], repeat: int) -> float:
    from validator.emitter import Emitter
    from validator.model import Event

    wrapped = [Event(payload=e, index=i) for i, e in enumerate(events)]
    best = float("inf")
    for _ in range(repeat):
        stage = schemas.SchemaStage(Emitter(profile, select=["SCH"]))
        t0 = time.perf_counter()
        for event in wrapped:
            stage.feed(event, event.payload)
        best = min(best, time.perf_counter() - t0)
    return len(wrapped) / best


if __name__ == "__main__":
    main()
