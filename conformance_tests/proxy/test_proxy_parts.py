"""The proxy's parts on their own: redaction, decoding, forwarding rules, the verdict line, the HAR it writes."""

from __future__ import annotations

import base64
import gzip
import html
import json
import zlib
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from validator.model import Finding, HttpInfo, Severity
from validator.proxy import Capture, Limits, ProxySettings, Timeouts
from validator.proxy.capture import HarWriter, SseWriter
from validator.proxy.decoding import BodyDecoder, DecodingError
from validator.proxy.exchange import Exchange, Kept
from validator.proxy.forwarding import (
    asks_for_stream,
    forwardable,
    is_responses_post,
    is_responses_resume,
    resumed_after,
)
from validator.proxy.redaction import SecretRedactor, spellings
from validator.proxy.verdict import escape, verdict_line
from validator.report import StreamReport
from validator.sources import streams_from_path

# --- redaction ----------------------------------------------------------------------------------------


def test_a_secret_is_masked_in_each_of_its_spellings() -> None:
    secret = 'sk-a/b+c"d<e>&f ü'
    redactor = SecretRedactor([secret])
    texts = [
        secret,
        json.dumps(secret),  # \" and \u00fc
        json.dumps(secret, ensure_ascii=False),
        json.dumps(secret).replace("/", "\\/"),
        "https://x/?q=" + quote(secret, safe=""),
        "https://x/?q=" + quote_plus(secret),
        "<m>" + html.escape(secret) + "</m>",
        repr(secret),
    ]
    for text in texts:
        assert secret not in redactor.text(text) and "[REDACTED]" in redactor.text(text), text
    assert redactor.bytes_(b"\x00" + secret.encode() + b"\xff") == b"\x00[REDACTED]\xff"
    assert secret in spellings(secret)


def test_credential_headers_teach_the_redactor_their_values() -> None:
    redactor = SecretRedactor()
    basic = base64.b64encode(b"user:hunter2-password").decode()
    redactor.add_header_pairs([("Authorization", f"Basic {basic}"), ("api-key", "key-0123456789"),
                               ("X-Plain", "visible-value")])
    text = redactor.text(f"{basic} hunter2-password user:hunter2-password key-0123456789 visible-value")
    assert text == "[REDACTED] [REDACTED] [REDACTED] [REDACTED] visible-value"
    assert redactor.headers_list([("API-Key", "x"), ("X-Plain", "key-0123456789")]) == [
        ("API-Key", "[REDACTED]"), ("X-Plain", "[REDACTED]")
    ]
    assert SecretRedactor(["abc"]).text("abc") == "abc"  # too short to be a credential


# --- decoding -----------------------------------------------------------------------------------------


def decode_all(coding: str, data: bytes, size: int = 7, limit: int = 1 << 20) -> bytes:
    decoder = BodyDecoder(coding)
    return b"".join(decoder.feed(data[i : i + size], limit) for i in range(0, len(data), size))


def test_gzip_deflate_and_their_variants_are_undone_in_any_chunking() -> None:
    body = b"event: x\ndata: {}\n\n" * 50
    assert decode_all("gzip", gzip.compress(body)) == body
    assert decode_all("x-gzip", gzip.compress(body[:500]) + gzip.compress(body[500:])) == body  # two members
    assert decode_all("deflate", zlib.compress(body)) == body
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decode_all("deflate", raw.compress(body) + raw.flush()) == body  # raw deflate, as some servers send
    assert decode_all("gzip, deflate", zlib.compress(gzip.compress(body))) == body
    assert decode_all("identity", body) == body and BodyDecoder("").identity


def test_a_small_body_that_inflates_enormously_is_decoded_only_up_to_the_limit() -> None:
    bomb = gzip.compress(b"\x00" * (20 << 20))
    assert len(bomb) < 100_000
    assert len(BodyDecoder("gzip").feed(bomb, 1000)) <= 1001


def test_what_cannot_be_decoded_says_why() -> None:
    with pytest.raises(DecodingError, match="cannot decode Content-Encoding 'compress'"):
        BodyDecoder("compress")
    with pytest.raises(DecodingError, match="corrupt gzip data"):
        BodyDecoder("gzip").feed(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 20, 100)


# --- forwarding ---------------------------------------------------------------------------------------


def test_hop_by_hop_headers_and_those_connection_names_stay_behind() -> None:
    pairs = [("Host", "proxy"), ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"), ("Keep-Alive", "5"),
             ("Transfer-Encoding", "chunked"), ("TE", "trailers"), ("Upgrade", "h2c"), ("Expect", "100-continue"),
             ("Authorization", "Bearer k"), ("X-Kept", "2"), ("X-Kept", "3")]
    assert forwardable(pairs) == [("Authorization", "Bearer k"), ("X-Kept", "2"), ("X-Kept", "3")]


@pytest.mark.parametrize(
    ("method", "path", "watched"),
    [("POST", "/responses", True), ("POST", "/v1/responses", True), ("POST", "/openai/v1/responses/", True),
     ("GET", "/v1/responses", False), ("POST", "/v1/responses/resp_1/cancel", False),
     ("POST", "/v1/chat/completions", False)],
)
def test_which_requests_are_responses_streams(method: str, path: str, watched: bool) -> None:
    assert is_responses_post(method, path) is watched


def test_resumed_streams_are_recognised_with_their_starting_point() -> None:
    assert is_responses_resume("GET", "/v1/responses/resp_1", "stream=true&starting_after=7")
    assert not is_responses_resume("GET", "/v1/responses/resp_1", "")
    assert resumed_after("stream=true&starting_after=7") == 7 and resumed_after("stream=true") is None


