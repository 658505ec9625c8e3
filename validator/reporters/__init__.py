"""Renderers that turn a Report into text for a terminal or a file.

A reporter is a function ``render(report, options) -> str``. ``REPORTERS``
maps the names accepted by ``-o/--output`` and ``--report FORMAT=PATH``.
"""

from __future__ import annotations

import errno
import importlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
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


class _Registry(Mapping[str, Renderer]):
    """Format name -> renderer; a reporter's module is imported when its format is asked for
    (a run that writes text does not load the HTML report's assets)."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = modules
        self._loaded: dict[str, Renderer] = {}

    def __getitem__(self, name: str) -> Renderer:
        try:
            return self._loaded[name]
        except KeyError:
            module = importlib.import_module(f"validator.reporters.{self._modules[name]}")
            render: Renderer = module.render
            self._loaded[name] = render
            return render

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


REPORTERS: Mapping[str, Renderer] = _Registry(
    {
        "text": "text",
        "html": "html",
        "json": "json_report",
        "junit": "junit",
        "sarif": "sarif",
        "github": "github",
        "markdown": "markdown",
    }
)

# Formats that draw each stream's events: a run that writes one keeps a timeline per stream.
TIMELINE_FORMATS = frozenset({"html"})
# Formats that mask secrets value by value themselves (``RenderOptions.redact``): masking their
# finished text could break the JSON they embed.
SELF_REDACTING = frozenset({"html"})


def wants_timeline(formats: Iterable[str]) -> bool:
    """Whether any of the run's output formats draws the stream's events."""
    return any(fmt in TIMELINE_FORMATS for fmt in formats)


def write_atomically(path: str | os.PathLike[str], content: str) -> None:
    """Write a report so that readers see the old file or the whole new one, never half.

    Only a regular file (or a new one) is replaced by a rename: a device, a FIFO or a socket
    (``/dev/null``, ``/dev/stdout``, a pipe) is written in place, and a symbolic link is
    followed, so the file it points at gets the report and the link stays a link. The file
    keeps its mode; a new one gets the umask's (a temporary file's 0600 never shows). A path
    that cannot be written raises ``OSError`` (a directory: ``IsADirectoryError``).
    """
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", os.fspath(path))
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(content)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    wanted = stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask()
    if _write_unnamed(target, content, wanted):
        return
    import tempfile  # here: only a report that cannot be written in one step pays for its import

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, wanted)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_unnamed(target: Path, content: str, mode: int) -> bool:
    """Linux: write into a file with no name (``O_TMPFILE``), give it a name only once it is
    whole and rename that over ``target`` at once, so a process killed while writing (kill -9)
    leaves nothing behind. False where the system cannot (then ``mkstemp`` is used)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return False
    try:
        fd = os.open(target.parent, flag | os.O_WRONLY, mode)
    except OSError:
        return False  # no O_TMPFILE on this file system
    try:
        os.fchmod(fd, mode)  # the umask applied to open(); the mode asked for is the one kept
        with os.fdopen(fd, "w", encoding="utf-8", closefd=False) as handle:
            handle.write(content)
        tmp = target.parent / f".{target.name}.{os.getpid()}.{id(content):x}.tmp"
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            # linkat(..., AT_SYMLINK_FOLLOW): Python calls linkat, not link, only when a dir_fd is given.
            os.link(f"/proc/self/fd/{fd}", tmp.name, dst_dir_fd=directory, follow_symlinks=True)
        except OSError:
            return False  # no /proc: written again the portable way
        finally:
            os.close(directory)
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return True
    finally:
        os.close(fd)


def _umask() -> int:
    # The umask can only be read by setting it; it is set straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
