"""Turning a finding's source into a repository-relative file path, when it is a file."""

from __future__ import annotations

import os
from pathlib import Path


def file_path(source: str) -> str | None:
    """The source as a forward-slash path relative to the working directory, or None.

    Live streams (``live:NAME``), stdin and in-memory sources are not files.
    A HAR entry (``file.har#entries[3] ...``) points at its archive.
    """
    if not source or source.startswith(("<", "live:")):
        return None
    path = source.split("#", 1)[0].strip()
    if not path:
        return None
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(Path.cwd())
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix() if os.sep == "/" else str(candidate).replace(os.sep, "/")
