"""The application layer (empathy_os.app): every use case through `app.run` with a real request on a real copy
of the sample project, and the one request contract shared by the CLI, the daemon and its worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os import app
from empathy_os.app.requests import (
    ComposeRequest,
    CoverageBoostRequest,
    FixRequest,
    ReleaseFixRequest,
    ReleasePrepRequest,
    Request,
    StoreQueryRequest,
    VerifyRequest,
)
from empathy_os.changes.patch import make_diff
from pydantic import ValidationError

# Only the quality gate can fail: the release fix's plan is then ruff's own fix, verified offline.
ONLY_QUALITY = {"min_coverage": 0, "max_critical_issues": 1000, "min_doc_coverage": 0, "min_quality_score": 10}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".empathy" not in p.parts and "__pycache__" not in p.parts}


def through_the_wire(request):
    """What the daemon's worker receives: the request's JSON, validated back into the union."""
    again = Request.model_validate(json.loads(json.dumps(request.model_dump(mode="json")))).root
    assert again == request and type(again) is type(request)
    return again


async def test_release_prep_then_its_unchanged_rerun_is_replayed(sample_project, offline):
    request = through_the_wire(ReleasePrepRequest(root=sample_project, trusted=True))
    first = await app.run(request)
    assert not first.replayed and first.report["gates"] and "RELEASE" in first.text
    assert first.exit_code == (0 if first.report["approved"] else 1)
    assert {g["name"] for g in first.report["gates"]} >= {"min_coverage", "min_quality_score"}
    again = await app.run(request)  # the editor gets the replay too: it belongs to the use case
    assert again.replayed and again.report["gates"] == first.report["gates"]
    assert any(n.startswith("nothing changed since the release prep") for n in again.report["notes"])
    assert again.exit_code == first.exit_code


async def test_release_fix_measures_on_a_copy_and_applies_only_when_asked(sample_project, offline):
    before = snapshot(sample_project)
    looked = await app.run(ReleaseFixRequest(root=sample_project, trusted=True, gates=ONLY_QUALITY))
    assert snapshot(sample_project) == before  # measured on a copy: nothing written
    assert looked.fix["plan"]["task_pattern"] == "release_fix"
    assert looked.units and looked.fix["gates_after"]["applied_in_copy"]
    written = await app.run(ReleaseFixRequest(root=sample_project, trusted=True, gates=ONLY_QUALITY, apply=True))
    assert written.fix["applied"] and "verdict_after_writing" in written.fix  # re-measured in the project
    changed = {k for k, v in snapshot(sample_project).items() if before.get(k) != v}
    assert changed == {"inventory/report.py"}  # ruff's F401 fix, the only verified change
    assert written.exit_code == (0 if written.fix["verdict_after_writing"]["approved"] else 1)


async def test_coverage_boost_dry_run_keeps_tests_and_writes_nothing(sample_project, offline):
    before = snapshot(sample_project)
    result = await app.run(through_the_wire(CoverageBoostRequest(
        root=sample_project, trusted=True, only="inventory/pricing.py", dry_run=True)))
    assert snapshot(sample_project) == before
    assert result.report["dry_run"] is True and result.report["candidates_kept"] >= 1 and result.files
    assert all(f["path"].startswith("tests/") for f in result.files)
    assert set(result.covered) <= {"inventory/pricing.py"}
    assert "not written: --dry-run" in result.text


async def test_coverage_boost_is_refused_when_untrusted(sample_project, offline):
    result = await app.run(CoverageBoostRequest(root=sample_project, trusted=False))
    assert result.exit_code == 2 and result.usage_error.startswith("test-coverage refused:")


async def test_fix_verifies_ruffs_fix_and_carries_the_bytes_for_an_editor(sample_project, offline):
    from empathy_os.app.wire import fix_report_from_wire

    before = snapshot(sample_project)
    result = await app.run(through_the_wire(FixRequest(root=sample_project, trusted=True, agents=["code_reviewer"])))
    assert snapshot(sample_project) == before
    [change] = result.report["changes"]
    assert change["verified"] and change["findings"][0]["rule"] == "F401"
    report = fix_report_from_wire(result.wire)  # what the daemon makes its WorkspaceEdit from
    assert b"import os\n" not in report.results[0].verdict.after_content["inventory/report.py"]
    assert result.exit_code == 0 and "F401" in result.text


async def test_verify_tells_a_good_patch_from_one_that_does_not_apply(sample_project, offline):
    path = "inventory/pricing.py"
    text = (sample_project / path).read_text(encoding="utf-8")
    good = make_diff(path, text, text.replace(
        "def tax_amount(amount: float, rate: float = 0.2) -> float:\n",
        'def tax_amount(amount: float, rate: float = 0.2) -> float:\n    """Tax on ``amount``."""\n'))
    result = await app.run(through_the_wire(VerifyRequest(root=sample_project, trusted=True, patch=good)))
    assert result.verdict["verified"] and result.exit_code == 0 and result.usage_error is None
    stale = await app.run(VerifyRequest(root=sample_project, trusted=True, patch=good.replace("0.2", "0.3")))
    assert stale.exit_code == 2 and "does not apply" in stale.usage_error


async def test_compose_plans_and_refuses_out_of_scope(sample_project, offline):
    context = {"project_path": str(sample_project), "learn": False}
    result = await app.run(through_the_wire(ComposeRequest(task="Prepare for production release",
                                                           context=context)))
    assert result.plan["agents"] and result.result is None and result.exit_code == 0
    assert result.text.startswith("Task: Prepare for production release")
    refused = await app.run(ComposeRequest(task="Write me a poem about caches", context=context))
    assert refused.exit_code == 2 and refused.refused["refused"] is True and refused.document() == refused.refused


async def test_store_queries_read_without_creating(sample_project, offline):
    store = sample_project / ".empathy" / "store.json"
    best = StoreQueryRequest(query="best", root=sample_project, task_pattern="release_preparation")
    missing = await app.run(through_the_wire(best))
    assert missing.exit_code == 1 and missing.document() is None and not store.exists()
    from empathy_os.store import AgentConfiguration
    from empathy_os.store.configurations import ConfigurationStore

    ConfigurationStore(path=store).save(AgentConfiguration(
        id="rp-1", task_pattern="release_preparation", agents=[{"role": "security_auditor", "tier": "PREMIUM"}],
        strategy="parallel", quality_gates={"min_coverage": 80}))
    found = await app.run(best)
    assert found.exit_code == 0 and found.document()["task_pattern"] == "release_preparation"
    listing = await app.run(StoreQueryRequest(query="list", root=sample_project))
    assert [c["id"] for c in listing.document()] == ["rp-1"] and "rp-1" in listing.text
    unknown = await app.run(StoreQueryRequest(query="show", root=sample_project, id="nope"))
    assert unknown.exit_code == 2 and "no configuration 'nope'" in unknown.usage_error


@pytest.mark.parametrize(("data", "problem"), [
    ({"kind": "release_prep", "root": "."}, None),
    ({"kind": "release_prep", "root": ".", "trusted": "true"}, "trusted: Input should be a valid boolean"),
    ({"kind": "fix", "root": ".", "trusted": 1}, "trusted: Input should be a valid boolean"),
    ({"kind": "release_prep", "root": ".", "gates": {"minCoverge": 3}}, "unknown quality gate 'min_coverge'"),
    ({"kind": "verify", "root": "/no/such/folder", "patch": ""}, "is not an existing folder"),
    ({"kind": "launch_rockets"}, "does not match any of the expected tags"),
    ({"kind": "compose", "task": "x", "surprise": 1}, "surprise: Extra inputs are not permitted"),
])
def test_a_malformed_request_is_refused_with_what_is_wrong(data, problem):
    from empathy_os.app.requests import one_line

    if problem is None:
        assert Request.model_validate(data).root.trusted is False  # fail closed: trust is never implied
        return
    with pytest.raises(ValidationError) as err:
        Request.model_validate(data)
    assert problem in one_line(err.value) and "\n" not in one_line(err.value)


def test_the_cli_reports_a_malformed_request_in_one_line_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "empathy_os", "compose", "", "--project-root", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "empathy: error: task: String should have at least 1 character\n"


def test_the_worker_answers_a_malformed_request_as_invalid(tmp_path):
    job = {"kind": "release_prep", "root": str(tmp_path), "trusted": "yes"}
    # As the daemon does: the request on one line, stdin kept open (its end would mean the daemon is gone).
    proc = subprocess.Popen([sys.executable, "-m", "empathy_os.lsp.worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        proc.stdin.write(json.dumps(job) + "\n")
        proc.stdin.flush()
        answer = json.loads(proc.stdout.readline())
        assert proc.wait(timeout=120) == 2
    finally:
        proc.stdin.close()
        if proc.poll() is None:
            proc.kill()
    assert answer == {"error": {"kind": "invalid", "message": "release_prep.trusted: Input should be a valid boolean"}}
