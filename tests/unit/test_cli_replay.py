"""An unchanged `empathy orchestrate release-prep` is answered from the stored report (app/replay.py):
what its key sees and does not see, and the replay as a user runs it (real processes, real tools)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os.app import replay

OPTIONS = {"root": "r", "python": None, "gates": {}, "max_cost": None, "untrusted": False}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_mod.py").write_text("from pkg.mod import f\n\ndef test_f():\n    assert f() == 1\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    return root


def test_the_key_changes_with_what_a_run_reads(project, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    base = replay.key(project, OPTIONS)
    assert base is not None and replay.key(project, OPTIONS) == base
    changes = [
        lambda: (project / "pkg" / "mod.py").write_text("def f():\n    return 2\n"),  # a source
        lambda: (project / "tests" / "test_new.py").write_text("def test_g():\n    pass\n"),  # a new test file
        lambda: (project / "pyproject.toml").write_text("[tool.empathy]\nparallel_tests = 2\n"),  # a config
        lambda: (project / ".venv").mkdir() or (project / ".venv" / "pyvenv.cfg").write_text(""),  # an env
        lambda: monkeypatch.setenv("EMPATHY_STORE", "/elsewhere"),  # the environment
    ]
    seen = {base}
    for change in changes:
        change()
        now = replay.key(project, OPTIONS)
        assert now not in seen, "the key did not change"
        seen.add(now)
    assert replay.key(project, {**OPTIONS, "gates": {"min_coverage": 40}}) not in seen  # the options


def test_the_key_ignores_our_own_output_and_bytecode(project, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    base = replay.key(project, OPTIONS)
    (project / ".empathy" / "cache").mkdir(parents=True)
    (project / ".empathy" / "cache" / "x.json").write_text("{}")
    (project / "pkg" / "__pycache__").mkdir()
    (project / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    monkeypatch.setenv("OLDPWD", "/somewhere")
    assert replay.key(project, OPTIONS) == base


def test_no_replay_when_a_model_may_take_part(project, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    assert replay.key(project, OPTIONS) is None


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run([sys.executable, "-m", "empathy_os", *args], capture_output=True, text=True,
                          env={**env, **(env_extra or {})}, timeout=300, check=False)


def test_unchanged_rerun_replays_the_report_and_a_change_runs_again(sample_project):
    args = ("orchestrate", "release-prep", "--project-root", str(sample_project), "--json", "--python",
            sys.executable)
    first = run(*args)
    assert first.returncode == 1, first.stderr[-2000:]  # the sample is not release-ready
    cold = json.loads(first.stdout)
    assert any(n.startswith("outcome recorded") for n in cold["notes"])
    assert (sample_project / ".empathy" / "cache" / replay.ENTRY).is_file()

    again = run(*args)
    assert again.returncode == 1
    warm = json.loads(again.stdout)
    assert {k: warm[k] for k in ("metrics", "findings", "gates", "approved")} == \
        {k: cold[k] for k in ("metrics", "findings", "gates", "approved")}
    assert all(a["cached"] == list(a["tools"]) for a in warm["agents"])
    assert any(n.startswith("nothing changed since the release prep") for n in warm["notes"])
    assert not any(n.startswith("outcome recorded") for n in warm["notes"])  # not counted twice
    text = run(*args[:-3], "--python", sys.executable)
    assert "nothing changed since the release prep" in text.stdout and "Duration: " in text.stdout

    # A changed source: the workflow runs (the analyzers that read it re-measure; coverage too).
    pricing = sample_project / "inventory" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef extra():\n    return 1\n")
    third = json.loads(run(*args).stdout)
    assert not any(n.startswith("nothing changed") for n in third["notes"])
    assert next(a for a in third["agents"] if a["id"] == "test_coverage_analyzer")["cached"] == []
    # --no-cache never replays (nor does a run with an ANTHROPIC_* variable: test above).
    assert not any(n.startswith("nothing changed") for n in json.loads(run(*args, "--no-cache").stdout)["notes"])


def store_runs(project: Path) -> int:
    data = json.loads((project / ".empathy" / "store.json").read_text())
    return sum(row.get("usage_count", 0) for table in data.values() if isinstance(table, dict)
               for row in table.values() if isinstance(row, dict))


def release_prep(project: Path, env_extra: dict[str, str] | None = None) -> dict:
    done = run("orchestrate", "release-prep", "--project-root", str(project), "--json", env_extra=env_extra)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return json.loads(done.stdout)


def replayed(report: dict) -> bool:
    return any(n.startswith("nothing changed since the release prep") for n in report["notes"])


@pytest.mark.parametrize("table", ["[tool.poetry]\npackage-mode = false\n", "[tool.hatch.envs.default]\n"])
def test_a_poetry_or_hatch_project_without_the_tool_replays_and_counts_once(sample_project, table):
    """Issue 28: with poetry/hatch not installed nothing can change their (absent) answer, so an unchanged
    re-run replays and the learning store counts the run once."""
    pyproject = sample_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n" + table)
    path = {"PATH": os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin"}  # no poetry, no hatch
    first = release_prep(sample_project, path)
    assert not replayed(first) and store_runs(sample_project) == 1
    again = release_prep(sample_project, path)
    assert replayed(again) and store_runs(sample_project) == 1  # counted once


def fake_tool(bin_dir: Path, name: str, env_dir: Path) -> None:
    """A stand-in `poetry`/`hatch` that answers `env info -p` / `env find` with a real venv's path."""
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\necho {env_dir}\n")
    script.chmod(0o755)


def test_the_tools_environment_is_fingerprinted_not_excluded(sample_project, tmp_path):
    """A poetry project whose interpreter poetry names: replayed while that environment is unchanged; a
    package installed into it (or poetry pointing elsewhere) makes the next run a real one."""
    pyproject = sample_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.poetry]\npackage-mode = false\n")
    venvs = tmp_path / "virtualenvs"
    env_dir = venvs / "sample-abc-py3.11"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(env_dir)],
                   check=True)
    site = next(env_dir.glob("lib/python*/site-packages"))
    ours = next(p for p in sys.path if p.endswith("site-packages"))  # pytest and coverage for its tests
    (site / "deps.pth").write_text(ours + "\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_tool(bin_dir, "poetry", env_dir)
    path = {"PATH": f"{bin_dir}{os.pathsep}{os.path.dirname(sys.executable)}{os.pathsep}/usr/bin:/bin"}
    first = release_prep(sample_project, path)
    assert any("poetry's environment" in n for n in first["notes"])
    assert replayed(release_prep(sample_project, path)) and store_runs(sample_project) == 1
    (site / "newly_installed.pth").write_text("")
    (site / "newly_installed-1.0.dist-info").mkdir()
    assert not replayed(release_prep(sample_project, path))  # the environment changed: a real run
    assert replayed(release_prep(sample_project, path))
    (venvs / "sample-abc-py3.12").mkdir()  # another environment: poetry's answer may change
    assert not replayed(release_prep(sample_project, path))
