"""Checking many files, in this process or in a pool of worker processes.

``check_file`` is the unit of work: one path in, picklable results out, so the
same function serves ``--jobs N`` here and any distributed engine (Dask, Ray,
a job queue) that can map a function over a list of paths.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from validator.checker import check_stream
from validator.errors import InputError
from validator.report import StreamReport
from validator.sources import streams_from_path, walk_stream_files


@dataclass(frozen=True, slots=True)
class CheckOptions:
    profile: str = "openai"
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    format: str = "auto"
    max_per_rule: int | None = None
    resumed_after: int | None = None  # every stream resumes after this sequence number


@dataclass(slots=True)
class FileResult:
    """The streams of one path, or why it could not be read."""

    path: str
    streams: list[StreamReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(s.events for s in self.streams)


def check_file(path: str, options: CheckOptions = CheckOptions()) -> FileResult:
    result = FileResult(path)
    select = list(options.select) if options.select is not None else None
    try:
        for stream in streams_from_path(path, options.format):
            report = check_stream(
                stream, options.profile, select=select, ignore=list(options.ignore),
                max_per_rule=options.max_per_rule,
                resumed_after=options.resumed_after,
            )
            if report.events == 0 and report.error is None:
                result.errors.append(f"{stream.name}: no events found")
                continue
            if report.error is not None:
                result.errors.append(report.error)
            result.streams.append(report)
    except InputError as exc:
        result.errors.append(str(exc))
    return result


def expand_paths(paths: Iterable[str]) -> Iterator[str]:
    """Directories become the stream files below them; ``-`` and files pass through."""
    for path in paths:
        if path != "-" and os.path.isdir(path):
            files = list(walk_stream_files(Path(path)))
            if not files:
                yield path  # check_file reports the empty directory
            for file in files:
                yield str(file)
        else:
            yield path


def check_files(files: list[str], options: CheckOptions, jobs: int = 1) -> Iterator[FileResult]:
    """Results in input order; with ``jobs > 1`` files are checked in worker processes.

    ``files`` are paths as ``expand_paths`` gives them.
    """
    if jobs <= 1 or len(files) <= 1:
        for path in files:
            yield check_file(path, options)
        return
    if "-" in files:
        raise InputError("stdin (-) cannot be combined with --jobs")
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        chunksize = max(1, min(64, len(files) // (jobs * 8)))
        yield from pool.map(check_file, files, [options] * len(files), chunksize=chunksize)
    finally:
        # On an interrupt or an early exit, pending files are dropped instead of waited for.
        pool.shutdown(wait=True, cancel_futures=True)
