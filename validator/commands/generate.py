"""``responses-conformance generate``: write sample valid or mutated streams to files.

For client and SDK authors without Python: each sample is a stream file and
a ``.toml`` sidecar saying what it is (for mutated streams: the operator,
what it changed, and the rule codes a validator must report), in the same
shape as ``fixtures/invalid``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import click

from validator.commands.options import PREFIX, Fatal
from validator.strategies.model import ITEM_KINDS
from validator.strategies.mutations import OPERATORS, applies_in
from validator.strategies.samples import mutated_stream, valid_stream

_EXT = {"sse": "sse", "jsonl": "jsonl", "json": "json"}


@click.command()
@click.option(
    "--profile",
    type=click.Choice(sorted(ITEM_KINDS)),
    default="openai",
    show_default=True,
    help="Which specification the streams follow (and which defects count as violations in it).",
)
@click.option("--valid/--mutated", "valid", default=True, show_default=True, help="Valid streams, or one defect each.")
@click.option("--count", type=click.IntRange(min=1), default=10, show_default=True, help="How many streams.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(_EXT)), default="sse", show_default=True, help="Output format."
)
@click.option(
    "--operator",
    "operators",
    multiple=True,
    metavar="NAME",
    help="With --mutated: only these operators (repeatable). See --list-operators.",
)
@click.option("--list-operators", is_flag=True, help="List the mutation operators and exit.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("generated"),
    show_default=True,
    help="Directory to write into (created if missing).",
)
def generate(
    profile: str,
    valid: bool,
    count: int,
    seed: int,
    fmt: str,
    operators: tuple[str, ...],
    list_operators: bool,
    out_dir: Path,
) -> None:
    """Write sample streams: valid ones, or valid ones with one precise defect each."""
    if list_operators:
        for name in sorted(OPERATORS):
            op = OPERATORS[name]
            where = "" if applies_in(name, profile) else f"  (not a violation in {profile})"
            transport = " [sse only]" if op.sse_only else ""
            click.echo(f"{name:36} {','.join(sorted(op.may_declare)):16} {op.description}{transport}{where}")
        return
    unknown = [n for n in operators if n not in OPERATORS]
    if unknown:
        raise click.UsageError(f"unknown operator(s) {', '.join(unknown)}; see --list-operators")
    if operators and valid:
        raise click.UsageError("--operator needs --mutated")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Fatal(f"cannot create {out_dir}: {exc.strerror or exc}") from None
    written = 0
    for n in range(count):
        item_seed = seed * 1_000_003 + n
        stem = f"{profile}-{'valid' if valid else 'mutated'}-{seed}-{n:04d}"
        if valid:
            stream = valid_stream(item_seed, profile)  # type: ignore[arg-type]
            body = stream.to_bytes(fmt)
            sidecar = {
                "profile": profile,
                "codes": [],
                "about": f"valid {profile} stream, {len(stream.events)} events, ending {stream.plan.ending}",
            }
        else:
            operator = operators[n % len(operators)] if operators else None
            mutation = mutated_stream(item_seed, profile, operator=operator, fmt=fmt)  # type: ignore[arg-type]
            if mutation is None:
                click.echo(
                    f"{PREFIX} warning: {operator} found nothing to break in {profile} streams; skipped", err=True
                )
                continue
            body = mutation.to_bytes()
            stem += f"-{mutation.operator}"
            sidecar = {
                "profile": profile,
                "codes": sorted(mutation.codes),
                "about": f"{mutation.operator}: {mutation.detail}",
                "operator": mutation.operator,
            }
        path = out_dir / f"{stem}.{_EXT[fmt]}"
        path.write_bytes(body)
        (out_dir / f"{stem}.toml").write_text(_toml(sidecar), encoding="utf-8")
        written += 1
    click.echo(f"wrote {written} stream(s) to {out_dir}")


def _toml(values: Mapping[str, object]) -> str:
    # JSON string and array syntax is valid TOML for these plain values.
    return "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in values.items())
