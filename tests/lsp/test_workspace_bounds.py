"""Daemon commands act only inside the workspace folders the client opened (issue 23 §2(b)): a `root` or
URI anywhere else is InvalidParams (-32602) with one line, and none of that project's code runs.
Hostile project: tests/fixtures/hostile/other-root (its conftest leaves CONFTEST-RAN when it runs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from empathy_os.lsp import command_ids as ids
from pygls.exceptions import JsonRpcException

INVALID_PARAMS = -32602
HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


@pytest.fixture
def other(tmp_path: Path) -> Path:
    dest = tmp_path / "other-root"
    shutil.copytree(HOSTILE / "other-root", dest)
    return dest


async def test_roots_and_uris_outside_the_workspace_are_invalid_params(start_server, sample, other):
    (sample / "linked").symlink_to(other)  # inside the workspace by name, outside once resolved
    session = await start_server(sample)  # trusted
    refused = [
        (ids.RELEASE_PREP, {"root": str(other)}),
        (ids.RELEASE_PREP, {"root": other.as_uri()}),
        (ids.RELEASE_PREP, {"root": str(sample / "linked")}),
        (ids.TEST_COVERAGE_BOOST, {"root": str(other), "dryRun": True}),
        (ids.VERIFY, {"root": str(other), "patch": "--- a/x\\n+++ b/x\\n"}),
        (ids.COVERAGE, {"root": str(other)}),
        (ids.STORE_BEST, {"taskPattern": "x", "root": str(other)}),
        (ids.FIX, {"uris": ["file:///etc/passwd"]}),
        (ids.FIX, {"uri": (other / "other" / "__init__.py").as_uri(), "rules": ["F401"]}),
        (ids.FIX, {"root": str(other)}),
        (ids.GENERATE_TESTS_FOR, {"uri": (other / "other" / "__init__.py").as_uri(), "symbol": "one"}),
        (ids.GENERATE_TESTS_FOR, {"uri": (sample / "linked" / "other" / "__init__.py").as_uri(), "symbol": "one"}),
        (ids.COMPOSE_TEAM, {"task": "Prepare for production release", "context": {"project_path": str(other)}}),
    ]
    for command, argument in refused:
        with pytest.raises(JsonRpcException) as err:
            await session.execute(command, argument)
        assert err.value.code == INVALID_PARAMS, (command, argument, err.value)
        [line] = str(err.value).splitlines()
        assert "is not inside a workspace folder" in line, (command, line)
    assert not (other / "CONFTEST-RAN").exists()
    assert not (other / ".empathy").exists()
    # A folder inside the workspace is still fine.
    result = await session.execute(ids.STORE_BEST, {"taskPattern": "x", "root": str(sample / "inventory")})
    assert result["found"] is False


async def test_a_verified_fix_is_not_sent_to_the_editor_through_a_link_out_of_the_project(start_server, tmp_path):
    shutil.copytree(HOSTILE / "symlink-out", tmp_path, dirs_exist_ok=True)
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "pkg" / "ext").symlink_to(Path("..", "..", "outside", "ext"))
    session = await start_server(project)
    result = await session.execute(ids.FIX, {"rules": ["F401"], "agents": ["code_reviewer"], "apply": True})
    # Refused by verification (inside-project) or, failing that, before any edit is sent (fix_actions).
    reasons = [r for c in result["changes"] for r in c["reasons"]] + [a["reason"] or "" for a in result["applied"]]
    assert not any(a["applied"] for a in result["applied"])
    assert any(str(outside) in r for r in reasons), reasons
    assert session.applied_edits == []  # the editor was never asked to write there
