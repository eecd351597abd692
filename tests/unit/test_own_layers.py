"""Empathy's own layer order ([tool.empathy] layers in pyproject.toml), checked by its own analyzer."""

from __future__ import annotations

import shutil
from pathlib import Path

from empathy_os.analyzers import run_analyzer
from empathy_os.analyzers.project import load_project, read_empathy_settings

REPO = Path(__file__).resolve().parents[2]


def _copy(tmp_path: Path, layers: list[str] | None) -> Path:
    root = tmp_path / "empathy"
    shutil.copytree(REPO / "server", root / "server", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    if layers is not None:
        start = text.index("[tool.empathy]")
        end = text.index("\n[", start + 1)
        text = text[:start] + "[tool.empathy]\nlayers = [" + ", ".join(f'"{m}"' for m in layers) + "]\n" + text[end:]
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def _layer_findings(root: Path):
    ctx = load_project(root, trusted=False)
    result = asyncio_run(run_analyzer("import_graph", ctx))
    assert result.ran, result.error
    return [f for f in result.findings if f.rule == "layer-violation"]


def asyncio_run(coro):
    import asyncio

    return asyncio.run(coro)


def test_empathy_declares_its_layers_and_keeps_them(tmp_path):
    layers = read_empathy_settings(REPO)["layers"]
    assert layers[:4] == ["empathy_os.cli", "empathy_os.lsp", "empathy_os.app", "empathy_os.workflows"]
    assert _layer_findings(_copy(tmp_path, None)) == []


def test_the_check_fails_when_the_order_is_wrong(tmp_path):
    # The core above the adapters: every adapter import of the core becomes a violation.
    wrong = list(reversed(read_empathy_settings(REPO)["layers"]))
    found = _layer_findings(_copy(tmp_path, wrong))
    assert any(f.message and "empathy_os.cli" in f.message for f in found), found
