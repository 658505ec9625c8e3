"""Checking many files, in this process or in a pool of worker processes.

``check_file`` is the unit of work: one path in, picklable results out, so the
same function serves ``--jobs N`` here and any distributed engine (Dask, Ray,
a job queue) that can map a function over a list of paths.

A pool costs a process start and an import of the validator per worker, so
``check_files`` starts one only when the input can pay for it (``POOL_MIN_BYTES``
in at least two files) and hands the files out in batches of about
``BATCH_BYTES``, so that many small files do not each pay a round trip.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from validator import schemas
from validator.errors import InputError, Interrupted
from validator.model import Elided
from validator.report import StreamReport
from validator.session import check_any
from validator.sources import FileSelection, ReadHook, is_stream_input, streams_from_path, walk_stream_files

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Below this many bytes in all, worker processes cost more than they save (measured with
# benchmarks/jobs.py: a worker's start and import take about as long as checking 10 MB).
POOL_MIN_BYTES = 32 * 1024 * 1024
# The work handed to a worker at a time: about this many bytes, or this many files.
BATCH_BYTES = 4 * 1024 * 1024
BATCH_FILES = 256
# Past this many bytes of input the compiled validators judge snapshots and output items
# (``schemas.use_deep_quick``): their import and compiling pay off.
DEEP_QUICK_MAX_BYTES = 1024 * 1024
# The limits ``validate`` applies by default, as ``check`` does to a live body: a stream's decoded
# bytes (gzip counted as it is undone), and what one unfinished event may hold.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_EVENT_BYTES = DEFAULT_MAX_BYTES // 4
# Findings a run keeps in all (each stream keeps at most the Emitter's 10,000): past it, a stream's
# findings are only counted, so a flood over thousands of files costs counters, not memory.
RUN_KEEP_AT_MOST = 200_000


@dataclass(frozen=True, slots=True)
class CheckOptions:
    profile: str = "openai"
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    format: str = "auto"
    max_per_rule: int | None = None
    resumed_after: int | None = None  # every stream resumes after this sequence number
    stdin_name: str = "<stdin>"  # the name findings carry for ``-``
    selection: FileSelection = field(default_factory=FileSelection)  # which files a directory walk takes
    timeline: bool = False  # keep each stream's events for a report that draws them (the HTML report)
    max_bytes: int | None = DEFAULT_MAX_BYTES  # decoded bytes read of one stream (None: no limit)
    max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES  # bytes one unfinished event may hold
    keep_at_most: int | None = RUN_KEEP_AT_MOST  # findings kept in a whole run; the rest are counted


@dataclass(slots=True)
class FileResult:
    """The streams of one path, or why it could not be read."""

    path: str
    streams: list[StreamReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    interrupted: bool = False  # reading stopped on request; the last stream is partial

    @property
    def events(self) -> int:
        return sum(s.events for s in self.streams)


def check_file(path: str, options: CheckOptions = CheckOptions(), on_read: ReadHook | None = None) -> FileResult:
    """Check every stream in one path.

    ``on_read`` sees the size of every chunk read; if it raises ``Interrupted``, the stream
    being read is reported as far as it got and ``interrupted`` is set.
    """
    result = FileResult(path)
    select = list(options.select) if options.select is not None else None
    read = 0

    def watched(size: int) -> None:
        nonlocal read
        read += size
        try:
            on_read(size)  # type: ignore[misc]  # only installed when on_read is given
        except Interrupted:
            result.interrupted = True
            raise Interrupted(f"interrupted after {read:,} bytes: the rest of the stream was not read") from None

    hook = watched if on_read is not None else None

    try:
        streams = streams_from_path(
            path, options.format, stdin_name=options.stdin_name, on_read=hook, selection=options.selection,
            max_bytes=options.max_bytes,
        )
        for stream in streams:
            reports = check_any(
                stream, options.profile, select=select, ignore=list(options.ignore),
                max_per_rule=options.max_per_rule,
                resumed_after=options.resumed_after,
                timeline=options.timeline,
                max_bytes=options.max_bytes,
                max_event_bytes=options.max_event_bytes,
            )
            if result.interrupted:
                result.streams.extend(reports)  # the error says where reading stopped
                break
            first = reports[0]  # a session's own report comes first, then its responses'
            if first.events == 0 and first.error is None:
                result.errors.append(f"{stream.name}: no events found")
                continue
            if first.error is not None:
                result.errors.append(first.error)
            result.streams.extend(reports)
    except InputError as exc:
        if not result.interrupted:
            result.errors.append(str(exc))
    except MemoryError:
        # Reading a document whole (a JSON array, a HAR archive) ran out of memory: the run goes on.
        result.errors.append(f"{path}: ran out of memory reading it; the rest of it was not checked")
    return result


class Budget:
    """How many more findings a run may keep; past it, a stream's findings are only counted."""

    def __init__(self, keep_at_most: int | None) -> None:
        self.left = keep_at_most

    def trimmed(self, result: FileResult) -> FileResult:
        for report in result.streams:
            self.trim(report)
        return result

    def trim(self, report: StreamReport) -> None:
        """Keep what the budget allows of ``report``'s findings; count the rest in its ``elided``."""
        if self.left is None:
            return
        findings = report.findings
        if len(findings) > self.left:
            counts = {e.code: e for e in report.elided}
            for finding in findings[self.left :]:
                known = counts.get(finding.code)
                counts[finding.code] = Elided(finding.code, finding.severity, (known.count if known else 0) + 1)
            del findings[self.left :]
            report.elided = [counts[code] for code in sorted(counts)]
        self.left -= len(findings)


