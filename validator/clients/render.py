"""The client matrix for people (text) and machines (JSON)."""

from __future__ import annotations

import orjson

from validator.clients.classify import Outcome, safe
from validator.clients.harness import ClientStatus, Matrix


def versions_line(status: ClientStatus) -> str:
    return ", ".join(f"{safe(name, 80)} {safe(version, 40)}" for name, version in status.versions.items())


def cell(outcome: Outcome | None) -> str:
    if outcome is None:
        return "-"
    return f"({outcome.kind})" if outcome.as_on_valid else outcome.kind


def text(matrix: Matrix) -> str:
    ran = [c for c in matrix.clients if c.available]
    lines = []
    for status in matrix.clients:
        if status.available:
            lines.append(f"{status.spec.short:<12} {status.spec.label} ({versions_line(status)})")
        else:
            lines.append(f"{status.spec.short:<12} {status.spec.label}: not run, {safe(status.reason)}")
    if not ran:
        return "\n".join(lines) + "\n"
    names = [safe(s.name, 200) for s in matrix.streams]
    width = min(max([len("STREAM"), *(len(n) for n in names)]), 60)
    header = ["STREAM".ljust(width), *(c.spec.short for c in ran)]
    widths = [width, *(max(len(c.spec.short), 7) for c in ran)]
    lines += ["", "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for name, result in zip(names, matrix.streams, strict=True):
        shown = name if len(name) <= width else "..." + name[-(width - 3):]
        cells = [cell(result.outcomes.get(c.spec.name)) for c in ran]
        lines.append("  ".join(v.ljust(w) for v, w in zip([shown, *cells], widths, strict=True)).rstrip())
    details = [
        f"{name}: {outcome.client} {outcome.kind}: {outcome.detail}"
        for name, result in zip(names, matrix.streams, strict=True)
        for outcome in result.outcomes.values()
        if outcome.kind != "ok" and not outcome.as_on_valid
    ]
    if details:
        lines += ["", *details]
    counts = dict.fromkeys(("ok", "raises", "wrong", "hangs"), 0)
    for result in matrix.streams:
        for outcome in result.outcomes.values():
            counts["ok" if outcome.as_on_valid else outcome.kind] += 1
    lines += [
        "",
        f"{len(matrix.streams)} stream{'s' if len(matrix.streams) != 1 else ''} x {len(ran)} client"
        f"{'s' if len(ran) != 1 else ''}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
        + "; (kind): the client does the same with a valid stream that ends the same way",
    ]
    return "\n".join(lines) + "\n"


def json_text(matrix: Matrix) -> str:
    return orjson.dumps(matrix.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"


def broken(matrix: Matrix) -> bool:
    """Some client raised, returned a wrong result or hung on some stream (beyond its ending)."""
    return any(
        o.kind != "ok" and not o.as_on_valid for result in matrix.streams for o in result.outcomes.values()
    )
