"""The container image definition (Dockerfile): what it copies, and, where a docker engine runs, the image itself."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
IMAGE = "responses-conformance:test"


def instructions(name: str) -> list[str]:
    """The arguments of every ``NAME`` instruction, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", text, re.M)]


def test_a_slim_python_that_the_package_supports() -> None:
    (base,) = instructions("FROM")
    match = re.fullmatch(r"python:3\.(\d+)-slim", base)
    assert match, base
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert int(match.group(1)) >= int(re.search(r"3\.(\d+)", required).group(1))  # type: ignore[union-attr]


def test_it_copies_only_what_the_wheel_needs_and_all_of_it() -> None:
    copied = []
    for args in instructions("COPY"):
        *sources, _ = args.split()
        copied += sources
    assert sorted(copied) == ["LICENSE", "README.md", "pyproject.toml", "schemas", "validator"]
    for source in copied:
        assert (ROOT / source).exists(), source
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")}
    assert allowed == set(copied)  # the build context holds nothing else (no .venv, no .cache)
    assert instructions("ENTRYPOINT") == ['["responses-conformance"]']


def docker_engine() -> str | None:
    """Why the image cannot be built here, or None when a docker engine answers."""
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    result = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["docker info failed"])[-1]
        return f"no docker engine answers (`docker info`: {reason})"
    return None


@pytest.fixture(scope="module")
def image() -> str:
    reason = docker_engine()
    if reason is not None:
        pytest.skip(reason)
    subprocess.run(["docker", "build", "-t", IMAGE, str(ROOT)], check=True, timeout=1800, capture_output=True)
    return IMAGE


def test_the_image_validates_mounted_captures(image: str) -> None:
    fixtures = ROOT / "fixtures"
    run = ["docker", "run", "--rm", "-v", f"{fixtures}:/work:ro", image]
    good = subprocess.run([*run, "validate", "valid/openai"], capture_output=True, text=True, timeout=300, check=False)
    assert good.returncode == 0, good.stderr
    bad = subprocess.run([*run, "validate", "invalid/CNT/delta-before-part-added.sse"], capture_output=True,
                         text=True, timeout=300, check=False)
    assert bad.returncode == 1 and "invalid/CNT/delta-before-part-added.sse:11:1: CNT001" in bad.stdout
    version = subprocess.run(["docker", "run", "--rm", image, "--version"], capture_output=True, text=True,
                             timeout=300, check=False)
    from validator import __version__

    assert version.stdout.strip() == f"responses-conformance, version {__version__}"
