"""`empathy compose "Prepare release" --run` is judged by the release gates, as release prep is, and its
learning outcome is recorded from that verdict (not from the agents' mean score)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os.store.configurations import ConfigurationStore
from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow

CALC = '''"""Arithmetic."""


def add(a: int, b: int) -> int:
    """Sum."""
    return a + b


def scale(values: list[int], factor: int) -> list[int]:
    """Each value times factor."""
    out = []
    for value in values:
        if value < 0:
            out.append(-value * factor)
        else:
            out.append(value * factor)
    return out


def clamp(value: int, low: int, high: int) -> int:
    """Value within [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value
'''


@pytest.fixture
def tidy_but_untested(tmp_path: Path) -> Path:
    """Clean code (ruff, radon, bandit, docstrings all fine) whose tests cover well under 80 %: a high
    mean of the agents' scores, and a failed release gate."""
    root = tmp_path / "calc-project"
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "0.1"\n', encoding="utf-8")
    (root / "calc" / "__init__.py").write_text('"""The calc package."""\n', encoding="utf-8")
    (root / "calc" / "ops.py").write_text(CALC, encoding="utf-8")
    (root / "tests" / "test_ops.py").write_text(
        '"""Tests."""\nfrom calc.ops import add\n\n\ndef test_add():\n    """Adds."""\n    assert add(1, 2) == 3\n',
        encoding="utf-8")
    return root


def _compose_run(root: Path, library: Path) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["EMPATHY_PATTERN_LIBRARY"] = str(library)
    done = subprocess.run([sys.executable, "-m", "empathy_os", "compose", "Prepare release", "--run", "--json",
                           "--project-root", str(root)], check=False, capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_compose_prepare_release_is_judged_by_the_release_gates(tidy_but_untested, tmp_path):
    code, data = _compose_run(tidy_but_untested, tmp_path / "library.json")
    result = data["result"]
    scores = [o["quality_score"] for o in result["outputs"] if o["quality_score"] is not None]
    assert len(scores) == 4 and sum(scores) / len(scores) >= 7.0  # the old rule would have called it a success

    gates = {g["name"]: g for g in result["final_output"]["gates"]}
    assert {"min_coverage", "min_quality_score", "max_critical_issues", "min_doc_coverage"} <= set(gates)
    assert gates["min_coverage"]["passed"] is False and gates["min_coverage"]["actual"] < 80
    assert gates["max_critical_issues"]["passed"] is True
    assert result["final_output"]["measured_success"] is False and result["success"] is False and code == 1

    best = ConfigurationStore(tidy_but_untested / ".empathy" / "store.json").get_best_for_task(
        "release_preparation")
    assert best.usage_count == 1 and best.success_count == 0

    # The same verdict, gate by gate, as release prep on the same project.
    report = await_release_prep(tidy_but_untested)
    assert report.approved is False
    assert {g.name: (g.passed, g.actual) for g in report.gates} == {
        name: (g["passed"], g["actual"]) for name, g in gates.items()}


def await_release_prep(root: Path):
    import asyncio

    return asyncio.run(OrchestratedReleasePrepWorkflow().execute(root, learn=False))
