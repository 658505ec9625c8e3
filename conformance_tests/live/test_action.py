"""The GitHub Action (action.yml): its shell steps, run here as a runner would, against the reference server.

A composite action is a list of steps; those with ``run:`` are bash scripts
whose inputs arrive through ``env:``. This test reads action.yml, evaluates the
``${{ ... }}`` expressions and ``if:`` conditions it uses (inputs, step
outputs, ``always()``, ``==``, ``!=``, ``&&``), gives each script the files a
runner gives it (``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP``,
``GITHUB_ACTION_PATH`` = this checkout) and runs it with the runner's bash
flags. Steps that ``uses:`` another action (setup-python, upload-sarif,
upload-artifact) are GitHub's own code and cannot run here; the test checks
which ones would have run. The install step pip-installs this checkout into a
virtualenv under ``.cache/action-runner/``; it runs for real whenever the
package's sources changed since it last ran (a hash of them is kept beside the
virtualenv), else its output is reused. If that install fails, the tests
skip, except under CI, where they fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from validator.live.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
RUNNER_TEMP = ROOT / ".cache" / "action-runner"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
STAMP = RUNNER_TEMP / "installed-sources.sha256"


def sources_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted([ROOT / "pyproject.toml", *ROOT.joinpath("validator").rglob("*.py"),
                        *ROOT.joinpath("schemas").rglob("*.json")]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class ActionRun:
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: str = ""
    summary: str = ""
    ran: list[str] = field(default_factory=list)
    would_use: list[str] = field(default_factory=list)
    failed: str | None = None  # the name of the step that failed
    code: int = 0


def _value(name: str, inputs: dict[str, str], run: ActionRun) -> str:
    parts = name.split(".")
    if parts[0] == "inputs":
        return inputs[parts[1]]
    if parts[0] == "steps" and parts[2] == "outputs":
        return run.outputs.get(parts[1], {}).get(parts[3], "")
    if name == "github.action_path":
        return str(ROOT)
    if name == "runner.temp":
        return str(RUNNER_TEMP)
    raise AssertionError(f"action.yml uses an expression this test does not know: {name}")


def _condition(text: str, inputs: dict[str, str], run: ActionRun) -> bool:
    """The subset of GitHub's expression language action.yml uses."""
    result = True
    for term in (t.strip() for t in text.split("&&")):
        if term in ("always()", "success()"):
            value = term == "always()" or run.failed is None
        elif match := re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term):
            left = _value(match.group(1), inputs, run)
            value = (left == match.group(3)) == (match.group(2) == "==")
        else:
            raise AssertionError(f"action.yml uses a condition this test does not know: {term}")
        result = result and value
    if "always()" not in text and run.failed is not None:
        return False  # a failed step skips the rest, as on a runner
    return result


def _substitute(text: str, inputs: dict[str, str], run: ActionRun) -> str:
    return _EXPRESSION.sub(lambda m: _value(m.group(1), inputs, run), text)


def run_action(workspace: Path, **given: str) -> ActionRun:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of the action: {unknown}"
    inputs.update(given)
    for name, spec in ACTION["inputs"].items():
        assert not spec.get("required") or inputs[name], f"required input {name} missing"
    RUNNER_TEMP.mkdir(parents=True, exist_ok=True)
    summary = workspace / "step-summary.md"
    summary.write_text("")
    run = ActionRun()
    for step in ACTION["runs"]["steps"]:
        if "if" in step and not _condition(str(step["if"]), inputs, run):
            continue
        if run.failed is not None and "always()" not in str(step.get("if", "")):
            continue
        if "uses" in step:
            run.would_use.append(step["uses"].split("@")[0])
            continue
        bin_dir = RUNNER_TEMP / "responses-conformance-venv" / "bin"
        if step.get("id") == "install" and STAMP.exists() and STAMP.read_text() == sources_hash():
            run.ran.append(step["name"])  # ran for these very sources before: reuse its virtualenv
            run.outputs["install"] = {"bin": str(bin_dir)}
            continue
        assert step.get("shell") == "bash", step["name"]
        output = workspace / f"output-{len(run.ran)}"
        output.write_text("")
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(RUNNER_TEMP),
            **{key: _substitute(str(value), inputs, run) for key, value in step.get("env", {}).items()},
        }
        script = workspace / "step.sh"
        script.write_text(step["run"])
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace, env=env, capture_output=True, text=True, timeout=900, check=False,
        )
        run.ran.append(step["name"])
        run.log += result.stdout + result.stderr
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        if "id" in step:
            run.outputs[step["id"]] = outputs
        if step.get("id") == "install" and result.returncode == 0:
            assert outputs["bin"] == str(bin_dir)
            STAMP.write_text(sources_hash())
        if result.returncode != 0:
            run.failed, run.code = step["name"], result.returncode
            if step.get("id") == "install":
                message = f"cannot install the action's checkout: {result.stderr.strip()[-500:]}"
                if IN_CI:
                    pytest.fail(message)
                pytest.skip(message)
    run.summary = summary.read_text()
    return run


