"""A user's project is read-only, whatever its tool configs ask (issue 10, item 1).

The fixture tests/fixtures/write-happy configures every tool we run to write into the project: ruff
`fix = true` + `unsafe-fixes` + a cache folder, coverage's data/debug/report files, interrogate's badge,
pytest `addopts` with a JUnit report, the cache plugin, a `--basetemp`, `--debug` and a log file inside the
project. First we
show the configs really do write when the tools are run the naive way; then release prep must leave the
tree byte-identical (`.empathy/` and `__pycache__` aside).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from empathy_os.proc import tool_bin

from tests.support.tree import assert_unchanged, copy_fixture, differences, snapshot

EMPATHY = [sys.executable, "-m", "empathy_os"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}


def test_the_fixture_really_makes_the_tools_write(tmp_path):
    root = copy_fixture("write-happy", tmp_path / "naive")
    before = snapshot(root)
    subprocess.run([tool_bin("ruff"), "check", "writehappy"], cwd=root, capture_output=True, check=False)
    subprocess.run([sys.executable, "-m", "coverage", "run", "-m", "pytest", "-q"], cwd=root, env=_env(),
                   capture_output=True, check=False)
    diff = " ".join(differences(before, snapshot(root)))
    for written in ("changed writehappy/__init__.py", ".ruff-cache-here", "pytest-report.xml",
                    ".coverage-here", "coverage-debug.log", "pytest-basetemp", "pytestdebug.log",
                    "pytest-log-here.txt"):
        assert written in diff, f"{written!r} not in {diff}"


def test_release_prep_leaves_a_write_happy_project_byte_identical(tmp_path):
    root = copy_fixture("write-happy", tmp_path / "write-happy")
    before = snapshot(root)
    proc = subprocess.run([*EMPATHY, "orchestrate", "release-prep", "--project-root", str(root), "--json"],
                          capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=300, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["metrics"]["coverage_percent"] is not None  # the tests did run
    assert report["metrics"]["tests_passed"] == 2
    assert any(f["tool"] == "ruff" and f["rule"] == "F401" for f in report["findings"])  # ruff did run
    assert_unchanged(root, before)
