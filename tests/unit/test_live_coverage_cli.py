"""`empathy orchestrate release-prep` reuses the per-test data of its previous run in `.empathy/`: after an
edit only the affected tests run (the report says how many), `--no-cache` runs them all, and the figure is
coverage.py's own for every test, run by hand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "livecov"


def _release_prep(root: Path, *extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.run([sys.executable, "-m", "empathy_os", "orchestrate", "release-prep", "--project-root",
                           str(root), "--json", *extra], capture_output=True, text=True, env=env, timeout=300,
                          check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _by_hand(root: Path, tmp: Path) -> float:
    env = {**os.environ, "COVERAGE_FILE": str(tmp / "by-hand.data")}
    subprocess.run([sys.executable, "-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                   cwd=root, env=env, capture_output=True, check=True)
    out = subprocess.run([sys.executable, "-m", "coverage", "json", "-o", "-"], cwd=root, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["totals"]["percent_covered"]


def _coverage_note(report: dict) -> str:
    return next((n for n in report["notes"] if n.startswith("coverage:")), "")


def test_second_run_reruns_only_affected_tests_and_no_cache_runs_all(tmp_path):
    root = tmp_path / "livecov"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".empathy", "__pycache__"))
    first = _release_prep(root)
    assert first["metrics"]["tests_passed"] == 4
    assert (root / ".empathy/cache/coverage-map.json").is_file()

    text = root / "livecov/text.py"
    text.write_text(text.read_text().replace('        return ""', '        return "?"'))
    second = _release_prep(root)
    assert "1 test(s) re-run, 3 reused" in _coverage_note(second), second["notes"]
    assert second["metrics"]["tests_passed"] == 4

    third = _release_prep(root, "--no-cache")
    assert "re-run" not in _coverage_note(third)
    by_hand = _by_hand(root, tmp_path)
    assert second["metrics"]["coverage_percent"] == third["metrics"]["coverage_percent"] == by_hand
