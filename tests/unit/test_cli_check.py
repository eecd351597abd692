"""`empathy check FILE...` (the pre-commit hook's command) as a user runs it: a real process, real tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.tree import assert_unchanged, copy_fixture, snapshot

EMPATHY = [sys.executable, "-m", "empathy_os"]


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run([*EMPATHY, "check", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120, check=False)


def by_hand(cwd: Path, *files: str) -> set[tuple[str, int, str]]:
    """(path, line, rule) from ruff (default rules, --isolated) and bandit run directly on `files`."""
    ruff = json.loads(subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--output-format", "json",
         "--exit-zero", *files], cwd=cwd, capture_output=True, text=True, check=True).stdout)
    bandit = json.loads(subprocess.run(
        [sys.executable, "-m", "bandit", "-f", "json", "-q", *files], cwd=cwd, capture_output=True, text=True,
        check=False).stdout)
    return ({(Path(r["filename"]).resolve().relative_to(cwd).as_posix(), r["location"]["row"], r["code"])
             for r in ruff}
            | {(Path(r["filename"]).as_posix(), r["line_number"], r["test_id"]) for r in bandit["results"]})


def printed(stdout: str) -> set[tuple[str, int, str]]:
    found = set()
    for line in stdout.splitlines():
        where, rest = line.split(": ", 1)
        path, row, _col = where.rsplit(":", 2)
        found.add((path, int(row), rest.split()[1]))
    return found


def test_findings_equal_ruff_and_bandit_by_hand_and_nothing_is_written(sample_project):
    files = ["inventory/storage.py", "inventory/report.py", "inventory/__init__.py"]
    before = snapshot(sample_project)
    proc = check(*files, cwd=sample_project)
    assert proc.returncode == 1, proc.stderr
    assert printed(proc.stdout) == by_hand(sample_project, *files)
    assert "inventory/storage.py:38:12: bandit B602 [critical]" in proc.stdout  # bandit's column, 1-based
    assert "6 finding(s) in 3 file(s)" in proc.stderr
    assert_unchanged(sample_project, before)
    assert not (sample_project / ".empathy").exists()


def test_only_the_named_files(sample_project):
    proc = check("inventory/report.py", cwd=sample_project)
    assert proc.returncode == 1
    assert {p for p, _, _ in printed(proc.stdout)} == {"inventory/report.py"}


def test_clean_files_and_test_files_pass(sample_project):
    proc = check("inventory/__init__.py", "README.md", cwd=sample_project)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_files_the_editor_skips_are_named_not_silently_passed(sample_project):
    hidden = sample_project / ".scripts" / "tool.py"
    hidden.parent.mkdir()
    hidden.write_text("import os\n")
    (sample_project / "pyproject.toml").write_text(
        (sample_project / "pyproject.toml").read_text() + "\n[tool.empathy]\nmax_file_bytes = 100\n")
    proc = check("tests/test_stock.py", ".scripts/tool.py", "inventory/storage.py", cwd=sample_project)
    assert (proc.returncode, proc.stdout) == (0, "")
    assert proc.stderr == (
        "empathy check: not checked: tests/test_stock.py (a test file: left to the test run); "
        ".scripts/tool.py (in a folder Empathy does not analyse: hidden, build output or a virtualenv); "
        "inventory/storage.py (larger than [tool.empathy] max_file_bytes)\n")


def test_the_projects_own_ruff_config_and_never_its_fix_setting(tmp_path):
    project = copy_fixture("write-happy", tmp_path / "proj")
    module = project / "writehappy" / "__init__.py"
    module.write_text("import os\nfrom typing import List\n\n\ndef f(x: List[int]) -> None:\n    pass\n")
    before = snapshot(project)
    proc = check("writehappy/__init__.py", cwd=project)
    assert proc.returncode == 1, proc.stderr
    rules = {rule for _, _, rule in printed(proc.stdout)}
    assert {"F401", "UP035", "UP006"} <= rules  # UP is selected by the project's config, not ruff's default
    assert_unchanged(project, before)  # its `fix = true` and cache-dir were not obeyed


def test_a_tool_that_cannot_run_fails_the_hook(sample_project):
    (sample_project / "ruff.toml").write_text("this is = = not toml\n")
    proc = check("inventory/report.py", cwd=sample_project)
    assert proc.returncode == 2
    assert "ruff could not run" in proc.stderr


def test_bad_usage_is_one_line_exit_2(sample_project, tmp_path):
    missing = check("inventory/nope.py", cwd=sample_project)
    assert missing.returncode == 2 and missing.stderr.strip() == "empathy: error: inventory/nope.py: no such file"
    (tmp_path / "elsewhere.py").write_text("import os\n")
    outside = check(str(tmp_path / "elsewhere.py"), cwd=sample_project)
    assert outside.returncode == 2 and "outside the project root" in outside.stderr
    assert "Traceback" not in missing.stderr + outside.stderr
