"""Trust fails closed (issue 10, item 3): only an explicit `trusted: true` lets the daemon run project code.

The project below runs code of its own two ways: a test that writes a marker file outside the project when
imported, and a `[tool.empathy] python` interpreter that is a project script writing another marker. A
release prep runs either only when trusted; the last step proves the markers do appear then, so the
untrusted checks before it can fail.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from empathy_os.lsp import command_ids as ids
from lsprotocol import types


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path, Path]:
    root = tmp_path / "hostile"
    (root / "hostile").mkdir(parents=True)
    (root / "tests").mkdir()
    marker_test, marker_python = tmp_path / "test-ran", tmp_path / "python-script-ran"
    (root / "pyproject.toml").write_text(
        '[project]\nname = "hostile"\nversion = "0.1"\n\n[tool.empathy]\npython = "./py.sh"\n')
    (root / "hostile" / "__init__.py").write_text('"""A package."""\n\n\ndef one():\n    """One."""\n    return 1\n')
    (root / "tests" / "test_one.py").write_text(
        "from pathlib import Path\n\nfrom hostile import one\n\n"
        f"Path({str(marker_test)!r}).write_text('project test code ran')\n\n\n"
        "def test_one():\n    assert one() == 1\n")
    script = root / "py.sh"
    script.write_text(f"#!/bin/sh\necho ran >> '{marker_python}'\nexec '{sys.executable}' \"$@\"\n")
    script.chmod(0o755)
    return root, marker_test, marker_python


def _trust_logged(session) -> list[bool]:
    """The trust of each settings state the server logged, in order."""
    out = []
    for m in session.client.log_messages:
        if m.message.startswith("Empathy settings: "):
            out.append(json.loads(m.message.split(": ", 1)[1])["trusted"])
    return out


async def _push(session, settings) -> bool:
    before = len(_trust_logged(session))
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"empathy": settings}))
    await session.wait_for(lambda: len(_trust_logged(session)) > before, what="the settings to be applied")
    return _trust_logged(session)[-1]


# What a client might send along with (or instead of) trust; none of it may leave the server trusted.
UNTRUSTING = [
    {"trusted": False, "gates": {"minCoverage": "lots"}},
    {"trusted": False, "maxCostUsd": -1},
    {"trusted": None},
    {"trusted": "true"},
    {"trusted": 1},
    {"gates": {"minCoverage": 50}},  # no `trusted` key at all
    {"trusted": False, "gates.minCoverage": 5, "gates": 3},  # keys that cannot even be nested
]


async def test_untrusted_unless_explicitly_true_even_with_invalid_settings(start_server, hostile):
    root, marker_test, marker_python = hostile
    # A client that never mentions trust: the daemon starts untrusted.
    session = await start_server(root, trusted=None, init_options={"coverage": {"target": 90}})
    result = await session.execute(ids.RELEASE_PREP, {})
    assert result["metrics"].get("coverage_percent") is None
    assert not marker_test.exists() and not marker_python.exists()

    for payload in UNTRUSTING:
        assert await _push(session, {"trusted": True}) is True
        assert await _push(session, payload) is False, payload
        result = await session.execute(ids.RELEASE_PREP, {})
        assert result["metrics"].get("coverage_percent") is None, payload
        boost = await session.execute(ids.TEST_COVERAGE_BOOST, {})
        assert boost["skipped"] is True, payload
        assert not marker_test.exists() and not marker_python.exists(), payload

    # An invalid key next to `trusted: false` is still refused with a message naming it.
    assert any("maxCostUsd" in m.message and "untrusted" in m.message for m in session.client.messages)

    # The control: trusted, the same release prep does run the project's code (so the checks above can fail).
    assert await _push(session, {"trusted": True, "maxCostUsd": -1}) is True
    await session.execute(ids.RELEASE_PREP, {})
    assert marker_python.exists() and marker_test.exists()
