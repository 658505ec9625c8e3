"""The commands in docs/proxy.md run, against a reference server started here, and do what the page says."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from validator.cli import main

PAGE = Path(__file__).resolve().parents[2] / "docs" / "proxy.md"
FENCE = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)
SYNOPSIS = re.compile(r"`(responses-conformance [^`]*[A-Z]{3,}[^`]*)`")


def test_every_command_of_the_page_runs(reference: str, tmp_path: Path) -> None:
    port = reference.rsplit(":", 1)[1]
    bin_dir = Path(sys.executable).parent
    ran = []
    for block in FENCE.findall(PAGE.read_text()):
        for line in block.splitlines():
            if not line.strip() or line.startswith("python -m validator.reference_server"):
                continue  # the server is the one this test started
            command = line.replace("127.0.0.1:8765", f"127.0.0.1:{port}")
            result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                                    timeout=300, check=False, env={"PATH": f"{bin_dir}:/usr/bin:/bin"})
            assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
            assert "Traceback" not in result.stderr
            ran.append((line, result.stdout))
    assert len(ran) == 5
    # The defect the page shows is found by the proxy and again in its capture, and both exit 1.
    assert [out.count("exit status: 1") for line, out in ran if "exit status" in line] == [1, 1]
    assert all("CNT001" in out for line, out in ran if "exit status" in line)
    assert list((tmp_path / "streams").glob("*-0000.sse"))


def test_the_synopses_name_real_options() -> None:
    synopses = SYNOPSIS.findall(PAGE.read_text())
    assert synopses
    for synopsis in synopses:
        words = shlex.split(synopsis)
        help_text = CliRunner().invoke(main, [words[1], "--help"]).output
        for option in (w for w in words if w.startswith("--")):
            assert option in help_text, synopsis


def test_the_latency_benchmark_reports_what_the_readme_quotes() -> None:
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "proxy_latency.py"
    result = subprocess.run([sys.executable, str(script), "--events", "20", "--runs", "1", "--burst", "200"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^  added +p50 +[-+]\d+\.\d{3} ms", result.stdout, re.M), result.stdout
    assert re.search(r"the proxy's own CPU time: \d+\.\d{3} s, \d+ us per event", result.stdout), result.stdout
