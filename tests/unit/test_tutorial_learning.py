"""The tutorial's learning-loop blocks, run as written, in one namespace, in order.

Source: meta-orchestration-tutorial.md, "The Learning Loop" (How Configuration Store Works, Querying Learned
Compositions, Pattern Library Integration) and Troubleshooting "Issue: Configuration not learning".

Lines changed because the tutorial itself is wrong (each marked `# CHANGED` below):
1. Block "How Configuration Store Works" uses `AgentConfiguration` without importing it; the first import
   line also imports it: `from empathy_os.orchestration.config_store import ConfigurationStore,
   AgentConfiguration`.
Nothing else is changed. Around the blocks the test only sets the environment (a temporary cwd, so
`ConfigurationStore()` uses `<tmp>/.empathy/store.json`, and `EMPATHY_PATTERN_LIBRARY`, so `PatternLibrary()`
does not touch the user's data folder) and, between blocks, records two more runs so the promotion branch
of "Pattern Library Integration" is actually taken (the tutorial's config has only one run at that point).
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

TUTORIAL = Path("/work/shared/seed/meta-orchestration-tutorial.md")
if not TUTORIAL.exists():  # CI checkouts keep a copy beside the tests
    TUTORIAL = Path(__file__).resolve().parents[1] / "fixtures" / "meta-orchestration-tutorial.md"

HOW_IT_WORKS = '''
from empathy_os.orchestration.config_store import ConfigurationStore, AgentConfiguration  # CHANGED
from empathy_os.pattern_library import PatternLibrary

# Initialize store
store = ConfigurationStore(pattern_library=PatternLibrary())

# After successful workflow execution
config = AgentConfiguration(
    id="release_prep_001",
    task_pattern="release_preparation",
    agents=[
        {"role": "security_auditor", "tier": "PREMIUM"},
        {"role": "test_coverage_analyzer", "tier": "CAPABLE"}
    ],
    strategy="parallel",
    quality_gates={"min_coverage": 80}
)

# Save configuration
store.save(config)

# Record outcome
config.record_outcome(success=True, quality_score=87.5)
store.save(config)  # Update metrics
'''

QUERYING = '''
# Find best composition for a task
best = store.get_best_for_task("release_preparation")
print(f"Success rate: {best.success_rate:.1%}")
print(f"Avg quality: {best.avg_quality_score:.1f}")
print(f"Usage count: {best.usage_count}")

# Search with filters
proven_configs = store.search(
    task_pattern="release_preparation",
    min_success_rate=0.8,
    min_quality_score=75.0
)

# Reuse proven composition
for config in proven_configs:
    print(f"  {config.id}: {config.success_rate:.1%} success")
'''

PATTERN_LIBRARY = '''
# Automatic contribution after thresholds met
if config.usage_count >= 3 and config.success_rate >= 0.7:
    store.pattern_library.contribute_successful_composition(config)
    print(f"✅ Configuration promoted to pattern library!")
'''

NOT_LEARNING = '''
from empathy_os.orchestration.config_store import ConfigurationStore

store = ConfigurationStore()

# Save configuration after creation
config_id = store.save(config)

# IMPORTANT: Record outcome after execution
config.record_outcome(success=True, quality_score=85.0)
store.save(config)  # Update with metrics

# Verify learning
best = store.get_best_for_task(config.task_pattern)
print(f"Usage count: {best.usage_count}")  # Should increment
'''


# The tutorial's own text of each CHANGED line.
ORIGINAL = {
    "from empathy_os.orchestration.config_store import ConfigurationStore, AgentConfiguration  # CHANGED":
        "from empathy_os.orchestration.config_store import ConfigurationStore",
}


def test_blocks_are_the_tutorials_own():
    tutorial_blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.DOTALL)
    for block in (HOW_IT_WORKS, QUERYING, PATTERN_LIBRARY, NOT_LEARNING):
        original = "\n".join(ORIGINAL.get(line, line) for line in block.strip("\n").splitlines())
        assert any(original.strip() == candidate.strip() for candidate in tutorial_blocks), original[:80]


@pytest.fixture
def namespace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMPATHY_STORE", raising=False)
    monkeypatch.setenv("EMPATHY_PATTERN_LIBRARY", str(tmp_path / "user-data" / "pattern_library.json"))
    return {}


def run(block: str, namespace: dict, capsys) -> list[str]:
    exec(compile(textwrap.dedent(block), "<tutorial>", "exec"), namespace)  # noqa: S102 - the tutorial's code
    return capsys.readouterr().out.splitlines()


def test_learning_loop_blocks_as_written(namespace, capsys, tmp_path):
    assert run(HOW_IT_WORKS, namespace, capsys) == []
    on_disk = json.loads((tmp_path / ".empathy" / "store.json").read_text())["configurations"]
    [stored] = on_disk.values()
    assert (stored["id"], stored["usage_count"], stored["quality_score_sum"]) == ("release_prep_001", 1, 87.5)

    assert run(QUERYING, namespace, capsys) == [
        "Success rate: 100.0%", "Avg quality: 87.5", "Usage count: 1", "  release_prep_001: 100.0% success"]

    assert run(PATTERN_LIBRARY, namespace, capsys) == []  # one run: below the threshold
    library = namespace["store"].pattern_library
    assert len(library) == 0

    # Two more successful runs (not in the tutorial), so the promotion branch is taken.
    config = namespace["config"]
    for score in (90.0, 80.0):
        config.record_outcome(success=True, quality_score=score)
    namespace["store"].save(config)
    assert run(PATTERN_LIBRARY, namespace, capsys) == ["✅ Configuration promoted to pattern library!"]
    promoted = library.get("release_prep_001")
    assert promoted.usage_count == 3 and promoted.avg_quality_score == pytest.approx((87.5 + 90 + 80) / 3)
    assert (tmp_path / "user-data" / "pattern_library.json").is_file()

    assert run(NOT_LEARNING, namespace, capsys) == ["Usage count: 4"]  # incremented from 3
    assert namespace["config_id"] == "release_prep_001"
    assert namespace["store"].path == tmp_path / ".empathy" / "store.json"
