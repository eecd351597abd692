"""Throw-away analyzer distributions, built and installed (`pip install --target`) in a temporary folder:
the plug-in path a third party takes, one module plus one entry-point line each. Nothing enters the
shared .venv: a process sees them only with the folder on its PYTHONPATH (plugin_env)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

NAME = "plain_secrets"
DIST = "empathy-plain-secrets"
RULE = "PS001"
TITLE = f"Move the `{RULE}` secret out of the code (verified)"
SECRET_FILE = "inventory/settings.py"
SECRET_TEXT = ('"""Connection settings of the inventory."""\n\nimport os\n\nDB_HOST = os.environ.get("INVENTORY_DB_HOST", '
               '"localhost")\nDB_PASSWORD = "hunter2-not-a-real-one"\n')
FIXED_LINE = 'DB_PASSWORD = os.environ.get("INVENTORY_DB_PASSWORD", "")\n'

# The plug-in's whole code: string literals assigned to names that say password, secret or token.
MODULE = f'''
"""plain_secrets: a literal string assigned to a name that says password, secret or token."""

import ast
from importlib.metadata import version

from empathy_os.analyzer_spec import SECURITY_LEVELS, AnalyzerSpec, Kind
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.project import rel, source_files

SPEC = AnalyzerSpec(
    name="{NAME}", distribution="{DIST}", measures="literal secrets assigned in the sources",
    kind=Kind.SECURITY, on_save=True, prior_seconds=0.2, fixer="security_auditor",
    fix_title="Move the `{{rule}}` secret out of the code (verified)", joins=("security_auditor",),
    counts_critical=True, levels=SECURITY_LEVELS)
WORDS = ("password", "secret", "token")


def _secrets(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name) and any(w in target.id.lower() for w in WORDS):
                    yield node, target.id


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    files = source_files(ctx)
    findings = [
        Finding(tool="{NAME}", rule="{RULE}", severity=Severity.CRITICAL, path=rel(ctx, path), line=node.lineno,
                column=node.col_offset + 1, message=f"{{name}} holds a literal secret")
        for path in files for node, name in _secrets(ast.parse(path.read_bytes()))]
    return AnalyzerResult(analyzer="{NAME}", tool=f"{DIST} {{version('{DIST}')}}", ran=True, findings=findings,
                          metrics={{"secrets": len(findings), "files_scanned": len(files)}},
                          scope=f"{{len(files)}} source file(s)")
'''

PYPROJECT = '''
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"

[tool.setuptools]
py-modules = ["{module}"]

[project.entry-points."empathy_os.analyzers"]
{entry} = "{module}"
'''


def _install(src: Path, target: Path, dist: str, module: str, entry: str, code: str) -> None:
    src.mkdir(parents=True)
    (src / "pyproject.toml").write_text(PYPROJECT.format(dist=dist, module=module, entry=entry), encoding="utf-8")
    (src / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    # pip builds it in an isolated environment with the build backend the pyproject names (from the index).
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(src)], check=True, timeout=600)


def build(base: Path) -> Path:
    """Installs the plug-in, and a broken one (its module raises on import), into `base/site`."""
    target = base / "site"
    _install(base / "src-good", target, DIST, "empathy_plain_secrets", NAME, MODULE)
    _install(base / "src-broken", target, "empathy-broken-plugin", "empathy_broken_plugin", "broken_one",
             'raise RuntimeError("this plug-in is broken on purpose")\n')
    return target


def plugin_env(site: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH", "")) if p)
    return env
