"""``responses-conformance validate PATH...``: check captured streams."""

from __future__ import annotations

import os

import click

from validator.baseline import Baseline, apply_baseline
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
from validator.commands.progress import Progress
from validator.errors import InputError
from validator.report import Report
from validator.reporters import REPORTERS, RenderOptions, write_atomically
from validator.runner import CheckOptions, check_files, expand_paths
from validator.sources import FORMATS


@click.command()
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
    "-o",
    "--output",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Console output format.",
)
@click.option(
    "--max-per-rule",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Show at most N findings of one rule per stream, then a count (0: show all).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Check files in N worker processes (0: one per CPU). Output order stays the input order.",
)
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr (default: on a terminal).")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Known-failing baseline (STREAM-GLOB CODE lines); strict: a listed failure that passes fails the run.",
)
@output_options
def validate(
    paths: tuple[str, ...],
    profile: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    output: str,
    max_per_rule: int,
    jobs: int,
    progress: bool | None,
    baseline: str | None,
    reports: tuple[str, ...],
    strict: bool,
    verbose: int,
    quiet: bool,
    color: str,
) -> None:
    """Check captured streams: SSE, JSONL, JSON arrays, HAR archives, gzip, or - for stdin.

    Directories are searched recursively for stream files. Each finding prints as
    PATH:LINE:COL: CODE message. Exit status: 0 conformant, 1 violations, 2 usage
    or input error, or nothing was checked.
    """
    selected = split_codes(select) or None
    ignored = split_codes(ignore)
    targets = parse_report_targets(reports, sorted(REPORTERS))
    try:
        known = Baseline.load(baseline) if baseline is not None else None
    except InputError as exc:
        click.echo(f"responses-conformance: error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    check_options = CheckOptions(
        profile=profile,
        select=tuple(selected) if selected is not None else None,
        ignore=tuple(ignored),
        format=fmt,
        max_per_rule=max_per_rule or None,
    )
    report = Report(profile)
    input_errors: list[str] = []
    interrupted = False
    done = 0
    files: list[str] = []
    meter = Progress(0, enabled=False)
    try:
        files = list(expand_paths(paths))
        meter = Progress(len(files), enabled=None if progress is None else progress)
        if quiet and progress is None:
            meter.enabled = False
        for result in check_files(files, check_options, jobs=jobs or (os.cpu_count() or 1)):
            report.streams.extend(result.streams)
            input_errors.extend(result.errors)
            meter.advance(result.events)
            done += 1
    except InputError as exc:
        input_errors.append(str(exc))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        meter.finish()
    outcome = apply_baseline(report, known) if known is not None and report.streams else None
    options = RenderOptions(color=use_color(color), verbose=verbose, quiet=quiet, strict=strict)
    if report.streams:
        text = REPORTERS[output](report, options)
        if text:
            click.echo(text, nl=False, color=options.color)
    for fmt_name, target in targets:
        write_atomically(target, REPORTERS[fmt_name](report, RenderOptions(strict=strict)))
    for message in input_errors:
        click.echo(f"responses-conformance: error: {message}", err=True)
    for message in outcome.messages() if outcome is not None else ():
        click.echo(f"responses-conformance: baseline: {message}", err=True)
    if interrupted:
        click.echo(f"responses-conformance: interrupted after {done} of {len(files)} files", err=True)
        raise SystemExit(EXIT_INTERRUPTED)
    if input_errors or not report.streams:
        if not report.streams and not input_errors:
            click.echo("responses-conformance: error: nothing was checked", err=True)
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_OK if report.ok(strict=strict) else EXIT_VIOLATIONS)
