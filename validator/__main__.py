"""``python -m validator``: the ``responses-conformance`` command line."""

from validator.cli import main

main(prog_name="responses-conformance")
