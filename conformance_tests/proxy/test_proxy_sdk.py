"""openai-python through the proxy, the proxy in front of the reference server, clean and with faults.

For each fault: the client's result through the proxy equals its result
directly (the final response, or the same exception); the bytes the client
received are the same (the upstream stamps ``created_at`` with the clock, so
two requests differ there and only there); the body the client got through
the proxy is byte for byte what the proxy captured from the upstream; and the
proxy's findings equal what ``validate`` finds in the capture it wrote.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.proxy import Capture
from validator.proxy.forwarding import HOP_BY_HOP

from .conftest import Wire, running_proxy

# Faults of the reference server that reach the client in a way it can see (HTTP ones and stream ones).
FAULTS = [
    "",
    "sequence-gap",
    "no-sequence-numbers",
    "delta-before-part",
    "missing-done-events",
    "events-after-terminal",
    "changed-ids",
    "data-only",
    "event-mismatch",
    "invalid-json",
    "empty-final-output",
    "done-marker",
    "cut-mid-event",
    "drop-connection",
    "error-stream",
    "wrong-content-type",
    "http-500",
    "sse-error-500",
    "empty-body",
    "html",
]
CLOCK = re.compile(rb'"(created_at|completed_at)":\d+')


def sdk(base_url: str) -> tuple[openai.OpenAI, Wire]:
    wire = Wire()
    client = openai.OpenAI(
        base_url=base_url, api_key="sk-test-client-key", max_retries=0, http_client=httpx.Client(transport=wire)
    )
    return client, wire


def run_client(base_url: str, model: str) -> tuple[Any, Wire]:
    """What ``responses.stream()`` makes of one response: its events and final response, or the exception.

    The accumulating stream gives up where the stream breaks it (and closes the connection there).
    """
    client, wire = sdk(base_url)
    events: list[dict[str, Any]] = []
    try:
        with client.responses.stream(model=model, input="Say hello") as stream:
            events.extend(event.model_dump(mode="json", warnings=False) for event in stream)
            final = stream.get_final_response().model_dump(mode="json", warnings=False)
        result: Any = ("ok", _unclock(events), _unclock(final))
    except Exception as exc:  # the result is the exception: the same kind must come through the proxy
        result = ("raised", type(exc).__name__, _unclock(events))
    finally:
        client.close()
    return result, wire


def read_body(base_url: str, model: str) -> tuple[Any, Wire]:
    """The whole body as openai-python reads it (``with_streaming_response``), to its end, or the exception."""
    client, wire = sdk(base_url)
    try:
        with client.responses.with_streaming_response.create(model=model, input="Say hello", stream=True) as response:
            result: Any = ("ok", response.status_code, CLOCK.sub(b"", b"".join(response.iter_bytes())))
    except Exception as exc:  # as above
        result = ("raised", type(exc).__name__)
    finally:
        client.close()
    return result, wire


def _unclock(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (0 if k in ("created_at", "completed_at") and isinstance(v, (int, float)) else _unclock(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_unclock(v) for v in value]
    return value


def end_to_end(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers as a client may compare them: no hop-by-hop ones, no Date (a clock reading)."""
    return [(k, v) for k, v in headers if k not in HOP_BY_HOP and k != "date"]


def validate_json(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["validate", str(path), "-o", "json", "--no-progress"])
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        return {"streams": []}
    report: dict[str, Any] = json.loads(result.output)
    return report


