"""`empathy store list | show | best` on a real store file, in-process and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from empathy_os.cli import main
from empathy_os.store.configurations import AgentConfiguration, ConfigurationStore

AGENTS = [{"role": "security_auditor", "tier": "PREMIUM"}, {"role": "test_coverage_analyzer", "tier": "CAPABLE"}]


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("EMPATHY_STORE", raising=False)
    store = ConfigurationStore(project_root=tmp_path)
    for cid, runs in (("lucky", [(True, 99.0)]), ("proven", [(True, 80.0)] * 6 + [(False, 40.0)])):
        store.save(AgentConfiguration(id=cid, task_pattern="release_preparation", agents=AGENTS,
                                      strategy="parallel", quality_gates={"min_coverage": 80}))
        for ok, score in runs:
            store.record_outcome(cid, ok, score)
    store.save(AgentConfiguration(id="docs", task_pattern="documentation",
                                  agents=[{"role": "documentation_writer", "tier": "CHEAP"}], strategy="sequential"))
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["store", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_human_and_json(workspace, capsys):
    code, out, _ = run(capsys, "list", "--project-root", str(workspace))
    assert code == 0
    assert out.splitlines()[0].split()[:4] == ["ID", "TASK", "PATTERN", "STRATEGY"]
    assert "proven" in out and "86%" in out and "3 configuration(s)" in out
    code, out, _ = run(capsys, "list", "--json", "--store", str(workspace / ".empathy" / "store.json"))
    items = json.loads(out)
    assert code == 0 and [i["id"] for i in items] == ["docs", "proven", "lucky"]
    proven = items[1]
    assert proven["usage_count"] == 7 and proven["success_count"] == 6
    assert proven["avg_quality_score"] == pytest.approx((6 * 80 + 40) / 7)
    code, out, _ = run(capsys, "list", "--json", "--task-pattern", "documentation", "--project-root", str(workspace))
    assert [i["id"] for i in json.loads(out)] == ["docs"]


def test_cwd_store_is_the_default(workspace, capsys, monkeypatch):
    monkeypatch.chdir(workspace)
    code, out, _ = run(capsys, "best", "release_preparation", "--json")
    assert code == 0 and json.loads(out)["id"] == "proven"  # 6/7 over many runs beats 1/1


def test_show_and_best(workspace, capsys):
    root = ["--project-root", str(workspace)]
    code, out, _ = run(capsys, "show", "lucky", *root)
    assert code == 0 and "runs:          1 (1 succeeded, 100.0%)" in out and "99.0/100" in out
    code, out, _ = run(capsys, "show", "docs", "--json", *root)
    assert code == 0 and json.loads(out)["agents"] == [{"role": "documentation_writer", "tier": "CHEAP"}]
    code, out, _ = run(capsys, "best", "release_preparation", *root)
    assert code == 0 and out.startswith("id:            proven")
    code, out, _ = run(capsys, "best", "no_such_pattern", "--json", *root)
    assert (code, out.strip()) == (1, "null")


def test_empty_or_missing_store_lists_nothing_and_creates_nothing(tmp_path, capsys):
    code, out, _ = run(capsys, "list", "--project-root", str(tmp_path))
    assert code == 0 and "no configurations" in out
    code, out, _ = run(capsys, "list", "--json", "--project-root", str(tmp_path))
    assert json.loads(out) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "needle"), [
    (["show", "nope"], "no configuration 'nope'"),
    (["list", "--store", "{ws}"], "is a directory"),
    (["list", "--project-root", "{ws}/missing"], "is not a directory"),
    (["best", "x", "--store", "{ws}/.empathy/corrupt.json"], "is corrupt"),
])
def test_bad_input_is_one_line_and_exit_2(workspace, capsys, argv, needle):
    (workspace / ".empathy" / "corrupt.json").write_text('{"configurations": {"1": {"id": "x"')
    argv = [a.format(ws=workspace) for a in argv]
    if "--store" not in argv and "--project-root" not in argv:
        argv += ["--project-root", str(workspace)]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err and err.startswith("empathy: error:")


def test_real_process_exit_codes(workspace):
    base = [sys.executable, "-m", "empathy_os", "store"]
    bad = subprocess.run([*base, "show", "ghost", "--project-root", str(workspace)],
                         check=False, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        f"empathy: error: no configuration 'ghost' in {workspace / '.empathy' / 'store.json'}"]
    good = subprocess.run([*base, "best", "release_preparation", "--json", "--project-root", str(workspace)],
                          check=False, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0 and json.loads(good.stdout)["id"] == "proven"
