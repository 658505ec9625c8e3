"""What a reverse proxy may and may not pass on, and which requests carry a Responses stream.

Everything is forwarded as it came except what HTTP itself says belongs to
one connection (RFC 9110 section 7.6.1: ``Connection`` and the headers it
names, ``Keep-Alive``, ``Proxy-Connection``, ``TE``, ``Trailer``,
``Transfer-Encoding``, ``Upgrade``), ``Host`` (the upstream's own) and
``Expect`` (the listening server answers ``100-continue`` itself). Framing
(chunked or Content-Length) is redone by each side's HTTP library.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import orjson

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
)
NOT_FORWARDED = HOP_BY_HOP | {"host", "expect"}
# Headers of the WebSocket handshake itself: each side's library makes its own.
WEBSOCKET_HANDSHAKE = frozenset(
    {"sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept",
     "sec-websocket-protocol"}
)

_RESUME_PATH = re.compile(r"/responses/[^/]+$")
_STREAM_TRUE = re.compile(rb'"stream"\s*:\s*true')


def forwardable(pairs: list[tuple[str, str]], drop: frozenset[str] = NOT_FORWARDED) -> list[tuple[str, str]]:
    """Header pairs without the hop-by-hop ones (and without those ``Connection`` names)."""
    named = {
        token.strip().lower()
        for name, value in pairs
        if name.lower() == "connection"
        for token in value.split(",")
        if token.strip()
    }
    return [(name, value) for name, value in pairs if name.lower() not in drop and name.lower() not in named]


def decode_headers(raw: list[tuple[bytes, bytes]] | list[list[bytes]]) -> list[tuple[str, str]]:
    """ASGI or httpx raw headers as text (Latin-1, as HTTP/1.1 carries them, so every byte survives)."""
    return [(bytes(name).decode("latin-1"), bytes(value).decode("latin-1")) for name, value in raw]


def encode_headers(pairs: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs]


def is_responses_post(method: str, path: str) -> bool:
    """``POST /responses``, ``POST /v1/responses`` or any ``POST .../responses`` (Azure's, a gateway's)."""
    return method == "POST" and path.rstrip("/").endswith("/responses")


def is_responses_resume(method: str, path: str, query: str) -> bool:
    """``GET .../responses/{id}?stream=true``: a stored response streamed again."""
    return method == "GET" and bool(_RESUME_PATH.search(path.rstrip("/"))) and (
        parse_qs(query).get("stream", [""])[-1] == "true"
    )


def resumed_after(query: str) -> int | None:
    after = parse_qs(query).get("starting_after", [""])[-1]
    return int(after) if after.isdigit() else None


def asks_for_stream(body: bytes, complete: bool) -> bool:
    """Whether a request body asks for ``stream: true`` (a body cut short is searched for the member)."""
    if not complete:
        return bool(_STREAM_TRUE.search(body))
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(parsed, dict) and parsed.get("stream") is True


def is_event_stream(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "text/event-stream"
