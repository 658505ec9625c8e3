"""What a payload, an ``event:`` value or a file name may not carry into our output.

Every string a stream controls (messages quote payload values; sources are
file names, HAR URLs, stream names) passes through here before it is printed
or written, per format:

* ``visible`` (text, GitHub, JUnit): C0 and C1 control characters, DEL, the
  Unicode line and paragraph separators, bidirectional overrides and
  isolates, lone surrogates (an undecodable file name) and the two
  non-characters XML forbids become ``\\xNN`` / ``\\uNNNN``, so no escape
  sequence reaches a terminal or a CI log, no text is reordered on screen,
  a record stays one line, and XML 1.0 can hold the result.
* ``line_start`` (text): a line whose first non-blank characters are ``::``
  would be read by GitHub Actions as a workflow command (``::error file=...::``);
  its first colon is written ``\\x3a``.
* ``json_safe`` (JSON, SARIF): lone surrogates, which JSON text cannot
  encode in UTF-8, become ``\\udcNN`` spelled out; everything else is left
  to the JSON encoder, which escapes control characters itself.
"""

from __future__ import annotations

import re
from typing import Any

# C0 (tab included: it would align text on a terminal as the payload chooses), DEL, C1; the line
# and paragraph separators; the bidi marks, embeddings, overrides and isolates (Trojan Source);
# lone surrogates; U+FFFE and U+FFFF (XML 1.0 forbids them).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_COMMAND_START = re.compile(r"^(\s*):(?=:)", re.M)


def _spelled(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character that could act on a terminal, a log or an XML parser spelled out."""
    return _UNSAFE.sub(_spelled, text)


def line_start(text: str) -> str:
    """``text`` with a ``::`` at the start of any line (after blanks) defused: ``\\x3a:``."""
    return _COMMAND_START.sub(r"\1\\x3a", text)


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` with lone surrogates in its strings spelled out, so that it encodes as UTF-8 JSON."""
    if isinstance(value, str):
        return _SURROGATE.sub(_spelled, value)
    if depth > 64:
        return value
    if isinstance(value, list):
        return [json_safe(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {json_safe(str(key)): json_safe(item, depth + 1) for key, item in value.items()}
    return value


def one_line(text: str) -> str:
    """A line for a terminal or a CI log: ``visible`` and ``line_start`` together."""
    return line_start(visible(text))


# What JSON text may carry raw but a terminal or a log must not see: DEL, C1, the line and paragraph
# separators, bidi marks (the JSON encoder escapes C0 itself).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def json_text(text: str) -> str:
    """Encoded JSON with the characters above written as ``\\uNNNN`` escapes: the same JSON value,
    since they can only stand inside strings, and nothing in it acts on a terminal."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text)
