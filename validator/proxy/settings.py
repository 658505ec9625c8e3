"""What the proxy is told: where to listen and forward, what to check, what to keep, how long to wait."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_PORT = 8766  # beside the reference server's 8765
MAX_STREAM_BYTES = 256 * 1024 * 1024
OTHER_BODY_BYTES = 1024 * 1024
CAPTURE_FORMATS = ("har", "sse")


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """How each stream is checked (as ``validate`` would check the capture)."""

    profile: str = "openai"
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    max_per_rule: int | None = 20
    timeline: bool = False  # keep each stream's events for a report that draws them (the HTML report)


@dataclass(frozen=True, slots=True)
class Limits:
    """What the proxy keeps per exchange; the client always gets everything.

    ``stream_bytes``: the decoded bytes of one Responses stream that are checked
    and captured (past them: HTT017, the rest is forwarded unchecked);
    ``event_bytes``: one unfinished event (past them: HTT018, likewise);
    ``other_bytes``: the bytes of any other body (a request, a non-stream
    response, a WebSocket session's messages) kept for the HAR capture.
    """

    stream_bytes: int = MAX_STREAM_BYTES
    event_bytes: int = MAX_STREAM_BYTES // 4
    other_bytes: int = OTHER_BODY_BYTES

    def __post_init__(self) -> None:
        for name in ("stream_bytes", "event_bytes", "other_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', ' ')} must be at least 1")


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds the proxy waits on the upstream.

    The defaults match openai-python's own 600 s read timeout, so the client,
    not the proxy, is the one that gives up on a slow upstream. What the
    client sees when the proxy gives up first: 504 before the response
    headers, a broken body after them (as if the upstream had broken it).
    """

    connect: float = 10.0
    first_byte: float = 600.0
    idle: float = 600.0
    drain: float = 5.0  # at shutdown: how long streams still open may go on

    def __post_init__(self) -> None:
        for name in ("connect", "first_byte", "idle"):
            if not getattr(self, name) > 0:
                raise ValueError(f"the {name.replace('_', '-')} timeout must be positive")
        if self.drain < 0:
            raise ValueError("the drain timeout must not be negative")


@dataclass(frozen=True, slots=True)
class Capture:
    """Where captures go: one HAR file (``har``), or one ``.sse`` file per stream in a directory (``sse``)."""

    path: Path
    format: str = "har"

    def __post_init__(self) -> None:
        if self.format not in CAPTURE_FORMATS:
            raise ValueError(f"unknown capture format {self.format!r}; choose from {', '.join(CAPTURE_FORMATS)}")


@dataclass(frozen=True, slots=True)
class ProxySettings:
    upstream: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    check: CheckSettings = field(default_factory=CheckSettings)
    limits: Limits = field(default_factory=Limits)
    timeouts: Timeouts = field(default_factory=Timeouts)
    capture: Capture | None = None
    secrets: tuple[str, ...] = ()  # values to mask besides the credential headers (--redact)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the upstream must be an http:// or https:// URL with a host")
        if parts.query or parts.fragment:
            raise ValueError("the upstream URL takes no ?query or #fragment: request paths are appended to it")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port {self.port} is out of range")

    @property
    def upstream_base(self) -> str:
        """The upstream without a trailing slash: a request for ``/responses`` goes to ``BASE/responses``."""
        return self.upstream.rstrip("/")
