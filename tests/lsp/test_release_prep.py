"""executeCommand release-prep end to end: result, progress, diagnostics, report notification, cancellation."""

from __future__ import annotations

import asyncio

import psutil
import pytest
from empathy_os.lsp import command_ids as ids
from lsprotocol import types
from pygls.exceptions import JsonRpcException


def _kinds(session, token):
    return [type(v).__name__ for v in session.client.progress_reports.get(token, [])]


async def test_release_prep_result_progress_diagnostics_and_report(start_server, sample):
    session = await start_server(sample)
    token = "rp-1"
    result = await session.execute(ids.RELEASE_PREP, {"gates": {"minCoverage": 10}}, token=token)

    assert isinstance(result["approved"], bool)
    assert result["metrics"]["coverage_percent"] is not None  # measured by coverage.py, not invented
    assert {f["rule"] for f in result["findings"]} >= {"B602", "coverage-gap", "missing-docstring"}
    thresholds = {g["name"]: g["threshold"] for g in result["gates"]}
    assert thresholds["min_coverage"] == 10, "the gate override from the command arguments was used"

    kinds = _kinds(session, token)
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "WorkDoneProgressReport" in kinds

    # Diagnostics land on the right files, with the right kinds.
    storage = {str(d.code): d for d in session.client.diagnostics[session.uri("inventory/storage.py")]}
    assert "B602" in storage and "shell=True" in (sample / "inventory/storage.py").read_text().splitlines()[
        storage["B602"].range.start.line]
    pricing = session.client.diagnostics[session.uri("inventory/pricing.py")]
    gaps = [d for d in pricing if d.code == "coverage-gap"]
    assert gaps and all(d.severity == types.DiagnosticSeverity.Information for d in gaps)
    assert all(d.range.end.line > d.range.start.line for d in gaps), "a gap spans its function"
    docs = [d for uri in session.client.diagnostics for d in session.client.diagnostics[uri]
            if d.code == "missing-docstring"]
    assert docs and all(d.severity == types.DiagnosticSeverity.Hint for d in docs)
    assert not any(uri.endswith("test_pricing.py") and any(d.code == "B602" for d in diags)
                   for uri, diags in session.client.diagnostics.items())

    # The summary notification for the extension's status item.
    await session.wait_for(lambda: session.notifications.get("empathy/report"), what="empathy/report")
    report = session.notifications["empathy/report"][-1]
    assert report.approved == result["approved"]
    assert report.findings_total == len(result["findings"])

    # Nothing changed: the editor's re-run is answered from the stored report, as the CLI's is (the replay
    # belongs to the use case), with the same findings published again.
    again = await session.execute(ids.RELEASE_PREP, {"gates": {"minCoverage": 10}})
    assert any(n.startswith("nothing changed since the release prep") for n in again["notes"])
    assert again["findings"] == result["findings"] and again["gates"] == result["gates"]


async def test_second_request_joins_the_running_one(start_server, sample):
    session = await start_server(sample)
    first, second = await asyncio.gather(session.execute(ids.RELEASE_PREP, {}),
                                         session.execute(ids.RELEASE_PREP, {}))
    assert first == second  # duration_seconds included: two separate runs would differ


async def test_cancel_request_ends_progress_and_leaves_no_process(start_server, sample):
    session = await start_server(sample)
    server = psutil.Process(session.pid)
    token = "rp-cancel"
    request = asyncio.ensure_future(session.execute(ids.RELEASE_PREP, {}, msg_id="rp-cancel-req", token=token))
    # Cancel once the run has real tool processes going.
    await session.wait_for(lambda: server.children(recursive=True), what="a tool process")
    session.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="rp-cancel-req"))

    with pytest.raises(JsonRpcException) as err:
        await asyncio.wait_for(request, 60)
    assert err.value.code == -32800  # RequestCancelled
    await session.wait_for(lambda: _kinds(session, token)[-1:] == ["WorkDoneProgressEnd"], what="progress end")
    assert session.client.progress_reports[token][-1].message == "cancelled"
    await session.wait_for(lambda: not server.children(recursive=True), timeout=15, what="no child processes")

    # The server is still alive and can run again.
    assert await session.execute(ids.LIST_TEMPLATES)


async def test_progress_cancel_from_the_client(start_server, sample):
    session = await start_server(sample)
    server = psutil.Process(session.pid)
    request = asyncio.ensure_future(session.execute(ids.RELEASE_PREP, {}))
    await session.wait_for(lambda: [t for t in session.client.progress_reports
                                    if _kinds(session, t)[:1] == ["WorkDoneProgressBegin"]], what="progress")
    token = next(iter(session.client.progress_reports))
    await session.wait_for(lambda: server.children(recursive=True), what="a tool process")
    session.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    with pytest.raises(JsonRpcException):
        await asyncio.wait_for(request, 60)
    await session.wait_for(lambda: _kinds(session, token)[-1:] == ["WorkDoneProgressEnd"], what="progress end")
    await session.wait_for(lambda: not server.children(recursive=True), timeout=15, what="no child processes")


async def test_untrusted_workspace_skips_coverage_but_runs_static_analysis(start_server, sample):
    session = await start_server(sample, init_options={"trusted": False})
    result = await session.execute(ids.RELEASE_PREP, {})
    assert result["metrics"].get("coverage_percent") is None
    assert "B602" in {f["rule"] for f in result["findings"]}
    assert "coverage-gap" not in {f["rule"] for f in result["findings"]}
    assert any("not trusted" in m.message for m in session.client.messages)
    assert not (sample / ".coverage").exists()

    boost = await session.execute(ids.TEST_COVERAGE_BOOST, {})
    assert boost["skipped"] is True and "not trusted" in boost["reason"]
    assert session.applied_edits == []
