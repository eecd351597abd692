"""The docs site's tutorial (docs/guide/tutorial.md) runs as written: every Python block, in order, in one
namespace, from a copy of the sample project, offline — no patches. A ```text block right after a Python
block is that block's exact output."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import io
import re
import shutil

from tests.conftest import REPO, SAMPLE

GUIDE = REPO / "docs" / "guide" / "tutorial.md"
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def blocks() -> list[tuple[str, str, str | None]]:
    """(language, source, the text block that follows it directly, if any)."""
    text = GUIDE.read_text(encoding="utf-8")
    found = list(FENCE.finditer(text))
    result = []
    for i, m in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        follows = nxt is not None and nxt.group(1) == "text" and not text[m.end():nxt.start()].strip()
        result.append((m.group(1), m.group(2), nxt.group(2) if follows else None))
    return result


def run_block(source: str, ns: dict) -> str:
    out = io.StringIO()
    code = compile(source, str(GUIDE), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    with contextlib.redirect_stdout(out):
        outcome = eval(code, ns)
        if asyncio.iscoroutine(outcome):
            asyncio.run(outcome)
    return out.getvalue()


def test_every_python_block_runs_and_prints_what_the_guide_shows(tmp_path, monkeypatch, offline):
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns(".empathy", "__pycache__"))
    monkeypatch.chdir(project)
    monkeypatch.delenv("EMPATHY_STORE", raising=False)
    ns: dict = {"__name__": "guide"}
    python = [(src, shown) for lang, src, shown in blocks() if lang == "python"]
    assert len(python) >= 20
    outputs = []
    for source, shown in python:
        printed = run_block(source, ns)
        outputs.append(printed)
        if shown is not None:
            assert printed == shown, source[:200]
    # What the prose says about the sample, measured.
    assert ns["validation"].has_issues() and ns["refinement"] is not None
    assert ns["doc_result"].final_output["completed_by"] in {"documentation_writer", "code_reviewer"}
    assert ns["conditional"].outputs and "profiler" in ns["api_optimizer"].tools
    gates = {g.name: g for g in ns["release_report"].gates}
    assert gates["min_coverage"].threshold == 70.0 and gates["min_coverage"].actual is not None
