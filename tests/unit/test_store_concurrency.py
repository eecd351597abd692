"""Real processes on one real store file: no lost increments, no torn file, kills mid-write, and the
pattern library seen across processes. Each worker is `python -c` in a fresh interpreter."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from empathy_os.store.configurations import AgentConfiguration, ConfigurationStore
from empathy_os.store.pattern_library import PatternLibrary
from empathy_os.store.storage import AtomicJSONStorage

AGENTS = [{"role": "security_auditor", "tier": "PREMIUM"}, {"role": "code_reviewer", "tier": "CAPABLE"}]


def python(code: str, *args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def finish(proc: subprocess.Popen, timeout: float = 60) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out


def seed_store(path: Path, extra: int) -> None:
    """The target configuration plus `extra` others, written in one go (a large file makes writes slow
    enough for kills to land inside them)."""
    docs = {"1": AgentConfiguration(id="target", task_pattern="t", agents=AGENTS, strategy="parallel")
            .to_document()}
    for i in range(extra):
        docs[str(i + 2)] = AgentConfiguration(id=f"cfg_{i:05d}", task_pattern=f"pattern_{i % 50}",
                                              agents=AGENTS, strategy="parallel",
                                              quality_gates={"min_coverage": 80}).to_document()
    AtomicJSONStorage(path, kind="empathy.config_store").write({"configurations": docs})


RECORDER = """
    import sys
    from empathy_os.store.configurations import ConfigurationStore
    store = ConfigurationStore(sys.argv[1])
    worker = int(sys.argv[2])
    for i in range(int(sys.argv[3])):
        store.record_outcome("target", success=(i % 4 != 0), quality_score=float(50 + worker * 10 + i % 5))
"""

READER = """
    import json, os, sys, time
    path, stop = sys.argv[1], sys.argv[2]
    checks, bad, last, counts = 0, [], -1, set()
    while not os.path.exists(stop) or checks < 20:
        with open(path, "rb") as handle:   # opened like any outside reader would
            raw = handle.read()
        try:
            data = json.loads(raw)
            doc = next(d for d in data["configurations"].values() if d["id"] == "target")
            if doc["usage_count"] < last:
                bad.append(f"went back from {last} to {doc['usage_count']}")
            last = doc["usage_count"]
            counts.add(last)
        except Exception as exc:
            bad.append(f"{type(exc).__name__}: {exc} ({len(raw)} bytes)")
        checks += 1
        time.sleep(0.001)
    print(json.dumps({"checks": checks, "bad": bad[:5], "distinct_counts": len(counts)}))
"""


def test_four_processes_times_fifty_records_lose_nothing_and_the_file_is_always_valid(tmp_path):
    path = tmp_path / "store.json"
    seed_store(path, extra=200)
    stop = tmp_path / "stop"
    reader = python(READER, str(path), str(stop))
    writers = [python(RECORDER, str(path), str(w), "50") for w in range(4)]
    for writer in writers:
        finish(writer)
    stop.touch()
    report = json.loads(finish(reader))

    stored = ConfigurationStore(path).get("target")
    assert stored.usage_count == 200
    assert stored.success_count == 4 * (50 - 13)  # i % 4 == 0 fails: 13 of 50
    assert stored.quality_score_count == 200
    assert stored.quality_score_sum == sum(50 + w * 10 + i % 5 for w in range(4) for i in range(50))
    assert len(ConfigurationStore(path)) == 201
    assert report["bad"] == []
    assert report["checks"] >= 20 and report["distinct_counts"] > 1  # the reader saw writes happen


SAVER = """
    import sys
    from empathy_os.store.configurations import ConfigurationStore
    store = ConfigurationStore(sys.argv[1])
    config = store.get("target")          # one stale copy, as in the tutorial's record-then-save flow
    for _ in range(25):
        config.record_outcome(success=True, quality_score=80.0)
        store.save(config)
"""


def test_tutorial_record_then_save_from_two_processes_adds_up(tmp_path):
    path = tmp_path / "store.json"
    seed_store(path, extra=0)
    for proc in [python(SAVER, str(path)) for _ in range(2)]:
        finish(proc)
    stored = ConfigurationStore(path).get("target")
    assert (stored.usage_count, stored.success_count, stored.avg_quality_score) == (50, 50, 80.0)


LOOPING_WRITER = """
    import sys
    from empathy_os.store.configurations import ConfigurationStore
    store = ConfigurationStore(sys.argv[1])
    while True:
        config = store.record_outcome("target", success=True, quality_score=50.0)
        print(config.usage_count, flush=True)
