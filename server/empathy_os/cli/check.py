"""`empathy check FILE...`: the editor's on-save checks (bandit, ruff, on-save plug-ins) on the named files.

The same analyzer calls as the daemon's per-file re-run (`lsp/file_diagnostics.py`): the project's own
ruff and bandit config, read-only flags, test files left to the test run as everywhere else. Nothing is
written (no cache, no `.empathy/`) and no project code runs. Exit 0 clean, 1 findings, 2 bad usage or a
tool that could not run: a hook that could not look must not let the commit through.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from empathy_os.cli import common


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "check", help="ruff and bandit on the given files, as the editor runs them on save (pre-commit)",
        description="Runs the editor's per-file checks (bandit and ruff, with the project's own config) on "
                    "FILE... and prints each finding as path:line:column. Writes nothing and runs no project "
                    "code. Test files are left out, as in the editor. Exit 0 clean, 1 findings, 2 bad usage "
                    "or a tool that could not run.")
    p.add_argument("files", nargs="+", metavar="FILE", help="Python files (other files are ignored)")
    p.add_argument("--project-root", default=".", metavar="PATH",
                   help="project folder whose ruff/bandit config applies (default: .)")
    p.set_defaults(handler=run)


def _files(root: Path, names: list[str]) -> list[Path]:
    found = []
    for name in names:
        path = Path(name).expanduser()
        if not path.is_file():
            raise common.UsageError(f"{name}: no such file" if not path.exists() else f"{name}: not a file")
        path = path.resolve()
        if not path.is_relative_to(root):
            raise common.UsageError(f"{name} is outside the project root {root}")
        if path.suffix == ".py":  # the analyzers read .py sources only (stubs neither)
            found.append(path)
    return found


def not_checked(ctx, files: list[Path]) -> list[str]:
    """The named files neither tool looked at, and why: the editor skips the same ones."""
    from empathy_os.analyzers.project import is_test_file, max_file_bytes, rel, source_files

    checked = set(source_files(ctx))
    why = []
    for path in files:
        if path in checked:
            continue
        name = rel(ctx, path)
        if is_test_file(Path(name)):
            why.append(f"{name} (a test file: left to the test run)")
        elif path.stat().st_size > max_file_bytes(ctx):
            why.append(f"{name} (larger than [tool.empathy] max_file_bytes)")
        else:
            why.append(f"{name} (in a folder Empathy does not analyse: hidden, build output or a virtualenv)")
    return why


async def _gather(*runs):
    import asyncio

    return await asyncio.gather(*runs)


def run(args: argparse.Namespace) -> int:
    root = common.project_root_arg(args.project_root)
    files = _files(root, args.files)
    if not files:
        return 0
    from empathy_os.analyzers import load_project, run_analyzer
    from empathy_os.analyzers.specs import on_save

    with common.usage_errors():
        ctx = load_project(root, trusted=False)
    ctx.only_files, ctx.use_cache = files, False
    results = common.run_async(_gather(*(run_analyzer(name, ctx) for name in on_save())))
    failed = [r for r in results if not r.ran and "no Python source files" not in (r.error or "")]
    findings = sorted((f for r in results for f in r.findings), key=lambda f: (f.path, f.line, f.column or 0))
    for f in findings:
        print(f"{f.path}:{f.line}:{f.column or 1}: {f.tool} {f.rule} [{f.severity.value}] {f.message}")
    if skipped := not_checked(ctx, files):
        print(f"empathy check: not checked: {'; '.join(skipped)}", file=sys.stderr)
    for r in failed:
        print(f"empathy check: {r.analyzer} could not run: {r.error}", file=sys.stderr)
    if failed:
        return 2
    if findings:
        tools = ", ".join(r.tool for r in results if r.ran)
        print(f"empathy check: {len(findings)} finding(s) in {len(files)} file(s) ({tools})", file=sys.stderr)
        return 1
    return 0
