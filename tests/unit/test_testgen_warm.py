"""The warm interpreter of a sandbox (testgen/warm.py): real bubblewrap, real forks, real pytest runs.

A warm run must be indistinguishable from a cold one for what the boost reads: exit code, output, the
writes the guard logged; it must start from fresh project state each time, and time out like a cold run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from empathy_os.changes.suite import run_suite
from empathy_os.execution import UntrustedProject
from empathy_os.proc import ToolTimeout
from empathy_os.testgen.sandbox import Sandbox, isolation

needs_bwrap = pytest.mark.skipif(not isolation().os_sandbox, reason=isolation().description)


def project(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    # A module-level counter: a run that sees 2 would have inherited the previous run's import.
    (root / "pkg" / "state.py").write_text("CALLS = []\n\n\ndef bump():\n    CALLS.append(1)\n    return len(CALLS)\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_state.py").write_text(
        "from pkg.state import bump\n\n\ndef test_fresh():\n    assert bump() == 1\n\n\n"
        "def test_fails():\n    assert bump() == 99\n")
    # A folder named like a tool: the warm server must import the real one, as the cold path does.
    (root / "coverage").mkdir()
    (root / "coverage" / "__init__.py").write_text("raise ImportError('the project folder shadowed coverage')\n")
    return root


@pytest.fixture
async def sandbox(tmp_path):
    box = Sandbox.create(project(tmp_path / "proj"), sys.executable)
    yield box
    await box.stop_warm()
    box.cleanup()


async def test_warm_runs_equal_cold_runs_and_start_fresh(sandbox):
    cmd = [sandbox.python, *sandbox.pytest_args(sandbox.next_id()), "tests/test_state.py"]
    cold = await sandbox.run(cmd)
    await sandbox.start_warm()
    assert sandbox.warm is not None and sandbox.warm.alive
    first = await sandbox.run(cmd)
    second = await sandbox.run(cmd)  # `bump() == 1` again: nothing of the first run's imports is left
    for ran in (cold, first, second):
        assert ran.returncode == 1
        assert "1 failed, 1 passed" in ran.stdout
        assert "test_fails" in ran.stdout and "test_fresh" not in ran.stdout.split("short test summary")[-1]


async def test_warm_run_gets_argv_cwd_env_and_path_like_python(sandbox):
    await sandbox.start_warm()
    code = ("import os, sys, coverage; print(sys.argv[1:], os.getcwd(), os.environ['EMPATHY_PROBE'], "
            "repr(sys.path[0]), coverage.__file__); sys.exit(3)")
    ran = await sandbox.run([sandbox.python, "-c", code, "a", "b"], cwd=sandbox.copy / "tests",
                            env={"EMPATHY_PROBE": "seen"})
    assert ran.returncode == 3
    argv, rest = ran.stdout.split("] ", 1)
    assert argv == "['a', 'b'" and rest.split()[:3] == [str(sandbox.copy / "tests"), "seen", "''"]
    assert str(sandbox.copy) not in rest.split()[3]  # the real coverage, not the project's folder
    module = await sandbox.run([sandbox.python, "-m", "pkg.state"])
    assert module.returncode == 0 and module.stderr == ""


@needs_bwrap
async def test_warm_write_outside_is_refused_and_logged(sandbox, tmp_path):
    await sandbox.start_warm()
    target = tmp_path / "outside.txt"
    ran = await sandbox.run([sandbox.python, "-c", f"open({str(target)!r}, 'w').write('x')"])
    assert ran.returncode == 1 and "Read-only file system" in ran.stderr
    assert ran.blocked == [f"open {target}"]
    assert not target.exists()


async def test_a_runner_runs_warm_and_answers_as_it_does_cold(sandbox):
    """The programs of empathy_os/runners are started by path (runners/launch.py): the warm server forks them
    too, and the suite runner's outcomes and coverage are the same either way."""
    cold = await run_suite(sandbox, ["pkg/state.py"])
    await sandbox.start_warm()
    before = sandbox.warm.cpu_seconds
    warm = await run_suite(sandbox, ["pkg/state.py"])
    assert sandbox.warm.cpu_seconds > before  # the run was the warm server's child, not a new process
    assert warm.error is None and cold.error is None
    assert warm.outcomes == cold.outcomes == {"tests/test_state.py::test_fresh": ["passed"],
                                              "tests/test_state.py::test_fails": ["failed"]}
    assert warm.coverage == cold.coverage == {"pkg/state.py": (4, 0)}


async def test_warm_timeout_kills_the_run_and_the_server_goes_on(sandbox):
    await sandbox.start_warm()
    with pytest.raises(ToolTimeout, match="timed out after 1s"):
        await sandbox.run([sandbox.python, "-c", "import time; time.sleep(60)"], timeout=1)
    ran = await sandbox.run([sandbox.python, "-c", "print('still here')"], timeout=30)
    assert ran.stdout == "still here\n" and sandbox.warm is not None


async def test_runs_go_cold_when_the_server_is_gone(sandbox):
    await sandbox.start_warm()
    sandbox.warm.proc.kill()
    await sandbox.warm.proc.wait()
    ran = await sandbox.run([sandbox.python, "-c", "print('cold')"])
    assert ran.stdout == "cold\n" and sandbox.warm is None


async def test_untrusted_sandbox_starts_no_server(tmp_path):
    box = Sandbox.create(project(tmp_path / "proj"), sys.executable, trusted=False)
    try:
        with pytest.raises(UntrustedProject):
            await box.start_warm()
        assert box.warm is None
    finally:
        box.cleanup()