def test_a_request_asks_for_a_stream_only_with_stream_true() -> None:
    assert asks_for_stream(b'{"model": "m", "stream": true}', True)
    assert not asks_for_stream(b'{"model": "m", "stream": "true"}', True)
    assert not asks_for_stream(b'{"model": "m"}', True) and not asks_for_stream(b"not json", True)
    assert asks_for_stream(b'{"input": "...", "stream" : true, "x": "cut sho', False)


# --- the verdict line and the console -----------------------------------------------------------------


def test_escape_writes_what_a_terminal_would_act_on_as_escapes() -> None:
    assert escape("plain text") == "plain text"
    assert escape("a\x1b[2Jb\x07c\u202ed\x9be\n") == "a\\x1b[2Jb\\x07c\\u202ed\\x9be\\x0a"
    assert escape("ünïcode ✓ 日本") == "ünïcode ✓ 日本"


def test_the_verdict_line_says_the_status_the_counts_and_the_codes() -> None:
    report = StreamReport("s", "openai", http=HttpInfo(status=200), events=12)
    assert verdict_line(3, "POST", "/v1/responses", report) == "#3 POST /v1/responses 200: ok, 12 events"
    report.findings = [Finding("CNT001", Severity.ERROR, "m"), Finding("SEQ004", Severity.WARNING, "m"),
                       Finding("CNT001", Severity.ERROR, "m")]
    report.error = "the client closed the connection"
    assert verdict_line(3, "POST", "/x\x1b", report) == (
        "#3 POST /x\\x1b 200: 2 errors, 1 warning (CNT001, SEQ004), 12 events; the client closed the connection"
    )


# --- settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("upstream", ["ftp://x", "http://", "https://x/v1?key=1", "x/v1"])
def test_an_upstream_must_be_an_http_url_without_query(upstream: str) -> None:
    with pytest.raises(ValueError, match="upstream"):
        ProxySettings(upstream=upstream)


def test_limits_and_timeouts_are_checked() -> None:
    with pytest.raises(ValueError, match="stream bytes must be at least 1"):
        Limits(stream_bytes=0)
    with pytest.raises(ValueError, match="the idle timeout must be positive"):
        Timeouts(idle=0)
    with pytest.raises(ValueError, match="unknown capture format 'zip'"):
        Capture(Path("x"), "zip")
    assert ProxySettings(upstream="http://h/v1/").upstream_base == "http://h/v1"


# --- captures -----------------------------------------------------------------------------------------


def exchange(index: int, body: bytes, *, status: int = 200, mime: str = "text/event-stream") -> Exchange:
    request = Kept(1000)
    request.add(b'{"stream": true, "input": "secret-value-1234"}')
    found = Exchange(index, "POST", "http://up/v1/responses?api-key=qs-secret-99", [
        ("authorization", "Bearer token-abcdef-0001"), ("content-type", "application/json")], request)
    found.answered(status, [("Content-Type", mime), ("Set-Cookie", "id=cookie-secret-77")], "HTTP/1.1")
    found.response_body = Kept(len(body) + 1)
    found.response_body.add(body)
    found.response_raw_bytes = len(body)
    found.end()
    return found


def test_the_har_capture_reads_back_as_the_streams_the_proxy_named(tmp_path: Path) -> None:
    body = (Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "openai" / "text.sse").read_bytes()
    redactor = SecretRedactor(["secret-value-1234"])
    writer = HarWriter(tmp_path / "c.har", redactor)
    first, second = exchange(0, b"not a stream", mime="application/json"), exchange(1, body)
    redactor.add_header_pairs(first.request_headers)
    writer.add(second)  # finished first, listed second
    writer.add(first)
    redactor.add("cookie-secret-77")  # learned after the entries were spooled: masked all the same
    assert writer.close() == [str(tmp_path / "c.har")]
    text = (tmp_path / "c.har").read_text()
    for secret in ("secret-value-1234", "token-abcdef-0001", "qs-secret-99", "cookie-secret-77"):
        assert secret not in text
    (stream,) = streams_from_path(tmp_path / "c.har")
    assert stream.name == writer.source_for(second)
    assert json.loads(text)["log"]["entries"][0]["response"]["content"]["mimeType"] == "application/json"
    assert not list(tmp_path.glob(".c.har*"))  # no spool or temporary file is left


def test_a_body_that_is_not_text_is_stored_base64_and_masked(tmp_path: Path) -> None:
    redactor = SecretRedactor(["bin-secret-5555"])
    writer = HarWriter(tmp_path / "c.har", redactor)
    writer.add(exchange(0, b"\xff\xfe bin-secret-5555 \x00", mime="application/octet-stream"))
    writer.close()
    content = json.loads((tmp_path / "c.har").read_text())["log"]["entries"][0]["response"]["content"]
    assert content["encoding"] == "base64"
    assert base64.b64decode(content["text"]) == b"\xff\xfe [REDACTED] \x00"


def test_the_sse_capture_writes_only_checked_streams(tmp_path: Path) -> None:
    writer = SseWriter(tmp_path / "d", SecretRedactor(["secret-in-body-1"]), clock=lambda: 0.0)
    checked, other = exchange(4, b"data: secret-in-body-1\n\n"), exchange(5, b"{}")
    checked.meta["checked_as_stream"] = True
    writer.add(checked)
    writer.add(other)
    (path,) = writer.close()
    assert path == str(tmp_path / "d" / "19700101T000000Z-0004.sse") == writer.source_for(checked)
    assert Path(path).read_bytes() == b"data: [REDACTED]\n\n"
