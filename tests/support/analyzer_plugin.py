"""Throw-away analyzer distributions, built and installed (`pip install --target`) in a temporary folder:
the plug-in path a third party takes, one module plus one entry-point line each. Nothing enters the
shared .venv: a process sees them only with the folder on its PYTHONPATH (plugin_env)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NAME = "plain_secrets"
DIST = "empathy-plain-secrets"
RULE = "PS001"
TITLE = f"Move the `{RULE}` secret out of the code (verified)"
SECRET_FILE = "inventory/settings.py"
SECRET_TEXT = ('"""Connection settings of the inventory."""\n\nimport os\n\nDB_HOST = os.environ.get("INVENTORY_DB_HOST", '
               '"localhost")\nDB_PASSWORD = "hunter2-not-a-real-one"\n')
FIXED_LINE = 'DB_PASSWORD = os.environ.get("INVENTORY_DB_PASSWORD", "")\n'

PLUGIN = Path(__file__).resolve().parents[2] / "examples" / "analyzer-plugin"  # docs/ shows it as it is


def _install(src: Path, target: Path) -> None:
    # pip builds it in an isolated environment with the build backend the pyproject names (from the index).
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(src)], check=True, timeout=600)


def build(base: Path, fixer: str | None = None) -> Path:
    """Installs the plug-in (examples/analyzer-plugin; `fixer`: its spec names that agent instead of the
    security auditor), and a broken one (its module raises on import), into `base/site`."""
    target = base / "site"
    good = base / "src-good"
    shutil.copytree(PLUGIN, good)
    if fixer is not None:
        module = good / "empathy_plain_secrets.py"
        text = module.read_text(encoding="utf-8")
        module.write_text(text.replace('fixer="security_auditor"', f"fixer={fixer!r}"), encoding="utf-8")
        assert f"fixer={fixer!r}" in module.read_text(encoding="utf-8")
    _install(good, target)
    broken = base / "src-broken"
    broken.mkdir()
    (broken / "pyproject.toml").write_text((PLUGIN / "pyproject.toml").read_text(encoding="utf-8")
                                           .replace(DIST, "empathy-broken-plugin")
                                           .replace("empathy_plain_secrets", "empathy_broken_plugin")
                                           .replace(f"{NAME} =", "broken_one ="), encoding="utf-8")
    (broken / "empathy_broken_plugin.py").write_text('raise RuntimeError("this plug-in is broken on purpose")\n',
                                                     encoding="utf-8")
    _install(broken, target)
    return target


def plugin_env(site: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH", "")) if p)
    return env
