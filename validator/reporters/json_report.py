"""The versioned JSON report (its schema: schemas/report/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from validator.report import Report
from validator.reporters.escape import json_safe, json_text

if TYPE_CHECKING:
    from validator.reporters import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    # A file name that is not UTF-8 holds lone surrogates, which JSON text cannot carry as they are.
    return json_text(orjson.dumps(json_safe(report.to_dict()), option=orjson.OPT_INDENT_2).decode()) + "\n"
