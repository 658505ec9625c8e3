"""One version: the package, the changelog, the docs' pins, the container label and the action agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from validator import __version__

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# How a document pins a release: `uses: .../responses-conformance@v1.2.3`, `rev: v1.2.3`, `ref: v1.2.3`,
# `git checkout v1.2.3`, `responses-conformance==1.2.3`.
PIN = re.compile(
    r"(?:responses-conformance@|rev:\s*|ref:\s*|checkout\s+|--branch\s+)v(\d+\.\d+\.\d+\S*)"
    r"|responses-conformance==(\d+\.\d+\.\d+\S*)"
)


def test_the_version_is_semantic() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?", __version__)


def test_the_package_reads_its_version_from_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "validator/__init__.py"


def changelog_version() -> str:
    """The release the changelog is preparing (under Unreleased), or else its newest release heading."""
    text = (ROOT / "CHANGELOG.md").read_text()
    unreleased = re.search(r"^## Unreleased\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if unreleased:
        coming = re.search(r"to be released as \*\*(\d+\.\d+\.\d+\S*?)\*\*", unreleased.group(1))
        if coming:
            return coming.group(1)
    newest = re.search(r"^## \[?(\d+\.\d+\.\d+[^\]\s]*)\]?", text, re.M)
    assert newest, "CHANGELOG.md names no version"
    return newest.group(1)


def test_the_changelog_names_the_package_version() -> None:
    assert changelog_version() == __version__


def test_the_docs_pin_this_version() -> None:
    pins = [(doc.name, match.group(1) or match.group(2)) for doc in DOCS for match in PIN.finditer(doc.read_text())]
    assert pins, "the docs pin no release"
    assert {version for _, version in pins} == {__version__}, pins


def test_the_container_label_agrees() -> None:
    label = re.search(r'org\.opencontainers\.image\.version="([^"]+)"', (ROOT / "Dockerfile").read_text())
    assert label and label.group(1) == __version__