def without_http(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if not f["code"].startswith("HTT")]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f or "clean")
def test_the_client_gets_what_it_gets_directly(reference: str, tmp_path: Path, fault: str) -> None:
    model = f"gpt-test+fault={fault}" if fault else "gpt-test"
    direct, direct_wire = run_client(reference + "/v1", model)
    har = tmp_path / "capture.har"
    with running_proxy(reference + "/v1", Capture(har)) as running:
        proxied, proxied_wire = run_client(running.url, model)
    assert proxied == direct
    (got,) = proxied_wire.received
    (want,) = direct_wire.received
    assert got.status == want.status
    assert end_to_end(got.headers) == end_to_end(want.headers)
    # What the client read through the proxy is what the proxy read from the upstream, up to where
    # the client stopped reading (the accumulating stream gives up at a defect it cannot get past).
    (entry,) = json.loads(har.read_text())["log"]["entries"]
    assert entry["response"]["content"]["text"].encode().startswith(bytes(got.body))
    if direct[0] == "ok":
        assert CLOCK.sub(b"", bytes(got.body)) == CLOCK.sub(b"", bytes(want.body))
    assert running.report is not None
    (stream,) = running.report.streams
    # The client may leave before the proxy has read the rest (then the stream says so) or after.
    assert stream.error is None or "the client closed the connection" in stream.error


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f or "clean")
def test_the_bytes_are_the_direct_bytes_and_the_findings_match_the_capture(
    reference: str, tmp_path: Path, fault: str
) -> None:
    model = f"gpt-test+fault={fault}" if fault else "gpt-test"
    direct, direct_wire = read_body(reference + "/v1", model)
    har = tmp_path / "capture.har"
    with running_proxy(reference + "/v1", Capture(har)) as running:
        proxied, proxied_wire = read_body(running.url, model)
    assert proxied == direct

    # The same status, headers and body bytes on the wire.
    (got,) = proxied_wire.received
    (want,) = direct_wire.received
    assert got.status == want.status
    assert end_to_end(got.headers) == end_to_end(want.headers)
    assert CLOCK.sub(b"", bytes(got.body)) == CLOCK.sub(b"", bytes(want.body))

    # Through the proxy, the client got exactly what the proxy captured from the upstream.
    (entry,) = json.loads(har.read_text())["log"]["entries"]
    assert entry["response"]["content"]["text"].encode() == bytes(got.body)
    assert entry["response"]["status"] == got.status

    # The proxy's findings are validate's findings on the capture (plus the HTTP ones, which a
    # capture cannot show); every stream the capture holds is one the proxy reported.
    assert running.report is not None
    (stream,) = running.report.to_dict()["streams"]
    validated = {s["name"]: s for s in validate_json(har)["streams"]}
    content = entry["response"]["content"]
    if content["mimeType"].startswith("text/event-stream") and content["text"]:
        assert set(validated) == {stream["name"]}
        assert without_http(stream["findings"]) == validated[stream["name"]]["findings"]
        assert stream["events"] == validated[stream["name"]]["events"]
    else:  # validate reads no stream where the body is not an event stream, or is empty
        assert validated == {}
        assert {f["code"][:3] for f in stream["findings"]} == {"HTT"}


def test_a_clean_stream_is_reported_ok_with_its_events(reference: str, tmp_path: Path) -> None:
    with running_proxy(reference + "/v1", Capture(tmp_path / "c.har")) as running:
        result, _ = run_client(running.url, "gpt-test")
    assert result[0] == "ok"
    ((index, method, path, report),) = running.verdicts
    assert (index, method, path) == (0, "POST", "/responses")
    assert report.ok() and report.findings == [] and report.events == len(result[1])


@pytest.mark.parametrize(
    ("fault", "codes"),
    [
        ("delta-before-part", {"CNT001"}),
        ("drop-connection", {"HTT003", "SSE009", "LIF007"}),
        ("wrong-content-type", {"HTT002"}),
        ("http-500", {"HTT001"}),
        ("sse-error-500", {"HTT001", "HTT015"}),
        ("empty-body", {"HTT016"}),
    ],
)
def test_faults_are_reported_with_their_rules(reference: str, fault: str, codes: set[str]) -> None:
    with running_proxy(reference + "/v1") as running:
        run_client(running.url, f"gpt-test+fault={fault}")
    assert running.report is not None
    (stream,) = running.report.streams
    assert codes <= stream.codes, stream.codes
    assert not stream.ok()


def test_the_sse_capture_holds_what_the_client_got_and_validates_the_same(reference: str, tmp_path: Path) -> None:
    directory = tmp_path / "streams"
    with running_proxy(reference + "/v1", Capture(directory, "sse")) as running:
        _, wire = run_client(running.url, "gpt-test+fault=sequence-gap")
    (written,) = running.written
    assert Path(written).parent == directory and written.endswith("-0000.sse")
    assert Path(written).read_bytes() == bytes(wire.received[0].body)
    assert running.report is not None
    (stream,) = running.report.to_dict()["streams"]
    assert stream["name"] == written
    (validated,) = validate_json(directory)["streams"]
    assert validated["findings"] == without_http(stream["findings"]) and validated["findings"]
