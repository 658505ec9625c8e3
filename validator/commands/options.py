"""Options shared by the commands that check streams, and the exit codes they return."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from validator.reporters import REPORTERS
from validator.rules import PROFILES, unknown_prefixes

F = TypeVar("F", bound=Callable[..., Any])

PREFIX = "responses-conformance:"  # the one prefix of every diagnostic line

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # the shell's code for a SIGINT

EXIT_CODES_HELP = (
    "Exit status: 0 conformant; 1 violations (errors, warnings too with --strict, or a stale "
    "baseline entry); 2 usage or input error, or nothing was checked; 130 interrupted (Ctrl-C: "
    "what was found so far is printed and written, the reports marked partial)."
)


class Fatal(click.ClickException):
    """An error that ends a command before it runs: one ``responses-conformance: error:`` line, exit 2."""

    exit_code = EXIT_USAGE


def split_codes(values: tuple[str, ...], option: str) -> list[str]:
    """``--select SEQ,ITM --select CNT`` -> ``["SEQ", "ITM", "CNT"]``, checked against the catalogue."""
    codes = [part.strip().upper() for value in values for part in value.split(",") if part.strip()]
    unknown = unknown_prefixes(codes)
    if unknown:
        raise click.BadParameter(f"no rule code starts with {', '.join(unknown)}", param_hint=option)
    return codes


def selection_options(func: F) -> F:
    func = click.option(
        "--ignore",
        multiple=True,
        metavar="CODES",
        help="Skip rules whose code starts with these prefixes (comma-separated, repeatable).",
    )(func)
    func = click.option(
        "--select",
        multiple=True,
        metavar="CODES",
        help="Check only rules whose code starts with these prefixes (default: ALL).",
    )(func)
    func = click.option(
        "--profile",
        type=click.Choice(PROFILES),
        default="openai",
        show_default=True,
        help="Which specification to hold the stream to.",
    )(func)
    return func


def config_options(func: F) -> F:
    func = click.option(
        "--isolated", is_flag=True, help="Ignore every configuration file ([tool.responses-conformance])."
    )(func)
    func = click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="FILE",
        help="Read settings from this TOML file instead of the nearest pyproject.toml with a "
        "[tool.responses-conformance] section.",
    )(func)
    return func


def baseline_options(func: F) -> F:
    func = click.option(
        "--write-baseline",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        metavar="PATH",
        help="Write a baseline accepting this run's failures, then exit 0.",
    )(func)
    func = click.option(
        "--baseline",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="PATH",
        help="Known-failing baseline (STREAM-GLOB CODE lines); strict: a listed failure that passes fails the run.",
    )(func)
    return func


def output_options(func: F) -> F:
    func = click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the console output (auto honours NO_COLOR and whether stdout is a terminal).",
    )(func)
    func = click.option(
        "-q", "--quiet", is_flag=True, help="Print findings only: no summary line, no skipped scenarios."
    )(func)
    func = click.option(
        "-v", "--verbose", count=True, help="Show event context (-v) and expected/actual values (-vv)."
    )(func)
    func = click.option(
        "--strict", is_flag=True, help="Warnings fail the run too (exit code 1)."
    )(func)
    func = click.option(
        "-o",
        "--output",
        type=click.Choice(sorted(REPORTERS)),
        default="text",
        show_default=True,
        help="Console output format.",
    )(func)
    func = click.option(
        "--report",
        "reports",
        multiple=True,
        metavar="FORMAT=PATH",
        help="Also write a report file, independent of the console output (repeatable). "
        f"FORMAT: {', '.join(sorted(REPORTERS))}.",
    )(func)
    return func


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def parse_report_targets(values: tuple[str, ...], known: list[str]) -> tuple[tuple[str, str], ...]:
    targets = []
    for value in values:
        fmt, sep, path = value.partition("=")
        if not sep or not path:
            raise click.BadParameter(f"expected FORMAT=PATH, got {value!r}", param_hint="--report")
        if fmt not in known:
            raise click.BadParameter(
                f"unknown report format {fmt!r}; choose from {', '.join(known)}", param_hint="--report"
            )
        targets.append((fmt, path))
    return tuple(targets)
