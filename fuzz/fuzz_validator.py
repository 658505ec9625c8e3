"""Coverage-guided fuzzing of every input path with atheris (libFuzzer).

    python fuzz/fuzz_validator.py -runs=100000 -max_len=65536 SEED_DIR...

Each input is split by its first byte into a target: the SSE decoder fed in
chunks, each source format, the whole Checker in both profiles, the CLI, and
the structure-aware target, which reads the input as a recipe for what bytes
alone rarely reach: nesting thousands deep inside a field that findings quote,
floods of findings, hostile strings in types, ``event:`` lines and file names,
gzip (``conformance_tests.hostile.hostile_stream``), rendered in every output
format, each of which must stay free of control characters and workflow
commands and well-formed. Any exception other than the InputError the inputs
may rightly raise is a crash, and libFuzzer saves the input that caused it.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # conformance_tests.hostile

with atheris.instrument_imports(include=["validator"]):
    from click.testing import CliRunner

    import validator
    from validator.cli import main as cli_main
    from validator.errors import InputError
    from validator.sources import FORMATS, streams_from_bytes
    from validator.sse import SSEDecoder

from conformance_tests.hostile import HOSTILE_STRINGS, check_output, hostile_stream

PROFILES = ("openai", "openresponses")
OUTPUTS = ("text", "json", "sarif", "junit", "github", "markdown")


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


def structured(raw: bytes) -> None:
    """The input as a recipe for a hostile stream and file name, checked in one output format."""
    provider = atheris.FuzzedDataProvider(raw)
    kind = provider.ConsumeIntInRange(0, 3)
    size = provider.ConsumeIntInRange(0, 3000)
    fmt = OUTPUTS[provider.ConsumeIntInRange(0, len(OUTPUTS) - 1)]
    gz = provider.ConsumeBool()
    if provider.ConsumeBool():
        text = HOSTILE_STRINGS[provider.ConsumeIntInRange(0, len(HOSTILE_STRINGS) - 1)]
    else:
        text = provider.ConsumeUnicodeNoSurrogates(40)
    data, name = hostile_stream(kind, size, text, gz)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        try:
            path.write_bytes(data)
        except OSError:
            return  # a name this file system refuses (too long in bytes): not the validator's input
        result = CliRunner().invoke(cli_main, ["validate", "-vv", "--max-per-rule", "0", "-o", fmt, str(path)])
    if result.exit_code not in (0, 1, 2) or not isinstance(result.exception, (SystemExit, type(None))):
        raise AssertionError(f"CLI exit {result.exit_code}: {result.exception!r}\n{result.output}")
    check_output(fmt, result.stdout)
    check_output("stderr", result.stderr)


def one_input(raw: bytes) -> None:
    if len(raw) < 2:
        return
    selector, knob, data = raw[0], raw[1], raw[2:]
    target = selector % 5
    if target == 4:
        structured(raw[1:])
    elif target == 0:
        decode_in_chunks(data, 1 + knob % 64)
    elif target == 1:
        read_source(data, FORMATS[knob % len(FORMATS)])
    elif target == 2:
        check(data, PROFILES[knob % 2])
    elif target == 3:
        run_cli(data, PROFILES[knob % 2])


def main() -> None:
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, write_through=True)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
