"""What the sdist and the wheel hold: an unpacked sdist runs its own tests; the image's files build the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def build(kind: str, source: Path, out: Path) -> Path:
    """``hatchling build`` (the build backend, from the test extra) without a network."""
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", kind, "-d", str(out)],
        cwd=source, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    (artifact,) = out.iterdir()
    return artifact


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    archive = build("sdist", ROOT, out / "dist")
    with tarfile.open(archive) as tar:
        tar.extractall(out / "unpacked", filter="data")
    (root,) = (out / "unpacked").iterdir()
    return root


def test_the_sdist_holds_what_the_tests_read(sdist: Path) -> None:
    for name in ("docs", "benchmarks", "fuzz", "conformance_tests", "fixtures", "schemas", "tools", "validator"):
        assert (sdist / name).is_dir(), name
    for name in ("README.md", "CHANGELOG.md", "ARCHITECTURE.md", "LICENSE", "pyproject.toml", "action.yml",
                 "Dockerfile", ".dockerignore", ".pre-commit-hooks.yaml"):
        assert (sdist / name).is_file(), name
    assert not (sdist / ".venv").exists() and not (sdist / ".cache").exists()
    assert "Apache License" in (sdist / "LICENSE").read_text()


def test_the_sdist_runs_its_own_tests(sdist: Path) -> None:
    """Every test module imports from the unpacked tree, and a few quick ones pass there."""
    env = {**os.environ, "PYTHONPATH": str(sdist)}
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    collected = subprocess.run(
        [*run, "--collect-only"], cwd=sdist, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-2000:]
    assert " tests collected" in collected.stdout or "tests collected" in collected.stdout
    quick = ["conformance_tests/test_layers.py", "conformance_tests/test_release.py",
             "conformance_tests/test_container.py", "conformance_tests/test_cli_validate.py"]
    passed = subprocess.run([*run, *quick], cwd=sdist, env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    assert passed.returncode == 0, passed.stdout[-3000:]
    # The tests ran the sdist's code, not this checkout's.
    probe = subprocess.run([sys.executable, "-c", "import validator; print(validator.__file__)"], cwd=sdist,
                           env=env, capture_output=True, text=True, timeout=120, check=True)
    assert probe.stdout.strip() == str(sdist / "validator" / "__init__.py")


def test_the_files_the_image_copies_build_the_wheel(tmp_path: Path) -> None:
    context = tmp_path / "context"
    context.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, context / name)
    for name in ("validator", "schemas"):
        shutil.copytree(ROOT / name, context / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheel = build("wheel", context, tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "validator/_schemas/report/report-v1.schema.json" in names
    assert "validator/__main__.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: Apache-2.0" in metadata and "Requires-Python: >=3.11" in metadata
    assert "Project-URL" not in metadata  # no public home yet: no made-up URLs