def check_batch(paths: list[str], options: CheckOptions) -> list[FileResult]:
    """``check_file`` over several paths: what one worker does with one hand-out."""
    schemas.use_deep_quick(False)  # a pool runs only over inputs past DEEP_QUICK_MAX_BYTES
    return [check_file(path, options) for path in paths]


def expand_paths(paths: Iterable[str], selection: FileSelection | None = None) -> Iterator[str]:
    """Directories become the stream files below them; ``-``, files, FIFOs and devices pass through.

    A directory below that cannot be listed is passed on as it is, after the files that could
    be found, so that ``check_file`` reports it as an input error (never a silent pass).
    """
    for path in paths:
        if path != "-" and os.path.isdir(path):
            unreadable: list[Path] = []
            files = list(walk_stream_files(Path(path), selection, unreadable))
            if not files and not unreadable:
                yield path  # check_file reports the empty directory
            for file in files:
                yield str(file)
            for directory in unreadable:
                yield str(directory)
        else:
            yield path


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size if os.path.isfile(path) else 0
    except OSError:
        return 0


def _batches(files: list[str], sizes: list[int]) -> list[list[str]]:
    batches: list[list[str]] = []
    current: list[str] = []
    weight = 0
    for path, size in zip(files, sizes, strict=True):
        current.append(path)
        weight += size
        if weight >= BATCH_BYTES or len(current) >= BATCH_FILES:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    return batches


def pool_pays_off(files: list[str], jobs: int, sizes: list[int] | None = None) -> bool:
    """Whether worker processes would finish sooner than this one process (``sizes``: the files'
    sizes, when the caller has them already)."""
    if jobs <= 1 or len(files) < 2 or any(is_stream_input(path) for path in files):
        return False  # stdin, a FIFO or a device can only be read here
    return sum(sizes if sizes is not None else map(_size, files)) >= POOL_MIN_BYTES


def start_pool(workers: int) -> ProcessPoolExecutor:
    """The worker processes (imported here: only a run that starts a pool pays for the import)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint)


def _ignore_sigint() -> None:
    # Ctrl-C reaches every process of the terminal's group; only the parent decides what it means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def check_files(
    files: list[str], options: CheckOptions, jobs: int = 1, on_read: ReadHook | None = None
) -> Iterator[FileResult]:
    """Results in input order; with ``jobs > 1``, when it pays off, files are checked in workers.

    ``files`` are paths as ``expand_paths`` gives them. ``on_read`` is honoured only for files
    checked in this process.
    """
    budget = Budget(options.keep_at_most)
    sizes = [_size(path) for path in files]  # each file is looked at once, for both decisions below
    if not pool_pays_off(files, jobs, sizes):
        before = schemas.use_deep_quick(sum(sizes) < DEEP_QUICK_MAX_BYTES)
        try:
            for path in files:
                yield budget.trimmed(check_file(path, options, on_read))
        finally:
            schemas.use_deep_quick(before)
        return
    batches = _batches(files, sizes)
    pool = start_pool(min(jobs, len(batches)))
    try:
        for results in pool.map(check_batch, batches, [options] * len(batches)):
            for result in results:
                yield budget.trimmed(result)
    finally:
        # On an interrupt or an early exit, pending files are dropped instead of waited for.
        pool.shutdown(wait=True, cancel_futures=True)
