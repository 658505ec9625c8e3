"""Keeping secrets out of every message, report and error: live responses and captured HAR archives."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, unquote, urlsplit

MASK = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "cookie",
        "set-cookie",
        "openai-api-key",
        "x-goog-api-key",
    }
)

# Query parameters that carry credentials (``?api-key=``, ``?key=`` for Google, ``?sig=`` for Azure
# SAS tokens, ``?code=`` for Azure Functions keys). Others, such as Azure's ``?api-version=``, stay.
CREDENTIAL_PARAMS = frozenset(
    {
        "api-key", "api_key", "apikey", "key", "token", "access_token", "access-token", "auth", "sig",
        "signature", "code", "secret", "client_secret", "password",
    }
)
_PARAM_NAMES = "|".join(sorted((re.escape(name) for name in CREDENTIAL_PARAMS), key=len, reverse=True))
# A value ends where a URL's query value cannot go on: at ``&`` or ``#``, whitespace, or a character
# that closes the text around the URL (a quote, a bracket, ``<``, ``>``, a comma, ``;``, ``\``, or a
# ``:`` that ends a clause), so that a URL inside JSON, XML or a sentence keeps what follows it.
_SENSITIVE_QUERY = re.compile(
    rf"([?&](?:{_PARAM_NAMES})=)(?:[^&#\s\"'<>,;:()\[\]{{}}\\]|:(?![\s\"']|$))+", re.IGNORECASE
)
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]*@", re.IGNORECASE)
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def is_sensitive_header(name: str) -> bool:
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or "secret" in lowered or "token" in lowered or lowered.endswith("-key")


class Redactor:
    """Masks known secret values, credentials in URLs and bearer tokens in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would mask ordinary words; they are not credentials anyway.
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)

    def add_headers(self, headers: Mapping[str, str]) -> None:
        """Remember the values of sensitive headers (and their bearer tokens) as secrets."""
        for name, value in headers.items():
            if is_sensitive_header(name):
                self.add(value)
                token = value.split(None, 1)
                if len(token) == 2:
                    self.add(token[1])

    def text(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _BEARER.sub(rf"\g<1>{MASK}", text)
        text = _USERINFO.sub(rf"\g<1>{MASK}@", text)
        return _SENSITIVE_QUERY.sub(rf"\g<1>{MASK}", text)

    def add_url(self, url: str) -> None:
        """Remember the credentials a URL carries (userinfo, credential query values) as secrets."""
        parts = urlsplit(url)
        if parts.password:
            self.add(parts.password)
            self.add(unquote(parts.password))
        for name, value in parse_qsl(parts.query, keep_blank_values=False):
            if name.lower() in CREDENTIAL_PARAMS:
                self.add(value)
                self.add(quote(value, safe=""))

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: MASK if is_sensitive_header(name) else self.text(value) for name, value in headers.items()}
