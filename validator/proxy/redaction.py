"""Secrets the proxy must never write, in every form they can take in what it writes.

The proxy sees credentials in flight (``Authorization``, ``api-key`` and the
other headers ``validator.redact`` calls sensitive) and is told others with
``--redact``. An upstream may echo any of them back, inside JSON (escaped),
inside a URL (percent-encoded), inside an XML report (entity-escaped). A
``SecretRedactor`` remembers each secret together with those spellings, so
that one pass of ``text`` masks all of them wherever the text came from. A
body that is not text is masked as bytes (``bytes_``) before it is encoded.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

import orjson

from validator.redact import MASK, Redactor, is_sensitive_header

_MASK_BYTES = MASK.encode()
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def spellings(secret: str) -> set[str]:
    """``secret`` as it may appear in JSON, URLs, HTML/XML and Python reprs."""
    forms = {secret}
    json_escaped = orjson.dumps(secret).decode()[1:-1]
    forms.add(json_escaped)
    ascii_escaped = json.dumps(secret)[1:-1]  # non-ASCII as \\uXXXX
    forms.add(ascii_escaped)
    forms.add(json_escaped.replace("/", "\\/"))  # JSON may escape the solidus
    forms.add(ascii_escaped.replace("/", "\\/"))
    for encoded in (quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)):
        forms.add(encoded)
        forms.add(_lower_hex(encoded))
    forms.add(html.escape(secret, quote=True))
    forms.add(html.escape(secret, quote=False))
    forms.add(repr(secret)[1:-1])
    return forms


def _lower_hex(encoded: str) -> str:
    return _PERCENT.sub(lambda match: match.group(0).lower(), encoded)


class SecretRedactor(Redactor):
    """A ``Redactor`` that also masks the JSON, URL, HTML and repr spellings of every secret."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._raw: list[bytes] = []
        super().__init__(secrets)

    def add(self, secret: str | None) -> None:
        if not secret or len(secret) < 4:
            return  # as Redactor: a very short value would mask ordinary words
        raw = secret.encode("utf-8", "surrogatepass")
        if raw in self._raw:
            return
        self._raw.append(raw)
        self._raw.sort(key=len, reverse=True)
        for form in spellings(secret):
            super().add(form)

    def add_headers(self, headers: Mapping[str, str]) -> None:
        """The sensitive headers' values, their tokens, and the parts of a Basic credential."""
        super().add_headers(headers)
        for name, value in headers.items():
            if not is_sensitive_header(name):
                continue
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "basic" and token:
                try:
                    pair = base64.b64decode(token.strip(), validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    continue
                self.add(pair)
                self.add(pair.partition(":")[2])

    def add_header_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        """As ``add_headers``, for a header list that may repeat a name."""
        for name, value in pairs:
            self.add_headers({name: value})

    def bytes_(self, data: bytes) -> bytes:
        """Mask every secret in a body that is not text (before it is base64-encoded)."""
        for secret in self._raw:
            if secret in data:
                data = data.replace(secret, _MASK_BYTES)
        return data

    def headers_list(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Header pairs with the sensitive values masked and every other value redacted."""
        return [(name, MASK if is_sensitive_header(name) else self.text(value)) for name, value in pairs]
