"""Renderers that turn a Report into text for a terminal or a file.

A reporter is a function ``render(report, options) -> str``. ``REPORTERS``
maps the names accepted by ``-o/--output`` and ``--report FORMAT=PATH``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from validator.report import Report


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    verbose: int = 0
    quiet: bool = False
    strict: bool = False
    # Masks secrets in each string a reporter copies from a payload (the HTML report applies it
    # value by value, where masking the finished text could break its JSON).
    redact: Callable[[str], str] | None = None


Renderer = Callable[[Report, RenderOptions], str]


def _registry() -> dict[str, Renderer]:
    from validator.reporters import github, html, json_report, junit, markdown, sarif, text

    return {
        "text": text.render,
        "html": html.render,
        "json": json_report.render,
        "junit": junit.render,
        "sarif": sarif.render,
        "github": github.render,
        "markdown": markdown.render,
    }


REPORTERS: dict[str, Renderer] = _registry()

# Formats that draw each stream's events: a run that writes one keeps a timeline per stream.
TIMELINE_FORMATS = frozenset({"html"})
# Formats that mask secrets value by value themselves (``RenderOptions.redact``): masking their
# finished text could break the JSON they embed.
SELF_REDACTING = frozenset({"html"})


def wants_timeline(formats: Iterable[str]) -> bool:
    """Whether any of the run's output formats draws the stream's events."""
    return any(fmt in TIMELINE_FORMATS for fmt in formats)


def write_atomically(path: str | os.PathLike[str], content: str) -> None:
    """Write a report so that readers see the old file or the whole new one, never half."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
