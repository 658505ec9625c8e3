"""Coverage-guided fuzzing of every input path with atheris (libFuzzer).

    python fuzz/fuzz_validator.py -runs=100000 -max_len=65536 SEED_DIR...

Each input is split by its first byte into a target: the SSE decoder fed in
chunks, each source format, the whole Checker in both profiles, and the CLI.
Any exception other than the InputError the inputs may rightly raise is a
crash, and libFuzzer saves the input that caused it.
"""

from __future__ import annotations

import contextlib
import io
import sys

import atheris

with atheris.instrument_imports(include=["validator"]):
    from click.testing import CliRunner

    import validator
    from validator.cli import main as cli_main
    from validator.errors import InputError
    from validator.sources import FORMATS, streams_from_bytes
    from validator.sse import SSEDecoder

PROFILES = ("openai", "openresponses")


def decode_in_chunks(data: bytes, size: int) -> None:
    decoder = SSEDecoder()
    frames = []
    for start in range(0, len(data), size):
        frames += decoder.feed(data[start : start + size])
    frames += decoder.close()
    whole = SSEDecoder()
    if frames != whole.feed(data) + whole.close():
        raise AssertionError("chunking changed the frames")


def read_source(data: bytes, fmt: str) -> None:
    try:
        for stream in streams_from_bytes(data, "fuzz", fmt):
            for _ in stream.events:
                pass
            for _ in stream.frames or ():  # a WebSocket session's records
                pass
    except InputError:
        pass


def check(data: bytes, profile: str) -> None:
    with contextlib.suppress(InputError):
        validator.check(data, profile)


def run_cli(data: bytes, profile: str) -> None:
    result = CliRunner().invoke(cli_main, ["validate", "--profile", profile, "-"], input=data)
    if result.exit_code not in (0, 1, 2) or not isinstance(result.exception, (SystemExit, type(None))):
        raise AssertionError(f"CLI exit {result.exit_code}: {result.exception!r}\n{result.output}")


def one_input(raw: bytes) -> None:
    if len(raw) < 2:
        return
    selector, knob, data = raw[0], raw[1], raw[2:]
    target = selector % 4
    if target == 0:
        decode_in_chunks(data, 1 + knob % 64)
    elif target == 1:
        read_source(data, FORMATS[knob % len(FORMATS)])
    elif target == 2:
        check(data, PROFILES[knob % 2])
    else:
        run_cli(data, PROFILES[knob % 2])


def main() -> None:
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, write_through=True)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
