"""``responses-conformance clients PATH...``: replay captured streams into real client libraries."""

from __future__ import annotations

import click

from validator.commands.options import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS
from validator.errors import InputError
from validator.runner import expand_paths
from validator.sources import streams_from_path


@click.command("clients")
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--client", "names", multiple=True, metavar="NAME",
              help="Replay into this client only (repeatable; default: every client that is installed).")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Console output format.")
@click.option("--timeout", type=click.FloatRange(min=1.0), default=30.0, show_default=True,
              help="Seconds one client may take over one stream before it is recorded as hanging.")
@click.option("--install", is_flag=True,
              help="First install the clients that live in the cache: the LlamaIndex virtualenv, the npm "
                   "packages, and a node >= 22 when the machine's node is older.")
def clients(paths: tuple[str, ...], names: tuple[str, ...], output: str, timeout: float, install: bool) -> None:
    """Replay captured streams into real client libraries and say how each fared.

    For each stream and client: ok (the client's text, tool calls and status are the
    stream's), raises (exception type and first line), wrong (which of them differ) or
    hangs (no result within --timeout). An outcome in parentheses is what the client
    also does with a valid stream that ends the same way (failed, incomplete, error).
    The Python clients come with `pip install 'responses-conformance[clients]'`.
    Exit status: 0 every client read every stream, 1 some client broke, 2 usage or
    input error, or nothing was replayed.
    """
    from validator.clients import harness, render
    try:
        chosen = [spec.name for spec in harness.select(names or None)]
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--client") from None
    if install:
        _install(chosen)
        if not paths:
            raise SystemExit(EXIT_OK)
    if not paths:
        raise click.UsageError("give at least one PATH (or --install alone)")
    streams: list[harness.StreamInput] = []
    try:
        for path in expand_paths(paths):
            streams.extend(i for s in streams_from_path(path) for i in harness.inputs_of(s))
    except InputError as exc:
        click.echo(f"responses-conformance: error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    if not streams:
        click.echo("responses-conformance: error: no stream to replay", err=True)
        raise SystemExit(EXIT_USAGE)
    matrix = harness.replay(streams, chosen, timeout=timeout)
    click.echo(render.json_text(matrix) if output == "json" else render.text(matrix), nl=False)
    if not any(c.available for c in matrix.clients):
        click.echo("responses-conformance: error: no client could be run", err=True)
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_VIOLATIONS if render.broken(matrix) else EXIT_OK)


def _install(chosen: list[str]) -> None:
    from validator.clients import environments as env
    from validator.clients.registry import BY_NAME

    kinds = {BY_NAME[name].environment for name in chosen}
    try:
        if "llamaindex" in kinds:
            click.echo(f"installing LlamaIndex into {env.clients_dir() / 'llamaindex'} ...", err=True)
            env.install_llamaindex()
        if "node" in kinds:
            click.echo(f"installing the JavaScript clients into {env.clients_dir() / 'js'} ...", err=True)
            env.install_js()
    except env.InstallError as exc:
        click.echo(f"responses-conformance: error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
