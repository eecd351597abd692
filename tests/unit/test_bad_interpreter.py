"""`--python` that is not a usable Python (issue 23 §6): exit 2, one line, nothing written, no `.empathy/`,
for every command taking --python. Hostile fixture: tests/fixtures/hostile/bad-python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os.analyzers.project import load_project

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "bad-python"
COMMANDS = {
    "release-prep": ["orchestrate", "release-prep"],
    "test-coverage": ["orchestrate", "test-coverage", "--dry-run"],
    "fix": ["orchestrate", "fix", "--apply"],
    "compose": ["compose", "Prepare for production release", "--run"],
    "verify": ["verify", str(FIXTURE / "docstring.patch")],
}
INTERPRETERS = {
    "/bin/ls": ("/bin/ls", "does not run as Python"),
    "a shell script": (str(FIXTURE / "bin" / "not-python"), "does not run as Python"),
    "Python 3.7": (str(FIXTURE / "bin" / "python3.7"), "is Python 3.7.17; Empathy runs the project's tests"),
}


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("interpreter", INTERPRETERS)
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unusable_interpreter_is_exit_2_one_line_nothing_written(tmp_path, command, interpreter):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "project", root)
    before = tree(root)
    python, says = INTERPRETERS[interpreter]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.run([sys.executable, "-m", "empathy_os", *COMMANDS[command], "--project-root", str(root),
                           "--python", python], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=300, check=False)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    [line] = proc.stderr.splitlines()
    assert f"interpreter {python} {says}" in line and "given explicitly" in line
    assert proc.stdout == ""
    assert tree(root) == before and not (root / ".empathy").exists()


def test_a_python_wrapper_script_is_a_python(tmp_path):
    wrapper = tmp_path / "py.sh"
    wrapper.write_text(f"#!/bin/sh\nexec '{sys.executable}' \"$@\"\n")
    wrapper.chmod(0o755)
    assert load_project(FIXTURE / "project", python=str(wrapper)).python == str(wrapper)


def test_an_untrusted_run_never_starts_the_interpreter(tmp_path):
    marker = tmp_path / "started"
    script = tmp_path / "py.sh"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\n")
    script.chmod(0o755)
    load_project(FIXTURE / "project", python=str(script), trusted=False)
    assert not marker.exists()
    with pytest.raises(ValueError, match="does not run as Python"):
        load_project(FIXTURE / "project", python=str(script))
    assert marker.exists()
