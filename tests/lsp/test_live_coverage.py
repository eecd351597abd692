"""Live coverage through a real client: after a release prep, saves re-run only the affected tests, and the
merged figure equals a full run's (coverage.py over every test, run separately on a copy)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import psutil
from empathy_os.analyzers import load_project, run_analyzer
from empathy_os.analyzers.coverage_map import ProjectContext, load_map
from empathy_os.lsp import command_ids as ids
from lsprotocol import types

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "livecov"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "livecov"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".empathy", "__pycache__"))
    return root


async def _save(session, rel: str, text: str | None = None, *, old: str = "", new: str = ""):
    """Write the file as an editor would, send didSave, and return the next empathy/coverage notification."""
    path = session.root / rel
    path.write_text(text if text is not None else path.read_text().replace(old, new, 1))
    seen = len(session.notifications.get("empathy/coverage", []))
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=session.uri(rel))))
    await session.wait_for(lambda: len(session.notifications.get("empathy/coverage", [])) > seen,
                           timeout=120, what=f"coverage after saving {rel}")
    return session.notifications["empathy/coverage"][-1]


async def _full_run(root: Path, tmp: Path) -> tuple[dict, dict]:
    """Every test under coverage, on a copy without the per-test data: the figure a full run gives (the run
    stores its own per-file report beside the copy, where we read it)."""
    copy = tmp / "full"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".empathy", "__pycache__"))
    ctx = load_project(copy, trusted=True)
    result = await run_analyzer("coverage", ctx)
    assert result.ran and result.metrics["coverage_run"] == "full", result.error
    return result.metrics, load_map(ProjectContext(root=copy))["report"]["files"]


def _lines(files: list[dict]) -> dict[str, tuple]:
    return {f["path"]: (f["executed_lines"], f["missing_lines"], sorted(map(tuple, f["executed_branches"])),
                        sorted(map(tuple, f["missing_branches"]))) for f in files}


def _descendants(server: psutil.Process, keep) -> list[psutil.Process]:
    """The server's descendants for which `keep(process, its command line, its parent's)` holds."""
    found = []
    for child in server.children(recursive=True):
        try:
            if keep(child, " ".join(child.cmdline()), " ".join(child.parent().cmdline())):
                found.append(child)
        except psutil.Error:
            continue
    return found


def _test_runs(server: psutil.Process) -> list[psutil.Process]:
    """The coverage driver's processes (a save also starts bandit and ruff, which are not what we wait for):
    started cold, or forked by the warm interpreter (a child of it, with its command line)."""
    return _descendants(server, lambda _, cmd, parent: "pytest_args" in cmd or (
        "live_worker.py" in cmd and "live_worker.py" in parent))


def _workers(server: psutil.Process) -> list[psutil.Process]:
    """The warm interpreters (runners/live_worker.py), not the children they fork."""
    return _descendants(server, lambda proc, cmd, _: "live_worker.py" in cmd and proc.ppid() == server.pid)


async def test_saves_rerun_affected_tests_and_the_merged_figure_equals_a_full_run(start_server, tmp_path):
    root = _project(tmp_path)
    session = await start_server(root)
    await session.execute(ids.RELEASE_PREP, {})
    await session.wait_for(lambda: session.notifications.get("empathy/coverage"), what="coverage after release prep")
    start = await session.execute(ids.COVERAGE, {})
    assert start["measured"] and start["tests"] == 4 and start["branch"]
    shapes = next(f for f in start["files"] if f["path"] == "livecov/shapes.py")
    assert shapes["missing_lines"] and shapes["branches"]["total"] > shapes["branches"]["covered"]

    # 1. A function body changes: only the two tests that ran `area` run again.
    note = await _save(session, "livecov/shapes.py", old='    if kind == "circle":',
                       new='    if kind == "triangle":\n        return size * size / 2\n    if kind == "circle":')
    assert (note.run, note.tests_rerun, note.tests_reused) == ("affected", 2, 2), note
    assert note.warm, "the refresh ran in a child of the warm interpreter"

    # 2. A new test file: its tests run, nothing else.
    note = await _save(session, "tests/test_initials.py", "from livecov.text import initials\n\n\n"
                       "def test_one_name():\n    assert initials('ada') == 'A'\n\n\n"
                       "def test_two_names():\n    assert initials('Ada Lovelace') == 'AL'\n")
    assert (note.run, note.tests_rerun, note.tests_reused) == ("affected", 2, 4), note

    # 3. A changed test file: all of its tests (one new), the others reused.
    note = await _save(session, "tests/test_text.py", old="def test_shout():",
                       new="def test_shout_empty():\n    assert shout('') == ''\n\n\ndef test_shout():")
    assert (note.run, note.tests_rerun, note.tests_reused) == ("affected", 3, 4), note

    # 4. Lines above the tested functions move, a whole new function is added: nothing to re-run.
    note = await _save(session, "livecov/text.py", old='"""Small text helpers."""\n',
                       new='"""Small text helpers."""\n\n\ndef reverse(text):\n    """Backwards."""\n'
                           '    return text[::-1]\n')
    assert (note.run, note.tests_rerun, note.warm) == ("affected", 0, True), note

    # The merged figure and every line and branch equal a full run's.
    live = await session.execute(ids.COVERAGE, {})
    metrics, files = await _full_run(root, tmp_path)
    assert live["coverage_percent"] == metrics["coverage_percent"]
    assert live["tests"] == metrics["tests_passed"] == 7
    full = [{"path": p, **d} for p, d in files.items()]
    assert _lines(live["files"]) == _lines(full)
    assert live["coverage_percent"] != start["coverage_percent"]  # the edits did change it

    # Coverage diagnostics follow: `initials` is covered now, so its gap is gone.
    text_gaps = [d for d in session.client.diagnostics.get(session.uri("livecov/text.py"), [])
                 if d.code == "coverage-gap"]
    assert not any("initials" in d.message for d in text_gaps)
    assert any("reverse" in d.message for d in text_gaps)

    # 5. When in doubt (a conftest appears), every test runs and the notification says why.
    note = await _save(session, "tests/conftest.py", "import pytest\n")
    assert note.run == "full" and "conftest" in note.how and note.tests_rerun == 7, note


async def test_a_newer_save_supersedes_the_running_refresh(start_server, tmp_path):
    root = _project(tmp_path)
    session = await start_server(root)
    await session.execute(ids.RELEASE_PREP, {})
    await session.wait_for(lambda: session.notifications.get("empathy/coverage"), what="coverage after release prep")
    server = psutil.Process(session.pid)
    seen = len(session.notifications["empathy/coverage"])
    # The first save's run is under way (its pytest process exists) when the second save arrives.
    (root / "livecov/text.py").write_text((root / "livecov/text.py").read_text().replace(
        "    return text.upper() + \"!\"", "    return text.upper() + \"!!\""))
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=session.uri("livecov/text.py"))))
    await session.wait_for(lambda: _test_runs(server), what="the first refresh's test run")
    note = await _save(session, "tests/test_text.py", old="HI!", new="HI!!")
    await asyncio.sleep(1.0)  # a superseded run that still finished would notify too
    assert len(session.notifications["empathy/coverage"]) == seen + 1
    # One run did both edits' work: the tests that ran `shout` and the whole changed test file.
    assert (note.run, note.tests_rerun, note.tests_failed, note.warm) == ("affected", 2, 0, True), note
    ends = [r for reports in session.client.progress_reports.values() for r in reports
            if isinstance(r, types.WorkDoneProgressEnd)]
    assert any(e.message == "cancelled" for e in ends) and ends[-1].message == "done"
    await session.wait_for(lambda: not _test_runs(server), timeout=15, what="no test process left")


async def test_untrusted_workspace_runs_nothing_on_save(start_server, tmp_path):
    root = _project(tmp_path)
    ctx = load_project(root, trusted=True)  # per-test data from an earlier trusted run is there
    assert (await run_analyzer("coverage", ctx)).ran
    stored = (root / ".empathy/cache/coverage-map.json").read_bytes()
    session = await start_server(root, trusted=False)
    answer = await session.execute(ids.COVERAGE, {})
    assert answer["measured"] is False and "not trusted" in answer["reason"]
    (root / "livecov/text.py").write_text((root / "livecov/text.py").read_text() + "\n")
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=session.uri("livecov/text.py"))))
    await asyncio.sleep(1.0)
    assert not session.notifications.get("empathy/coverage")
    assert (root / ".empathy/cache/coverage-map.json").read_bytes() == stored


async def test_the_warm_interpreter_is_rebuilt_when_stale_and_stopped_with_the_trust(start_server, tmp_path):
    root = _project(tmp_path)
    session = await start_server(root)
    server = psutil.Process(session.pid)
    await session.execute(ids.RELEASE_PREP, {})
    await session.wait_for(lambda: _workers(server), what="the warm interpreter started after release prep")
    first = _workers(server)[0].pid
    note = await _save(session, "livecov/text.py", old='"!"', new='"?"')
    assert note.warm and [w.pid for w in _workers(server)] == [first], note  # the same worker served it

    # A conftest changes: the worker (which loaded what conftests import) is replaced, every test runs.
    note = await _save(session, "tests/conftest.py", "import json\n")
    assert note.run == "full" and note.warm, note
    assert [w.pid for w in _workers(server)] != [first] and len(_workers(server)) == 1

    # A settings push without `trusted: true` revokes trust: the worker is gone, a save runs nothing.
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"empathy": {"coverage": {"target": 70}}}))
    await session.wait_for(lambda: not _workers(server), timeout=15, what="the worker stopped on untrust")
    seen = len(session.notifications["empathy/coverage"])
    (root / "livecov/text.py").write_text((root / "livecov/text.py").read_text() + "\n")
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=session.uri("livecov/text.py"))))
    await asyncio.sleep(1.0)
    assert len(session.notifications["empathy/coverage"]) == seen and not _workers(server)


async def test_the_warm_interpreter_stops_with_its_workspace_folder(start_server, tmp_path):
    root = _project(tmp_path)
    session = await start_server(root)
    server = psutil.Process(session.pid)
    await session.execute(ids.RELEASE_PREP, {})
    await session.wait_for(lambda: _workers(server), what="the warm interpreter started after release prep")
    session.client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[], removed=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)])))
    await session.wait_for(lambda: not _workers(server), timeout=15, what="the worker stopped with its folder")


async def test_a_worker_over_its_memory_bound_is_replaced(start_server, tmp_path):
    root = _project(tmp_path)
    with (root / "pyproject.toml").open("a") as fh:
        fh.write("\n[tool.empathy]\nlive_worker_max_mb = 1\n")  # any interpreter is above 1 MiB
    session = await start_server(root)
    server = psutil.Process(session.pid)
    await session.execute(ids.RELEASE_PREP, {})
    await session.wait_for(lambda: _workers(server), what="the warm interpreter started after release prep")
    first = _workers(server)[0].pid
    note = await _save(session, "livecov/text.py", old='"!"', new='"?"')
    assert note.warm, note  # it served the refresh, then was over its bound
    await session.wait_for(lambda: first not in [w.pid for w in _workers(server)], timeout=15,
                           what="the worker over its bound stopped")
    note = await _save(session, "livecov/text.py", old='"?"', new='"!"')
    assert note.warm and first not in [w.pid for w in _workers(server)], note  # a fresh one served this one
