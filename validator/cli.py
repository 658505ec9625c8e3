"""The ``responses-conformance`` command line: a click group of subcommands.

Each subcommand lives in its own module under ``validator.commands``. A
checking command parses its options into a plain object, builds, runs, and
hands the result to ``validator.commands.closing.close``, which every such
command shares. Every error line, click's usage errors included, starts with
``responses-conformance: error:``.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

import click

from validator import __version__
from validator.commands.options import EXIT_INTERRUPTED, EXIT_USAGE, EXIT_VIOLATIONS, PREFIX
from validator.reporters.escape import one_line

# Each subcommand is imported when it is run (or listed by --help): ``validate`` must not pay for
# the Hypothesis strategies of ``generate``, the HTTP client of ``check`` or the clients harness.
SUBCOMMANDS = {
    "validate": "validator.commands.validate:validate",
    "schemas": "validator.commands.schemas:schemas",
    "check": "validator.commands.check:check",
    "rules": "validator.commands.rules:rules",
    "explain": "validator.commands.rules:explain",
    "generate": "validator.commands.generate:generate",
    "clients": "validator.commands.clients:clients",
    "proxy": "validator.commands.proxy:proxy",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """The group's ``commands``: a name maps to ``module:attribute``, imported on first lookup."""

    def __init__(self, where: dict[str, str]) -> None:
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        try:
            return self._loaded[name]
        except KeyError:
            module, _, attribute = self._where[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            self._loaded[name] = command
            return command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if self._where.pop(name, None) is None:
            del self._loaded[name]
        else:
            self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._where), **dict.fromkeys(self._loaded)})

    def __len__(self) -> int:
        return len(set(self._where) | set(self._loaded))

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


main.commands = LazyCommands(SUBCOMMANDS)


if __name__ == "__main__":
    main()
