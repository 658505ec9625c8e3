"""Keeping secrets out of every message, report, capture and error.

A ``Redactor`` masks three kinds of secret:

* values it was told (an API key, the values of credential headers, the
  credentials in a base URL), in each spelling a report can give them: as is,
  JSON-escaped, as a Python ``repr``, percent-encoded, XML/HTML-escaped,
  Markdown-escaped and as a GitHub workflow-command value (``spellings``), so
  that a key holding ``"``, ``&``, ``<`` or ``_`` is masked whichever format
  carries it;
* bearer tokens and URL userinfo, wherever they appear;
* the values of credential parameters in a URL's query or fragment
  (``?api-key=``, ``&client_secret=``, ``X-Amz-Signature=``, ``#access_token=``...).

Masking is idempotent: a text redacted twice reads the same.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

MASK = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "apikey",
        "cookie",
        "set-cookie",
        "openai-api-key",
        "x-goog-api-key",
    }
)
# Words that make a header name a credential's: ``X-Auth``, ``X-Session-Id``, ``X-Amz-Signature``.
_SENSITIVE_WORDS = ("auth", "secret", "token", "passw", "credential", "signature", "session", "cookie", "apikey")

# Headers a user may pass with ``--header`` that never carry a credential; every other value given
# on the command line is treated as one (an ``x-tenant:`` header may well be a key).
PLAIN_HEADERS = frozenset(
    {
        "accept", "accept-encoding", "accept-language", "content-type", "user-agent", "cache-control",
        "connection", "pragma", "openai-beta", "x-conformance-fault", "x-conformance-profile",
    }
)

# Query (and fragment) parameters that carry credentials: ``?api-key=``, ``?key=`` for Google,
# ``?sig=`` for Azure SAS tokens, ``?code=`` for Azure Functions keys and OAuth codes, presigned
# S3 and GCS URLs, OAuth tokens (``#access_token=`` in an implicit-flow fragment). Others, such
# as Azure's ``?api-version=``, stay.
CREDENTIAL_PARAMS = frozenset(
    {
        "api-key", "api_key", "apikey", "key", "token", "access_token", "access-token", "refresh_token",
        "id_token", "auth", "sig", "signature", "code", "secret", "client_secret", "password", "passwd",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
        "x-goog-credential", "session_token",
    }
)
_PARAM_NAMES = "|".join(sorted((re.escape(name) for name in CREDENTIAL_PARAMS), key=len, reverse=True))
# A value ends where a URL's query value cannot go on: at ``&`` or ``#``, whitespace, or a character
# that closes the text around the URL (a quote, a bracket, ``<``, ``>``, a comma, ``;``, ``\``, or a
# ``:`` that ends a clause), so that a URL inside JSON, XML or a sentence keeps what follows it.
_SENSITIVE_QUERY = re.compile(
    rf"([?&#;](?:{_PARAM_NAMES})=)(?:[^&#\s\"'<>,;:()\[\]{{}}\\]|:(?![\s\"']|$))+", re.IGNORECASE
)
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]*@", re.IGNORECASE)
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_PERCENT = re.compile(r"%[0-9A-F]{2}")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def is_sensitive_header(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in SENSITIVE_HEADERS
        or lowered.endswith("-key")
        or any(word in lowered for word in _SENSITIVE_WORDS)
    )


def spellings(secret: str) -> set[str]:
    """``secret`` as each output format may spell it: JSON (with and without ``\\uXXXX`` and
    ``\\/``), Python ``repr``, percent-encoding (either case of hex), XML/HTML entities, Markdown's
    backslashes and GitHub's ``%25``/``%3A``/``%2C`` escapes."""
    forms = {secret}
    for escaped in (json.dumps(secret, ensure_ascii=False)[1:-1], json.dumps(secret)[1:-1]):
        forms.update((escaped, escaped.replace("/", "\\/")))
    for encoded in (quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)):
        forms.update((encoded, _PERCENT.sub(lambda match: match.group(0).lower(), encoded)))
    forms.add(repr(secret)[1:-1])
    for xml in (html.escape(secret, quote=True), html.escape(secret, quote=False)):
        forms.update((xml, xml.replace("&#x27;", "&apos;").replace("&quot;", "&#34;")))
    markdown = _MARKDOWN_SPECIAL.sub(r"\\\1", secret)
    forms.update((markdown, html.escape(markdown, quote=False)))
    github = secret.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    forms.update((github, github.replace(":", "%3A").replace(",", "%2C")))
    return forms


class Redactor:
    """Masks known secret values (in every spelling), credentials in URLs and bearer tokens in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self._known: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would mask ordinary words; they are not credentials anyway.
        if not secret or len(secret) < 4 or secret in self._known:
            return
        self._known.add(secret)
        for form in spellings(secret):
            if form not in self._secrets:
                self._secrets.append(form)
        self._secrets.sort(key=len, reverse=True)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values this redactor was told (not their spellings)."""
        return tuple(self._known)

    def add_headers(self, headers: Mapping[str, str]) -> None:
        """Remember the values of sensitive headers (their tokens, a Basic credential's parts) as secrets."""
        for name, value in headers.items():
            if is_sensitive_header(name):
                self._add_credential(value)

    def add_user_headers(self, headers: Mapping[str, str]) -> None:
        """Headers the user gave (``--header``): every value is a secret unless the name is plainly not
        a credential's (``PLAIN_HEADERS``)."""
        for name, value in headers.items():
            if name.lower() not in PLAIN_HEADERS:
                self._add_credential(value)

    def _add_credential(self, value: str) -> None:
        self.add(value)
        scheme, _, token = value.strip().partition(" ")
        token = token.strip()
        if not token:
            return
        self.add(token)
        if scheme.lower() == "basic":
            try:
                pair = base64.b64decode(token, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return
            self.add(pair)
            self.add(pair.partition(":")[2])

    def text(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _BEARER.sub(rf"\g<1>{MASK}", text)
        text = _USERINFO.sub(rf"\g<1>{MASK}@", text)
        return _SENSITIVE_QUERY.sub(rf"\g<1>{MASK}", text)

    def redact_bytes(self, data: bytes) -> bytes:
        """``text`` over bytes that may not be UTF-8 (a capture): what is not UTF-8 is kept as it was."""
        return self.text(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def add_url(self, url: str) -> None:
        """Remember the credentials a URL carries (userinfo, credential query or fragment values) as secrets."""
        parts = urlsplit(url)
        if parts.password:
            self.add(parts.password)
            self.add(unquote(parts.password))
        for section in (parts.query, parts.fragment):
            for name, value in parse_qsl(section, keep_blank_values=False):
                if name.lower() in CREDENTIAL_PARAMS:
                    self.add(value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: MASK if is_sensitive_header(name) else self.text(value) for name, value in headers.items()}
