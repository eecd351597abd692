"""Coverage boost on real copies of the sample project: real pytest, coverage.py, ghostwriter, fake model."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os.cli import main
from empathy_os.llm import Tier, load_tier_table
from empathy_os.testgen.report import render_text
from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

from tests.conftest import SAMPLE


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".empathy" not in p.parts
    }


@pytest.fixture(scope="module")
def boosted(tmp_path_factory: pytest.TempPathFactory):
    """One full offline run through the CLI (--json), shared by the assertions below."""
    root = tmp_path_factory.mktemp("boost") / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".empathy", "__pycache__", ".coverage*"))
    before = tree(root)
    out = subprocess.run(
        [sys.executable, "-m", "empathy_os", "orchestrate", "test-coverage", "--project-root", str(root),
         "--target", "80", "--json"],
        check=False, capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")},  # offline
    )
    return root, before, out


def test_offline_run_raises_coverage_and_exits_0(boosted):
    _, _, out = boosted
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)  # pure JSON on stdout
    assert report["coverage_after"] > report["coverage_before"]
    assert report["target_reached"] and report["coverage_after"] >= 80
    assert report["model"].startswith("not configured") and report["cost_usd"] == 0
    assert 0 < report["candidates_kept"] <= report["candidates_tried"]
    kept = [c for c in report["candidates"] if c["result"] == "kept"]
    assert all(c["new_lines"] or c["new_branches"] for c in kept)
    assert {c["origin"] for c in kept} <= {"ghostwriter", "plain"}
    # storage.archive runs a shell: never fuzzed offline, and the report says why.
    archive = next(g for g in report["gaps"] if g["symbol"] == "archive")
    assert "subprocess" in archive["skipped_offline"]
    assert not any(c["target"].endswith(":archive") for c in report["candidates"])


def test_no_existing_file_changed_and_names_are_right(boosted):
    root, before, out = boosted
    report = json.loads(out.stdout)
    after = tree(root)
    assert {k: after[k] for k in before} == before
    new = sorted(set(after) - set(before))
    assert new == sorted(report["written"]) == sorted(f["path"] for f in report["files"])
    assert new and all(p.startswith("tests/test_") and p.endswith("_generated.py") for p in new)
    assert "tests/test_pricing_generated.py" in new
    for f in report["files"]:
        assert (root / f["path"]).read_text(encoding="utf-8") == f["content"]


def test_kept_tests_pass_in_a_fresh_pytest_run(boosted, tmp_path):
    root, _, out = boosted
    written = json.loads(out.stdout)["written"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *written],
                         check=False, cwd=root, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
                              "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path / "hyp")})
    assert run.returncode == 0, run.stdout[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


async def test_dry_run_and_write_false_write_nothing(sample_project, offline):
    before = tree(sample_project)
    wf = TestCoverageBoostWorkflow(target=100)
    report = await wf.execute(sample_project, only="inventory/pricing.py:price_band", dry_run=True)
    assert report.files and not report.written
    report2 = await wf.execute(sample_project, only="inventory/pricing.py:price_band", write=False)
    assert report2.files and not report2.written
    assert tree(sample_project) == before
    text = render_text(report)
    assert "Stage 1: Coverage Gap Analysis" in text and "Would write tests/test_pricing_generated.py" in text
    assert f"{report.coverage_before:.1f}% → {report.coverage_after:.1f}%" in text
    assert f"Kept {len(report.kept)} of {len(report.verdicts)} candidate(s)" in text
    assert "not configured" in text and "Target 100.0% not reached" in text


async def test_a_target_already_met_generates_nothing(sample_project, offline):
    report = await TestCoverageBoostWorkflow(target=10).execute(sample_project, dry_run=True)
    assert report.coverage_before >= 10 and report.coverage_after == report.coverage_before
    assert not report.gaps and not report.verdicts and not report.files and report.target_reached
    note = f"coverage {report.coverage_before:.1f}% already meets the target 10.0%: no test generated"
    assert report.notes == [note]


async def test_failing_suite_is_refused(sample_project, offline):
    (sample_project / "tests" / "test_broken.py").write_text("def test_x():\n    assert 1 == 2\n")
    before = tree(sample_project)
    report = await TestCoverageBoostWorkflow().execute(sample_project)
    assert report.refused and "fails" in report.refused and "baseline" in report.refused
    assert not report.verdicts and not report.files
    assert tree(sample_project) == before


async def test_untrusted_workspace_is_refused_without_running_anything(sample_project):
    report = await TestCoverageBoostWorkflow().execute(sample_project, trusted=False)
    assert report.refused and "not trusted" in report.refused
    assert report.coverage_before is None and not report.verdicts
    assert not (sample_project / ".empathy").exists()


# Reads a file: offline generation never calls such a function, so only the model can cover it.
CODES = '''"""Part codes."""


def kinds(path):
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            code, _, kind = line.strip().partition("=")
            out[code] = kind
    return out
'''
_SETUP = "    p = tmp_path / 'codes.txt'\n    p.write_text('A-1=assembly\\n', encoding='utf-8')\n"
FAILING = ("```python\nfrom inventory.codes import kinds\n\n\ndef test_kinds(tmp_path):\n" + _SETUP
           + "    assert len(kinds(p)) == 5\n```")
NO_GAIN = "```python\nimport inventory.codes\n\n\ndef test_import_only():\n    assert inventory.codes\n```"
GOOD = ("Here you go:\n```python\nfrom inventory.codes import kinds\n\n\ndef test_kinds(tmp_path):\n" + _SETUP
        + "    assert kinds(p) == {'A-1': 'assembly'}\n```\n")


async def test_model_cascade_keeps_exactly_the_good_test(sample_project, fake_anthropic):
    (sample_project / "inventory" / "codes.py").write_text(CODES, encoding="utf-8")
    usage = [(1200, 300), (1500, 250), (1800, 400)]
    fake_anthropic.script(*({"text": t, "input_tokens": i, "output_tokens": o}
                            for t, (i, o) in zip([FAILING, NO_GAIN, GOOD], usage)))
    report = await TestCoverageBoostWorkflow(target=100, max_iterations=1).execute(
        sample_project, only="inventory/codes.py:kinds", write=False)
    # Offline generation skipped the file-reading function (and says so), so the model was asked.
    assert "open()" in report.gaps[0].side_effects
    assert not [v for v in report.verdicts if v.candidate.origin != "model"]
    models = [r["model"] for r in fake_anthropic.requests]
    tiers = load_tier_table()
    assert models == [tiers[Tier.CHEAP].model, tiers[Tier.CAPABLE].model, tiers[Tier.PREMIUM].model]
    results = [(v.candidate.tier, v.reason.value) for v in report.verdicts]
    assert results == [("CHEAP", "failed"), ("CAPABLE", "no-coverage-gain"), ("PREMIUM", "kept")]
    assert [v.candidate.tier for v in report.kept] == ["PREMIUM"]
    assert len(report.files) == 1 and "== {'A-1': 'assembly'}" in report.files[0].content
    assert "test_import_only" not in report.files[0].content
    # Feedback: the failure output reached CAPABLE, the still-missing lines reached PREMIUM.
    second = fake_anthropic.requests[1]["messages"][0]["content"]
    third = fake_anthropic.requests[2]["messages"][0]["content"]
    assert "assert 1 == 5" in second and "rejected: failed" in second
    missing = sorted(report.gaps[0].missing)
    assert f"still missing lines: {missing}" in third and "rejected: no-coverage-gain" in third
    expected = sum(tiers[t].cost(i, o) for t, (i, o) in zip(Tier, usage))
    assert report.cost_usd == pytest.approx(expected, rel=0, abs=1e-12)
    assert report.model_calls == 3 and report.coverage_after > report.coverage_before
    assert "sk-test-not-a-real-key" not in json.dumps(report.to_json())


async def test_model_rounds_stop_once_the_target_is_met(sample_project, fake_anthropic):
    (sample_project / "inventory" / "codes.py").write_text(CODES, encoding="utf-8")
    fake_anthropic.script({"text": GOOD, "input_tokens": 1200, "output_tokens": 300})
    # 40 % before (the whole sample with codes.py): one kept test of `kinds` is enough for 41 %.
    report = await TestCoverageBoostWorkflow(target=41, max_iterations=3).execute(
        sample_project, only="inventory/codes.py:kinds", write=False)
    assert report.coverage_before == 40.0
    # The first round's CHEAP test meets the target: the second round ends before any call.
    assert [(v.candidate.tier, v.reason.value) for v in report.verdicts] == [("CHEAP", "kept")]
    assert report.model_calls == 1 and len(fake_anthropic.requests) == 1 and report.iterations == 2


async def test_max_cost_stops_before_calling(sample_project, fake_anthropic):
    (sample_project / "inventory" / "codes.py").write_text(CODES, encoding="utf-8")
    report = await TestCoverageBoostWorkflow(target=100, max_cost=0.0).execute(
        sample_project, only="inventory/codes.py:kinds", write=False)
    assert fake_anthropic.requests == [] and report.cost_usd == 0 and report.model_calls == 0
    assert report.budget_note and "max cost" in report.budget_note


@pytest.mark.parametrize("argv, message", [
    (["--only", "inventory/nope.py"], "no Python file"),
    (["--only", "inventory/pricing.py:nope"], "no function or method 'nope'"),
    (["--only", "../outside.py"], "outside the project"),
    (["--project-root", "/definitely/not/here"], "does not exist"),
])
def test_bad_usage_exits_2_with_one_line(sample_project, capsys, argv, message):
    args = ["orchestrate", "test-coverage", "--project-root", str(sample_project), *argv]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_bad_numbers_exit_2(sample_project, capsys):
    for extra in (["--target", "120"], ["--max-iterations", "0"], ["--max-cost", "-1"]):
        with pytest.raises(SystemExit) as exc:
            main(["orchestrate", "test-coverage", "--project-root", str(sample_project), *extra])
        assert exc.value.code == 2


def test_cli_only_one_function_exit_1_numbered_sibling_and_json_is_pure(sample_project, offline, capsys):
    """One boost (CI time): --only, exit 1 below target, pure JSON, a numbered sibling, nothing written."""
    user_file = sample_project / "tests" / "test_pricing_generated.py"
    user_file.write_text("def test_mine():\n    assert True\n", encoding="utf-8")
    before = tree(sample_project)
    code = main(["orchestrate", "test-coverage", "--project-root", str(sample_project), "--only",
                 "inventory/pricing.py:tax_amount", "--target", "100", "--dry-run", "--json"])
    out = capsys.readouterr().out
    report = json.loads(out)
    assert code == 1 and report["target_reached"] is False and report["dry_run"] is True
    assert [g["symbol"] for g in report["gaps"]] == ["tax_amount"]
    assert report["candidates"] and {c["target"] for c in report["candidates"]} == {"inventory/pricing.py:tax_amount"}
    assert [f["path"] for f in report["files"]] == ["tests/test_pricing_generated_2.py"]
    assert report["written"] == [] and tree(sample_project) == before  # the user's file is untouched
    assert report["coverage_after"] > report["coverage_before"]


def test_cli_refusal_exits_2(sample_project, offline, capsys):
    (sample_project / "tests" / "test_broken.py").write_text("def test_x():\n    assert 0\n")
    assert main(["orchestrate", "test-coverage", "--project-root", str(sample_project)]) == 2
    err = capsys.readouterr().err.strip()
    assert "refused" in err and len(err.splitlines()) == 1


def test_fuzz_tests_run_only_where_plain_calls_leave_lines(boosted):
    """On the sample, each target's plain calls (as the generator traced them) reach every missed line
    of `price_band`: its fuzz test is not run; and every run after the baseline forked warm."""
    _, _, out = boosted
    report = json.loads(out.stdout)
    tried = {(c["target"], c["origin"]) for c in report["candidates"]}
    assert ("inventory/pricing.py:price_band", "plain") in tried
    assert ("inventory/pricing.py:price_band", "ghostwriter") not in tried
    assert report["warm_cpu_seconds"] > 0


async def test_a_deferred_fuzz_test_runs_when_the_plain_test_is_not_kept(tmp_path, offline):
    """The plain call observed False at generation, but pytest sets PYTEST_CURRENT_TEST, so the plain
    test fails; its fuzz test, left out of the first batch, must then run in a second round."""
    root = tmp_path / "proj"
    (root / "envcheck").mkdir(parents=True)
    (root / "envcheck" / "__init__.py").write_text("")
    (root / "envcheck" / "probe.py").write_text(
        "import os\n\n\ndef under_pytest() -> bool:\n    return 'PYTEST_CURRENT_TEST' in os.environ\n\n\n"
        "def other() -> int:\n    return 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_probe.py").write_text(
        "from envcheck.probe import other\n\n\ndef test_other():\n    assert other() == 1\n")
    # This test runs under pytest too: our PYTEST_CURRENT_TEST must not reach the sandbox (execution.STEERING).
    report = await TestCoverageBoostWorkflow(target=100).execute(root, dry_run=True, python=sys.executable)
    mine = [v for v in report.verdicts if v.candidate.gap.symbol == "under_pytest"]
    assert (mine[0].candidate.origin, mine[0].reason.value) == ("plain", "failed")
    assert [v.candidate.origin for v in mine] == ["plain", "ghostwriter"]
