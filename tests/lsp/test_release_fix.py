"""`empathy.server.releaseFix` through a real language client: the release-fix plan runs in the daemon's
worker inside work-done progress and comes back as one WorkspaceEdit grouped by gate; nothing is written."""

from __future__ import annotations

from empathy_os.lsp import command_ids as ids
from pygls.exceptions import JsonRpcException


def _files(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.py")}


async def test_release_fix_returns_the_measured_set_as_one_edit_grouped_by_gate(start_server, sample):
    session = await start_server(sample)
    before = _files(sample)

    result = await session.execute(ids.RELEASE_FIX, {}, token="release-fix-1")

    kinds = [type(v).__name__ for v in session.client.progress_reports["release-fix-1"]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    fix = result["fix"]
    measured = fix["gates_after"]["applied_in_copy"]
    coverage = {g["name"]: g for g in fix["gates_after"]["gates"]}["min_coverage"]
    assert measured and coverage["passed"]  # the boost's tests lift the sample over 80 % (measured on a copy)
    edit = result["edit"]
    annotations = edit["changeAnnotations"]
    assert annotations["min_coverage"]["label"] == "Coverage: new tests"
    assert annotations["min_coverage"]["needsConfirmation"] is True
    created = [op["uri"] for op in edit["documentChanges"] if op.get("kind") == "create"]
    assert len(created) == len([c for c in fix["changes"] if c["id"] in measured and c["gate"] == "min_coverage"])
    assert all(op["annotationId"] == "min_coverage" for op in edit["documentChanges"] if op.get("kind") == "create")
    assert all(not op["options"]["overwrite"] for op in edit["documentChanges"] if op.get("kind") == "create")
    texts = [op for op in edit["documentChanges"] if "textDocument" in op]
    assert all(e["annotationId"] for op in texts for e in op["edits"])
    assert _files(sample) == before  # the editor applies the edit; the daemon wrote nothing
    assert session.applied_edits == []  # and asked for nothing: the client previews it itself


async def test_release_fix_refuses_a_root_outside_the_workspace(start_server, sample, tmp_path):
    session = await start_server(sample)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    try:
        await session.execute(ids.RELEASE_FIX, {"root": str(outside)})
    except JsonRpcException as exc:
        assert exc.code == -32602 and "not inside a workspace folder" in exc.message
    else:
        raise AssertionError("a root outside the workspace was accepted")
