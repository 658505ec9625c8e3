"""``responses-conformance validate PATH...``: check captured streams.

Parse the command line (and ``[tool.responses-conformance]``) into a
``ValidateOptions``, run it, and close: ``execute(parse(ctx, params))``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import click

from validator.commands import config
from validator.commands.closing import Finished, OutputOptions, close, parse_output
from validator.commands.interrupt import CtrlC
from validator.commands.options import (
    EXIT_CODES_HELP,
    baseline_options,
    config_options,
    output_options,
    selection_options,
    split_codes,
)
from validator.commands.progress import Progress
from validator.errors import InputError
from validator.report import Report
from validator.runner import DEFAULT_MAX_BYTES, CheckOptions, check_files, expand_paths
from validator.sources import DEFAULT_INCLUDE, FORMATS, FileSelection


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    paths: tuple[str, ...]
    check: CheckOptions
    jobs: int
    progress: bool | None  # None: on a terminal
    output: OutputOptions
    clients: bool = False  # also replay each stream into the installed clients (validator.clients)


def parse(ctx: click.Context, params: dict[str, Any]) -> ValidateOptions:
    params = config.apply(ctx, params, config.discover(params["config_file"], params["isolated"]))
    selected = split_codes(params["select"], "--select") or None
    output = parse_output(params)
    progress = params["progress"]
    if progress is None and output.quiet:
        progress = False
    return ValidateOptions(
        paths=params["paths"],
        check=CheckOptions(
            profile=params["profile"],
            select=tuple(selected) if selected is not None else None,
            ignore=tuple(split_codes(params["ignore"], "--ignore")),
            format=params["fmt"],
            max_per_rule=params["max_per_rule"] or None,
            resumed_after=params["resumed_after"],
            stdin_name=params["stdin_filename"] or "<stdin>",
            max_bytes=params["max_bytes"],
            max_event_bytes=params["max_event_bytes"] or max(1, params["max_bytes"] // 4),
            selection=FileSelection(
                include=tuple(params["include"]) or DEFAULT_INCLUDE, exclude=tuple(params["exclude"])
            ),
            timeline=output.timeline,
        ),
        jobs=params["jobs"] or (os.cpu_count() or 1),
        progress=progress,
        output=output,
        clients=bool(params.get("with_clients")),
    )


def execute(options: ValidateOptions) -> int:
    run = Finished(Report(options.check.profile))
    ctrl_c = CtrlC()
    files: list[str] = []
    done = 0
    meter = Progress(0, enabled=False)

    def on_read(size: int) -> None:
        meter.read(size)
        ctrl_c.check_read(size)

    try:
        with ctrl_c.watching():
            files = list(expand_paths(options.paths, options.check.selection))
            meter = Progress(len(files), enabled=options.progress)
            for result in check_files(files, options.check, jobs=options.jobs, on_read=on_read):
                run.report.streams.extend(result.streams)
                run.input_errors.extend(result.errors)
                meter.advance(result.events)
                if result.interrupted or ctrl_c.requested:
                    break
                done += 1
    except InputError as exc:
        run.input_errors.append(str(exc))
    except KeyboardInterrupt:
        ctrl_c.requested = True
    finally:
        meter.finish()
    if ctrl_c.requested:
        run.interrupted = f"after {done} of {len(files)} files"
    matrix = ""
    if options.clients and run.report.streams and not ctrl_c.requested:
        from validator.clients import attach, render

        matrix = render.text(attach.attach_outcomes(run.report, files))
    code = close(run, options.output)
    if matrix and options.output.console == "text":
        click.echo("\n" + matrix, nl=False)
    return code


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@selection_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Input format; auto sniffs each file's content.",
)
@click.option(
    "--max-per-rule",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Show at most N findings of one rule per stream, then a count (0: show all).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Stop reading a stream past this many bytes (HTT017), counted as decoded (gzip as it is "
    "undone); a JSON array or HAR archive larger than this is an input error.",
)
@click.option(
    "--max-event-bytes",
    type=click.IntRange(min=1),
    default=None,
    help="Stop reading a stream when one event grows past this many bytes without ending (HTT018). "
    "Default: a quarter of --max-bytes.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Check files in up to N worker processes (0: one per CPU), when the input is large enough "
    "to pay for them. Output order stays the input order.",
)
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr (default: on a terminal).")
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="In directories, take only files matching these globs (repeatable; default: the stream "
    "extensions .sse .jsonl .ndjson .json .har .txt .events, gzipped too).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="In directories, also leave out files and directories matching these globs (repeatable; "
    "README*, LICENSE*, *.md, .git, node_modules and the like are always left out).",
)
@click.option(
    "--resumed-after",
    "--resumed",
    "resumed_after",
    type=click.IntRange(min=-1),
    default=None,
    metavar="N",
    help="The streams resume an earlier one after sequence number N (GET /responses/{id}?stream=true"
    "&starting_after=N): they start at N+1, without response.created. A HAR entry whose request "
    "resumes declares it itself.",
)
@click.option(
    "--stdin-filename",
    default=None,
    metavar="NAME",
    help="The name findings carry for input read from - (default: <stdin>).",
)
@click.option("--clients", "with_clients", is_flag=True,
              help="Also replay each stream into the installed client libraries (see `clients`); "
                   "the JSON report gets their outcomes.")
@baseline_options
@output_options
@config_options
@click.pass_context
def validate(ctx: click.Context, /, **params: Any) -> None:
    """Check captured streams: SSE, JSONL, JSON arrays, HAR archives, gzip; - reads stdin.

    A PATH may be a file, a directory (searched recursively for stream files),
    -, or a FIFO or device such as <(curl ...) or /dev/stdin. Each finding
    prints as PATH:LINE:COL: CODE message.
    """
    raise SystemExit(execute(parse(ctx, params)))
