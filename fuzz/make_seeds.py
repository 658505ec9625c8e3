"""Write a seed corpus for fuzz_validator.py: our fixtures, and the shared corpus if present.

    python fuzz/make_seeds.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_seeds(out: Path, limit: int = 64_000) -> int:
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted((ROOT / "fixtures").rglob("*.sse"))
    shared = ROOT.parent / "shared" / "corpus"
    if shared.is_dir():
        sources += sorted(shared.rglob("*.sse"))
    count = 0
    for path in sources:
        data = path.read_bytes()[:limit]
        for target in range(4):
            (out / f"{count:04d}-{target}").write_bytes(bytes([target, count % 256]) + data)
        count += 1
    return count * 4


if __name__ == "__main__":
    print(write_seeds(Path(sys.argv[1])), "seeds written")
