"""Configuration store, pattern library and learning hooks in one process, on real files in tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from empathy_os.store import SchemaVersionError, StoreCorruptError, StoreError, wilson_lower_bound
from empathy_os.store.composition_records import (
    composition_id,
    describe,
    find_proven,
    find_proven_with_source,
    record_run,
)
from empathy_os.store.configurations import AgentConfiguration, ConfigurationNotFound, ConfigurationStore
from empathy_os.store.pattern_library import PatternLibrary, is_proven

AGENTS = [{"role": "security_auditor", "tier": "PREMIUM"}, {"role": "test_coverage_analyzer", "tier": "CAPABLE"}]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("EMPATHY_PATTERN_LIBRARY", str(tmp_path / "library.json"))
    monkeypatch.delenv("EMPATHY_STORE", raising=False)


def make(config_id: str = "c1", pattern: str = "release_preparation", **kw) -> AgentConfiguration:
    fields = {"agents": AGENTS, "strategy": "parallel", "quality_gates": {"min_coverage": 80}, **kw}
    return AgentConfiguration(id=config_id, task_pattern=pattern, **fields)


def test_default_location_is_cwd_then_env_then_argument(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ConfigurationStore().path == tmp_path / ".empathy" / "store.json"
    monkeypatch.setenv("EMPATHY_STORE", str(tmp_path / "env.json"))
    assert ConfigurationStore().path == tmp_path / "env.json"
    assert ConfigurationStore(tmp_path / "arg.json").path == tmp_path / "arg.json"
    assert ConfigurationStore(project_root=tmp_path / "ws").path == tmp_path / "ws" / ".empathy" / "store.json"
    # reading never creates anything
    assert ConfigurationStore().list() == [] and not (tmp_path / "env.json").exists()


def test_save_returns_id_and_persists_as_compact_tinydb_json(tmp_path):
    store = ConfigurationStore(tmp_path / "s.json")
    assert store.save(make()) == "c1"
    raw = (tmp_path / "s.json").read_bytes()
    assert b"\n" not in raw and raw.startswith(b'{"_meta":{"1":{"schema_version":1')
    data = json.loads(raw)
    assert [doc["id"] for doc in data["configurations"].values()] == ["c1"]
    again = ConfigurationStore(tmp_path / "s.json").get("c1")
    assert again.agents == AGENTS and again.quality_gates == {"min_coverage": 80} and again.usage_count == 0


def test_record_then_save_adds_runs_instead_of_overwriting(tmp_path):
    path = tmp_path / "s.json"
    first, second = ConfigurationStore(path), ConfigurationStore(path)
    first.save(make())
    a, b = first.get("c1"), second.get("c1")  # two stale copies, like two processes
    a.record_outcome(success=True, quality_score=90.0)
    b.record_outcome(success=False, quality_score=60.0)
    first.save(a)
    second.save(b)
    stored = ConfigurationStore(path).get("c1")
    assert (stored.usage_count, stored.success_count, stored.avg_quality_score) == (2, 1, 75.0)
    assert b.usage_count == 2  # the saved object now shows the stored totals
    second.save(b)  # saving again without new outcomes adds nothing
    assert ConfigurationStore(path).get("c1").usage_count == 2


def test_avg_quality_is_the_plain_mean_and_none_scores_are_not_counted(tmp_path):
    store = ConfigurationStore(tmp_path / "s.json")
    store.save(make())
    for score in (100.0, 50.0, 0.0, None, 70.0):
        store.record_outcome("c1", True, score)
    best = store.get("c1")
    assert best.usage_count == 5 and best.quality_score_count == 4 and best.avg_quality_score == 55.0
    assert best.success_rate == 1.0 and best.last_used is not None


def test_bad_scores_and_unknown_ids_are_rejected(tmp_path):
    store = ConfigurationStore(tmp_path / "s.json")
    store.save(make())
    for bad in (-1, 100.5, float("nan")):
        with pytest.raises(ValueError, match="0-100"):
            store.record_outcome("c1", True, bad)
    with pytest.raises(ConfigurationNotFound, match="nope"):
        store.record_outcome("nope", True, 50)
    with pytest.raises(ValueError):
        make(agents=[{"role": "x", "tier": "ULTRA"}])
    with pytest.raises(ValueError):
        store.search(min_success_rate=80)
    assert store.get("c1").usage_count == 0


def test_proven_configuration_beats_a_single_lucky_run(tmp_path):
    store = ConfigurationStore(tmp_path / "s.json")
    store.save(make("lucky"))
    store.record_outcome("lucky", True, 99.0)
    store.save(make("proven"))
    for i in range(10):
        store.record_outcome("proven", i != 0, 80.0)  # 9/10
    store.save(make("other-task", pattern="docs"))
    assert store.get_best_for_task("release_preparation").id == "proven"
    assert wilson_lower_bound(9, 10) > wilson_lower_bound(1, 1)
    assert store.get_best_for_task("nothing") is None


def test_search_filters_and_ranks(tmp_path):
    store = ConfigurationStore(tmp_path / "s.json")
    for cid, outcomes in {"a": [(True, 90)] * 5, "b": [(True, 70)] * 5, "c": [(False, 95)] * 5,
                          "d": [(True, 85)] * 2}.items():
        store.save(make(cid))
        for ok, q in outcomes:
            store.record_outcome(cid, ok, q)
    found = store.search(task_pattern="release_preparation", min_success_rate=0.8, min_quality_score=75.0)
    assert [c.id for c in found] == ["a", "d"]
    assert [c.id for c in store.search(limit=2)] == ["a", "b"]
    assert store.search(task_pattern="release_preparation", strategy="sequential") == []


def test_delete_list_len(tmp_path):
    store = ConfigurationStore(tmp_path / "s.json")
    store.save(make("a"))
    store.save(make("b", pattern="aaa"))
    assert len(store) == 2 and "a" in store
    assert [c.id for c in store.list()] == ["b", "a"]  # grouped by task pattern
    assert store.delete("a") is True and store.delete("a") is False
    assert [c.id for c in ConfigurationStore(tmp_path / "s.json").list()] == ["b"]
    store.save(make("c"))  # doc ids keep working after a delete
    assert len(ConfigurationStore(tmp_path / "s.json")) == 2


@pytest.mark.parametrize("content", [b'{"_meta": {"1": {"schema_ver', b"", b"[1, 2]", b'{"configurations": 3}',
                                     b"\x00\x01garbage"])
def test_corrupt_file_is_an_error_naming_it_with_a_backup_and_never_overwritten(tmp_path, content):
    path = tmp_path / "store.json"
    path.write_bytes(content)
    store = ConfigurationStore(path)
    with pytest.raises(StoreCorruptError) as caught:
        store.list()
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    backups = list(tmp_path.glob("store.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content and str(backups[0]) in message
    with pytest.raises(StoreCorruptError):
        store.save(make())
    with pytest.raises(StoreCorruptError):
        store.list()
    assert path.read_bytes() == content  # nothing written over it
    assert len(list(tmp_path.glob("store.json.corrupt-*"))) == 1  # one backup per damaged content


def test_newer_schema_is_read_but_never_written(tmp_path):
    path = tmp_path / "store.json"
    ConfigurationStore(path).save(make())
    data = json.loads(path.read_text())
    data["_meta"]["1"]["schema_version"] = 99
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    store = ConfigurationStore(path)
    assert store.get("c1").id == "c1"
    with pytest.raises(SchemaVersionError, match=r"schema version 99.*refusing to write"):
        store.record_outcome("c1", True, 50)
    with pytest.raises(SchemaVersionError):
        store.save(make("c2"))
    assert path.read_bytes() == before
    # the refused change is not visible in memory either
    assert store.get("c1").usage_count == 0 and store.get("c2") is None and len(store) == 1


def test_directory_instead_of_file_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="is a directory"):
        ConfigurationStore(tmp_path).list()


def test_foreign_plain_tinydb_file_is_readable_and_then_upgraded(tmp_path):
    from tinydb import TinyDB

    path = tmp_path / "store.json"
    with TinyDB(path) as db:  # TinyDB's own JSONStorage: no _meta, no write id
        db.table("configurations").insert(make().to_document())
    store = ConfigurationStore(path)
    assert store.get("c1") is not None
    store.record_outcome("c1", True, 70)
    assert json.loads(path.read_text())["_meta"]["1"]["schema_version"] == 1
    assert store.get("c1").usage_count == 1


def test_pattern_library_promotes_updates_and_demotes(tmp_path):
    library = PatternLibrary()
    assert library.path == tmp_path / "library.json"
    store = ConfigurationStore(tmp_path / "s.json", pattern_library=library)
    store.save(make())
    store.record_outcome("c1", True, 80)
    store.record_outcome("c1", True, 80)
    assert "c1" not in library
    assert not library.path.exists() and not library.path.with_name("library.json.lock").exists()
    store.record_outcome("c1", True, 80)  # 3/3: promoted automatically
    assert library.get("c1").usage_count == 3
    store.record_outcome("c1", False, 40)  # 3/4 = 0.75: still in, updated
    assert library.get("c1").usage_count == 4
    store.record_outcome("c1", False, 40)  # 3/5 = 0.60: demoted
    assert "c1" not in library and len(library) == 0


def test_tutorial_explicit_contribution_and_threshold(tmp_path):
    library = PatternLibrary(tmp_path / "explicit.json")
    config = make()
    for _ in range(3):
        config.record_outcome(success=True, quality_score=90.0)
    assert is_proven(config)
    assert library.contribute_successful_composition(config) is True
    weak = make("weak")
    weak.record_outcome(success=True)
    assert library.contribute_successful_composition(weak) is False
    assert [c.id for c in library.list()] == ["c1"]
    assert library.find_best("release_preparation").id == "c1"


def test_record_run_has_a_deterministic_id_and_find_proven_prefers_the_store(tmp_path):
    library = PatternLibrary()
    store = ConfigurationStore(tmp_path / "s.json", pattern_library=library)
    agents = [("security_auditor", "premium"), ("code_reviewer", "CAPABLE")]
    kwargs = {"task_pattern": "release_preparation", "agents": agents, "strategy": "parallel",
                  "quality_gates": {"min_coverage": 80}}
    assert find_proven("release_preparation", store=store) is None
    for _ in range(2):
        config = record_run(store, success=True, quality_score=8.5, quality_scale=10, **kwargs)
    assert config.id == composition_id("release_preparation", agents, "parallel", {"min_coverage": 80})
    assert config.usage_count == 2 and config.avg_quality_score == 85.0
    assert config.agents == [{"role": "security_auditor", "tier": "PREMIUM"},
                             {"role": "code_reviewer", "tier": "CAPABLE"}]
    assert find_proven("release_preparation", store=store) is None  # 2 runs: not proven yet
    record_run(store, success=True, quality_score=None, **kwargs)
    found, source = find_proven_with_source("release_preparation", store=store)
    assert (found.id, found.usage_count, source) == (config.id, 3, "store")
    assert "3 runs, 100% success" in describe(found, source)
    other = record_run(store, success=True, quality_score=90, **{**kwargs, "strategy": "sequential"})
    assert other.id != config.id and len(store) == 2

    # A fresh project has nothing in its store: the pattern library answers.
    fresh = ConfigurationStore(tmp_path / "fresh.json", pattern_library=library)
    found, source = find_proven_with_source("release_preparation", store=fresh)
    assert (found.id, source) == (config.id, "pattern_library")


def test_lock_file_and_temp_files_stay_beside_the_store(tmp_path):
    store = ConfigurationStore(tmp_path / "ws" / ".empathy" / "store.json")
    store.save(make())
    stray = tmp_path / "ws" / ".empathy" / ".store.json.killed.tmp"
    stray.write_text("{half")  # what a writer killed mid-write leaves behind
    store.record_outcome("c1", True, 50)
    names = sorted(os.listdir(tmp_path / "ws" / ".empathy"))
    assert names == ["store.json", "store.json.lock"]
    assert Path(tmp_path / "ws" / ".empathy" / "store.json").stat().st_mode & 0o777 == 0o644


def test_in_memory_view_always_matches_a_fresh_read_of_the_file(tmp_path):
    import random

    rng = random.Random(11)
    path = tmp_path / "s.json"
    store, other = ConfigurationStore(path), ConfigurationStore(path)
    for step in range(150):
        actor = store if rng.random() < 0.8 else other  # sometimes a second writer changes the file
        cid = f"c{rng.randint(0, 12)}"
        action = rng.random()
        if action < 0.35:
            actor.save(make(cid, pattern=rng.choice(["p1", "p2", "p3"])))  # may move it to another pattern
        elif action < 0.8 and cid in actor:
            actor.record_outcome(cid, rng.random() < 0.7, rng.uniform(0, 100), scale=100)
        elif action < 0.9:
            actor.delete(cid)
        fresh = ConfigurationStore(path)
        for view in (store, other):
            assert [c.to_document() for c in view.list()] == [c.to_document() for c in fresh.list()], step
            for pattern in ("p1", "p2", "p3", "release_preparation"):
                best, expected = view.get_best_for_task(pattern), fresh.get_best_for_task(pattern)
                assert (best and best.id) == (expected and expected.id), step


def test_a_hand_edit_that_keeps_the_write_id_is_still_seen(tmp_path):
    path = tmp_path / "s.json"
    store = ConfigurationStore(path)
    store.save(make())
    assert store.get("c1").strategy == "parallel"
    path.write_text(path.read_text().replace('"strategy":"parallel"', '"strategy":"sequential"'))
    assert store.get("c1").strategy == "sequential"


def test_a_lock_held_too_long_is_a_clear_error_and_changes_nothing(tmp_path):
    import filelock
    from empathy_os.store import StoreLockTimeout

    path = tmp_path / "s.json"
    ConfigurationStore(path).save(make())
    store = ConfigurationStore(path, lock_timeout=0.2)
    with filelock.FileLock(str(path) + ".lock"), pytest.raises(StoreLockTimeout, match="locked by another"):
        store.record_outcome("c1", True, 50)
    assert store.get("c1").usage_count == 0  # reads do not wait for the lock
    assert store.record_outcome("c1", True, 50).usage_count == 1


def test_an_unusable_pattern_library_does_not_undo_or_hide_the_store_write(tmp_path):
    broken = tmp_path / "library.json"
    broken.write_text("{not json")
    store = ConfigurationStore(tmp_path / "s.json", pattern_library=PatternLibrary(broken))
    store.save(make())
    for _ in range(3):
        config = store.record_outcome("c1", True, 90)
    assert config.usage_count == 3 and ConfigurationStore(tmp_path / "s.json").get("c1").usage_count == 3
    assert store.library_error and "library.json is corrupt" in store.library_error
    assert broken.read_text() == "{not json"


def test_a_record_missing_its_counters_is_a_clear_error(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"configurations": {"1": {"id": "x", "task_pattern": "p"}}}))
    with pytest.raises(StoreError, match=r"s.json has a malformed configuration record .*'x'"):
        ConfigurationStore(path).search(min_success_rate=0.5)


def test_a_pattern_library_file_is_not_taken_for_a_store(tmp_path):
    library = PatternLibrary(tmp_path / "library.json")
    config = make()
    for _ in range(3):
        config.record_outcome(success=True)
    library.contribute_successful_composition(config)
    with pytest.raises(StoreError, match="holds 'empathy.pattern_library' data"):
        ConfigurationStore(tmp_path / "library.json").list()
