"""``responses-conformance check --base-url URL``: the live battery against a running server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from validator.baseline import Baseline, apply_baseline, baseline_text
from validator.commands.options import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    output_options,
    parse_report_targets,
    selection_options,
    split_codes,
    use_color,
)
from validator.errors import InputError
from validator.report import Report, StreamReport
from validator.reporters import REPORTERS, RenderOptions, write_atomically

INSTALL_HINT = "the check command needs httpx: pip install 'responses-conformance[live]'"


def _parse_headers(values: tuple[str, ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition(":")
        if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
            # Never echo the value: it may hold a credential.
            raise click.BadParameter("expected NAME:VALUE", param_hint="--header")
        headers[name.strip()] = rest.strip()
    return headers


def _fail(message: str) -> None:
    click.echo(f"responses-conformance: error: {message}", err=True)
    raise SystemExit(EXIT_USAGE)


@click.command()
@click.option("--base-url", required=True, metavar="URL", help="Base URL; requests go to URL/responses.")
@click.option("--api-key", default=None, metavar="KEY", help="API key (prefer --api-key-env: argv is visible).")
@click.option("--api-key-env", default=None, metavar="VAR", help="Read the API key from this environment variable.")
@click.option(
    "--api-key-header",
    default="Authorization",
    show_default=True,
    metavar="NAME",
    help="Header that carries the key (Authorization sends 'Bearer KEY'; others send the key as is).",
)
@click.option("--model", default="gpt-4o-mini", show_default=True, help="Model name sent in every request.")
@click.option("--header", "headers", multiple=True, metavar="NAME:VALUE", help="Extra request header (repeatable).")
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="GLOB",
    help="Run only scenarios matching these globs (repeatable; default: all).",
)
@click.option(
    "--capability",
    "capabilities",
    multiple=True,
    metavar="NAME",
    help="Capabilities the server supports (repeatable or comma-separated; 'all'). "
    "Default: everything but reasoning. Scenarios needing others are skipped.",
)
@selection_options
@click.option(
    "-o",
    "--output",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Console output format.",
)
@click.option("--connect-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True)
@click.option(
    "--first-byte-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds to wait for the response headers.",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds of silence tolerated between two chunks of a stream.",
)
@click.option(
    "--total-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=180.0,
    show_default=True,
    help="Seconds one scenario may take in all.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=256 * 1024 * 1024,
    show_default=True,
    help="Stop reading a stream body past this many bytes (HTT017); one event may take a quarter of it (HTT018).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Known-failing baseline (STREAM-GLOB CODE lines); strict: a listed failure that passes fails the run.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write a baseline accepting this run's failures, then exit 0.",
)
@click.option(
    "--capture-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Save each scenario's body as DIR/SCENARIO.sse; findings then point into those files.",
)
@click.option("--list-scenarios", is_flag=True, help="List the scenarios and capabilities, then exit.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="One line per finished scenario on stderr (default: when stderr is a terminal).",
)
@output_options
def check(
    base_url: str,
    api_key: str | None,
    api_key_env: str | None,
    api_key_header: str,
    model: str,
    headers: tuple[str, ...],
    scenarios: tuple[str, ...],
    capabilities: tuple[str, ...],
    profile: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output: str,
    connect_timeout: float,
    first_byte_timeout: float,
    idle_timeout: float,
    total_timeout: float,
    max_bytes: int,
    baseline: str | None,
    write_baseline: str | None,
    capture_dir: str | None,
    list_scenarios: bool,
    progress: bool | None,
    reports: tuple[str, ...],
    strict: bool,
    verbose: int,
    quiet: bool,
    color: str,
) -> None:
    """Send the scenario battery to a live server and check every stream as it arrives.

    Each scenario POSTs to BASE_URL/responses with stream: true. Besides the
    stream rules, the HTTP side is checked (HTT rules): status, Content-Type,
    how the body ends, timeouts, and what each scenario asked for. Scenarios
    whose capability the server does not declare are reported as skipped.
    API keys and credential headers are redacted from all output.

    Exit status: 0 conformant, 1 violations (or a stale baseline entry), 2 usage
    error, unreachable server, or nothing was checked.
    """
    try:
        from validator import live
    except ImportError as exc:
        if getattr(exc, "name", "") in ("httpx", "httpcore", "h11", "anyio"):
            _fail(INSTALL_HINT)
        raise
    try:
        chosen = live.select_scenarios(scenarios)
        declared = live.parse_capabilities(capabilities)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if list_scenarios:
        for scenario, reason in live.plan(scenarios, declared):
            state = "skip" if reason else "run "
            click.echo(f"{state} {scenario.name:<20} [{scenario.capability}] {scenario.summary}")
        raise SystemExit(EXIT_OK)
    del chosen
    selected = split_codes(select) or None
    ignored = split_codes(ignore)
    targets = parse_report_targets(reports, sorted(REPORTERS))
    extra = _parse_headers(headers)
    key = api_key
    if api_key_env:
        key = os.environ.get(api_key_env)
        if not key:
            _fail(f"environment variable {api_key_env} is not set or empty")
    known = None
    if baseline is not None:
        try:
            known = Baseline.load(baseline)
        except InputError as exc:
            _fail(str(exc))
    try:
        timeouts = live.Timeouts(connect_timeout, first_byte_timeout, idle_timeout, total_timeout)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    target = live.Target(
        base_url=base_url,
        model=model,
        api_key=key,
        api_key_header=api_key_header,
        headers=extra,
        timeouts=timeouts,
        capture_dir=Path(capture_dir) if capture_dir else None,
        max_bytes=max_bytes,
        max_event_bytes=max(1, max_bytes // 4),
    )
    redactor = target.redactor()
    if not base_url.lower().startswith(("http://", "https://")):
        _fail(f"--base-url must start with http:// or https://, got {redactor.text(base_url)!r}")
    show = progress if progress is not None else (not quiet and sys.stderr.isatty())
    total = len(live.plan(scenarios, declared))
    done: list[StreamReport] = []

    def tick(stream: StreamReport) -> None:
        done.append(stream)
        if show:
            if stream.skipped is not None:
                state = "skipped"
            else:
                state = "ok" if stream.ok(strict=strict) else ", ".join(sorted(stream.codes)) or "error"
            click.echo(f"[{len(done)}/{total}] {stream.name}: {state} ({stream.events} events)", err=True)

    interrupted = False
    try:
        report = live.run_battery(
            target,
            profile,
            scenarios=scenarios,
            capabilities=declared,
            select=selected,
            ignore=ignored,
            progress=tick,
        )
    except KeyboardInterrupt:
        # What finished before Ctrl-C is still reported and written, then exit 130.
        interrupted = True
        report = Report(profile, list(done))
    outcome = apply_baseline(report, known) if known is not None else None
    options = RenderOptions(color=use_color(color), verbose=verbose, quiet=quiet, strict=strict)
    text = REPORTERS[output](report, options)
    if text:
        click.echo(redactor.text(text), nl=False, color=options.color)
    for fmt_name, path in targets:
        write_atomically(path, redactor.text(REPORTERS[fmt_name](report, RenderOptions(strict=strict))))
    if outcome is not None:
        for message in outcome.messages():
            click.echo(f"responses-conformance: baseline: {message}", err=True)
    if interrupted:
        click.echo(f"responses-conformance: interrupted after {len(done)} of {total} scenarios", err=True)
        raise SystemExit(EXIT_INTERRUPTED)
    if write_baseline is not None:
        write_atomically(write_baseline, baseline_text(report, strict=strict))
        click.echo(f"responses-conformance: wrote {write_baseline}", err=True)
        raise SystemExit(EXIT_OK)
    ran = [s for s in report.streams if s.skipped is None and s.format == "live"]
    if not ran:
        _fail("nothing was checked: every scenario was skipped or deselected")
    if all("HTT007" in s.codes for s in ran):
        _fail(f"cannot connect to {redactor.text(target.url)}")
    raise SystemExit(EXIT_OK if report.ok(strict=strict) else EXIT_VIOLATIONS)

