"""Empathy's own layer order ([tool.empathy] layers in pyproject.toml), checked by its own analyzer."""

from __future__ import annotations

import json
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
        text = text[:start] + "[tool.empathy]\nlayers = " + json.dumps(layers) + "\n" + text[end:]
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


def unlayered(package: Path, layers: list) -> list[str]:
    """Modules of `package` (a folder) that belong to no layer; the package itself is the container."""
    names = [n for layer in layers for n in ([layer] if isinstance(layer, str) else layer)]
    modules = []
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules.append(".".join(parts))
    return [m for m in modules if m != package.name and not any(m == n or m.startswith(n + ".") for n in names)]


def test_empathy_declares_its_layers_and_keeps_them(tmp_path):
    layers = read_empathy_settings(REPO)["layers"]
    assert layers[:5] == ["empathy_os.__main__", "empathy_os.cli", "empathy_os.lsp", "empathy_os.app",
                          "empathy_os.workflows"]
    assert unlayered(REPO / "server" / "empathy_os", layers) == []
    assert _layer_findings(_copy(tmp_path, None)) == []


def test_a_module_in_no_layer_is_named(tmp_path):
    root = _copy(tmp_path, None)
    (root / "server" / "empathy_os" / "stray.py").write_text("from empathy_os.cli import main\n")
    assert unlayered(root / "server" / "empathy_os", read_empathy_settings(root)["layers"]) == ["empathy_os.stray"]


def test_siblings_of_one_layer_may_not_import_each_other(tmp_path):
    layers = read_empathy_settings(REPO)["layers"]
    leaves = next(layer for layer in layers if isinstance(layer, list) and "empathy_os.confine" in layer)
    root = _copy(tmp_path, None)
    confine = root / "server" / "empathy_os" / "confine.py"
    confine.write_text("import empathy_os.user_cache\n" + confine.read_text(encoding="utf-8"), encoding="utf-8")
    found = _layer_findings(root)
    assert "empathy_os.user_cache" in leaves
    assert [(f.extra["importer"], f.extra["imported"]) for f in found] == [
        ("empathy_os.confine", "empathy_os.user_cache")], found


def test_the_check_fails_when_the_order_is_wrong(tmp_path):
    # The core above the adapters: every adapter import of the core becomes a violation.
    wrong = list(reversed(read_empathy_settings(REPO)["layers"]))
    found = _layer_findings(_copy(tmp_path, wrong))
    assert any(f.message and "empathy_os.cli" in f.message for f in found), found


def test_a_malformed_layers_setting_is_not_run_with_the_reason(tmp_path):
    root = _copy(tmp_path, None)
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    start = text.index("[tool.empathy]")
    end = text.index("\n[", start + 1)
    (root / "pyproject.toml").write_text(text[:start] + '[tool.empathy]\nlayers = ["empathy_os.cli", [1]]\n'
                                         + text[end:], encoding="utf-8")
    result = asyncio_run(run_analyzer("import_graph", load_project(root, trusted=False)))
    assert not result.ran and "layers must be a list of module names" in result.error
