"""``responses-conformance schemas``: list, locate and print the event JSON Schemas."""

from __future__ import annotations

import json
from typing import Any

import click

from validator import schemas as registry
from validator.commands.options import Fatal
from validator.rules import PROFILES

DEFS_NAME = "_defs"


@click.command()
@click.option(
    "--profile",
    type=click.Choice([*PROFILES, "all"]),
    default="all",
    show_default=True,
    help="Which profile's schemas (openai for --dump when 'all').",
)
@click.option(
    "--dump", "dump", metavar="TYPE", help=f"Print the schema of event TYPE ({DEFS_NAME} for the shared defs)."
)
@click.option("--bundled", is_flag=True, help="With --dump: one self-contained schema, shared defs included.")
@click.option("--path", "show_path", is_flag=True, help="Print the schema directory and exit.")
@click.option("--json", "as_json", is_flag=True, help="List as JSON.")
def schemas(profile: str, dump: str | None, bundled: bool, show_path: bool, as_json: bool) -> None:
    """List the event types each profile defines, or print one schema.

    Every file is JSON Schema Draft 2020-12. Per-event files reference the
    profile's shared definitions as `_defs.json#/$defs/Name`, relative to the
    file, so the directory can be used as it is by any validator.
    """
    try:
        root = registry.schema_dir()
    except FileNotFoundError as exc:
        raise Fatal(str(exc)) from None
    profiles = list(PROFILES) if profile == "all" else [profile]
    if show_path:
        click.echo(str(root if profile == "all" else root / profile))
        return
    if dump is not None:
        _dump(profiles[0], dump, bundled)
        return
    if bundled:
        raise click.UsageError("--bundled needs --dump TYPE")
    if as_json:
        click.echo(json.dumps({p: _listing(p) for p in profiles}, indent=2))
        return
    for p in profiles:
        info = _listing(p)
        spec = info["spec"]
        click.echo(f"{p}: {len(info['events'])} event types ({spec['title']} {spec['version']}), {root / p}")
        for entry in info["events"]:
            click.echo(f"  {entry['type']}")


def _listing(profile: str) -> dict[str, Any]:
    index = registry.index(profile)
    return {
        "spec": index["spec"],
        "directory": str(registry.schema_dir() / profile),
        "events": [{"type": t, "file": index["events"][t]["file"]} for t in registry.event_types(profile)],
        "overlay": index.get("overlay", []),
    }


def _dump(profile: str, kind: str, bundled: bool) -> None:
    if kind == DEFS_NAME:
        if bundled:
            raise click.UsageError(f"--bundled applies to event types, not {DEFS_NAME}")
        path = registry.schema_dir() / profile / registry.DEFS_FILE
        click.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    if kind not in registry.index(profile)["events"]:
        raise Fatal(f"no {profile} schema for event type {kind!r} (see `schemas --profile {profile}`)")
    if bundled:
        click.echo(json.dumps(registry.bundled(profile, kind), indent=1, sort_keys=True, ensure_ascii=False))
    else:
        click.echo(registry.schema_path(profile, kind).read_text(encoding="utf-8"), nl=False)