"""


def test_writer_killed_at_random_moments_leaves_the_old_or_the_new_file(tmp_path):
    path = tmp_path / "store.json"
    seed_store(path, extra=2500)  # ~1 MB: each write takes a few ms, so kills land inside writes
    rng = random.Random(4)
    known = 0  # usage_count of the last state we know was committed
    temps_left = 0
    for _ in range(30):
        writer = python(LOOPING_WRITER, str(path))
        first = writer.stdout.readline()  # imported and written once: now it is in its write loop
        assert first, writer.stderr.read()
        time.sleep(rng.uniform(0, 0.08))
        os.kill(writer.pid, signal.SIGKILL)
        out, _ = writer.communicate()
        printed = [int(line) for line in (first + out).split()]
        last_printed = printed[-1]
        temps_left += len(list(tmp_path.glob(".store.json.*.tmp")))

        data = json.loads(path.read_bytes())  # never torn
        assert len(data["configurations"]) == 2501
        stored = ConfigurationStore(path).get("target")
        # committed-but-not-yet-printed is the only allowed difference
        assert stored.usage_count in (last_printed, last_printed + 1), (known, printed[-3:], stored)
        assert stored.usage_count >= known
        known = stored.usage_count
    ConfigurationStore(path).record_outcome("target", True, 50.0)  # the next write sweeps killed temps
    assert not list(tmp_path.glob(".store.json.*.tmp"))
    print(f"kills that left a half-written temp file: {temps_left}/30")


PROMOTER = """
    import json, sys
    from empathy_os.store.pattern_library import PatternLibrary
    from empathy_os.store.configurations import ConfigurationStore
    from empathy_os.store.composition_records import record_run
    store = ConfigurationStore(sys.argv[1], pattern_library=PatternLibrary(sys.argv[2]))
    for outcome in sys.argv[3].split(","):
        config = record_run(store, task_pattern="release_preparation",
                            agents=[("security_auditor", "PREMIUM"), ("code_reviewer", "CAPABLE")],
                            strategy="parallel", quality_gates={"min_coverage": 80},
                            success=outcome == "ok", quality_score=8.0, quality_scale=10)
    print(json.dumps({"id": config.id, "usage_count": config.usage_count}))
"""

LOOKER = """
    import json, sys
    from empathy_os.store.pattern_library import PatternLibrary
    from empathy_os.store.configurations import ConfigurationStore
    from empathy_os.store.composition_records import find_proven_with_source
    library = PatternLibrary(sys.argv[2])
    found = find_proven_with_source("release_preparation", store=ConfigurationStore(sys.argv[1]),
                                    pattern_library=library)
    entries = [(c.id, c.usage_count, round(c.success_rate, 3)) for c in library.list()]
    print(json.dumps({"found": found and [found[0].id, found[1]], "entries": entries}))
"""


def test_pattern_library_promotion_update_and_demotion_across_processes(tmp_path):
    project_a, project_b = tmp_path / "a" / "store.json", tmp_path / "b" / "store.json"
    library = tmp_path / "user-data" / "pattern_library.json"

    def a(outcomes: str) -> dict:
        return json.loads(finish(python(PROMOTER, str(project_a), str(library), outcomes)))

    def b() -> dict:
        return json.loads(finish(python(LOOKER, str(project_b), str(library))))

    first = a("ok,ok")
    assert b() == {"found": None, "entries": []}  # 2 runs: not promoted
    a("ok")
    assert b() == {"found": [first["id"], "pattern_library"], "entries": [[first["id"], 3, 1.0]]}
    a("ok")  # update, not ignored
    assert b()["entries"] == [[first["id"], 4, 1.0]]
    a("fail,fail")  # 4/6 = 0.667 < 0.70: demoted
    assert b() == {"found": None, "entries": []}
    assert PatternLibrary(library).get(first["id"]) is None
    assert ConfigurationStore(project_a).get(first["id"]).usage_count == 6
