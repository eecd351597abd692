"""Trust is revoked by any settings payload that lacks it (issue 23 §3), and a revocation stops the project
code already running under it: a release prep's tests, a live-coverage refresh.

Hostile project: tests/fixtures/hostile/trust-revoked. Its test leaves RAN (its pid); with a SLOW file it
writes SLOW-STARTED (its pid) and sleeps for minutes, so only a cancellation ends the run in time.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
from empathy_os.lsp import command_ids as ids
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import client_capabilities

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "trust-revoked"
REQUEST_CANCELLED = -32800


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "trust-revoked"
    shutil.copytree(HOSTILE, root)
    return root


def no_pull_client() -> types.ClientCapabilities:
    """A client that cannot answer workspace/configuration (pushes settings only)."""
    caps = client_capabilities("visual-studio-code")
    caps.workspace.configuration = False
    return caps


def trust_logged(session) -> list[bool]:
    return [json.loads(m.message.split(": ", 1)[1])["trusted"] for m in session.client.log_messages
            if m.message.startswith("Empathy settings: ")]


async def push(session, settings) -> bool:
    """didChangeConfiguration with `settings` as given; the trust the server then logged."""
    before = len(trust_logged(session))
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    await session.wait_for(lambda: len(trust_logged(session)) > before, what="the settings to be applied")
    return trust_logged(session)[-1]


def progress_ends(session) -> list[str]:
    return [r.message for reports in session.client.progress_reports.values() for r in reports
            if isinstance(r, types.WorkDoneProgressEnd)]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("payload", [{"empathy": {}}, None, {}, {"empathy": {"gates": {"minCoverage": 50}}}])
async def test_a_payload_without_trust_revokes_it_without_the_pull_model(start_server, project, payload):
    session = await start_server(project, client=no_pull_client())
    assert trust_logged(session)[-1] is True
    assert await push(session, payload) is False
    result = await session.execute(ids.RELEASE_PREP, {})
    assert result["metrics"].get("coverage_percent") is None
    assert not (project / "RAN").exists()


async def test_revoking_trust_cancels_a_running_release_prep(start_server, project):
    (project / "SLOW").write_text("")
    session = await start_server(project, client=no_pull_client())
    request = asyncio.ensure_future(session.execute(ids.RELEASE_PREP, {}))
    await session.wait_for(lambda: (project / "SLOW-STARTED").exists(), what="the project's slow test")
    pid = int((project / "SLOW-STARTED").read_text())
    assert await push(session, {"empathy": {}}) is False
    with pytest.raises(JsonRpcException) as err:
        await asyncio.wait_for(request, 30)
    assert err.value.code == REQUEST_CANCELLED
    await session.wait_for(lambda: gone(pid), timeout=15, what="the project's test process to be killed")
    assert any("trust revoked" in m.message for m in session.client.messages)


async def test_revoking_trust_cancels_a_running_coverage_refresh(start_server, project):
    session = await start_server(project, client=no_pull_client())
    await session.execute(ids.RELEASE_PREP, {})
    await session.wait_for(lambda: session.notifications.get("empathy/coverage"), what="coverage after release prep")
    seen = len(session.notifications["empathy/coverage"])
    (project / "SLOW").write_text("")
    source = project / "slow" / "__init__.py"
    source.write_text(source.read_text().replace("return 1", "return 2 - 1"))  # a line test_one runs
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=session.uri("slow/__init__.py"))))
    await session.wait_for(lambda: (project / "SLOW-STARTED").exists(), what="the refresh's slow test")
    pid = int((project / "SLOW-STARTED").read_text())
    assert await push(session, {"empathy": {}}) is False
    await session.wait_for(lambda: gone(pid), timeout=15, what="the refresh's test process to be killed")
    await session.wait_for(lambda: "cancelled" in progress_ends(session), what="the refresh's progress to end")
    assert len(session.notifications["empathy/coverage"]) == seen  # the cancelled refresh reported nothing
    assert int((project / "SLOW-STARTED").read_text()) == pid  # no cold run of the tests took the warm one's place
