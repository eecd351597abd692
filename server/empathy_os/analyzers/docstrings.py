"""Documentation: docstring coverage of public modules, classes and functions, by interrogate's own API.

Settings: the project's `[tool.interrogate]` table when it has one (its `exclude` is honoured too, and
nothing else is left out); otherwise DEFAULT_CONFIG over the files interrogate users measure: the import
packages' files when the project has packages (so `setup.py`, `docs/conf.py` and scripts outside the
packages are left out, and the scope line names them), every source but `setup.py` and `docs/` otherwise.
DEFAULT_CONFIG which counts public API only: private (`_x`), semiprivate, magic (`__x__`),
`__init__` methods (the class docstring covers them) and nested functions are not counted; modules,
classes, functions and methods are. Files interrogate cannot read (syntax error, not UTF-8), and files
over the time limit per file (`[tool.empathy] file_timeout`, filepool.py), are skipped and named in `error`. `readme_present`: a README* file at the project root.

Score: doc_coverage_percent / 10.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from empathy_os.analyzer_spec import HINT_LEVELS, AnalyzerSpec, Kind
from empathy_os.analyzers._util import dist_version, join_notes, not_run
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.filepool import PerFile, per_file
from empathy_os.analyzers.project import packages, read_pyproject, rel, source_files

NAME = "docstrings"
SPEC = AnalyzerSpec(
    name=NAME, distribution="interrogate", measures="docstring coverage of public modules, classes and functions",
    kind=Kind.DOCUMENTATION, fixer="documentation_writer", fix_title="Add docstring (verified)",
    levels=HINT_LEVELS)
DEFAULT_CONFIG = {
    "ignore_private": True,
    "ignore_semiprivate": True,
    "ignore_magic": True,
    "ignore_init_method": True,
    "ignore_nested_functions": True,
}
TABLE_ORIGIN = "[tool.interrogate] in pyproject.toml"
_KIND = {"Module": "module", "ClassDef": "class", "FunctionDef": "function", "AsyncFunctionDef": "function"}


def _fields() -> set[str]:
    # interrogate is imported when it runs, not at start-up: a cached re-run never needs it.
    import attr
    from interrogate.config import InterrogateConfig

    return {a.name for a in attr.fields(InterrogateConfig)}


def interrogate_settings(ctx: ProjectContext) -> tuple[dict, list[str], str]:
    """(config kwargs, exclude patterns, where they came from)."""
    table = read_pyproject(ctx.root).get("tool", {}).get("interrogate")
    if not isinstance(table, dict):
        return dict(DEFAULT_CONFIG), [], "public API (Empathy's default interrogate settings)"
    conf = {k.replace("-", "_"): v for k, v in table.items()}
    exclude = conf.get("exclude") or []
    fields = _fields()
    return {k: v for k, v in conf.items() if k in fields}, list(exclude), TABLE_ORIGIN


def _outside_api(ctx: ProjectContext, files: list[Path]) -> list[Path]:
    """Sources that are not the project's API, left out without a [tool.interrogate] table: outside the
    packages when there are packages; else `setup.py` and the docs folder (Sphinx's conf.py)."""
    inside = [p.rstrip("/") + "/" for p in packages(ctx)]
    if inside:
        return [p for p in files if not any(rel(ctx, p).startswith(pkg) for pkg in inside)]
    return [p for p in files if rel(ctx, p) == "setup.py" or rel(ctx, p).startswith("docs/")]


def _excluded(relpath: str, patterns: list[str]) -> bool:
    return any(relpath.startswith(p.rstrip("/") + "/") or relpath == p or fnmatch.fnmatch(relpath, p)
               for p in patterns)


def _measure(ctx: ProjectContext, conf: dict, origin: str, usable: list[Path], done: PerFile,
             left_out: list[str]) -> AnalyzerResult:
    tool = dist_version("interrogate")
    readme = any(p.is_file() and p.name.lower().startswith("readme") for p in ctx.root.iterdir())
    notes = done.notes(ctx, "interrogate cannot read")
    if not done.results:
        return not_run(NAME, tool, join_notes(notes) or f"no Python source files in {ctx.root}")
    findings = []
    covered = total = missing = 0
    for path in usable:
        if path not in done.results:
            continue
        data = done.results[path]
        covered, total, missing = covered + data["covered"], total + data["total"], missing + data["missing"]
        relpath = rel(ctx, path)
        for node in data["nodes"]:
            if node["covered"] or (node["type"] == "Module" and conf.get("ignore_module")):
                continue
            symbol = node["path"].split(":", 1)[1] if ":" in node["path"] else None
            kind = _KIND.get(node["type"], node["type"].lower())
            findings.append(Finding(
                tool="docstrings", rule="missing-docstring", severity=Severity.INFO, path=relpath,
                line=max(1, node["line"] or 1), symbol=symbol,
                message=f"{kind} {symbol or relpath} has no docstring",
                extra={"node_type": kind},
            ))
    percent = covered / total * 100 if total else 100.0  # interrogate's own perc_covered
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error=join_notes(notes),
        findings=findings,
        metrics={
            "doc_coverage_percent": percent,
            "documented": covered,
            "total": total,
            "missing": missing,
            "readme_present": readme,
            "files_measured": len(done.results),
            "files_skipped": len(done.skipped),
            "files_over_time_limit": len(done.timed_out),
        },
        score=round(percent / 10, 2),
        score_formula="docstring coverage percent / 10",
        scope=f"{len(usable)} source file(s), tests excluded; {origin}" + (
            f"; left out as not the API: {', '.join(left_out[:5])}" + (" …" if len(left_out) > 5 else "")
            if left_out else ""),
    )


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    files = source_files(ctx)
    if not files:
        return not_run(NAME, dist_version("interrogate"), f"no Python source files in {ctx.root}")
    conf, exclude, origin = interrogate_settings(ctx)
    usable = [p for p in files if not _excluded(rel(ctx, p), exclude)]
    outside = [] if origin == TABLE_ORIGIN else _outside_api(ctx, usable)
    usable = [p for p in usable if p not in outside]
    if not usable:
        return not_run(NAME, dist_version("interrogate"), f"no Python source files of the API in {ctx.root}")
    return _measure(ctx, conf, origin, usable, await per_file(ctx, "docstrings", usable, conf),
                    sorted(rel(ctx, p) for p in outside))
