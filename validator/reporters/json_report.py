"""The versioned JSON report (its schema: schemas/report/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from validator.report import Report

if TYPE_CHECKING:
    from validator.reporters import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    return orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