def test_the_action_declares_what_a_server_needs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"base-url", "api-key", "capabilities", "baseline"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["base-url"]["required"] is True
    assert ACTION["inputs"]["upload-sarif"]["default"] == "false"  # code scanning is opt-in
    assert {"exit-code", "sarif", "junit", "json", "markdown"} <= set(ACTION["outputs"])
    for step in ACTION["runs"]["steps"]:
        # Inputs reach scripts through env only: an input spliced into a script could inject commands.
        assert "${{" not in step.get("run", ""), step["name"]


def test_a_conformant_server_passes(reference_url: str, tmp_path: Path) -> None:
    run = run_action(tmp_path, **{"base-url": reference_url + "/v1", "capabilities": "all", "args": "--idle-timeout 2"})
    assert run.failed is None, run.log
    assert run.ran == [
        "Install responses-conformance from this action's checkout", "Check the server", "Job summary",
        "Fail unless conformant",
    ]
    assert run.would_use == ["actions/setup-python", "actions/upload-artifact"]  # no SARIF upload unless asked
    outputs = run.outputs["check"]
    assert outputs["exit-code"] == "0"
    report = json.loads(Path(outputs["json"]).read_text())
    assert report["ok"] is True and report["summary"]["streams"] == len(SCENARIOS)  # one report per scenario
    assert ET.parse(outputs["junit"]).getroot().get("failures") == "0"
    assert json.loads(Path(outputs["sarif"]).read_text())["version"] == "2.1.0"
    assert run.summary.startswith("## responses-conformance: conformant")
    assert "| plain-text | pass |" in run.summary
    assert Path(outputs["sarif"]).parent == tmp_path / "responses-conformance-reports"


def test_violations_fail_the_job_with_annotations_and_a_summary(reference_url: str, tmp_path: Path) -> None:
    run = run_action(
        tmp_path,
        **{"base-url": reference_url + "/v1", "model": "m+fault=delta-before-part", "upload-sarif": "true",
           "args": "--scenario plain-text --scenario reasoning"},
    )
    assert run.failed == "Fail unless conformant" and run.code == 1
    assert run.outputs["check"]["exit-code"] == "1"
    assert "::error file=" in run.log and "title=CNT001::" in run.log  # annotations on the run
    assert "| plain-text | **FAIL** |" in run.summary and "| reasoning | skipped |" in run.summary
    assert "| CNT001 | error |" in run.summary
    assert "github/codeql-action/upload-sarif" in run.would_use  # still runs after the failure (always())
    sarif = json.loads(Path(run.outputs["check"]["sarif"]).read_text())
    for result in sarif["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("captures/plain-text.sse")


def test_the_api_key_stays_secret_and_the_baseline_applies(
    keyed_reference: tuple[str, str], tmp_path: Path
) -> None:
    url, key = keyed_reference
    baseline = tmp_path / "ci" / "known.txt"
    baseline.parent.mkdir()
    baseline.write_text("plain-text CNT001  # our gateway reorders parts\n")
    run = run_action(
        tmp_path,
        **{"base-url": url + "/v1", "api-key": key, "baseline": "ci/known.txt", "model": "m+fault=delta-before-part",
           "args": "--scenario plain-text"},
    )
    assert run.failed is None, run.log
    texts = [run.log, run.summary] + [
        p.read_text(errors="replace") for p in (tmp_path / "responses-conformance-reports").rglob("*") if p.is_file()
    ]
    for text in texts:
        assert key not in text
    assert json.loads(Path(run.outputs["check"]["json"]).read_text())["ok"] is True


def test_a_wrong_base_url_fails_with_exit_2(tmp_path: Path) -> None:
    run = run_action(tmp_path, **{"base-url": "ftp://nowhere.invalid", "python-version": ""})
    assert run.failed == "Fail unless conformant" and run.code == 2
    assert "responses-conformance: error: --base-url must start with http" in run.log
    assert "actions/setup-python" not in run.would_use
