"""Shared fixtures: the bundled sample project (always copied) and the local fake Messages API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fakes.fake_anthropic import FakeAnthropic

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-project"

# tests/fixtures/ holds user projects (with their own tests) that tests copy and run; never collect them.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """A private copy of the sample project: runs write caches and tests, never into the repo."""
    dest = tmp_path / "sample-project"
    debris = shutil.ignore_patterns(".empathy", "__pycache__", ".coverage*", ".hypothesis", ".pytest_cache")
    shutil.copytree(SAMPLE, dest, ignore=debris)
    return dest


@pytest.fixture
def fake_anthropic(monkeypatch: pytest.MonkeyPatch):
    """A running fake server; the environment points the real SDK at it with a throwaway key."""
    server = FakeAnthropic().start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key")
    yield server
    server.stop()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No API key: the model step must be skipped and reported as such."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)


@pytest.fixture
def word_lists_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plan by the word lists alone: the learned classifier is never sure enough to decide."""
    from empathy_os.orchestration import learned

    monkeypatch.setattr(learned, "CONFIDENT", 2.0)


@pytest.fixture(autouse=True)
def _private_pattern_library(tmp_path_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pattern library is cross-project by design; tests must not share (or touch the user's) one."""
    path = tmp_path_factory.mktemp("library") / "pattern_library.json"
    monkeypatch.setenv("EMPATHY_PATTERN_LIBRARY", str(path))


@pytest.fixture(autouse=True)
def _custom_templates_forgotten():
    """Templates a test registers (the tutorial's `api_optimizer`) are process-wide; a later test in the same
    worker must see only the built-ins, as a new process would."""
    from empathy_os.orchestration.agent_templates import AGENT_REGISTRY

    before = set(AGENT_REGISTRY)
    yield
    for added in [key for key in AGENT_REGISTRY if key not in before]:
        del AGENT_REGISTRY[added]
