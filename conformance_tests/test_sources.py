"""Reading streams from SSE, JSONL, JSON, HAR, gzip, stdin and directories."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from validator.errors import InputError
from validator.sources import sniff_format, streams_from_bytes, streams_from_path

CREATED = {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1"}}
DELTA = {"type": "response.output_text.delta", "sequence_number": 1, "delta": "hi"}
SSE = (
    b"event: response.created\n"
    + b"data: " + json.dumps(CREATED).encode() + b"\n\n"
    + b"event: response.output_text.delta\n"
    + b"data: " + json.dumps(DELTA).encode() + b"\n\n"
)


def payloads(data: bytes, fmt: str = "auto") -> list[list[object]]:
    return [[e.payload for e in s.events] for s in streams_from_bytes(data, fmt=fmt)]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"event: x\ndata: {}\n\n", "sse"),
        (b"data: {}\n\n", "sse"),
        (b": comment\n", "sse"),
        (b'{"type":"a"}\n{"type":"b"}\n', "jsonl"),
        (b'[{"type":"a"}]', "json"),
        (b'  {\n  "log": {"entries": []}}', "har"),
        (b"\xef\xbb\xbf[]", "json"),
    ],
)
def test_sniffing(head: bytes, expected: str) -> None:
    assert sniff_format(head) == expected


def test_binary_garbage_is_an_input_error() -> None:
    with pytest.raises(InputError, match="binary"):
        sniff_format(b"\x00\x01\x02\xff\xfe" * 10, "garbage.bin")


def test_sse_jsonl_and_json_give_the_same_payloads() -> None:
    jsonl = (json.dumps(CREATED) + "\n\n" + json.dumps(DELTA) + "\n").encode()
    array = json.dumps([CREATED, DELTA]).encode()
    assert payloads(SSE) == payloads(jsonl) == payloads(array) == [[CREATED, DELTA]]


def test_jsonl_keeps_line_numbers_and_reports_bad_lines() -> None:
    (stream,) = streams_from_bytes(b'{"type":"a"}\n\n{not json}\n{"type":"b"}')
    events = list(stream.events)
    assert [e.line for e in events] == [1, 3, 4]
    assert events[1].error is not None and events[1].payload is None


def test_json_array_of_arrays_is_several_streams() -> None:
    data = json.dumps([[CREATED], [CREATED, DELTA]]).encode()
    assert [len(p) for p in payloads(data)] == [1, 2]


def test_json_object_that_is_not_har_is_an_error() -> None:
    with pytest.raises(InputError):
        streams_from_bytes(b'{"log": 1}', fmt="har")


def har(entries: list[dict[str, object]]) -> bytes:
    return json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()


def har_entry(body: str, mime: str = "text/event-stream", encoding: str | None = None) -> dict[str, object]:
    content: dict[str, object] = {"mimeType": mime, "text": body}
    if encoding:
        content["encoding"] = encoding
    return {
        "request": {"method": "POST", "url": "http://127.0.0.1:9/v1/responses", "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": mime}],
            "content": content,
        },
    }


def test_har_takes_every_event_stream_response() -> None:
    text = SSE.decode()
    data = har([
        har_entry(text),
        har_entry('{"ok":true}', mime="application/json"),
        har_entry(base64.b64encode(SSE).decode(), encoding="base64"),
    ])
    streams = streams_from_bytes(data, "capture.har")
    assert [s.name for s in streams] == [
        "capture.har#entries[0] POST http://127.0.0.1:9/v1/responses",
        "capture.har#entries[2] POST http://127.0.0.1:9/v1/responses",
    ]
    assert all(s.http is not None and s.http.status == 200 for s in streams)
    assert [[e.payload for e in s.events] for s in streams] == [[CREATED, DELTA]] * 2


def test_gzip_is_undone_transparently(tmp_path: Path) -> None:
    path = tmp_path / "capture.sse.gz"
    path.write_bytes(gzip.compress(SSE))
    (stream,) = streams_from_path(path)
    assert [e.payload for e in stream.events] == [CREATED, DELTA]


def test_truncated_gzip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "capture.sse.gz"
    path.write_bytes(gzip.compress(SSE * 50)[:-20])
    with pytest.raises(InputError, match="cannot read"):
        for stream in streams_from_path(path):
            list(stream.events)


def test_directory_walk_is_sorted_and_filtered(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.sse").write_bytes(SSE)
    (tmp_path / "one.jsonl").write_text(json.dumps(CREATED) + "\n")
    (tmp_path / "notes.md").write_text("# not a stream")
    (tmp_path / "one.toml").write_text("codes = []")
    names = [Path(s.name).name for s in streams_from_path(tmp_path)]
    assert names == ["one.jsonl", "two.sse"]


def test_directory_symlink_loop_terminates(tmp_path: Path) -> None:
    (tmp_path / "a.sse").write_bytes(SSE)
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert len(list(streams_from_path(tmp_path))) == 1


def test_empty_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no stream files"):
        list(streams_from_path(tmp_path))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        list(streams_from_path(tmp_path / "absent.sse"))


def test_sse_event_keeps_location() -> None:
    (stream,) = streams_from_bytes(b"\n\nevent: x\ndata: {\"type\": \"x\"}\n\n")
    (event,) = list(stream.events)
    assert (event.line, event.offset, event.sse_event, event.index) == (4, 2, "x", 0)


def test_invalid_utf8_in_data_is_a_decoding_error_not_a_crash() -> None:
    (stream,) = streams_from_bytes(b'data: {"type": "a\xff"}\n\n')
    (event,) = list(stream.events)
    assert event.payload is None and event.error is not None and "UTF-8" in event.error


def test_done_sentinel_is_recognised() -> None:
    (stream,) = streams_from_bytes(b"data: [DONE]\n\n")
    (event,) = list(stream.events)
    assert event.done and event.error is None


def test_har_secrets_never_reach_names_or_headers() -> None:
    key = "sk-live-0123456789abcdef"
    entry = har_entry(SSE.decode())
    entry["request"] = {
        "method": "POST",
        "url": f"https://user:{key}@gateway.example/v1/responses?api-key={key}",
        "headers": [{"name": "Authorization", "value": f"Bearer {key}"}, {"name": "Cookie", "value": "s=abc123xyz"}],
    }
    entry["response"]["headers"].append({"name": "Set-Cookie", "value": "s=abc123xyz"})  # type: ignore[index]
    (stream,) = streams_from_bytes(har([entry]), "capture.har")
    assert stream.http is not None
    shown = stream.name + repr(stream.http)
    assert key not in shown
    assert "abc123xyz" not in shown
    assert "[REDACTED]" in stream.name
