"""The SSE decoder against the WHATWG "Interpreting an event stream" rules."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from validator.sse import Frame, SSEDecoder


def decode(data: bytes) -> list[Frame]:
    decoder = SSEDecoder()
    return decoder.feed(data) + decoder.close()


def summary(frames: list[Frame]) -> list[tuple[bytes, str | None, bool]]:
    return [(f.data, f.event, f.terminated) for f in frames]


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
def test_each_line_ending_ends_lines_and_events(eol: bytes) -> None:
    stream = b"event: a" + eol + b"data: 1" + eol + eol + b"data: 2" + eol + eol
    assert summary(decode(stream)) == [(b"1", "a", True), (b"2", None, True)]


def test_mixed_line_endings_in_one_stream() -> None:
    stream = b"data: 1\r\n\rdata: 2\n\r\ndata: 3\r\r"
    assert [f.data for f in decode(stream)] == [b"1", b"2", b"3"]


def test_crlf_split_across_chunks_is_one_line_ending() -> None:
    decoder = SSEDecoder()
    frames = decoder.feed(b"data: 1\r")
    frames += decoder.feed(b"\n\r")
    frames += decoder.feed(b"\ndata: 2\r\n\r\n")
    frames += decoder.close()
    assert [f.data for f in frames] == [b"1", b"2"]
    assert [f.line for f in frames] == [1, 3]


def test_leading_bom_is_dropped_once() -> None:
    frames = decode(b"\xef\xbb\xbfdata: x\n\n\xef\xbb\xbfdata: y\n\n")
    # Only the first BOM is special; the second is part of a field name, so that line is ignored.
    assert [f.data for f in frames] == [b"x"]


def test_bom_split_across_chunks() -> None:
    decoder = SSEDecoder()
    frames = decoder.feed(b"\xef") + decoder.feed(b"\xbb") + decoder.feed(b"\xbfdata: x\n\n")
    assert [f.data for f in frames + decoder.close()] == [b"x"]


def test_comments_are_ignored_and_do_not_dispatch() -> None:
    frames = decode(b": keep-alive\n\n:another\ndata: 1\n: inside\n\n")
    assert [f.data for f in frames] == [b"1"]


def test_multiple_data_lines_join_with_newline() -> None:
    frames = decode(b"data: {\ndata: \"a\": 1\ndata: }\n\n")
    assert frames[0].data == b'{\n"a": 1\n}'


def test_only_one_space_after_colon_is_stripped() -> None:
    frames = decode(b"data:  two spaces\n\ndata:none\n\n")
    assert [f.data for f in frames] == [b" two spaces", b"none"]


def test_field_without_colon_has_empty_value() -> None:
    frames = decode(b"data\ndata\n\n")
    assert frames[0].data == b"\n"


def test_empty_data_field_is_dispatched_as_empty_string() -> None:
    assert [f.data for f in decode(b"data:\n\n")] == [b""]


def test_event_without_data_is_not_dispatched() -> None:
    assert decode(b"event: ping\n\ndata: 1\n\n")[0].event is None


def test_event_type_resets_after_dispatch() -> None:
    frames = decode(b"event: a\ndata: 1\n\ndata: 2\n\n")
    assert [f.event for f in frames] == ["a", None]


def test_id_and_retry_fields() -> None:
    frames = decode(b"id: 7\nretry: 1500\ndata: x\n\nid: bad\x00id\nretry: 10s\ndata: y\n\n")
    assert (frames[0].id, frames[0].retry) == ("7", 1500)
    assert (frames[1].id, frames[1].retry) == (None, None)


def test_unknown_fields_are_ignored() -> None:
    assert [f.data for f in decode(b"foo: bar\ndata: 1\nDATA: 2\n\n")] == [b"1"]


def test_unterminated_final_event_is_returned_and_flagged() -> None:
    frames = decode(b"data: 1\n\ndata: 2\n")
    assert summary(frames) == [(b"1", None, True), (b"2", None, False)]


def test_final_line_without_line_ending_is_still_reported() -> None:
    frames = decode(b"data: 1\n\ndata: {\"partial\"")
    assert summary(frames) == [(b"1", None, True), (b'{"partial"', None, False)]


def test_trailing_field_without_data_is_not_an_event() -> None:
    assert len(decode(b"data: 1\n\nevent: x\n")) == 1


def test_line_numbers_and_offsets() -> None:
    stream = b": hi\n\nevent: a\ndata: 1\n\n\n\ndata: 2\r\n\r\n"
    frames = decode(stream)
    assert [(f.line, f.data_line) for f in frames] == [(3, 4), (8, 8)]
    assert [f.offset for f in frames] == [stream.index(b"event"), stream.index(b"data: 2")]


def test_offsets_count_the_bom() -> None:
    frames = decode(b"\xef\xbb\xbfdata: 1\n\ndata: 2\n\n")
    assert [f.offset for f in frames] == [3, 12]


SAMPLE = (
    b"\xef\xbb\xbf: comment\r\n"
    b"event: response.created\r\n"
    b'data: {"type":"response.created",\r\n'
    b'data: "sequence_number":0}\r\n'
    b"\r\n"
    b"event: response.output_text.delta\n"
    b'data: {"type":"response.output_text.delta","delta":"h\xc3\xa9"}\n'
    b"\n"
    b"id: 3\r"
    b"data: [DONE]\r"
    b"\r"
    b'data: {"tail":true}'
)


def frames_in_chunks(data: bytes, sizes: list[int]) -> list[Frame]:
    decoder = SSEDecoder()
    frames: list[Frame] = []
    pos = 0
    for size in sizes:
        frames += decoder.feed(data[pos : pos + size])
        pos += size
    frames += decoder.feed(data[pos:])
    return frames + decoder.close()


@pytest.mark.parametrize("cut", range(len(SAMPLE) + 1))
def test_every_single_split_point_gives_the_same_frames(cut: int) -> None:
    assert frames_in_chunks(SAMPLE, [cut]) == decode(SAMPLE)


def test_byte_at_a_time_gives_the_same_frames() -> None:
    whole = decode(SAMPLE)
    assert len(whole) == 4
    assert frames_in_chunks(SAMPLE, [1] * len(SAMPLE)) == whole


@given(st.lists(st.integers(min_value=0, max_value=len(SAMPLE)), max_size=12))
def test_any_chunking_gives_the_same_frames(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    sizes = [b - a for a, b in zip([0, *points], points, strict=False)]
    assert frames_in_chunks(SAMPLE, sizes) == decode(SAMPLE)


@given(st.binary(max_size=300), st.integers(min_value=1, max_value=17))
def test_arbitrary_bytes_never_raise_and_chunking_never_matters(data: bytes, size: int) -> None:
    whole = decode(data)
    sizes = [size] * (len(data) // size)
    assert frames_in_chunks(data, sizes) == whole


def reference_decode(data: bytes) -> list[tuple[bytes, str | None, str | None, int, int, bool]]:
    """The WHATWG steps, written as plainly as possible, as an oracle for the fast decoder."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines: list[bytes] = []
    pos = 0
    while True:
        ends = [i for i in (data.find(b"\r", pos), data.find(b"\n", pos)) if i >= 0]
        if not ends:
            break
        end = min(ends)
        lines.append(data[pos:end])
        pos = end + (2 if data[end : end + 2] == b"\r\n" else 1)
    if pos < len(data):
        lines.append(data[pos:])
        complete = False
    else:
        complete = True
    frames = []
    buffer: list[bytes] = []
    event: bytes | None = None
    ident: bytes | None = None
    first_line = data_line = 0
    for number, line in enumerate(lines, start=1):
        if line == b"":
            if buffer:
                frames.append((b"\n".join(buffer), event, ident, first_line, data_line, True))
            buffer, event, ident, first_line = [], None, None, 0
            continue
        first_line = first_line or number
        if line.startswith(b":"):
            continue
        name, _, value = line.partition(b":")
        value = value[1:] if value.startswith(b" ") else value
        if name == b"data":
            data_line = number if not buffer else data_line
            buffer.append(value)
        elif name == b"event":
            event = value
        elif name == b"id" and b"\x00" not in value:
            ident = value
    if buffer:
        frames.append((b"\n".join(buffer), event, ident, first_line, data_line, False))
    del complete
    return [
        (d, None if e is None else e.decode("utf-8", "replace"), None if i is None else i.decode("utf-8", "replace"),
         f, dl, t)
        for d, e, i, f, dl, t in frames
    ]


