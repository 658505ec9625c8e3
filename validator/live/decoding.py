"""Undoing ``Content-Encoding`` a bounded piece at a time, layer by layer.

httpx inflates each network chunk whole: a few KB of ``gzip, gzip`` on the wire
can become gigabytes in one call, before any limit of ours sees a byte. Here
every layer hands on at most ``PIECE`` bytes per step (``zlib``'s
``max_length`` with its ``unconsumed_tail``), and the layers are generators
pulled by the Checker, so decoding stops where ``--max-bytes`` stops reading
and memory stays at a few pieces per layer.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

PIECE = 64 * 1024
# zlib window bits: gzip framing, and zlib framing (what HTTP's ``deflate`` means).
_WBITS = {"gzip": 31, "x-gzip": 31, "deflate": 15}


class DecodingFailed(Exception):
    """The body is not what its Content-Encoding says."""


def layers(content_encoding: str) -> list[str] | None:
    """The codings to undo, first applied first; None when one of them is not ours to undo."""
    names = [name.strip().lower() for name in content_encoding.split(",") if name.strip()]
    codings = [name for name in names if name != "identity"]
    return codings if all(name in _WBITS for name in codings) else None


def decoded(chunks: Iterable[bytes], codings: list[str]) -> Iterator[bytes]:
    """``chunks`` with every coding undone, last applied first, in pieces of at most ``PIECE`` bytes."""
    stream: Iterable[bytes] = chunks
    for coding in reversed(codings):
        stream = _inflate(stream, _WBITS[coding], coding)
    yield from stream


def _inflate(chunks: Iterable[bytes], wbits: int, coding: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits)
    try:
        for chunk in chunks:
            data = chunk
            while data:
                piece = inflater.decompress(data, PIECE)
                if piece:
                    yield piece
                if inflater.eof:  # what follows is a further gzip member (concatenated gzip is one body)
                    data = inflater.unused_data
                    if data:
                        inflater = zlib.decompressobj(wbits)
                else:
                    data = inflater.unconsumed_tail
        while not inflater.eof:
            piece = inflater.decompress(b"", PIECE)
            if not piece:
                break
            yield piece
    except zlib.error as exc:
        raise DecodingFailed(f"the {coding} body does not decode: {exc}") from None
