"""Release to green (`release-prep --fix [--apply]`): one plan for the failed gates, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from empathy_os.app.release_fix import RELEASE_GATES, gate_of, team_of

EMPATHY = [sys.executable, "-m", "empathy_os"]


def run(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")}
    return subprocess.run([*EMPATHY, *args], capture_output=True, text=True, env=env, timeout=900, check=False)


def coverage_by_hand(root: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    subprocess.run([sys.executable, "-m", "coverage", "run", "--source=inventory", "-m", "pytest", "-q", "-p",
                    "no:cacheprovider"], cwd=root, env=env, capture_output=True, check=True)
    out = subprocess.run([sys.executable, "-m", "coverage", "report", "--format=total", "--precision=2"],
                         cwd=root, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout)


def test_every_agent_of_the_plan_moves_one_gate():
    gates = list(RELEASE_GATES)
    assert {gate_of(a, gates) for gate in gates for a in team_of(gate)} == set(gates)


def test_apply_without_fix_is_a_usage_error(sample_project):
    proc = run("orchestrate", "release-prep", "--project-root", str(sample_project), "--apply")
    assert proc.returncode == 2 and "--fix --apply" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (sample_project / ".empathy").exists()


def test_release_fix_offline_writes_the_boosts_tests_and_the_coverage_gate_turns_green(sample_project):
    tests_before = sorted(p.name for p in (sample_project / "tests").glob("*.py"))
    proc = run("orchestrate", "release-prep", "--project-root", str(sample_project), "--fix", "--apply", "--json")
    # Two critical bandit findings need a model: the project is still not approved, measured after writing.
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    fix = report["fix"]
    before = {g["name"]: g for g in report["gates"]}
    assert not before["min_coverage"]["passed"]
    assert fix["plan"]["task_pattern"] == "release_fix" and fix["plan"]["strategy"] == "sequential"
    assert fix["agents"][:2] == ["test_coverage_analyzer", "security_auditor"]
    tests = [c for c in fix["changes"] if c["gate"] == "min_coverage"]
    assert tests and all(c["verified"] for c in tests)
    after_copy = {g["name"]: g for g in fix["gates_after"]["gates"]}
    assert after_copy["min_coverage"]["passed"] and not after_copy["max_critical_issues"]["passed"]
    # What needs a model is named: the critical bandit rules are among the skipped findings.
    skipped = {s["rule"] for s in fix["skipped"]}
    assert {"B324", "B602"} <= skipped
    # Written: exactly the verified set, as new test files; nothing of the user's was overwritten.
    assert sorted(fix["applied"]) == sorted(c["id"] for c in tests)
    new = sorted(p.name for p in (sample_project / "tests").glob("*.py"))
    assert set(tests_before) < set(new)
    after = {g["name"]: g for g in fix["verdict_after_writing"]["gates"]}
    assert after["min_coverage"]["passed"] and fix["verdict_after_writing"]["approved"] is False
    # The figure after writing is coverage.py's own, run by hand in the project.
    assert abs(after["min_coverage"]["actual"] - coverage_by_hand(sample_project)) <= 0.1
    # The composition was recorded for learning like any other.
    store = json.loads((sample_project / ".empathy" / "store.json").read_text())
    assert "release_fix" in json.dumps(store)


def _prompt(body: dict) -> str:
    content = body["messages"][0]["content"]
    return content if isinstance(content, str) else " ".join(b.get("text", "") for b in content)


def security_model(storage: Path):
    """A model behind the fake Messages API that confirms the sample's two critical bandit findings and
    answers each with a correct diff; every other request gets plain text (no tool call, nothing kept)."""
    from empathy_os.changes.patch import make_diff

    text = storage.read_text(encoding="utf-8")
    fixes = {
        "B324": text.replace("hashlib.md5(text.encode())", "hashlib.md5(text.encode(), usedforsecurity=False)"),
        # No shell: a fixed argv. tar found on PATH (bandit's B607) and a call without a shell (B603) are
        # the informational follow-ups such a fix leaves; the line says why they stay.
        "B602": text.replace('    return subprocess.call("tar czf " + destination + " " + path, shell=True)\n',
                             '    return subprocess.call(["tar", "czf", destination, path])  '
                             '# nosec B603 B607 # argv is fixed, no shell\n'),
    }

    def reply(body: dict) -> dict:
        tools = [t.get("name") for t in body.get("tools") or []]
        prompt = _prompt(body)
        for rule, fixed in fixes.items():
            if "triage_finding" in tools and f"Finding: bandit {rule} " in prompt:
                diff = make_diff("inventory/storage.py", text, fixed)
                return {"tool_use": {"name": "triage_finding", "input": {
                    "verdict": "confirmed", "reason": f"{rule} is real in this code", "diff": diff}},
                    "input_tokens": 900, "output_tokens": 120}
        return {"text": "No change proposed.", "input_tokens": 200, "output_tokens": 10}

    return reply


def test_release_fix_with_a_model_turns_the_sample_approved(sample_project, fake_anthropic):
    fake_anthropic.default = security_model(sample_project / "inventory" / "storage.py")
    env = {k: v for k, v in os.environ.items()}
    proc = subprocess.run([*EMPATHY, "orchestrate", "release-prep", "--project-root", str(sample_project), "--fix",
                           "--apply", "--json"], capture_output=True, text=True, env=env, timeout=1500, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    fix = json.loads(proc.stdout)["fix"]
    security = [c for c in fix["changes"] if c["gate"] == "max_critical_issues" and c["verified"]]
    assert {c["findings"][0]["rule"] for c in security} == {"B324", "B602"}
    assert all(c["tier"] == "CHEAP" for c in security)  # answered right at the first tier: no escalation
    assert fake_anthropic.rejected == []  # no request the documented API would refuse
    # A plain release prep afterwards approves, and the tools by hand agree.
    again = subprocess.run([*EMPATHY, "orchestrate", "release-prep", "--project-root", str(sample_project), "--json",
                            "--no-cache"], capture_output=True, text=True, env=env, timeout=900, check=False)
    assert again.returncode == 0, again.stdout[-3000:]
    report = json.loads(again.stdout)
    bandit = json.loads(subprocess.run([sys.executable, "-m", "bandit", "-r", "inventory", "-f", "json", "-q"],
                                       cwd=sample_project, capture_output=True, text=True, check=False).stdout)
    assert not [r for r in bandit["results"] if r["issue_severity"] == "HIGH"]
    assert report["metrics"]["critical_issues"] == 0
    assert abs(report["metrics"]["coverage_percent"] - coverage_by_hand(sample_project)) <= 0.1
