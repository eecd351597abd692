"""The GitHub Action (action.yml) and the CI files the docs show: the scripts the action calls, run as the
runner runs them (inputs as environment variables, GITHUB_OUTPUT/GITHUB_STEP_SUMMARY files), on a copy of
the sample project; `empathy summary` on the real report; the YAML checked against the published schemas
(check-jsonschema's vendored copies: no network)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
import yaml
from empathy_os.gate_specs import GATE_SPECS

from tests.conftest import REPO

ACTION = REPO / "action.yml"
SCRIPTS = REPO / "scripts" / "ci"
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(("schema", "path"), [
    ("vendor.github-actions", "action.yml"),
    ("vendor.github-workflows", "docs/ci/github-workflow.yml"),
    ("vendor.github-workflows", "docs/ci/github-workflow-sharded.yml"),
    ("vendor.gitlab-ci", "docs/ci/gitlab-ci.yml"),
])
def test_yaml_is_valid_for_its_schema(schema, path):
    proc = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", schema, REPO / path],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_inputs_scripts_and_gates_agree():
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used == set(action["inputs"])  # every input is used, every input used is declared
    assert {g.flag.removeprefix("--") for g in GATE_SPECS} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    for step in steps:
        for value in (step.get("with") or {}).values():
            assert "inputs." not in str(value) or step.get("uses"), step  # inputs reach shells only via env
        if "run" in step:
            assert "${{" not in step["run"], f"{step['name']}: an expression in a shell is script injection"
    scripts = set(re.findall(r"[\w-]+\.sh\b", text))
    assert scripts == {"install.sh", "release-prep.sh"}
    assert all(os.access(SCRIPTS / script, os.X_OK) for script in scripts)
    written = {"install": set(re.findall(r'echo "([\w-]+)=', (SCRIPTS / "install.sh").read_text())),
               "run": set(re.findall(r'echo "([\w-]+)=', (SCRIPTS / "release-prep.sh").read_text()))}
    assert set(re.findall(r"steps\.(\w+)\.outputs\.([\w-]+)", text)) <= {
        (step, name) for step, names in written.items() for name in names}  # every output read is written
    run_env = next(s for s in steps if s.get("id") == "run")["env"]
    body = (SCRIPTS / "release-prep.sh").read_text(encoding="utf-8")
    assert {v for v in re.findall(r"\$\{(\w+)", body) if v.isupper() and not v.startswith("GITHUB_")} \
        <= set(run_env)


def release_prep(project: Path, out: Path, **inputs: str) -> tuple[dict[str, str], str]:
    """Runs scripts/ci/release-prep.sh as the action's step does; returns (step outputs, job summary)."""
    github_output, summary = out / "github_output", out / "step_summary"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(EMPATHY=str(BIN / "empathy"), OUT_DIR=str(out / "empathy"), PROJECT_ROOT=str(project),
               PROJECT_PYTHON=sys.executable, GITHUB_OUTPUT=str(github_output),
               GITHUB_STEP_SUMMARY=str(summary), **inputs)
    proc = subprocess.run([SCRIPTS / "release-prep.sh"], cwd=out, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr  # the verdict is an output; summary and upload still run
    outputs = dict(line.split("=", 1) for line in github_output.read_text(encoding="utf-8").splitlines())
    return outputs, summary.read_text(encoding="utf-8") if summary.exists() else ""


def test_release_prep_then_summary_on_the_sample(sample_project, tmp_path):
    sarif = tmp_path / "empathy.sarif"
    outputs, summary = release_prep(sample_project, tmp_path, SARIF=str(sarif), MIN_COVERAGE="40",
                                    EXTRA_ARGS="--no-cache")
    assert (outputs["exit-code"], outputs["approved"], outputs["sarif"]) == ("1", "false", str(sarif))
    assert summary == ""  # written by the summary step, not this one
    report = json.loads(Path(outputs["report"]).read_text(encoding="utf-8"))
    gates = {g["name"]: g for g in report["gates"]}
    assert gates["min_coverage"]["threshold"] == 40 and gates["min_coverage"]["passed"]  # the input arrived
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"

    proc = subprocess.run([BIN / "empathy", "summary", outputs["report"]], capture_output=True, text=True,
                          check=True)
    html = markdown.markdown(proc.stdout, extensions=["tables", "md_in_html"])
    gate_table = html.split("</table>")[0]
    assert gate_table.count("<tr>") == 1 + len(report["gates"])  # header + one row per gate
    for gate in report["gates"]:
        mark = "✅" if gate["passed"] else ("❌" if gate["critical"] else "⚠️")
        assert f"| {mark} | `{gate['name']}` |" in proc.stdout
    assert proc.stdout.startswith("## ❌ Release not approved")
    bandit = [f for f in report["findings"] if f["tool"] == "bandit"]
    by_severity = [sum(f["severity"] == s for f in bandit) for s in ("critical", "high", "medium", "low", "info")]
    assert "| bandit | " + " | ".join(map(str, by_severity)) + " |" in proc.stdout
    assert f"**{len(report['findings'])} finding(s)**" in proc.stdout


def test_an_input_is_never_shell_code(sample_project, tmp_path):
    outputs, summary = release_prep(sample_project, tmp_path, MIN_COVERAGE="$(touch pwned)",
                                    EXTRA_ARGS="; touch pwned2")
    assert (outputs["exit-code"], outputs["approved"], outputs["report"]) == ("2", "", "")
    assert not list(tmp_path.glob("pwned*")) and not list(sample_project.glob("pwned*"))
    assert "could not run (exit 2)" in summary and "--min-coverage" in summary


def test_an_unusable_project_is_reported_in_the_summary(tmp_path):
    outputs, summary = release_prep(tmp_path / "missing", tmp_path, SARIF=str(tmp_path / "e.sarif"))
    assert (outputs["exit-code"], outputs["report"], outputs["sarif"]) == ("2", "", "")
    assert "does not exist" in summary


def test_summary_refuses_what_is_not_a_report(tmp_path):
    (tmp_path / "other.json").write_text('{"version": "2.1.0", "runs": []}')
    (tmp_path / "bad.json").write_text("{not json")
    for name, why in (("other.json", "is not a release-prep report"), ("bad.json", "is not JSON"),
                      ("nope.json", "cannot read")):
        proc = subprocess.run([BIN / "empathy", "summary", tmp_path / name], capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 2 and why in proc.stderr and proc.stdout == "", name
        assert len(proc.stderr.splitlines()) == 1


def test_install_script_installs_this_checkout(tmp_path):
    out = tmp_path / "github_output"
    env = {**os.environ, "SOURCE": str(REPO), "VENV": str(tmp_path / "venv"), "GITHUB_OUTPUT": str(out),
           "EMPATHY_PYTHON": sys.executable}
    subprocess.run([SCRIPTS / "install.sh"], env=env, check=True, capture_output=True, timeout=540)
    empathy = out.read_text(encoding="utf-8").strip().removeprefix("empathy=")
    assert empathy == str(tmp_path / "venv" / "bin" / "empathy")
    proc = subprocess.run([empathy, "summary", "--help"], capture_output=True, text=True, check=True)
    assert "Markdown" in proc.stdout


def test_install_script_refuses_an_old_python(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text("#!/bin/sh\nexit 1\n")  # answers the version check like a Python older than 3.11
    old.chmod(0o755)
    env = {**os.environ, "SOURCE": str(REPO), "VENV": str(tmp_path / "venv"),
           "GITHUB_OUTPUT": str(tmp_path / "out"), "EMPATHY_PYTHON": str(old)}
    proc = subprocess.run([SCRIPTS / "install.sh"], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "needs Python 3.11 or newer" in proc.stderr
    assert not (tmp_path / "venv").exists()


def test_the_summary_shown_in_the_docs_is_the_samples(sample_project):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    report = subprocess.run([BIN / "empathy", "orchestrate", "release-prep", "--project-root", sample_project,
                             "--json"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert report.returncode == 1, report.stderr
    summary = subprocess.run([BIN / "empathy", "summary", "-"], input=report.stdout, capture_output=True,
                             text=True, check=True).stdout
    docs = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    shown = docs.split("On the bundled sample it begins:\n\n```markdown\n", 1)[1].split("```", 1)[0]
    assert summary.startswith(shown)


def test_the_gitlab_job_runs_as_documented(sample_project, tmp_path):
    """docs/ci/gitlab-ci.yml's script, line by line in one shell as GitLab runs it, on a copy of the sample:
    the image's `python` is a fresh virtualenv here, the pinned source this checkout, /tmp/empathy a temp
    folder."""
    job = yaml.safe_load((REPO / "docs" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    [(name, spec)] = job.items()
    image = tmp_path / "image"
    subprocess.run([sys.executable, "-m", "venv", image], check=True)
    script = "\n".join(spec["script"]).replace("/tmp/empathy", str(tmp_path / "empathy"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(spec["variables"], EMPATHY_SOURCE=str(REPO), PATH=f"{image / 'bin'}{os.pathsep}{env['PATH']}")
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=sample_project, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]  # the sample is not release-ready
    report = json.loads((sample_project / "empathy.json").read_text(encoding="utf-8"))
    assert report["approved"] is False and report["metrics"]["tests_passed"] == 5
    assert str(image / "bin" / "python") in " ".join(report["notes"])  # the project's tests ran in "the image"
    assert (sample_project / "empathy-summary.md").read_text(encoding="utf-8").startswith("## ❌ Release not")
    assert json.loads((sample_project / "empathy.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert set(spec["artifacts"]["paths"]) == {"empathy.json", "empathy.sarif", "empathy-summary.md"}
    assert name == "empathy-release-prep"


def test_shards_then_merge_through_the_action(sample_project, tmp_path):
    """The matrix of the documented workflow: two shard jobs in their own checkouts (the action with
    `shard`), then the merge job in a third (`merge` with a glob, as the downloaded artifacts are given)."""
    ignore = shutil.ignore_patterns(".empathy", "__pycache__", ".coverage*")
    stored = tmp_path / "artifacts"
    for k in (1, 2):
        job = tmp_path / f"shard{k}"
        job.mkdir()
        project = shutil.copytree(sample_project, job / "project", ignore=ignore)
        outputs, summary = release_prep(project, job, SHARD=f"{k}/2", SHARD_DIR=str(stored / f"shard-{k}"),
                                        SARIF=str(job / "never.sarif"))
        assert outputs == {"exit-code": "0", "approved": "", "report": "", "sarif": "",
                           "shard-dir": str(stored / f"shard-{k}")}, outputs
        assert summary == "" and not (job / "never.sarif").exists()
        assert (stored / f"shard-{k}" / "shard.json").is_file()
    merge = tmp_path / "merge"
    merge.mkdir()
    project = shutil.copytree(sample_project, merge / "project", ignore=ignore)
    sarif = merge / "empathy.sarif"
    merged, _ = release_prep(project, merge, MERGE=f"{stored}/shard-*", SARIF=str(sarif), MIN_COVERAGE="40")
    one = tmp_path / "one"
    one.mkdir()
    single, _ = release_prep(shutil.copytree(sample_project, one / "project", ignore=ignore), one,
                             SARIF=str(one / "e.sarif"), MIN_COVERAGE="40", EXTRA_ARGS="--no-cache")
    assert (merged["exit-code"], merged["approved"], merged["sarif"]) == ("1", "false", str(sarif))
    assert (single["exit-code"], single["approved"]) == ("1", "false")
    a, b = (json.loads(Path(o["report"]).read_text(encoding="utf-8")) for o in (merged, single))
    assert a["metrics"]["coverage_percent"] == b["metrics"]["coverage_percent"] > 0
    assert a["metrics"]["tests_passed"] == b["metrics"]["tests_passed"] == 5
    assert {g["name"]: g["threshold"] for g in a["gates"]}["min_coverage"] == 40  # gates reach the merge
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_a_shard_that_cannot_run_fails_its_job(sample_project, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "junk").write_text("")  # a shard folder must be new or empty
    outputs, summary = release_prep(sample_project, tmp_path, SHARD="1/2", SHARD_DIR=str(full))
    assert (outputs["exit-code"], outputs["report"], outputs["shard-dir"]) == ("2", "", "")
    assert "could not run (exit 2)" in summary
