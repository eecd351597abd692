"""`empathy orchestrate release-prep` as a user runs it: a real process, real tools, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EMPATHY = [sys.executable, "-m", "empathy_os"]


def run(*args, cwd=None):
    # The autouse fixture points EMPATHY_PATTERN_LIBRARY at a private file; the child inherits it.
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")}
    return subprocess.run([*EMPATHY, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
                          check=False)


def tree(root: Path) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime for p in root.rglob("*")}


def test_json_matches_the_tools_run_by_hand(sample_project, tmp_path):
    proc = run("orchestrate", "release-prep", "--project-root", str(sample_project), "--json",
               "--sarif", str(tmp_path / "out.sarif"), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the sample is not release-ready
    report = json.loads(proc.stdout)  # pure JSON: nothing else on stdout
    assert report["approved"] is False and report["confidence"] in {"high", "medium", "low"}

    # coverage by hand, same scope (the sample has no coverage config: its package, tests excluded)
    data = tmp_path / "cov.data"
    env = {**os.environ, "COVERAGE_FILE": str(data)}
    subprocess.run([sys.executable, "-m", "coverage", "run", "--source=inventory", "-m", "pytest", "-q", "-p",
                    "no:cacheprovider"], cwd=sample_project, env=env, capture_output=True, check=True)
    by_hand = subprocess.run([sys.executable, "-m", "coverage", "report", "--format=total", "--precision=2"],
                             cwd=sample_project, env=env, capture_output=True, text=True, check=True)
    assert abs(report["metrics"]["coverage_percent"] - float(by_hand.stdout)) <= 0.1

    bandit = json.loads(subprocess.run(
        [sys.executable, "-m", "bandit", "-r", "inventory", "-f", "json", "-q"], cwd=sample_project,
        capture_output=True, text=True, check=False).stdout)
    ours = [f for f in report["findings"] if f["tool"] == "bandit"]
    assert len(ours) == len(bandit["results"])
    critical = [r for r in bandit["results"] if r["issue_severity"] == "HIGH"
                and r["issue_confidence"] in ("MEDIUM", "HIGH")]
    assert report["metrics"]["critical_issues"] == len(critical) == 2

    ruff = json.loads(subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "json", "--exit-zero", "inventory"],
        cwd=sample_project, capture_output=True, text=True, check=False).stdout)
    assert len([f for f in report["findings"] if f["tool"] == "ruff"]) == len(ruff)

    finding = next(f for f in report["findings"] if f["rule"] == "B602")
    assert finding["path"] == "inventory/storage.py" and finding["line"] == 38
    gates = {g["name"]: g for g in report["gates"]}
    assert gates["min_coverage"]["passed"] is False and gates["min_doc_coverage"]["critical"] is False
    assert all({"duration_seconds", "basis", "input_tokens", "cost_usd"} <= set(a) for a in report["agents"])

    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results = [r for run_ in sarif["runs"] for r in run_["results"]]
    assert len(results) == len(report["findings"])


def test_lenient_gates_approve_and_unchanged_rerun_is_cached(sample_project, tmp_path):
    args = ("orchestrate", "release-prep", "--project-root", str(sample_project), "--min-coverage", "40",
            "--max-critical", "2", "--min-quality", "5", "--json")
    first = run(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stdout[-2000:]
    second = json.loads(run(*args, cwd=tmp_path).stdout)
    assert all(a["cached"] for a in second["agents"])
    assert second["metrics"] == json.loads(first.stdout)["metrics"]
    (sample_project / "inventory" / "pricing.py").write_text(
        (sample_project / "inventory" / "pricing.py").read_text() + "\n\ndef extra():\n    return 1\n")
    third = json.loads(run(*args, cwd=tmp_path).stdout)
    coverage_agent = next(a for a in third["agents"] if a["id"] == "test_coverage_analyzer")
    assert coverage_agent["cached"] == []  # a source changed: coverage re-measured
    assert third["metrics"]["coverage_percent"] != second["metrics"]["coverage_percent"]


@pytest.mark.parametrize("args,message", [
    (["--project-root", "/does/not/exist"], "does not exist"),
    (["--project-root", "FILE"], "is a file"),
    (["--min-coverage", "150"], "out of range"),
    (["--max-critical", "-1"], "must not be negative"),
    (["--min-quality", "eleven"], "not a number"),
    (["--frobnicate"], "unrecognized arguments"),
    (["--sarif", "/no/such/dir/out.sarif"], "does not exist"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(sample_project, args, message):
    args = [str(sample_project / "inventory" / "pricing.py") if a == "FILE" else a for a in args]
    if "--project-root" not in args:
        args = ["--project-root", str(sample_project), *args]
    before = tree(sample_project)
    proc = run("orchestrate", "release-prep", *args, cwd=sample_project.parent)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert tree(sample_project) == before


@pytest.mark.parametrize("kind", ["syntax", "latin1", "no-tests"])
def test_odd_projects_still_get_a_report(tmp_path, kind):
    root = tmp_path / kind
    (root / "pkg").mkdir(parents=True)
    if kind == "syntax":
        (root / "pkg" / "__init__.py").write_text("def broken(:\n")
    elif kind == "latin1":
        (root / "pkg" / "__init__.py").write_bytes("NAME = 'caf\xe9'\n".encode("latin-1"))
    else:
        (root / "pkg" / "__init__.py").write_text('"""Pkg."""\n\ndef f():\n    """F."""\n    return 1\n')
    proc = run("orchestrate", "release-prep", "--project-root", str(root), "--json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    unmeasured = [g for g in report["gates"] if g["actual"] is None]
    assert unmeasured and all("not measured" in g["message"] and not g["passed"] for g in unmeasured)
