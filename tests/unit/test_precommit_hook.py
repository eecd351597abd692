"""The repository's pre-commit hook (.pre-commit-hooks.yaml) as a user meets it: `pre-commit try-repo` on a
fresh git repository. pre-commit installs this repository into a virtualenv of its own with pip (from
PyPI: the only network this needs) and runs the hook on the staged files.

try-repo takes the repository's committed files (plus uncommitted changes to tracked files); one
environment is installed per test session (~30 s) and shared by the tests below.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE
from tests.support.tree import snapshot

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def fresh_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "proj"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns(".empathy", "__pycache__", ".pytest_cache"))
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.invalid")
    git(repo, "config", "user.name", "test")
    return repo


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run([*PRE_COMMIT, "try-repo", str(REPO), "empathy-check"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=540, check=False)


def test_the_hook_fails_on_findings_in_staged_files_only(fresh_repo, pre_commit_home):
    git(fresh_repo, "add", "inventory/report.py", "inventory/__init__.py")  # storage.py (bandit) not staged
    before = snapshot(fresh_repo)  # the working tree; pre-commit itself writes into .git (its stash)
    proc = try_repo(fresh_repo, pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "inventory/report.py:5:8: ruff F401 [medium] `os` imported but unused" in proc.stdout
    assert "storage.py" not in proc.stdout
    after = {k: v for k, v in snapshot(fresh_repo).items() if not k.startswith(".git/")}
    assert after == {k: v for k, v in before.items() if not k.startswith(".git/")}  # pre-commit's own stash aside
    assert not (fresh_repo / ".empathy").exists()


def test_the_hook_passes_clean_staged_files(fresh_repo, pre_commit_home):
    report = fresh_repo / "inventory" / "report.py"
    report.write_text(report.read_text(encoding="utf-8").replace("import os\n\n", "", 1), encoding="utf-8")
    git(fresh_repo, "add", "inventory/report.py", "tests/test_stock.py")
    proc = try_repo(fresh_repo, pre_commit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
