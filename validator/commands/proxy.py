"""``responses-conformance proxy --upstream URL``: a recording, checking reverse proxy.

Parse the command line (and ``[tool.responses-conformance]``) into a
``ProxyOptions``, run the proxy until it is stopped (Ctrl-C, SIGTERM, or the
end of ``-- COMMAND``), and close as every checking command does: the report
of every stream on stdout and in each ``--report``, the captures on disk,
``execute(parse(ctx, params))``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from validator.commands import config
from validator.commands.closing import Finished, OutputOptions, close, parse_output
from validator.commands.options import (
    PREFIX,
    Fatal,
    baseline_options,
    config_options,
    output_options,
    selection_options,
    split_codes,
)
from validator.report import StreamReport

if TYPE_CHECKING:
    from validator.proxy import Proxy, ProxySettings

INSTALL_HINT = "the proxy command needs its extra: pip install 'responses-conformance[proxy]'"
DEFAULT_CAPTURE = "proxy-capture.har"


@dataclass(frozen=True, slots=True)
class ProxyOptions:
    """Everything ``proxy`` was asked to do, as plain data."""

    settings: ProxySettings
    command: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # warnings said once at the start
    output: OutputOptions = field(default_factory=OutputOptions)


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[V6]:PORT`` or a bare ``PORT`` (on 127.0.0.1)."""
    text = value.strip()
    if text.isdigit():
        return "127.0.0.1", int(text)
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise click.BadParameter(f"expected HOST:PORT, got {value!r}", param_hint="--listen")
    host = host.strip("[]")
    if int(port) > 65535:
        raise click.BadParameter(f"port {port} is out of range", param_hint="--listen")
    return host, int(port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse(ctx: click.Context, params: dict[str, Any]) -> ProxyOptions:
    try:
        from validator.proxy import Capture, CheckSettings, Limits, ProxySettings, Timeouts
    except ImportError as exc:
        if getattr(exc, "name", "") in ("httpx", "httpcore", "h11", "anyio", "uvicorn"):
            raise Fatal(INSTALL_HINT) from None
        raise
    params = config.apply(ctx, params, config.discover(params["config_file"], params["isolated"]))
    if not params["upstream"]:  # required, from the command line or the configuration
        raise click.UsageError("Missing option '--upstream' (or upstream in [tool.responses-conformance.proxy]).")
    host, port = parse_listen(params["listen"])
    notes = []
    if not _is_loopback(host):
        notes.append(
            f"listening on {host}, not on the loopback interface: anyone who can reach it can use the upstream "
            "with the credentials your clients send"
        )
    secrets = list(params["redact"])
    for variable in params["redact_env"]:
        value = os.environ.get(variable)
        if not value:
            raise Fatal(f"environment variable {variable} is not set or empty")
        secrets.append(value)
    capture = None
    if not params["no_capture"]:
        path = Path(params["capture"] or DEFAULT_CAPTURE)
        kind = params["capture_format"] or ("har" if path.suffix.lower() == ".har" else "sse")
        capture = Capture(path, kind)
    selected = split_codes(params["select"], "--select") or None
    output = parse_output(params)
    max_bytes = params["max_bytes"]
    try:
        settings = ProxySettings(
            upstream=params["upstream"],
            host=host,
            port=port,
            check=CheckSettings(
                profile=params["profile"],
                select=tuple(selected) if selected is not None else None,
                ignore=tuple(split_codes(params["ignore"], "--ignore")),
                max_per_rule=params["max_per_rule"] or None,
                timeline=output.timeline,
            ),
            limits=Limits(stream_bytes=max_bytes, event_bytes=max(1, max_bytes // 4)),
            timeouts=Timeouts(
                connect=params["connect_timeout"],
                first_byte=params["first_byte_timeout"],
                idle=params["idle_timeout"],
                drain=params["drain_timeout"],
            ),
            capture=capture,
            secrets=tuple(secrets),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return ProxyOptions(settings=settings, command=tuple(params["command"]), notes=tuple(notes), output=output)


def execute(options: ProxyOptions) -> int:
    from validator.proxy import Proxy, ProxyError
    from validator.proxy.verdict import escape, verdict_line
    from validator.reporters.text import format_finding

    output = options.output

    def on_stream(index: int, method: str, path: str, report: StreamReport) -> None:
        if output.quiet:
            return
        redact = running.redactor.text
        click.echo(redact(verdict_line(index, method, path, report, strict=output.strict)), err=True)
        if output.verbose:
            for finding in report.findings:
                line = format_finding(finding, verbose=output.verbose - 1)
                click.echo("\n".join("  " + escape(redact(part)) for part in line.splitlines()), err=True)

    def on_note(text: str) -> None:
        click.echo(escape(f"{PREFIX} {text}"), err=True)

    settings = options.settings
    for note in options.notes:
        on_note(f"warning: {note}")
    try:
        running = Proxy(settings, on_stream=on_stream, on_note=on_note)
        running.bind()
    except ProxyError as exc:
        raise Fatal(str(exc)) from None
    with running.handling_signals():  # from the first line to the last: a signal stops the proxy, never kills it
        return _run(running, options, on_note)


def _run(running: Proxy, options: ProxyOptions, on_note: Callable[[str], None]) -> int:
    from validator.proxy import ProxyError

    settings, output, redactor = options.settings, options.output, running.redactor
    captured = f"capture: {settings.capture.path} ({settings.capture.format})" if settings.capture else "no capture"
    on_note(f"proxy listening on {running.url}, forwarding to {redactor.text(settings.upstream)} ({captured})")
    with contextlib.suppress(KeyboardInterrupt):  # where no handler could be installed (not the main thread)
        asyncio.run(running.run(options.command or None))
    run = Finished(running.report(), redactor=redactor)
    run.nothing_checked = "nothing was checked: no Responses stream passed through the proxy"
    try:
        for path in running.close():
            on_note(f"wrote {path}")
    except ProxyError as exc:
        run.input_errors.append(str(exc))
    # Stopping is how a proxy run ends, not an interruption: the report is complete. Each reporter
    # spells out what a payload could inject into its format (validator.reporters.escape).
    code = close(run, output)
    return running.child_status or code


EPILOG = (
    "Exit status: the command's status when -- COMMAND failed; else 0 when every stream conformed, "
    "1 when one did not (errors, warnings too with --strict, or a stale baseline entry), 2 usage error, "
    "a port in use, or no Responses stream passed through."
)


@click.command(epilog=EPILOG, context_settings={"allow_interspersed_args": False})
@click.option("--upstream", default=None, metavar="URL",
              help="Where to forward (required, here or in the configuration): the base URL the client would "
                   "otherwise use (a request for /responses goes to URL/responses).")
@click.option("--listen", default="127.0.0.1:8766", show_default=True, metavar="HOST:PORT",
              help="Where the proxy listens (port 0: any free port, printed at the start).")
@click.option("--capture", default=None, metavar="PATH",
              help=f"Where captures go: a .har file (every exchange), or a directory of .sse files "
                   f"(each stream). Default: {DEFAULT_CAPTURE}.")
@click.option("--capture-format", type=click.Choice(["har", "sse"]), default=None,
              help="The capture's format (default: har for a path ending .har, else sse).")
@click.option("--no-capture", is_flag=True, help="Write no capture.")
@click.option("--redact", multiple=True, metavar="VALUE",
              help="Also mask this value everywhere the proxy writes (repeatable; prefer --redact-env).")
@click.option("--redact-env", multiple=True, metavar="VAR",
              help="Also mask the value of this environment variable (repeatable).")
@selection_options
@click.option("--max-per-rule", type=click.IntRange(min=0), default=20, show_default=True,
              help="Show at most N findings of one rule per stream, then a count (0: show all).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=256 * 1024 * 1024, show_default=True,
              help="Check and capture at most this many bytes of one stream (HTT017); one event may take a "
                   "quarter of it (HTT018). The client always gets everything.")
@click.option("--connect-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds to connect to the upstream (then the client gets a 502).")
@click.option("--first-byte-timeout", type=click.FloatRange(min=0, min_open=True), default=600.0,
              show_default=True, help="Seconds to wait for the upstream's response headers (then a 504).")
@click.option("--idle-timeout", type=click.FloatRange(min=0, min_open=True), default=600.0, show_default=True,
              help="Seconds of upstream silence within a body (then the client's connection is dropped).")
@click.option("--drain-timeout", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="On Ctrl-C or SIGTERM: seconds the streams in flight may go on before they are cut.")
@baseline_options
@output_options
@config_options
@click.argument("command", nargs=-1, type=click.UNPROCESSED, metavar="[-- COMMAND...]")
@click.pass_context
def proxy(ctx: click.Context, /, **params: Any) -> None:
    """Forward a client's traffic to an upstream and check every Responses stream as it passes.

    Point an application, an SDK or an agent at the proxy (its base URL
    setting, or OPENAI_BASE_URL) instead of at the upstream. Every request and
    every response byte passes unchanged and unbuffered; each POST /responses
    stream is checked as it arrives and its verdict printed (on stderr) when
    it ends. Findings never change the traffic. Ctrl-C or SIGTERM stops the
    proxy: the report goes to stdout and to each --report, the capture is
    written. With -- COMMAND the proxy runs the command with OPENAI_BASE_URL
    set to itself and stops when it ends.

    Credentials (Authorization, api-key and the other credential headers) and
    every --redact value are masked in everything written.
    """
    raise SystemExit(execute(parse(ctx, params)))
