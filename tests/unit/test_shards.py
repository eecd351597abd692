"""Sharded release prep as CI runs it: shards in separate copies of the project, merged in a third, against
one unsharded run; real processes, real coverage.py data, real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os.workflows.shards import split

EMPATHY = [sys.executable, "-m", "empathy_os"]
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample-project"


def run(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")}
    return subprocess.run([*EMPATHY, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
                          check=False)


def copy(dest: Path) -> Path:
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(".empathy", "__pycache__", ".coverage*"))
    return dest


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Shards 1/2 and 2/2 of the sample, each run in its own copy; their folders."""
    base = tmp_path_factory.mktemp("shards")
    dirs = []
    for k in (1, 2):
        project = copy(base / f"copy{k}")
        proc = run("orchestrate", "release-prep", "--shard", f"{k}/2", "--shard-dir", str(base / f"s{k}"),
                   cwd=project)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"shard {k}/2: 1 test file(s)")
        assert sorted(p.name for p in (base / f"s{k}").iterdir()) == ["coverage.data", "junit.xml", "shard.json"]
        dirs.append(base / f"s{k}")
    return dirs


def comparable(report: dict) -> dict:
    return {"approved": report["approved"], "confidence": report["confidence"], "metrics": report["metrics"],
            "gates": [(g["name"], g["actual"], g["passed"]) for g in report["gates"]],
            "findings": sorted((f["tool"], f["rule"], f["path"], f["line"], f["message"])
                               for f in report["findings"])}


def test_two_shards_merged_equal_one_unsharded_run(shards, tmp_path):
    one = run("orchestrate", "release-prep", "--no-cache", "--json", cwd=copy(tmp_path / "one"))
    merged = run("orchestrate", "merge", *map(str, shards), "--json", "--sarif", str(tmp_path / "m.sarif"),
                 cwd=copy(tmp_path / "merge"))
    assert merged.returncode == one.returncode == 1, merged.stderr  # the sample is not release-ready
    a, b = json.loads(merged.stdout), json.loads(one.stdout)
    assert comparable(a) == comparable(b)
    assert a["metrics"]["tests_passed"] == 5 and a["metrics"]["coverage_percent"] > 0
    assert {f["tool"] for f in a["findings"]} >= {"bandit", "coverage", "ruff"}
    sarif = json.loads((tmp_path / "m.sarif").read_text())
    assert sum(len(r["results"]) for r in sarif["runs"]) == len(a["findings"])
    # Each shard folder now holds every test file's seconds, for the next split's balance.
    assert set(json.loads((shards[0] / "durations.json").read_text())) == {"tests/test_pricing.py",
                                                                           "tests/test_stock.py"}


def one_line_error(proc, *words):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == "", proc.stderr
    assert all(w in proc.stderr for w in words), proc.stderr


def test_a_missing_or_duplicate_shard_is_named(shards, tmp_path):
    root = copy(tmp_path / "merge")
    one_line_error(run("orchestrate", "merge", str(shards[0]), cwd=root), "2/2 missing")
    twice = shutil.copytree(shards[0], tmp_path / "again")
    one_line_error(run("orchestrate", "merge", str(shards[0]), str(twice), str(shards[1]), cwd=root),
                   "shard 1/2 given twice", str(twice))
    one_line_error(run("orchestrate", "merge", str(tmp_path), cwd=root), "no shard.json")
    bad = shutil.copytree(shards[1], tmp_path / "bad")
    manifest = json.loads((bad / "shard.json").read_text())
    manifest["results"]["coverage"]["ran"] = "perhaps"
    (bad / "shard.json").write_text(json.dumps(manifest))
    one_line_error(run("orchestrate", "merge", str(shards[0]), str(bad), cwd=root), str(bad),
                   "results.coverage.ran")


@pytest.mark.parametrize("key", ["commit", "versions"])
def test_shards_of_another_commit_or_tool_version_are_refused(shards, tmp_path, key):
    other = shutil.copytree(shards[1], tmp_path / "other")
    manifest = json.loads((other / "shard.json").read_text())
    manifest[key] = "sha256 0000" if key == "commit" else {**manifest[key], "tests": "coverage 6.0, pytest 7.0"}
    (other / "shard.json").write_text(json.dumps(manifest))
    one_line_error(run("orchestrate", "merge", str(shards[0]), str(other), cwd=copy(tmp_path / "merge")),
                   "shard 2/2", str(other))


def test_the_merging_checkout_must_be_the_shards_commit(shards, tmp_path):
    root = copy(tmp_path / "merge")
    (root / "inventory" / "extra.py").write_text("X = 1\n")
    one_line_error(run("orchestrate", "merge", *map(str, shards), cwd=root), "the shards were run at")


def test_bad_shard_options_are_usage_errors(tmp_path):
    root = copy(tmp_path / "p")
    one_line_error(run("orchestrate", "release-prep", "--shard", "3/2", "--shard-dir", "x", cwd=root), "K/N")
    one_line_error(run("orchestrate", "release-prep", "--shard", "1/2", cwd=root), "--shard-dir")
    one_line_error(run("orchestrate", "release-prep", "--shard", "1/3", "--shard-dir", str(tmp_path / "s"),
                       cwd=root), "only 2 test file(s)")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    one_line_error(run("orchestrate", "release-prep", "--shard", "1/2", "--shard-dir", str(tmp_path / "full"),
                       cwd=root), "not empty")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"


def test_split_balances_recorded_seconds_else_counts():
    files = ["a.py", "b.py", "c.py", "d.py"]
    assert split(files, 2, {}) == [["a.py", "c.py"], ["b.py", "d.py"]]
    assert split(files, 2, {"a.py": 10, "b.py": 1, "c.py": 1, "d.py": 8}) == [["a.py"], ["b.py", "c.py", "d.py"]]
    # a file with no record weighs the mean of the recorded ones
    assert split(files, 2, {"a.py": 9, "b.py": 1, "c.py": 2}) == [["a.py"], ["b.py", "c.py", "d.py"]]
