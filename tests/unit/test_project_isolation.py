"""No project code on our import path, no secret in project code (issue 10, items 4 and 5), and the one
guard through which project code is started (item 3's core half).

tests/fixtures/shadowing has packages named `empathy_os`, `coverage` and `pytest`; importing
any of them leaves a SHADOWED-* marker in the project and exits 7. Its test suite fails if an
ANTHROPIC_* variable reaches it.
"""

from __future__ import annotations

import asyncio
import sys

import pytest
from empathy_os.analyzers.project import load_project
from empathy_os.execution import UntrustedProject, project_env, run_project_code

from tests.support.tree import assert_unchanged, copy_fixture, snapshot
from tests.unit.analyzer_helpers import analyze


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-must-not-leak")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    return copy_fixture("shadowing", tmp_path / "shadowing")


def test_import_graph_worker_is_not_shadowed_and_sees_the_projects_package(hostile):
    before = snapshot(hostile)
    result = analyze("import_graph", hostile)
    assert result.ran, result.error
    # grimp parsed the project's own one-module `empathy_os` package, not ours (dozens of modules):
    # app, app.helpers, coverage, empathy_os, pytest.
    assert result.metrics["modules"] == 5
    assert_unchanged(hostile, before)


def test_coverage_run_imports_the_real_tools_and_hides_the_api_key(hostile):
    before = snapshot(hostile)
    result = analyze("coverage", hostile)
    assert result.ran, result.error
    assert result.metrics["tests_passed"] == 2 and result.metrics["tests_failed"] == 0, result.error
    assert_unchanged(hostile, before)


def test_test_durations_run_imports_the_real_pytest_and_hides_the_api_key(hostile):
    before = snapshot(hostile)
    result = analyze("test_durations", hostile)
    assert result.ran, result.error
    assert result.metrics["tests"] == 2 and not result.error, result.error
    assert_unchanged(hostile, before)


@pytest.mark.parametrize("trusted", [False, None, "true", 1])
def test_the_guard_refuses_anything_but_an_explicit_true(tmp_path, trusted):
    ctx = load_project(tmp_path)
    ctx.trusted = trusted
    marker = tmp_path / "ran"
    with pytest.raises(UntrustedProject):
        asyncio.run(run_project_code(ctx, [sys.executable, "-c", f"open({str(marker)!r}, 'w')"], tmp_path))
    assert not marker.exists()


def test_project_env_drops_every_anthropic_variable_even_when_a_caller_passes_one(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "x")
    monkeypatch.setenv("PYTEST_ADDOPTS", "--junitxml=/tmp/elsewhere.xml")
    env = project_env({"ANTHROPIC_API_KEY": "y", "HOME": "/nowhere"})
    assert not [k for k in env if k.startswith("ANTHROPIC_")]
    assert "PYTEST_ADDOPTS" not in env and env["HOME"] == "/nowhere"
