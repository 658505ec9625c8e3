"""The ``responses-conformance`` command line: a click group of subcommands.

Each subcommand lives in its own module under ``validator.commands``. A
checking command parses its options into a plain object, builds, runs, and
hands the result to ``validator.commands.closing.close``, which every such
command shares. Every error line, click's usage errors included, starts with
``responses-conformance: error:``.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from validator import __version__
from validator.commands.check import check
from validator.commands.clients import clients
from validator.commands.generate import generate
from validator.commands.options import EXIT_INTERRUPTED, EXIT_USAGE, EXIT_VIOLATIONS, PREFIX
from validator.commands.proxy import proxy
from validator.commands.rules import explain, rules
from validator.commands.schemas import schemas
from validator.commands.validate import validate
from validator.reporters.escape import one_line

# click >= 8.2 raises this for a group called without a command; older versions print the help themselves.
_NO_ARGS_IS_HELP: type[click.UsageError] = getattr(
    click.exceptions, "NoArgsIsHelpError", type("_Never", (click.UsageError,), {})
)


class Main(click.Group):
    """The group, with click's own error display replaced by our one-prefix form."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo(f"{PREFIX} interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            # The reader went away (``| head``): stop quietly, as other command-line tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_VIOLATIONS)
        except _NO_ARGS_IS_HELP as exc:
            click.echo(exc.format_message(), err=True)  # the help itself, as click shows it (exit 2)
            sys.exit(EXIT_USAGE)
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
                command = exc.ctx.command_path
                click.echo(f"Try '{command} -h' for help.", err=True)
            click.echo(f"{PREFIX} error: {one_line(exc.format_message())}", err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            click.echo(f"{PREFIX} error: {one_line(exc.format_message())}", err=True)
            sys.exit(EXIT_USAGE if exc.exit_code == 1 else exc.exit_code)
        # --help, --version and a plain return end here; a command's own exit is a SystemExit.
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="responses-conformance")
def main() -> None:
    """Conformance validator for streaming Responses API events."""


main.add_command(validate)
main.add_command(schemas)
main.add_command(check)
main.add_command(rules)
main.add_command(explain)
main.add_command(generate)
main.add_command(clients)
main.add_command(proxy)


if __name__ == "__main__":
    main()
