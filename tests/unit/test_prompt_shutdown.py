"""Issue 23 §5: SIGTERM/SIGHUP end a run within seconds whatever an analyzer is doing, and a file an analyzer
is too slow on is skipped and named (tests/fixtures/hostile/bigtables, with generated modules).

Real `empathy` processes and the daemon's real worker process. The bound asserted is the 2 s promised plus
a margin for a loaded 2-CPU machine; the old behaviour took minutes, so it still fails there.
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

from tests.support.tree import copy_fixture
from tests.unit.analyzer_helpers import analyze

EMPATHY = [sys.executable, "-m", "empathy_os"]
BOUND = 8.0  # seconds from the signal to the exit: 2 s promised, the rest is margin for a loaded machine


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}


def write_table(path: Path, entries: int) -> None:
    """A generated lookup table as Unicode data modules have them: one dict literal over many lines, which
    radon's maintainability index takes quadratic time on (idna's idnadata.py: minutes)."""
    rows = "".join(f"    0x{i * 7:X}: {i % 90},\n" for i in range(entries))
    path.write_text(f'"""Generated."""\n\nTABLE = {{\n{rows}}}\n', encoding="utf-8")


def write_huge_module(path: Path, megabytes: float = 5) -> None:
    body = "".join(f"def f{i}(x):\n    if x > {i}:\n        return x - {i}\n    return x + {i}\n\n\n"
                   for i in range(int(megabytes * 1e6 / 80)))
    path.write_text(body, encoding="utf-8")


def tables_project(tmp_path: Path, **settings: object) -> Path:
    root = copy_fixture("hostile/bigtables", tmp_path / "tables-project")
    if settings:
        with (root / "pyproject.toml").open("a", encoding="utf-8") as fh:
            fh.writelines(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())
    return root


def test_a_file_past_the_time_limit_is_skipped_and_named_in_text_and_json(tmp_path):
    root = tables_project(tmp_path, file_timeout=1)
    write_table(root / "tables" / "codepoints.py", 1500)  # ~8 s of CPU in radon's MI, 1 s allowed
    runs = {}
    for fmt in ("json", "text"):
        started = time.monotonic()
        proc = subprocess.run([*EMPATHY, "orchestrate", "release-prep", "--project-root", str(root), "--no-cache",
                               *(["--json"] if fmt == "json" else [])],
                              capture_output=True, text=True, cwd=tmp_path, env=env(), timeout=600, check=False)
        runs[fmt] = (proc, time.monotonic() - started)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
    named = "over the time limit of 1 s of CPU per file ([tool.empathy] file_timeout): tables/codepoints.py"
    assert any(named in note for note in json.loads(runs["json"][0].stdout)["notes"])
    assert named in runs["text"][0].stdout
    radon = analyze("radon", root)
    assert radon.ran and radon.metrics["files_over_time_limit"] == 1
    assert radon.metrics["files_measured"] == 2  # the other modules were measured


def _busy(proc: subprocess.Popen, cpu_seconds: float, timeout: float = 300) -> list[psutil.Process]:
    """Wait until the process and its children have used `cpu_seconds` of CPU: the analysis is under way.
    Returns the process tree at that moment."""
    me = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the analysis never got going"
        tree = [me, *me.children(recursive=True)]
        used = 0.0
        for p in tree:
            try:
                times = p.cpu_times()
                used += times.user + times.system
            except psutil.Error:
                pass
        if used >= cpu_seconds:
            return tree
        time.sleep(0.2)


def _gone(processes: list[psutil.Process], within: float = 3.0) -> list[psutil.Process]:
    deadline = time.monotonic() + within
    alive = processes
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.1)
    return alive


def test_sigterm_ends_the_cli_within_seconds_while_an_analyzer_parses_a_5_mb_module(tmp_path):
    root = tables_project(tmp_path)
    write_huge_module(root / "tables" / "huge.py")
    proc = subprocess.Popen([*EMPATHY, "orchestrate", "release-prep", "--project-root", str(root), "--no-cache"],
                            cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        tree = _busy(proc, 8.0)
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=180)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert "terminated by SIGTERM" in err and "Traceback" not in err
    assert elapsed < BOUND, f"exited {elapsed:.1f} s after SIGTERM"
    assert _gone(tree) == []  # no worker or tool left computing


def test_sighup_ends_a_daemon_command_within_seconds(tmp_path):
    """The daemon runs each workflow command in a worker process (lsp/worker.py); that process must end
    promptly, as the daemon waits for it before it exits."""
    root = tables_project(tmp_path)
    write_huge_module(root / "tables" / "huge.py")
    proc = subprocess.Popen([sys.executable, "-m", "empathy_os.lsp.worker"], cwd=tmp_path, env=env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({"kind": "release_prep", "root": str(root), "gates": {}, "max_cost": None,
                                     "python": None, "trusted": True}) + "\n")
        proc.stdin.flush()
        tree = _busy(proc, 8.0)
        proc.send_signal(signal.SIGHUP)
        sent = time.monotonic()
        proc.wait(timeout=180)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        out, _ = proc.communicate()
    assert elapsed < BOUND, f"exited {elapsed:.1f} s after SIGHUP"
    assert "result" not in out
    assert _gone(tree) == []


@pytest.mark.parametrize("value", ["soon", -3, 0])
def test_an_unusable_file_timeout_falls_back_to_the_default(tmp_path, value):
    from empathy_os.analyzers.filepool import FILE_TIMEOUT, file_timeout
    from empathy_os.analyzers.project import load_project

    root = tables_project(tmp_path, file_timeout=value)
    assert file_timeout(load_project(root)) == FILE_TIMEOUT
