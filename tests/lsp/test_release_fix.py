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


def _apply(text: str, edits: list[dict]) -> str:
    lines = text.splitlines(keepends=True)
    for e in sorted(edits, key=lambda e: e["range"]["start"]["line"], reverse=True):
        lines[e["range"]["start"]["line"]:e["range"]["end"]["line"]] = [e["newText"]]
    return "".join(lines)


async def test_two_fixes_in_one_file_come_as_one_edit_of_the_verified_set(start_server, sample, fake_anthropic):
    """Both security fixes touch storage.py: the editor gets the combined, verified text in one document
    edit (two edits each computed against the original would not compose)."""
    from tests.conftest import SAMPLE
    from tests.lsp.conftest import server_env
    from tests.unit.test_release_fix import security_model

    storage = sample / "inventory" / "storage.py"
    original = storage.read_text(encoding="utf-8")
    fake_anthropic.default = security_model(storage)
    env = server_env(ANTHROPIC_BASE_URL=fake_anthropic.url, ANTHROPIC_API_KEY="sk-test-not-a-real-key")
    session = await start_server(sample, env=env)

    result = await session.execute(ids.RELEASE_FIX, {}, token="release-fix-2")

    edit = result["edit"]
    docs = [op for op in edit["documentChanges"] if op.get("textDocument", {}).get("uri", "").endswith("storage.py")]
    assert len(docs) == 1, docs
    fixed = _apply(original, docs[0]["edits"])
    assert "usedforsecurity=False" in fixed and "shell=True" not in fixed
    group = docs[0]["edits"][0]["annotationId"]
    assert "max_critical_issues" in group.split("+")
    assert edit["changeAnnotations"][group]["needsConfirmation"] is True
    assert storage.read_text(encoding="utf-8") == original == (SAMPLE / "inventory" / "storage.py").read_text()
