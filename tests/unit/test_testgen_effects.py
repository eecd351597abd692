"""Issue 23 §4: a generated test whose run connects to the network or starts a process is never kept.

The fixture (tests/fixtures/hostile/effects) hides a socket connection and a shell behind private helpers
that swallow every error, so the static filter lets the public functions through and a test of them
passes even when the OS sandbox made the effect fail. Only the audit hook of the candidate's run can tell.
"""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path

import pytest
from empathy_os.testgen.candidates import Reason
from empathy_os.testgen.sandbox import EFFECTS_ENV, Sandbox, isolation
from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

from tests.support.tree import copy_fixture, differences, snapshot

needs_bwrap = pytest.mark.skipif(not isolation().os_sandbox, reason=isolation().description)


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def effects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    listener = Listener()
    marker = tmp_path / "outside" / "marker"
    marker.parent.mkdir()
    monkeypatch.setenv("EFFECTS_PORT", str(listener.port))
    monkeypatch.setenv("EFFECTS_MARKER", str(marker))
    root = copy_fixture("hostile/effects", tmp_path / "effects")
    yield root, listener, marker
    listener.close()


async def boost_and_check(root: Path, listener: Listener, marker: Path) -> dict:
    before = snapshot(root)
    report = await TestCoverageBoostWorkflow(target=100).execute(root, dry_run=True)
    assert report.refused is None, report.refused
    assert differences(before, snapshot(root)) == []
    by_symbol: dict[str, list] = {}
    for verdict in report.verdicts:
        by_symbol.setdefault(verdict.candidate.gap.symbol, []).append(verdict)
    assert {"status", "announce", "lookup"} <= set(by_symbol), sorted(by_symbol)
    assert not any(v.kept for name in ("status", "announce", "lookup") for v in by_symbol[name])
    net = [v for v in by_symbol["status"] if v.reason is Reason.NETWORK]
    spawn = [v for v in by_symbol["announce"] if v.reason is Reason.SPAWNS]
    assert net and all(v.reason is Reason.NETWORK for v in by_symbol["status"]), [v.detail for v in by_symbol["status"]]
    assert spawn and all(v.reason is Reason.SPAWNS for v in by_symbol["announce"]), \
        [v.detail for v in by_symbol["announce"]]
    lookups = by_symbol["lookup"]  # a name lookup: in the sandbox it fails before any connection is tried
    assert lookups and all(v.reason is Reason.NETWORK and "socket.getaddrinfo" in v.detail for v in lookups), \
        [v.detail for v in lookups]
    # The lookup of the address comes first; the guard without bubblewrap refuses it, so no connect follows.
    assert "socket.getaddrinfo" in net[0].detail and f"'127.0.0.1', {listener.port}" in net[0].detail
    assert "effects/net.py" in net[0].detail  # where in the project the call was made
    assert "subprocess.Popen" in spawn[0].detail and "echo x > " in spawn[0].detail
    results = report.to_json()["targets"]
    assert results["effects/net.py:status"]["result"] == "network"
    assert "socket.getaddrinfo '127.0.0.1'" in results["effects/net.py:status"]["why"]
    assert results["effects/shell.py:announce"]["result"] == "spawns-process"
    assert "subprocess.Popen" in results["effects/shell.py:announce"]["why"]
    # The harmless neighbours are still tested and kept: no false rejection.
    assert any(v.kept for v in by_symbol.get("shout", [])) and any(v.kept for v in by_symbol.get("hush", []))
    assert not marker.exists()
    return report


@needs_bwrap
async def test_network_and_shell_candidates_are_rejected_in_the_os_sandbox(effects):
    root, listener, marker = effects
    report = await boost_and_check(root, listener, marker)
    assert report.isolation.startswith("OS sandbox")
    assert any("socket.connect ('127.0.0.1'," in v.detail for v in report.verdicts)  # tried, and contained
    assert listener.accepted == 0  # own network namespace


async def test_without_an_os_sandbox_the_guard_refuses_the_effects(effects, monkeypatch):
    """Best effort: the hook itself refuses the connection and the spawn, so nothing reached the
    listener and no shell wrote the marker, not even while the generator called the functions."""
    root, listener, marker = effects
    monkeypatch.setenv("EMPATHY_BWRAP", "none")
    report = await boost_and_check(root, listener, marker)
    assert report.isolation.startswith("best effort")
    assert listener.accepted == 0


async def test_the_warm_servers_own_forks_are_not_reported(tmp_path):
    """Hooks are inherited over fork: the server's fork for each run is machinery, not the run's doing;
    a fork or spawn from project code in the run is."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "spawner.py").write_text("import os, subprocess\n\n\ndef go():\n"
                                     "    subprocess.run(['true'], check=False)\n"
                                     "    pid = os.fork()\n    if pid == 0:\n        os._exit(0)\n"
                                     "    os.waitpid(pid, 0)\n")
    sandbox = Sandbox.create(root, sys.executable)
    try:
        await sandbox.start_warm()
        assert sandbox.warm is not None
        quiet = await sandbox.run([sandbox.python, "-c", "import spawner"], env=EFFECTS_ENV)
        loud = await sandbox.run([sandbox.python, "-c", "import spawner; spawner.go()"], env=EFFECTS_ENV)
        untracked = await sandbox.run([sandbox.python, "-c", "import spawner; spawner.go()"])
    finally:
        await sandbox.stop_warm()
        sandbox.cleanup()
    assert quiet.returncode == 0 and quiet.blocked == [], quiet.blocked
    assert any(b.startswith("spawns-process: subprocess.Popen") and "spawner.py:5" in b for b in loud.blocked), \
        loud.blocked
    assert any(b.startswith("spawns-process: os.fork") and "spawner.py:6" in b for b in loud.blocked), loud.blocked
    assert untracked.returncode == 0 and untracked.blocked == []  # the project's own suite runs as before
