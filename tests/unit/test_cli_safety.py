"""The command line on unusable input, untrusted runs, outputs and signals (issue 10, items 3, 7, 8).

Real `empathy` processes on tiny real projects; each case checks the exit code, that the error is one
line, and what was (not) written.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.support.tree import snapshot
from tests.unit.analyzer_helpers import write_project

EMPATHY = [sys.executable, "-m", "empathy_os"]
SMALL = {
    "pkg/__init__.py": '"""Pkg."""\n\n\ndef f():\n    """F."""\n    return 1\n',
    "tests/test_pkg.py": "from pkg import f\n\n\ndef test_f():\n    assert f() == 1\n",
}


def run(*args, cwd, env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run([*EMPATHY, *args], capture_output=True, text=True, cwd=cwd, env={**base, **(env or {})},
                          timeout=300, check=False)


def one_line_exit_2(proc, message: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-1500:])
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_empty_folder_is_exit_2_one_line_and_nothing_written(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    one_line_exit_2(run("orchestrate", "release-prep", "--project-root", str(root), cwd=tmp_path),
                    "no Python files")
    assert list(root.iterdir()) == []


def test_nonexistent_python_is_exit_2_one_line_and_nothing_written(tmp_path):
    root = write_project(tmp_path / "p", SMALL)
    before = snapshot(root)
    proc = run("orchestrate", "release-prep", "--project-root", str(root), "--python", str(tmp_path / "nope"),
               cwd=tmp_path)
    one_line_exit_2(proc, "does not exist or is not executable")
    assert snapshot(root) == before and not (root / ".empathy").exists()


@pytest.mark.parametrize("target", ["source", "proc"])
def test_sarif_is_checked_before_the_run(tmp_path, target):
    root = write_project(tmp_path / "p", SMALL)
    before = snapshot(root)
    path = root / "pkg" / "__init__.py" if target == "source" else Path("/proc/empathy-out.sarif")
    started = time.monotonic()
    proc = run("orchestrate", "release-prep", "--project-root", str(root), "--sarif", str(path), cwd=tmp_path)
    one_line_exit_2(proc, "not a SARIF report" if target == "source" else "cannot write")
    assert time.monotonic() - started < 60  # refused up front, not after the run
    assert snapshot(root) == before and not (root / ".empathy").exists()


def test_sarif_replaces_a_previous_sarif_report(tmp_path):
    root = write_project(tmp_path / "p", SMALL)
    out = tmp_path / "old.sarif"
    out.write_text(json.dumps({"version": "2.1.0", "runs": [], "properties": {"old": True}}))
    proc = run("orchestrate", "release-prep", "--project-root", str(root), "--sarif", str(out), "--json",
               cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    json.loads(proc.stdout)
    new = json.loads(out.read_text())
    assert new["version"] == "2.1.0" and "$schema" in new and "properties" not in new


def test_untrusted_run_records_no_outcome_and_empathy_store_is_honoured(tmp_path):
    root = write_project(tmp_path / "p", SMALL)
    store = tmp_path / "elsewhere" / "store.json"
    proc = run("orchestrate", "release-prep", "--project-root", str(root), "--untrusted", "--json", cwd=tmp_path,
               env={"EMPATHY_STORE": str(store)})
    report = json.loads(proc.stdout)
    assert any("outcome not recorded" in n and "min_coverage" in n for n in report["notes"])
    assert not store.exists() and not (root / ".empathy" / "store.json").exists()

    proc = run("orchestrate", "release-prep", "--project-root", str(root), "--json", "--min-doc-coverage", "0",
               cwd=tmp_path, env={"EMPATHY_STORE": str(store)})
    report = json.loads(proc.stdout)
    assert any("outcome recorded" in n for n in report["notes"]), report["notes"]
    assert store.is_file() and not (root / ".empathy" / "store.json").exists()


def test_test_coverage_untrusted_is_refused_without_running_anything(tmp_path):
    root = write_project(tmp_path / "p", SMALL)
    before = snapshot(root)
    one_line_exit_2(run("orchestrate", "test-coverage", "--project-root", str(root), "--untrusted", cwd=tmp_path),
                    "not trusted")
    assert snapshot(root) == before


def test_compose_run_untrusted_runs_no_project_code(tmp_path):
    root = write_project(tmp_path / "p", {**SMALL, "tests/conftest.py":
                                          "import pathlib\npathlib.Path(__file__).with_name('RAN').touch()\n"})
    proc = run("compose", "Improve test coverage", "--project-root", str(root), "--run", "--untrusted", "--json",
               cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    assert "result" in data
    assert not (root / "tests" / "RAN").exists()
    assert "not trusted" in json.dumps(data["result"])


def test_non_utf8_source_note_agrees_with_the_coverage_figure(tmp_path):
    from tests.unit.analyzer_helpers import analyze

    root = write_project(tmp_path / "p", {**SMALL, "pkg/bad.py": b"def g(x):\n    return x\n# caf\xe9\n"})
    result = analyze("coverage", root)
    data = tmp_path / "cov"
    env = {**os.environ, "COVERAGE_FILE": str(data)}
    subprocess.run([sys.executable, "-m", "coverage", "run", "--source=pkg", "-m", "pytest", "-q", "-p",
                    "no:cacheprovider"], cwd=root, env=env, capture_output=True, check=False)
    by_hand = subprocess.run([sys.executable, "-m", "coverage", "report", "-i", "--format=total", "--precision=2"],
                             cwd=root, env=env, capture_output=True, text=True, check=True)
    assert abs(result.metrics["coverage_percent"] - float(by_hand.stdout)) <= 0.01
    # coverage.py counts the file (2 statements not run), so the note must not call it "not measured"
    assert "pkg/bad.py" in result.error and "counted as not run" in result.error
    assert "not measured" not in result.error


SLOW = {
    "pkg/__init__.py": "def f():\n    return 1\n",
    "tests/test_slow.py": (
        "import os, pathlib, subprocess, sys, time\n\n"
        "def test_slow():\n"
        "    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        "    probe = pathlib.Path(os.environ['EMPATHY_TEST_PROBE'])\n"
        "    (probe / 'pids').write_text(f'{os.getpid()} {child.pid}')\n"
        "    time.sleep(300)\n"
    ),
}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_kill_every_process_we_started_and_remove_temp_folders(tmp_path, signum):
    root = write_project(tmp_path / "slow", SLOW)
    probe, tmp = tmp_path / "probe", tmp_path / "tmp"
    probe.mkdir()
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(EMPATHY_TEST_PROBE=str(probe), TMPDIR=str(tmp))
    proc = subprocess.Popen([*EMPATHY, "orchestrate", "release-prep", "--project-root", str(root), "--no-cache"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (probe / "pids").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the slow test never started"
        time.sleep(0.2)
    time.sleep(0.3)
    pids = [int(p) for p in (probe / "pids").read_text().split()]
    assert list(tmp.iterdir())  # our temp folder for the coverage run exists while it runs
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert f"terminated by {signal.Signals(signum).name}" in err and "Traceback" not in err
    for pid in pids:
        assert not _alive(pid), f"process {pid} survived"
    assert list(tmp.iterdir()) == []


def _alive(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return False
        time.sleep(0.1)
    return True
