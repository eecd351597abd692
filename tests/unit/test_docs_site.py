"""The docs site builds with `mkdocs build --strict` (scripts/test.sh builds it again after the end-to-end run,
with its screenshots); the CLI reference is generated from the parser; a broken link fails the build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from empathy_os.cli import build_parser

from tests.conftest import REPO

MKDOCS = Path(sys.executable).parent / "mkdocs"
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}  # mkdocs-material's banner


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    # Never with -q: it hides the warnings, and then --strict has none to count and passes.
    return subprocess.run([MKDOCS, "build", "--strict", "-f", root / "mkdocs.yml", "-d", site],
                          capture_output=True, text=True, env={**os.environ, **QUIET}, timeout=300, check=False)


def checkout_copy(tmp_path: Path) -> Path:
    """mkdocs.yml and docs/ copied; the code, examples/ and pyproject.toml (read by snippets) linked."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root)
    shutil.copytree(REPO / "docs", root / "docs")
    for name in ("server", "examples", "pyproject.toml"):
        (root / name).symlink_to(REPO / name)
    return root


def test_the_site_builds_strictly_with_the_cli_reference(tmp_path):
    proc = build(REPO, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    cli = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f'id="empathy-{name}"' in cli, name
    assert "--min-coverage" in cli


def test_a_broken_link_fails_the_build(tmp_path):
    root = checkout_copy(tmp_path)
    with (root / "docs" / "index.md").open("a", encoding="utf-8") as fh:
        fh.write("\nSee [a page that does not exist](nowhere.md).\n")
    proc = build(root, tmp_path / "site")
    assert proc.returncode == 1
    assert "nowhere.md" in proc.stderr
