"""Undoing ``Content-Encoding`` for the checker and the capture, never for the client.

The client gets the upstream's bytes as they came (compressed if they were);
the checker and the capture need the body itself. ``BodyDecoder`` undoes each
coding named in the header, incrementally and with a bound on the output (a
small compressed body may inflate to gigabytes). gzip and deflate come with
Python; br and zstd are undone when the ``brotli`` or ``zstandard`` package is
installed, which is also when httpx offers them to the upstream on its own.
"""

from __future__ import annotations

import importlib
import zlib
from typing import Any, Protocol


class DecodingError(Exception):
    """The body cannot be decoded (an unknown coding, or corrupt data)."""


class _Step(Protocol):
    def feed(self, data: bytes, limit: int) -> bytes: ...


class _Zlib:
    """gzip (``wbits=31``), or deflate as zlib data, falling back to raw deflate as browsers and httpx do."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._obj = zlib.decompressobj(31 if gzip else zlib.MAX_WBITS)
        self._started = False
        self._unused = b""

    def feed(self, data: bytes, limit: int) -> bytes:
        data = self._unused + data
        try:
            out = self._obj.decompress(data, limit)
        except zlib.error as exc:
            if self._gzip or self._started:
                raise DecodingError(f"corrupt {'gzip' if self._gzip else 'deflate'} data ({exc})") from None
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = self._obj.decompress(data, limit)
            except zlib.error as raw_exc:
                raise DecodingError(f"corrupt deflate data ({raw_exc})") from None
        self._started = True
        self._unused = self._obj.unconsumed_tail
        if self._gzip and self._obj.eof and self._obj.unused_data:
            # Concatenated gzip members (RFC 1952 2.2): go on with the next one.
            rest = self._obj.unused_data
            self._obj = zlib.decompressobj(31)
            self._unused = rest
        return out


class _Library:
    """A coding undone by an optional package (``brotli``, ``zstandard``); no output bound is possible."""

    def __init__(self, decompressor: Any, name: str) -> None:
        self._decompressor = decompressor
        self._name = name

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            out: bytes = self._decompressor(data)
        except Exception as exc:  # each library has its own error type
            raise DecodingError(f"corrupt {self._name} data ({type(exc).__name__})") from None
        return out


def _library_step(coding: str) -> _Step | None:
    module = {"br": "brotli", "zstd": "zstandard"}.get(coding)
    if module is None:
        return None
    try:
        library = importlib.import_module(module)
    except ImportError:
        return None
    if coding == "br":
        return _Library(library.Decompressor().process, "br")
    return _Library(library.ZstdDecompressor().decompressobj().decompress, "zstd")


class BodyDecoder:
    """The body behind a ``Content-Encoding`` header, chunk by chunk, at most ``limit`` bytes per call."""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self.codings = codings
        steps: list[_Step] = []
        # Codings are listed in the order they were applied, so they are undone from the last.
        for coding in reversed(codings):
            step: _Step | None
            if coding in ("gzip", "x-gzip"):
                step = _Zlib(gzip=True)
            elif coding == "deflate":
                step = _Zlib(gzip=False)
            else:
                step = _library_step(coding)
            if step is None:
                raise DecodingError(f"cannot decode Content-Encoding {coding!r}")
            steps.append(step)
        self._steps = steps

    @property
    def identity(self) -> bool:
        return not self._steps

    def feed(self, data: bytes, limit: int) -> bytes:
        """The decoded bytes of ``data``; at most about ``limit`` of them (the rest of this chunk is dropped)."""
        for step in self._steps:
            data = step.feed(data, limit + 1)
        return data
