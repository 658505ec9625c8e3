"""The end every checking command shares: report, write, explain, pick the exit code.

A command parses its options, builds what it needs, runs, and hands a
``Finished`` to ``close``, which

1. applies the baseline (known failures become ``info``; stale entries become
   run problems) and records input errors, an interruption, or that nothing
   was checked on the report, so every report format shows them;
2. renders the console output and writes every ``--report FORMAT=PATH``
   (atomically), all through the run's redactor when it has one (the HTML
   report takes it in its ``RenderOptions`` and masks value by value);
3. prints, on stderr, the input errors, the baseline's notes and the
   interruption, each with the one prefix ``responses-conformance:``;
4. writes ``--write-baseline`` when asked (a complete run only);
5. returns the exit code: 130 interrupted, 2 an input error or nothing
   checked, 0 conformant (or a baseline was written), 1 violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import click

from validator.commands.options import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    PREFIX,
    Fatal,
    parse_report_targets,
    use_color,
)
from validator.errors import InputError
from validator.redact import Redactor
from validator.report import Report
from validator.reporters import REPORTERS, SELF_REDACTING, RenderOptions, wants_timeline, write_atomically
from validator.reporters.escape import one_line

if TYPE_CHECKING:  # loaded when --baseline or --write-baseline asks for it
    from validator.baseline import Baseline


@dataclass(frozen=True, slots=True)
class OutputOptions:
    """Where and how a run's results go: the part of every checking command's options ``close`` reads."""

    console: str = "text"
    reports: tuple[tuple[str, str], ...] = ()  # (format, path) for each --report
    color: bool = False
    verbose: int = 0
    quiet: bool = False
    strict: bool = False
    baseline: Baseline | None = None
    write_baseline: str | None = None

    @property
    def timeline(self) -> bool:
        """Whether a format asked for draws each stream's events (so the run keeps them)."""
        return wants_timeline([self.console, *(fmt for fmt, _ in self.reports)])


def parse_output(params: dict[str, Any]) -> OutputOptions:
    """The output options from a command's parameters (``-o``, ``--report``, ``--baseline``...)."""
    baseline = None
    if params.get("baseline"):
        from validator.baseline import Baseline

        try:
            baseline = Baseline.load(params["baseline"])
        except InputError as exc:
            raise Fatal(str(exc)) from None
    return OutputOptions(
        console=params["output"],
        reports=parse_report_targets(params["reports"], sorted(REPORTERS)),
        color=use_color(params["color"]),
        verbose=params["verbose"],
        quiet=params["quiet"],
        strict=params["strict"],
        baseline=baseline,
        write_baseline=params.get("write_baseline"),
    )


@dataclass(slots=True)
class Finished:
    """What a run produced, for ``close``."""

    report: Report
    input_errors: list[str] = field(default_factory=list)
    interrupted: str | None = None  # e.g. "after 3 of 10 files"
    redactor: Redactor | None = None
    nothing_checked: str = "nothing was checked"


def error(message: str) -> None:
    """One diagnostic line on stderr, with the prefix every command uses."""
    click.echo(f"{PREFIX} error: {one_line(message)}", err=True)


def close(run: Finished, output: OutputOptions) -> int:
    report = run.report
    redact = run.redactor.text if run.redactor is not None else _same
    if run.interrupted is not None:
        report.interrupted = f"interrupted {run.interrupted}"
    outcome = None
    if output.baseline is not None and report.checked:
        from validator.baseline import apply_baseline

        outcome = apply_baseline(report, output.baseline)
    report.problems.extend(run.input_errors)
    nothing = not report.checked and not run.input_errors and run.interrupted is None
    if nothing:
        report.problems.append(run.nothing_checked)
    options = RenderOptions(color=output.color, verbose=output.verbose, quiet=output.quiet, strict=output.strict)
    if report.streams or output.console != "text":
        text = _render(output.console, report, options, run.redactor)
        if text:
            click.echo(text, nl=False, color=options.color)
    unwritten = []
    for fmt, path in output.reports:
        # One target that cannot be written (a directory, read-only, no such place) is one error
        # line; the other reports are still written.
        try:
            write_atomically(path, _render(fmt, report, RenderOptions(strict=output.strict), run.redactor))
        except OSError as exc:
            unwritten.append(f"cannot write the {fmt} report to {path}: {exc.strerror or exc}")
    for message in run.input_errors:
        error(redact(message))
    for message in unwritten:
        error(redact(message))
    for message in outcome.messages() if outcome is not None else ():
        click.echo(f"{PREFIX} baseline: {one_line(redact(message))}", err=True)
    if report.interrupted is not None:
        click.echo(f"{PREFIX} {one_line(report.interrupted)}; the reports hold what was found so far", err=True)
        return EXIT_INTERRUPTED
    if nothing:
        error(redact(run.nothing_checked))
    if run.input_errors or nothing or unwritten:
        return EXIT_USAGE
    if output.write_baseline is not None:
        from validator.baseline import baseline_text

        try:
            write_atomically(output.write_baseline, baseline_text(report, strict=output.strict))
        except OSError as exc:
            error(f"cannot write the baseline to {output.write_baseline}: {exc.strerror or exc}")
            return EXIT_USAGE
        click.echo(f"{PREFIX} wrote {output.write_baseline}", err=True)
        return EXIT_OK
    return EXIT_OK if report.ok(strict=output.strict) else EXIT_VIOLATIONS


def _render(fmt: str, report: Report, options: RenderOptions, redactor: Redactor | None) -> str:
    """One format, masked: the finished text, or value by value where the format embeds JSON."""
    if redactor is None:
        return REPORTERS[fmt](report, options)
    if fmt in SELF_REDACTING:
        return REPORTERS[fmt](report, replace(options, redact=redactor.text))
    return redactor.text(REPORTERS[fmt](report, options))


def _same(text: str) -> str:
    return text
