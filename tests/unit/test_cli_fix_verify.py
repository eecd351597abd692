"""`empathy orchestrate fix` and `empathy verify` as a user runs them: real processes, real tools, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from empathy_os.analyzers.contract import ProjectContext
from empathy_os.analyzers.ruff import config_args
from empathy_os.changes.apply import apply_verdict
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind
from empathy_os.changes.patch import make_diff

EMPATHY = [sys.executable, "-m", "empathy_os"]


def run(*args, cwd=None, stdin=None):
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")}
    return subprocess.run([*EMPATHY, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600,
                          input=stdin, check=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def ruff_by_hand(root: Path) -> list[dict]:
    """ruff run by hand with the rule set the ruff analyzer uses for this project."""
    args = config_args(ProjectContext(root=root))
    out = subprocess.run([sys.executable, "-m", "ruff", "check", *args, "--no-cache", "--output-format", "json",
                          "--exit-zero", "inventory"], cwd=root, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_fix_offline_proposes_verified_ruff_fixes_and_writes_nothing_then_applies(sample_project):
    fixable = [r for r in ruff_by_hand(sample_project) if r["fix"]]
    assert [(r["code"], Path(r["filename"]).name) for r in fixable] == [("F401", "report.py")]
    before = snapshot(sample_project)
    proc = run("orchestrate", "fix", "--project-root", str(sample_project), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert snapshot(sample_project) == before  # nothing written without --apply
    [change] = report["changes"]
    assert change["verified"] and change["agent"] == "code_reviewer" and change["tier"] is None
    assert change["findings"][0]["rule"] == "F401" and "-import os\n" in change["diff"]
    assert change["measurements"]["no-new-findings"]["passed"]
    assert change["measurements"]["tests"]["tests_passed"] == 5  # the sample's own 5 tests
    assert change["cost_usd"] == 0
    assert {s["tool"] for s in report["skipped"]} >= {"bandit", "docstrings"}  # need a model, and say so
    assert all("set ANTHROPIC_API_KEY" in s["reason"] for s in report["skipped"])

    proc = run("orchestrate", "fix", "--project-root", str(sample_project), "--apply", "--agents", "code_reviewer")
    assert proc.returncode == 0, proc.stderr
    assert "applied: ruff:inventory/report.py:F401" in proc.stdout
    assert [r for r in ruff_by_hand(sample_project) if r["fix"]] == []  # the finding is gone
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=sample_project,
                           capture_output=True, text=True, check=False,
                           env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert tests.returncode == 0, tests.stdout  # and the suite is green
    changed = {k for k, v in snapshot(sample_project).items() if before.get(k) != v}
    assert changed == {"inventory/report.py"}


def test_verify_tells_a_good_patch_from_a_bad_one(sample_project, tmp_path):
    path = "inventory/pricing.py"
    text = (sample_project / path).read_text(encoding="utf-8")
    good = tmp_path / "good.diff"
    good.write_text(make_diff(path, text, text.replace(
        "def tax_amount(amount: float, rate: float = 0.2) -> float:\n",
        'def tax_amount(amount: float, rate: float = 0.2) -> float:\n    """Tax on ``amount``."""\n')))
    bad = tmp_path / "bad.diff"
    bad.write_text(make_diff(path, text, text.replace("round(price * (100 - percent) / 100, 2)",
                                                      "round(price * (100 - percent) / 100, 1)")))
    before = snapshot(sample_project)

    ok = run("verify", str(good), "--project-root", str(sample_project), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["verified"] is True

    rejected = run("verify", str(bad), "--project-root", str(sample_project))
    assert rejected.returncode == 1
    assert "REJECTED" in rejected.stdout
    assert "tests: FAILED" in rejected.stdout and "test_discount_rounds_to_cents" in rejected.stdout

    stale = tmp_path / "stale.diff"
    stale.write_text(bad.read_text().replace("100, 2)", "100, 3)"))
    refused = run("verify", str(stale), "--project-root", str(sample_project))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("empathy: error: ") and "does not apply" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    missing = run("verify", str(tmp_path / "nope.diff"), "--project-root", str(sample_project))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert snapshot(sample_project) == before


def test_fix_bad_usage_is_one_line(sample_project):
    proc = run("orchestrate", "fix", "--project-root", str(sample_project), "--agents", "nobody")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("empathy: error: unknown agent(s) nobody: expected code_reviewer, "
                                   "security_auditor, documentation_writer, refactoring_specialist, "
                                   "test_generator, test_coverage_analyzer")


async def test_apply_refuses_a_file_changed_since_verification(sample_project):
    path = "inventory/report.py"
    text = (sample_project / path).read_text(encoding="utf-8")
    diff = make_diff(path, text, text.replace("import os\n\n", ""))
    async with Verifier.for_project(sample_project, trusted=False) as verifier:
        verdict = await verifier.verify(Change(id="c", agent="user", kind=ChangeKind.PATCH, diff=diff))
    verdict.verified = True  # untrusted: not verifiable; forced here to test only the staleness guard
    (sample_project / path).write_text(text + "\n# edited meanwhile\n", encoding="utf-8")
    assert apply_verdict(sample_project, verdict) == f"{path} changed since it was verified; run fix again"
    assert (sample_project / path).read_text(encoding="utf-8").endswith("# edited meanwhile\n")
    (sample_project / path).write_text(text, encoding="utf-8")
    assert apply_verdict(sample_project, verdict) is None
    assert "import os" not in (sample_project / path).read_text(encoding="utf-8")


def test_release_prep_fix_shows_the_gates_with_the_verified_changes_applied(sample_project):
    before = snapshot(sample_project)
    proc = run("orchestrate", "release-prep", "--project-root", str(sample_project), "--fix", "--json",
               "--min-quality", "9.9")
    assert proc.returncode == 1, proc.stderr  # the project itself is still not release-ready
    report = json.loads(proc.stdout)
    fix = report["fix"]
    assert "code_reviewer" in fix["agents"] and "security_auditor" in fix["agents"]
    assert [c["id"] for c in fix["changes"] if c["verified"]] == fix["gates_after"]["applied_in_copy"]
    quality = {g["name"]: g for g in report["gates"]}["min_quality_score"]
    quality_after = {g["name"]: g for g in fix["gates_after"]["gates"]}["min_quality_score"]
    assert quality_after["actual"] > quality["actual"]  # one ruff finding fewer, measured on the copy
    assert {k: v for k, v in snapshot(sample_project).items() if not k.startswith(".empathy")} == {
        k: v for k, v in before.items() if not k.startswith(".empathy")}  # nothing written but the cache
