#!/usr/bin/env python3
"""Validate the recorded corpus and print a Markdown report of findings per provider and rule.

    python tools/corpus_report.py [--corpus ../shared/corpus] [--profile openai] [--out docs/corpus-report.md]

Streams come from ``<corpus>/real`` (provider and authenticity from its
``MANIFEST.tsv``) and ``<corpus>/servers`` (third-party servers captured
locally; the provider is the file-name prefix). Recordings that their authors
trimmed, sanitized or minimized are checked with the rules that such edits
trip (sequence gaps, delta/done text, item indexes) switched off.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from validator import check
from validator.model import Severity
from validator.rules import catalogue

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
OUT = ROOT / "docs" / "corpus-report.md"

# Rules an author's edits (removed events, rewritten text) trip by themselves.
EDIT_SENSITIVE = ["SEQ002", "SEQ003", "SEQ004", "CNT005", "CNT006", "CNT007", "FCA001", "FCA002", "FIN004",
                  "ITM001", "ITM002"]
# Recordings MANIFEST.tsv calls "recorded" whose content shows an author's edits: every Response
# snapshot lacks fields OpenAI always sends (error, parallel_tool_calls, temperature, top_p, ...),
# response.in_progress drops what response.created had, and usage has no total_tokens.
MINIMIZED_IN_FACT = {
    "pydai__apply_patch_toolset_stream__i0.sse": "hand-minimized cassette (Response fields stripped)",
    "pydai__apply_patch_toolset_stream__i1.sse": "hand-minimized cassette (Response fields stripped)",
    "pydai__apply_patch_toolset_stream__i2.sse": "hand-minimized cassette (Response fields stripped)",
    "pydai__local_shell_toolset_stream__i0.sse": "hand-minimized cassette (Response fields stripped)",
}
# Recordings of resumed streams (`GET /responses/{id}?stream=true&starting_after=N`): the
# cassette's second request; its first event is numbered N+1 and it has no response.created.
RESUMED = {
    "pydai__background_mode_streaming_starting_after_vcr__i1.sse": 0,
}
SERVERS = {
    "azure-agentserver": "azure-ai-agentserver (local)",
    "litellm": "LiteLLM proxy (local)",
    "open-responses-server": "open-responses-server (local)",
}


@dataclass
class Entry:
    path: Path
    provider: str
    untouched: bool


@dataclass
class Tally:
    streams: int = 0
    altered: int = 0
    failing: int = 0
    errors: int = 0
    warnings: int = 0
    by_code: Counter[str] = field(default_factory=Counter)  # streams with the code
    failing_names: list[str] = field(default_factory=list)


def entries(corpus: Path) -> list[Entry]:
    out: list[Entry] = []
    real = corpus / "real"
    manifest = real / "MANIFEST.tsv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                path = real / row["file"]
                if path.is_file():
                    untouched = row["authenticity"] == "recorded" and row["file"] not in MINIMIZED_IN_FACT
                    out.append(Entry(path, row["provider"], untouched))
    servers = corpus / "servers"
    if servers.is_dir():
        for path in sorted(servers.glob("*.sse")):
            provider = next((name for prefix, name in SERVERS.items() if path.name.startswith(prefix)), path.stem)
            out.append(Entry(path, provider, True))
    return out


def tally(corpus: Path, profile: str) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for entry in entries(corpus):
        ignore = [] if entry.untouched else EDIT_SENSITIVE
        report = check(str(entry.path), profile, ignore=ignore, resumed_after=RESUMED.get(entry.path.name))
        t = tallies[entry.provider]
        t.streams += 1
        t.altered += not entry.untouched
        findings = report.findings
        errors = sum(f.severity is Severity.ERROR for f in findings)
        t.errors += errors
        t.warnings += sum(f.severity is Severity.WARNING for f in findings)
        if errors or any(s.error for s in report.streams):
            t.failing += 1
            t.failing_names.append(entry.path.name + ("" if entry.untouched else " (edited by its author)"))
        for code in {f.code for f in findings}:
            t.by_code[code] += 1
    return dict(sorted(tallies.items(), key=lambda kv: (-kv[1].streams, kv[0])))


def short_names(providers: list[str]) -> dict[str, str]:
    """Provider names without their parenthesised detail, unless that makes two names equal."""
    bases = [p.split(" (")[0] for p in providers]
    return {p: b if bases.count(b) == 1 else p for p, b in zip(providers, bases, strict=True)}


def render(tallies: dict[str, Tally], profile: str) -> str:
    rules = catalogue()
    providers = list(tallies)
    short = short_names(providers)
    lines = [
        f"# Findings over the recorded corpus ({profile} profile)",
        "",
        "<!-- Generated by tools/corpus_report.py; rerun it rather than editing. -->",
        "",
        f"Rerun with `python tools/corpus_report.py --profile {profile} --out docs/corpus-report.md` "
        "(reads `../shared/corpus/real` with its MANIFEST.tsv and `../shared/corpus/servers`). "
        "Recordings their authors trimmed, sanitized or minimized are checked without "
        f"{', '.join(EDIT_SENSITIVE)}; four the manifest calls recorded count as edited, since their "
        f"Response snapshots lack fields OpenAI always sends ({', '.join(sorted(MINIMIZED_IN_FACT))}). "
        f"{', '.join(SERVERS.values())} are servers captured locally "
        "(see ../shared/SERVERS.md); the others are public recordings.",
        "",
        "| Provider | Streams | of which edited | Failing (errors) | Errors | Warnings |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, t in tallies.items():
        lines.append(f"| {short[name]} | {t.streams} | {t.altered} | {t.failing} | {t.errors} | {t.warnings} |")
    codes = sorted({c for t in tallies.values() for c in t.by_code})
    lines += [
        "",
        "Streams with at least one finding of each rule, per provider:",
        "",
        "| Rule | Severity | " + " | ".join(short[p] for p in providers) + " |",
        "|---|---|" + "---:|" * len(providers),
    ]
    for code in codes:
        rule = rules.get(code)
        severity = rule.severity_for(profile) if rule else None
        label = f"{code} {rule.name}" if rule else code
        cells = " | ".join(str(tallies[p].by_code.get(code, "")) for p in providers)
        lines.append(f"| {label} | {severity.value if severity else '?'} | {cells} |")
    failing = [(p, n) for p, t in tallies.items() for n in t.failing_names]
    if failing:
        lines += ["", "Streams with errors:", ""]
        for provider, name in failing:
            file, _, note = name.partition(" ")
            lines.append(f"- {short[provider]}: `{file}`{' ' + note if note else ''}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--profile", default="openai")
    parser.add_argument("--out", type=Path, help=f"also write the report here (e.g. {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    text = render(tally(args.corpus, args.profile), args.profile)
    sys.stdout.write(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        # The live servers' pinned verdicts follow (tools/server_report.py owns that section).
        import server_report

        server_report.write_section(server_report.render_section(server_report.catalog.pinned()), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
