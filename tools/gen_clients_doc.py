#!/usr/bin/env python3
"""Replay every invalid fixture into the real clients and write docs/clients.md.

    python tools/gen_clients_doc.py           # Python clients now; JS results as last recorded
    python tools/gen_clients_doc.py --js      # also re-measure the JS clients (needs
                                              # `responses-conformance clients --install`)
    python tools/gen_clients_doc.py --check   # exit 1 if docs/clients.md is out of date

The Python clients are measured on every run. The JavaScript clients need a node >= 22
and npm packages that CI does not have, so their results are kept in
``docs/clients-js.json`` (with the date and versions of the run that measured them)
and re-measured with ``--js``. ``conformance_tests/test_client_breaks.py`` runs the
same measurement, holds each rule's ``breaks`` to it and checks the page is current.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validator.clients.classify import Outcome
from validator.clients.harness import Matrix, StreamInput, replay
from validator.clients.registry import CLIENTS, JS_CLIENTS, PYTHON_CLIENTS

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "invalid"
OUT = ROOT / "docs" / "clients.md"
JS_RECORD = ROOT / "docs" / "clients-js.json"
SHORT = {spec.name: spec.short for spec in CLIENTS}


@dataclass(frozen=True, slots=True)
class Fixture:
    name: str  # GROUP/file.ext
    path: Path
    code: str
    profile: str


def fixtures() -> list[Fixture]:
    out = []
    for meta in sorted(FIXTURES.glob("*/*.toml")):
        data = tomllib.loads(meta.read_text(encoding="utf-8"))
        (stream,) = [p for p in meta.parent.glob(meta.stem + ".*") if p.suffix != ".toml"]
        if ".ws.jsonl" in stream.name:
            continue  # a WebSocket session: the clients read SSE (each WSS rule's evidence says so)
        codes = data["codes"]
        out.append(Fixture(f"{meta.parent.name}/{stream.name}", stream, str(codes[0]), str(data["profile"])))
    return out


def measure(clients: Iterable[str], root: Path | None = None) -> Matrix:
    inputs = [StreamInput(f.name, f.path.read_bytes()) for f in fixtures()]
    return replay(inputs, list(clients), root=root)


@dataclass(slots=True)
class Cell:
    kind: str
    detail: str = ""
    as_on_valid: bool = False

    @property
    def breaks(self) -> bool:
        return self.kind != "ok" and not self.as_on_valid

    def shown(self) -> str:
        return f"({self.kind})" if self.as_on_valid else self.kind


def cells(matrix: Matrix) -> dict[str, dict[str, Cell]]:
    """fixture name -> client -> outcome, for the clients that ran."""
    return {
        result.name: {name: _cell(o) for name, o in result.outcomes.items()} for result in matrix.streams
    }


def _cell(outcome: Outcome) -> Cell:
    return Cell(outcome.kind, outcome.detail, outcome.as_on_valid)


def versions(matrix: Matrix) -> dict[str, dict[str, str]]:
    return {c.spec.name: c.versions for c in matrix.clients if c.available}


def load_js(record: Path = JS_RECORD) -> dict[str, Any]:
    if not record.exists():
        return {"measured": None, "versions": {}, "outcomes": {}}
    data: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    return data


def js_record(matrix: Matrix, day: str) -> dict[str, Any]:
    table = cells(matrix)
    return {
        "measured": day,
        "versions": versions(matrix),
        "outcomes": {
            name: {client: {"kind": c.kind, "detail": c.detail, "as_on_valid": c.as_on_valid}
                   for client, c in row.items()}
            for name, row in table.items()
        },
    }


def js_cells(record: dict[str, Any]) -> dict[str, dict[str, Cell]]:
    return {
        name: {client: Cell(v["kind"], v.get("detail", ""), bool(v.get("as_on_valid"))) for client, v in row.items()}
        for name, row in record.get("outcomes", {}).items()
    }


def merged(python: Matrix, js: dict[str, Any]) -> dict[str, dict[str, Cell]]:
    table = cells(python)
    for name, row in js_cells(js).items():
        table.setdefault(name, {}).update(row)
    return table


def breaks_by_rule(table: dict[str, dict[str, Cell]]) -> dict[str, dict[str, list[str]]]:
    """rule code -> client -> the fixtures it broke on (from every fixture whose code is the rule)."""
    out: dict[str, dict[str, list[str]]] = {}
    for fixture in fixtures():
        for client, cell in table.get(fixture.name, {}).items():
            if cell.breaks:
                out.setdefault(fixture.code, {}).setdefault(client, []).append(fixture.name)
    return out


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(python: Matrix, js: dict[str, Any]) -> str:
    table = merged(python, js)
    ran_python = [c for c in python.clients if c.available]
    js_versions: dict[str, dict[str, str]] = js.get("versions", {})
    columns = [c.spec.name for c in ran_python] + [name for name in JS_CLIENTS if name in js_versions]
    lines = [
        "# What real clients do with each invalid fixture",
        "",
        "<!-- Generated by tools/gen_clients_doc.py from fixtures/invalid/ and the client harness; do not edit. -->",
        "",
        "Each invalid fixture (`fixtures/invalid/GROUP/NAME`, one rule each) replayed into real client",
        "libraries by `responses-conformance clients` (the harness in `validator/clients/`). Outcomes:",
        "`ok` (the client's text, function calls and status are what the stream's events say),",
        "`raises` (an exception), `wrong` (a different text, call or status), `hangs` (no result",
        "within the time bound). In parentheses: the client does the same with a valid stream that",
        "ends the same way (`response.failed`, `response.incomplete`, an `error` event), so the",
        "ending explains it, not the defect. The catalogue's `breaks` entries and severities follow",
        "this table (`conformance_tests/test_client_breaks.py` holds them to it).",
        "",
        "## Clients and versions",
        "",
        "| column | client | versions | measured |",
        "|---|---|---|---|",
    ]
    for status in ran_python:
        shown = ", ".join(f"{k} {v}" for k, v in status.versions.items())
        lines.append(f"| {status.spec.short} | {status.spec.label} | {shown} | on every run (Python) |")
    for name in JS_CLIENTS:
        if name in js_versions:
            spec = next(c for c in CLIENTS if c.name == name)
            shown = ", ".join(f"{k} {v}" for k, v in js_versions[name].items())
            lines.append(f"| {spec.short} | {spec.label} | {shown} | {js.get('measured')} (JavaScript, recorded) |")
    lines += [
        "",
        "The JavaScript columns are recorded in `docs/clients-js.json` by "
        "`python tools/gen_clients_doc.py --js` on a machine with node >= 22 "
        "(`responses-conformance clients --install` fetches node and the pinned npm packages).",
        "",
        "## Matrix",
        "",
        "| fixture | rule | " + " | ".join(SHORT[c] for c in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    details = []
    for fixture in fixtures():
        row = table.get(fixture.name, {})
        shown = [row[c].shown() if c in row else "-" for c in columns]
        lines.append(f"| {fixture.name} | {fixture.code} | " + " | ".join(shown) + " |")
        details += [
            f"- {fixture.name} ({fixture.code}), {SHORT[c]}: {row[c].kind}: {_md(row[c].detail)}"
            for c in columns
            if c in row and row[c].breaks
        ]
    lines += ["", "## What broke, and how", "", *details]
    by_rule = breaks_by_rule(table)
    lines += ["", "## Rules and the clients they break", "",
              "| rule | clients |", "|---|---|"]
    for code in sorted(by_rule):
        lines.append(f"| {code} | " + ", ".join(sorted(by_rule[code])) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the page is out of date")
    parser.add_argument("--js", action="store_true", help="re-measure the JavaScript clients too")
    parser.add_argument("--out", type=Path, default=None,
                        help="write clients.md (and clients-js.json) into this directory instead of docs/")
    args = parser.parse_args(argv)
    out = args.out / OUT.name if args.out else OUT
    js_out = args.out / JS_RECORD.name if args.out else JS_RECORD
    python = measure(PYTHON_CLIENTS)
    missing = [c.spec.name for c in python.clients if not c.available]
    if missing:
        print(f"clients not run: {', '.join(missing)} (responses-conformance clients --install)", file=sys.stderr)
        return 2
    js = load_js()
    if args.js:
        measured = measure(JS_CLIENTS)
        if not all(c.available for c in measured.clients):
            reasons = "; ".join(f"{c.spec.name}: {c.reason}" for c in measured.clients if not c.available)
            print(f"JavaScript clients not run: {reasons}", file=sys.stderr)
            return 2
        record = js_record(measured, datetime.date.today().isoformat())
        js_out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        js = load_js(js_out)  # render from the record as written, as later runs will
    text = render(python, js)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is out of date: run python tools/gen_clients_doc.py", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
