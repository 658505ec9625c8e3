"""The Redactor: secrets, bearer tokens, URL credentials and secret-looking headers."""

from __future__ import annotations

from validator.live import Redactor
from validator.live.client import Target
from validator.redact import MASK, is_sensitive_header


def test_known_secrets_are_masked_everywhere_in_text() -> None:
    redactor = Redactor(["sk-abc123456"])
    assert redactor.text("key sk-abc123456 and again sk-abc123456.") == f"key {MASK} and again {MASK}."


def test_short_values_are_not_treated_as_secrets() -> None:
    redactor = Redactor(["abc"])
    assert redactor.text("abc def") == "abc def"


def test_bearer_tokens_userinfo_and_query_keys() -> None:
    redactor = Redactor()
    assert redactor.text("Authorization: Bearer eyJhbGci.payload.sig") == f"Authorization: Bearer {MASK}"
    assert redactor.text("http://user:pw@host:8/v1") == f"http://{MASK}@host:8/v1"
    assert redactor.text("https://h/v1?api-key=XYZ&x=1") == f"https://h/v1?api-key={MASK}&x=1"
    assert redactor.text("https://h/v1?key=XYZ") == f"https://h/v1?key={MASK}"


def test_sensitive_headers() -> None:
    for name in ("Authorization", "api-key", "X-API-Key", "Cookie", "Set-Cookie", "X-Auth-Token", "my-secret"):
        assert is_sensitive_header(name), name
    for name in ("Content-Type", "Accept", "X-Conformance-Fault"):
        assert not is_sensitive_header(name), name
    redactor = Redactor()
    headers = {"Authorization": "Bearer tok-1234567", "Content-Type": "text/event-stream"}
    assert redactor.headers(headers) == {"Authorization": MASK, "Content-Type": "text/event-stream"}


def test_header_values_become_secrets() -> None:
    redactor = Redactor()
    redactor.add_headers({"Authorization": "Bearer tok-1234567", "X-Api-Key": "k-7654321"})
    assert redactor.text("echoed tok-1234567 and k-7654321") == f"echoed {MASK} and {MASK}"


def test_target_redactor_knows_the_key_and_secret_headers() -> None:
    target = Target("http://127.0.0.1:1", api_key="sk-live-0000", headers={"Cookie": "session=abcdef"})
    redactor = target.redactor()
    assert "sk-live-0000" not in redactor.text("sent sk-live-0000")
    assert "session=abcdef" not in redactor.text("cookie session=abcdef")
    assert target.request_headers()["Authorization"] == "Bearer sk-live-0000"
    other = Target("http://127.0.0.1:1", api_key="sk-live-0000", api_key_header="api-key")
    assert other.request_headers()["api-key"] == "sk-live-0000"


def test_a_query_key_is_masked_without_eating_what_follows() -> None:
    redactor = Redactor()
    url = "https://h.example/v1/responses?api-version=2025-04-01-preview&api-key=XYZ123"
    masked = f"https://h.example/v1/responses?api-version=2025-04-01-preview&api-key={MASK}"
    assert redactor.text(f'{{"url": "{url}", "n": 1}}') == f'{{"url": "{masked}", "n": 1}}'
    assert redactor.text(f"<a href='{url}'>x</a>") == f"<a href='{masked}'>x</a>"
    assert redactor.text(f"cannot connect to {url}: refused") == f"cannot connect to {masked}: refused"
    assert redactor.text(f"({url})") == f"({masked})"
    assert redactor.text("?sig=ab%2Bc/d=&se=2030") == f"?sig={MASK}&se=2030"
    # Masking is idempotent: a report redacted twice reads the same.
    once = redactor.text(url)
    assert redactor.text(once) == once == masked


def test_target_knows_the_credentials_in_its_url() -> None:
    target = Target("https://bob:pw-0000111@h.example/v1?api-version=1&key=k-99998888")
    redactor = target.redactor()
    assert redactor.text("echoed pw-0000111 and k-99998888") == f"echoed {MASK} and {MASK}"
    assert target.url == "https://bob:pw-0000111@h.example/v1/responses?api-version=1&key=k-99998888"
    assert Target("http://h/v1/#frag").url == "http://h/v1/responses"
    assert Target("http://h").url == "http://h/responses"
