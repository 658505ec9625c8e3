"""The ``responses-conformance`` command line: a click group of subcommands.

Each subcommand lives in its own module under ``validator.commands``.
"""

from __future__ import annotations

import click

from validator import __version__
from validator.commands.check import check
from validator.commands.generate import generate
from validator.commands.rules import explain, rules
from validator.commands.schemas import schemas
from validator.commands.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="responses-conformance")
def main() -> None:
    """Conformance validator for streaming Responses API events."""


main.add_command(validate)
main.add_command(schemas)
main.add_command(check)
main.add_command(rules)
main.add_command(explain)
main.add_command(generate)


if __name__ == "__main__":
    main()
