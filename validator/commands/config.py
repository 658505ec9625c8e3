"""Settings from ``[tool.responses-conformance]`` in ``pyproject.toml``.

As with ruff, the nearest ``pyproject.toml`` upward from the working
directory that has the section is used (a ``pyproject.toml`` without it is
passed over); ``--config FILE`` names one (its ``[tool.responses-conformance]``
table, or else its top level), and ``--isolated`` ignores every file.

A key in the section applies to every command with that option; a key in a
sub-table (``[tool.responses-conformance.check]``, ``...validate]``,
``...proxy]``) only to that command, over the shared one. A command-line
option always wins over the file. Keys are the long option names
(``max-per-rule``, ``base-url``, ``upstream``), with ``capabilities`` and
``scenarios`` for the repeatable ``--capability`` and ``--scenario``. Paths
(``baseline``, ``capture-dir``, ``capture``) are relative to the file's
directory. An unknown key, or a value of the wrong kind, is a usage error
naming the file and the key. No secret is read from a file: the API key
(use ``api-key-env``) and the proxy's ``--redact`` values (``redact-env``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

SECTION = "responses-conformance"

# config key -> click parameter name
KEYS: dict[str, str] = {
    "profile": "profile",
    "select": "select",
    "ignore": "ignore",
    "strict": "strict",
    "baseline": "baseline",
    "max-per-rule": "max_per_rule",
    "format": "fmt",
    "include": "include",
    "exclude": "exclude",
    "jobs": "jobs",
    "base-url": "base_url",
    "model": "model",
    "capabilities": "capabilities",
    "scenarios": "scenarios",
    "api-key-env": "api_key_env",
    "api-key-header": "api_key_header",
    "connect-timeout": "connect_timeout",
    "first-byte-timeout": "first_byte_timeout",
    "idle-timeout": "idle_timeout",
    "total-timeout": "total_timeout",
    "max-bytes": "max_bytes",
    "max-event-bytes": "max_event_bytes",
    "capture-dir": "capture_dir",
    "transport": "transport",
    # the proxy's own (``redact`` is not one: secrets stay out of files; use redact-env)
    "upstream": "upstream",
    "listen": "listen",
    "capture": "capture",
    "capture-format": "capture_format",
    "redact-env": "redact_env",
    "drain-timeout": "drain_timeout",
}
PATH_KEYS = frozenset({"baseline", "capture-dir", "capture"})
COMMANDS = ("validate", "check", "proxy")


@dataclass(frozen=True, slots=True)
class Config:
    """One file's settings: the shared table and the per-command tables."""

    path: Path | None = None
    shared: Mapping[str, Any] = field(default_factory=dict)
    commands: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def for_command(self, command: str) -> dict[str, Any]:
        return {**self.shared, **self.commands.get(command, {})}

    def describe(self, key: str, command: str) -> str:
        table = f"{SECTION}.{command}" if key in self.commands.get(command, {}) else SECTION
        return f"{self.path}: [tool.{table}] {key}"


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has our section."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                # A file that does not name the section cannot hold it: not parsed (the TOML parser's
                # import is a sixth of a small run's start-up). A key spelled with escapes is not seen.
                if SECTION.encode() not in candidate.read_bytes():
                    continue
                data = _read(candidate)
            except OSError:
                continue
            except click.UsageError:
                continue  # someone else's broken file is not ours to judge unless it is named
            if SECTION in data.get("tool", {}):
                return candidate
    return None


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # here: only a run that finds a configuration file pays for the TOML parser

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise click.UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise click.UsageError(f"{path}: not valid TOML ({exc})") from None


def load(path: Path, *, explicit: bool = False) -> Config:
    data = _read(path)
    table = data.get("tool", {}).get(SECTION)
    if table is None:
        table = data if explicit and "tool" not in data else {}
    if not isinstance(table, dict):
        raise click.UsageError(f"{path}: [tool.{SECTION}] must be a table")
    base = path.parent
    shared: dict[str, Any] = {}
    commands: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        if key in COMMANDS and isinstance(value, dict):
            commands[key] = {k: _value(path, f"{SECTION}.{key}", k, v, base) for k, v in value.items()}
        else:
            shared[key] = _value(path, SECTION, key, value, base)
    return Config(path, shared, commands)


def _value(path: Path, table: str, key: str, value: Any, base: Path) -> Any:
    if key == "api-key":
        raise click.UsageError(f"{path}: [tool.{table}] api-key: keep keys out of files; use api-key-env")
    if key == "redact":
        raise click.UsageError(f"{path}: [tool.{table}] redact: keep secrets out of files; use redact-env")
    if key not in KEYS:
        known = ", ".join(sorted(KEYS))
        raise click.UsageError(f"{path}: [tool.{table}] {key}: unknown key (known: {known})")
    if key in PATH_KEYS:
        if not isinstance(value, str):
            raise click.UsageError(f"{path}: [tool.{table}] {key}: expected a path string")
        return os.fspath(base / value)
    return value


def discover(config_file: str | None, isolated: bool) -> Config:
    if isolated:
        return Config()
    if config_file is not None:
        return load(Path(config_file), explicit=True)
    found = find_pyproject(Path.cwd())
    return load(found) if found is not None else Config()


def apply(ctx: click.Context, params: dict[str, Any], config: Config) -> dict[str, Any]:
    """``params`` with every option left at its default taken from ``config`` instead."""
    command = ctx.command
    settings = config.for_command(command.name or "")
    by_name = {param.name: param for param in command.params}
    out = dict(params)
    for key, value in settings.items():
        name = KEYS[key]
        param = by_name.get(name)
        if param is None:
            if key in config.commands.get(command.name or "", {}):
                raise click.UsageError(f"{config.describe(key, command.name or '')}: not an option of this command")
            continue  # a shared key for another command
        if ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
            continue  # the command line wins
        if param.multiple and isinstance(value, str):
            value = [value]
        try:
            out[name] = param.type_cast_value(ctx, value)
        except click.BadParameter as exc:
            raise click.UsageError(f"{config.describe(key, command.name or '')}: {exc.message}") from None
        except (TypeError, ValueError):
            raise click.UsageError(f"{config.describe(key, command.name or '')}: {value!r} is not valid here") from None
    return out
