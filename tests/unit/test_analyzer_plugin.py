"""Issue 25's done-when for analyzers: a third-party analyzer is one module plus one entry-point line. A
throw-away distribution is built and installed in tmp (tests/support/analyzer_plugin.py), and a real
`empathy` process with it on its path runs it in release prep, counts its critical findings in the security
gate, lists it, and names the broken plug-in installed beside it instead of failing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support import analyzer_plugin as plugin

EMPATHY = [sys.executable, "-m", "empathy_os"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return plugin.build(tmp_path_factory.mktemp("analyzer-plugin"))


def _offline(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("ANTHROPIC_")}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*EMPATHY, *args], capture_output=True, text=True, env=_offline(env), timeout=900,
                          check=False)


def test_the_plugin_is_listed_and_the_broken_one_named(site):
    proc = _run("analyzers", "--json", env=plugin.plugin_env(site))
    assert proc.returncode == 1, proc.stderr  # a plug-in was skipped: a CI step notices
    data = json.loads(proc.stdout)
    row = next(r for r in data["analyzers"] if r["name"] == plugin.NAME)
    assert row["origin"] == row["tool"] == f"{plugin.DIST} 0.1.0"
    assert row["fixer"] == "security_auditor" and row["counts_critical"] and row["on_save"]
    assert data["skipped_plugins"] == {"broken_one": "from empathy-broken-plugin 0.1.0: cannot be loaded: "
                                                     "RuntimeError: this plug-in is broken on purpose"}
    assert "Traceback" not in proc.stderr

    bare = _run("analyzers", "--json", env=dict(os.environ))
    assert bare.returncode == 0 and plugin.NAME not in {r["name"] for r in json.loads(bare.stdout)["analyzers"]}


def _critical(report: dict, tool: str) -> int:
    return sum(1 for f in report["findings"] if f["tool"] == tool and f["severity"] == "critical")


def test_release_prep_runs_the_plugin_and_its_findings_count_in_the_security_gate(site, sample_project):
    (sample_project / plugin.SECRET_FILE).write_text(plugin.SECRET_TEXT, encoding="utf-8")
    args = ("orchestrate", "release-prep", "--project-root", str(sample_project), "--json", "--no-cache",
            "--max-critical", "2")
    without = json.loads(_run(*args, env=dict(os.environ)).stdout)
    proc = _run(*args, env=plugin.plugin_env(site))
    report = json.loads(proc.stdout)

    assert _critical(without, plugin.NAME) == 0 and _critical(without, "bandit") == 2
    gate = {g["name"]: g for g in without["gates"]}["max_critical_issues"]
    assert gate["passed"] and gate["actual"] == 2  # bandit's two: allowed by --max-critical 2

    [secret] = [f for f in report["findings"] if f["tool"] == plugin.NAME]
    assert (secret["rule"], secret["path"], secret["line"]) == (plugin.RULE, plugin.SECRET_FILE, 6)
    security = next(a for a in report["agents"] if a["id"] == "security_auditor")
    assert list(security["tools"]) == ["bandit", plugin.NAME]  # joined the agent its spec names
    gate = {g["name"]: g for g in report["gates"]}["max_critical_issues"]
    assert gate["actual"] == report["metrics"]["critical_issues"] == _critical(report, "bandit") + 1 == 3
    assert not gate["passed"] and proc.returncode == 1  # the plug-in's finding tips the gate
    assert f"{plugin.DIST} 0.1.0" in report["metric_sources"]["critical_issues"]
    assert any(n.startswith("analyzer plug-in broken_one skipped: ") for n in report["notes"])


def test_fix_offers_the_plugin_findings_to_the_agent_its_spec_names(site, sample_project):
    (sample_project / plugin.SECRET_FILE).write_text(plugin.SECRET_TEXT, encoding="utf-8")
    proc = _run("orchestrate", "fix", "--project-root", str(sample_project), "--agents", "security_auditor",
                "--json", env=plugin.plugin_env(site))
    assert proc.returncode == 0, proc.stderr
    skipped = [s for s in json.loads(proc.stdout)["skipped"] if s["tool"] == plugin.NAME]
    assert [(s["rule"], s["path"], s["line"]) for s in skipped] == [(plugin.RULE, plugin.SECRET_FILE, 6)]
    assert skipped[0]["reason"].startswith("security_auditor needs a model")  # offline; the daemon test has one


def test_release_fix_puts_the_fixer_a_counting_plugin_names_on_the_team(tmp_path, sample_project):
    # A secrets scanner counted in the security gate whose findings another agent fixes: the plan that
    # makes the failed security gate pass needs that agent too, aimed at the plug-in's critical rule.
    site = plugin.build(tmp_path, fixer="code_reviewer")
    (sample_project / plugin.SECRET_FILE).write_text(plugin.SECRET_TEXT, encoding="utf-8")
    proc = _run("orchestrate", "release-prep", "--project-root", str(sample_project), "--json", "--no-cache",
                "--fix", "--max-critical", "2", "--min-coverage", "0", "--min-quality", "0", "--min-doc-coverage", "0",
                env=plugin.plugin_env(site))
    assert proc.stdout, proc.stderr
    report = json.loads(proc.stdout)
    assert [g["name"] for g in report["gates"] if not g["passed"]] == ["max_critical_issues"], report["gates"]
    fix = report["fix"]
    assert fix["agents"] == ["security_auditor", "code_reviewer"]
    assert plugin.RULE in fix["plan"]["workflow_args"]["rules"]
    # Offline, nobody can move a secret: the plug-in's finding reached the team and is named as skipped.
    assert plugin.RULE in {s["rule"] for s in fix["skipped"]}
