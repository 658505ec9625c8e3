"""``responses-conformance check --base-url URL``: the live battery against a running server.

Parse the command line (and ``[tool.responses-conformance]``) into a plain
``BatteryOptions``, build the ``Target``, run the battery, and close:
``execute(parse(ctx, params))``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from validator.commands import config
from validator.commands.closing import Finished, OutputOptions, close, parse_output
from validator.commands.options import (
    EXIT_CODES_HELP,
    EXIT_OK,
    F,
    Fatal,
    baseline_options,
    config_options,
    output_options,
    selection_options,
    split_codes,
)
from validator.report import Report, StreamReport

if TYPE_CHECKING:
    from validator.live import Target

INSTALL_HINT = "the check command needs httpx: pip install 'responses-conformance[live]'"
WS_INSTALL_HINT = "the WebSocket transport needs websockets: pip install 'responses-conformance[live]'"
# Where bodies are saved when a SARIF report is wanted and --capture-dir is not given: code
# scanning shows a result only at a file and line, so each finding needs a file to point into.
SARIF_CAPTURE_DIR = "responses-conformance-captures"


@dataclass(frozen=True, slots=True)
class BatteryOptions:
    """Everything ``check`` was asked to do, as plain data."""

    base_url: str
    model: str
    api_key: str | None
    api_key_header: str
    headers: dict[str, str]
    scenarios: tuple[str, ...]
    capabilities: frozenset[str]
    profile: str
    select: list[str] | None
    ignore: list[str]
    timeouts: tuple[float, float, float, float, float]  # connect, first byte, idle, total, close
    max_bytes: int
    capture_dir: Path | None
    list_scenarios: bool
    progress: bool
    output: OutputOptions = field(default_factory=OutputOptions)
    websocket: bool = False  # the WebSocket battery (--transport websocket, or a ws:// URL)


def _live() -> ModuleType:
    try:
        from validator import live
    except ImportError as exc:
        if getattr(exc, "name", "") in ("httpx", "httpcore", "h11", "anyio"):
            raise Fatal(INSTALL_HINT) from None
        raise
    return live


def _ws_battery() -> ModuleType:
    try:
        from validator.live import ws_battery
    except ImportError as exc:
        if (getattr(exc, "name", "") or "").split(".")[0] == "websockets":
            raise Fatal(WS_INSTALL_HINT) from None
        raise
    return ws_battery


def _plan(options: BatteryOptions) -> list[tuple[Any, str | None]]:
    """The scenarios of the chosen transport, each with the reason it is skipped (None: it runs)."""
    if options.websocket:
        return list(_ws_battery().plan_ws(options.profile, options.scenarios, options.capabilities))
    return list(_live().plan(options.scenarios, options.capabilities))


def _parse_headers(values: tuple[str, ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition(":")
        if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
            # Never echo the value: it may hold a credential.
            raise click.BadParameter("expected NAME:VALUE", param_hint="--header")
        headers[name.strip()] = rest.strip()
    return headers


def _capture_dir(given: str | None, output: OutputOptions) -> Path | None:
    if given:
        return Path(given)
    sarif = [path for fmt, path in output.reports if fmt == "sarif"]
    if sarif:
        return Path(sarif[0]).parent / SARIF_CAPTURE_DIR
    if output.console == "sarif":
        return Path(SARIF_CAPTURE_DIR)
    return None


def parse(ctx: click.Context, params: dict[str, Any]) -> BatteryOptions:
    live = _live()
    params = config.apply(ctx, params, config.discover(params["config_file"], params["isolated"]))
    if not params["base_url"] and not params["list_scenarios"]:
        raise click.UsageError("Missing option '--base-url' (or base-url in [tool.responses-conformance.check]).")
    base_url = params["base_url"] or ""
    websocket = params["transport"] == "websocket" or base_url.lower().startswith(("ws://", "wss://"))
    if params["transport"] == "http" and websocket:
        raise Fatal("--transport http needs an http:// or https:// --base-url")
    try:
        if websocket:
            _ws_battery().select_ws_scenarios(params["profile"], params["scenarios"])
        else:
            live.select_scenarios(params["scenarios"])
        declared = live.parse_capabilities(params["capabilities"])
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    key = params["api_key"]
    if params["api_key_env"]:
        key = os.environ.get(params["api_key_env"])
        if not key:
            raise Fatal(f"environment variable {params['api_key_env']} is not set or empty")
    output = parse_output(params)
    selected = split_codes(params["select"], "--select") or None
    options = BatteryOptions(
        base_url=params["base_url"] or "",
        model=params["model"],
        api_key=key,
        api_key_header=params["api_key_header"],
        headers=_parse_headers(params["headers"]),
        scenarios=params["scenarios"],
        capabilities=declared,
        profile=params["profile"],
        select=selected,
        ignore=split_codes(params["ignore"], "--ignore"),
        timeouts=(
            params["connect_timeout"], params["first_byte_timeout"], params["idle_timeout"], params["total_timeout"],
            params["close_timeout"],
        ),
        max_bytes=params["max_bytes"],
        capture_dir=_capture_dir(params["capture_dir"], output),
        list_scenarios=params["list_scenarios"],
        progress=params["progress"] if params["progress"] is not None else (
            not output.quiet and sys.stderr.isatty()
        ),
        output=output,
        websocket=websocket,
    )
    schemes = ("http://", "https://", "ws://", "wss://") if websocket else ("http://", "https://")
    if not options.list_scenarios and not options.base_url.lower().startswith(schemes):
        redactor = build(options).redactor()
        shown = ", ".join(schemes[:-1]) + " or " + schemes[-1]
        raise Fatal(f"--base-url must start with {shown}, got {redactor.text(options.base_url)!r}")
    return options


def build(options: BatteryOptions) -> Target:
    """The ``live.Target`` the battery is sent to."""
    live = _live()
    try:
        timeouts = live.Timeouts(*options.timeouts)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    target: Target = live.Target(
        base_url=options.base_url,
        model=options.model,
        api_key=options.api_key,
        api_key_header=options.api_key_header,
        headers=options.headers,
        timeouts=timeouts,
        capture_dir=options.capture_dir,
        max_bytes=options.max_bytes,
        max_event_bytes=max(1, options.max_bytes // 4),
    )
    return target


def execute(options: BatteryOptions) -> int:
    live = _live()
    plan = _plan(options)
    if options.list_scenarios:
        for scenario, reason in plan:
            state = "skip" if reason else "run "
            need = scenario.capability
            if getattr(scenario, "expect", "") == "answer-or-reject":  # undeclared: a clean 4xx passes too
                need += f"; answered or 4xx until {scenario.strict_when} is declared"
            click.echo(f"{state} {scenario.name:<20} [{need}] {scenario.summary}")
        return EXIT_OK
    if options.websocket:
        return _execute_websocket(options, plan)
    target = build(options)
    redactor = target.redactor()
    done: list[StreamReport] = []

    def tick(stream: StreamReport) -> None:
        done.append(stream)
        if options.progress:
            if stream.skipped is not None:
                state = "skipped"
            else:
                state = "ok" if stream.ok(strict=options.output.strict) else ", ".join(sorted(stream.codes)) or "error"
            click.echo(f"[{len(done)}/{len(plan)}] {stream.name}: {state} ({stream.events} events)", err=True)

    run = Finished(Report(options.profile), redactor=redactor)
    run.nothing_checked = "nothing was checked: every scenario was skipped or deselected"
    try:
        run.report = live.run_battery(
            target,
            options.profile,
            scenarios=options.scenarios,
            capabilities=options.capabilities,
            select=options.select,
            ignore=options.ignore,
            progress=tick,
            timeline=options.output.timeline,
        )
    except KeyboardInterrupt:
        # A live scenario is short and bounded: Ctrl-C stops at once; what finished is reported.
        run.report = Report(options.profile, list(done))
        run.interrupted = f"after {len(done)} of {len(plan)} scenarios"
    ran = run.report.checked
    if ran and all((s.error or "").startswith("cannot connect") for s in ran):
        # The server is not there: one line says so (with why), not a stream per scenario.
        why = (ran[0].error or "").removeprefix("cannot connect: ")
        run.input_errors.append(f"cannot connect to {target.url}: {why}")
        run.report.streams = []
    return close(run, options.output)


def _execute_websocket(options: BatteryOptions, plan: list[tuple[Any, str | None]]) -> int:
    """The WebSocket battery: one socket per scenario, each reported as its session and its responses."""
    target = build(options)
    redactor = target.redactor()
    done: list[StreamReport] = []
    finished: list[str] = []

    def tick(streams: list[StreamReport]) -> None:
        done.extend(streams)
        finished.append(streams[0].scenario or streams[0].name)
        if options.progress:
            strict = options.output.strict
            if streams[0].skipped is not None:
                state = "skipped"
            elif all(s.ok(strict=strict) for s in streams):
                state = "ok"
            else:
                state = ", ".join(sorted({c for s in streams if not s.ok(strict=strict) for c in s.codes})) or "error"
            click.echo(f"[{len(finished)}/{len(plan)}] {finished[-1]}: {state} ({len(streams) - 1} responses)",
                       err=True)

    run = Finished(Report(options.profile), redactor=redactor)
    run.nothing_checked = "nothing was checked: every scenario was skipped or deselected"
    try:
        run.report = _ws_battery().run_ws_battery(
            target,
            options.profile,
            scenarios=options.scenarios,
            capabilities=options.capabilities,
            select=options.select,
            ignore=options.ignore,
            progress=tick,
            timeline=options.output.timeline,
        )
    except KeyboardInterrupt:
        run.report = Report(options.profile, list(done))
        run.interrupted = f"after {len(finished)} of {len(plan)} scenarios"
    sessions = [s for s in run.report.checked if s.name.endswith("#session")]
    if sessions and all("HTT007" in s.codes for s in sessions):
        run.input_errors.append(f"cannot connect to {_ws_battery().ws_url(target.base_url)}")
    return close(run, options.output)


def _seconds(name: str, default: float, text: str) -> Callable[[F], F]:
    """A positive number of seconds (a timeout)."""
    return click.option(name, type=click.FloatRange(min=0, min_open=True), default=default, show_default=True,
                        help=text)


@click.command(epilog=EXIT_CODES_HELP)
@click.option("--base-url", default=None, metavar="URL",
              help="Base URL (required); requests go to URL/responses, keeping any ?query. "
              "A ws:// or wss:// URL selects the WebSocket transport.")
@click.option(
    "--transport",
    type=click.Choice(["http", "websocket"]),
    default=None,
    help="http: POST with stream: true (the default); websocket: one socket per scenario, a GET upgrade on "
    "URL/responses.",
)
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
    "Default: everything but reasoning, unknown-model and background. Scenarios needing others are skipped.",
)
@selection_options
@_seconds("--connect-timeout", 10.0, "Seconds to wait for the TCP (and TLS) connection.")
@_seconds("--first-byte-timeout", 60.0, "Seconds to wait for the response headers.")
@_seconds("--idle-timeout", 30.0, "Seconds of silence tolerated between two chunks of a stream.")
@_seconds("--total-timeout", 180.0, "Seconds one scenario may take in all.")
@_seconds("--close-timeout", 5.0, "Seconds the body may stay open after the terminal event.")
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=256 * 1024 * 1024,
    show_default=True,
    help="Stop reading a stream body past this many bytes (HTT017); one event may take a quarter of it (HTT018).",
)
@baseline_options
@click.option(
    "--capture-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Save each scenario's body as DIR/SCENARIO.sse; findings then point into those files. "
    f"With a SARIF report and no --capture-dir, bodies go to {SARIF_CAPTURE_DIR}/ beside the report, "
    "so that every SARIF result has a file and line.",
)
@click.option("--list-scenarios", is_flag=True, help="List the scenarios and capabilities, then exit.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="One line per finished scenario on stderr (default: when stderr is a terminal).",
)
@output_options
@config_options
@click.pass_context
def check(ctx: click.Context, /, **params: Any) -> None:
    """Send the scenario battery to a live server and check every stream as it arrives.

    Each scenario POSTs to BASE_URL/responses with stream: true. Besides the
    stream rules, the HTTP side is checked (HTT rules): status, Content-Type,
    how the body ends, timeouts, and what each scenario asked for. Scenarios
    whose capability the server does not declare are reported as skipped.
    API keys, credential headers and credentials in the URL are redacted from
    all output. An unreachable server is exit 2.

    With --transport websocket (or a ws:// URL) each scenario runs on its own
    WebSocket: the HTTP scenarios where they apply plus the WebSocket ones
    (turns, continuation, lanes, pipelining); each is reported as
    SCENARIO#session and SCENARIO#response[N], and --capture-dir saves frame
    logs (SCENARIO.ws.jsonl).
    """
    raise SystemExit(execute(parse(ctx, params)))