FRAGMENTS = st.sampled_from([
    b"data: ", b"data:", b"data", b"event: ", b"event:", b"id: ", b"retry: 5", b": c", b"x", b"{}", b" ",
    b"\n", b"\n", b"\n", b"\n\n", b"\r", b"\r\n", b"\xef\xbb\xbf", b"response.created", b"\xc3\xa9", b"\x00",
])


def observable(frames: list[Frame]) -> list[tuple[bytes, str | None, str | None, int, int, bool]]:
    return [(f.data, f.event, f.id, f.line, f.data_line, f.terminated) for f in frames]


@example(parts=[b"\n", b"\n", b"\n", b"data: "], size=1)
@given(st.lists(FRAGMENTS, max_size=60), st.integers(min_value=1, max_value=9))
def test_fast_paths_agree_with_the_plain_reading_of_the_rules(parts: list[bytes], size: int) -> None:
    data = b"".join(parts)
    expected = reference_decode(data)
    assert observable(decode(data)) == expected
    assert observable(frames_in_chunks(data, [size] * (len(data) // size))) == expected


def test_long_multi_line_frame_is_linear_and_exact() -> None:
    data = b"event: big\n" + b"data: 0123456789abcdef\n" * 20_000 + b"\n"
    frames = frames_in_chunks(data, [4096] * (len(data) // 4096))
    assert [(f.event, f.data.count(b"\n"), f.line) for f in frames] == [("big", 19_999, 1)]
