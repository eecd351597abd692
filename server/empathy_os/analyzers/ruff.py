"""Lint: `ruff check --output-format json` over the project's sources (tests excluded).

Config: the project's own ruff config (`ruff.toml`, `.ruff.toml`, or `[tool.ruff]` in pyproject.toml) is
passed with `--config`, and `--force-exclude` keeps its excludes. Without one, ruff runs `--isolated`
(no parent folder's or user config leaks in) with ruff's own default rule set, so the count equals
`ruff check --isolated <the same files>` run by hand in the project root. The scope line names which.
Where the config names no `target-version`, the project's oldest declared Python (python_range.py) is
passed as `--target-version`, so a project declaring `>=3.7` gets no `datetime.UTC` (UP017) finding.

Read-only whatever the config says: `--no-fix` (a config's `fix = true` would rewrite the user's files),
`--no-unsafe-fixes`, `--no-cache` (no `.ruff_cache` or configured `cache-dir` in the project).

Severity: syntax and read errors high, pyflakes/E9/bugbear medium, everything else low.
Score: 10 - (ruff issues per 100 non-blank source lines), floored at 0.
"""

from __future__ import annotations

import tomllib
from collections import Counter

from empathy_os.analyzer_spec import AnalyzerSpec, Kind
from empathy_os.analyzers._util import dist_version, load_json, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.project import read_pyproject, rel, source_files
from empathy_os.analyzers.python_range import declared_python, ruff_target
from empathy_os.proc import run_tool, tool_bin

NAME = "ruff"
SPEC = AnalyzerSpec(
    name=NAME, distribution="ruff", measures="lint findings in the project's sources", kind=Kind.LINT,
    on_save=True, prior_seconds=0.5, fixer="code_reviewer", fix_title="Fix `{rule}` (verified)",
    checks_changes=True)
READ_ONLY = ["--no-fix", "--no-unsafe-fixes", "--no-cache"]
SCORE_FORMULA = "10 - ruff issues per 100 non-blank source lines, floored at 0"


def config_file(ctx: ProjectContext) -> str | None:
    for name in ("ruff.toml", ".ruff.toml"):
        if (ctx.root / name).is_file():
            return name
    if "ruff" in read_pyproject(ctx.root).get("tool", {}):
        return "pyproject.toml"
    return None


def config_args(ctx: ProjectContext) -> list[str]:
    name = config_file(ctx)
    return ["--config", name, "--force-exclude"] if name else ["--isolated"]


def _config(ctx: ProjectContext) -> dict:
    name = config_file(ctx)
    if name == "pyproject.toml":
        return read_pyproject(ctx.root).get("tool", {}).get("ruff", {})
    if name:
        try:
            return tomllib.loads((ctx.root / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return {}
    return {}


def target_args(ctx: ProjectContext) -> list[str]:
    """`--target-version` for the project's oldest declared Python (python_range.py) when its ruff config
    names none: the count then equals a plain `ruff check` in the project root, and a fix never uses
    syntax or APIs newer than what the project supports (e.g. UP017's `datetime.UTC`, 3.11, offered to a
    project declaring 3.7 under poetry or in setup.py, which ruff does not read)."""
    if "target-version" in _config(ctx):
        return []
    target = ruff_target(declared_python(ctx.root))
    return ["--target-version", target] if target else []


def rule_set(ctx: ProjectContext) -> str:
    name = config_file(ctx)
    rules = f"the project's rules ({name})" if name else "ruff's default rules (no project ruff config; --isolated)"
    target = target_args(ctx)
    return rules + (f"; --target-version {target[1]} ({declared_python(ctx.root).describe()})" if target else "")


def _severity(code: str | None) -> Severity:
    if not code or code in ("invalid-syntax", "E902"):  # the file could not be read or parsed
        return Severity.HIGH
    if code.startswith(("F", "E9", "B")):
        return Severity.MEDIUM
    return Severity.LOW


def count_loc(files) -> int:
    total = 0
    for f in files:
        try:
            total += sum(1 for line in f.read_bytes().splitlines() if line.strip())
        except OSError:
            pass
    return total


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    tool = dist_version("ruff")
    files = source_files(ctx)
    if not files:
        return not_run(NAME, tool, f"no Python source files to lint in {ctx.root}")
    args = config_args(ctx) + target_args(ctx)
    cmd = [tool_bin("ruff"), "check", "--output-format", "json", *READ_ONLY, "--exit-zero", *args,
           *[rel(ctx, f) for f in files]]
    run = await run_tool(cmd, ctx.root, timeout=float(setting(ctx, "tool_timeout", 600)), background=True)
    if run.returncode != 0:
        return not_run(NAME, tool, f"ruff failed (exit {run.returncode}): {run.stderr.strip()[:300]}")
    data = load_json(run.stdout, "ruff")

    findings = []
    for r in data:
        loc, end = r.get("location") or {}, r.get("end_location") or {}
        code = r.get("code")
        findings.append(Finding(
            tool="ruff",
            rule=code or "syntax-error",
            severity=_severity(code),
            path=rel(ctx, r["filename"]),
            line=max(1, int(loc.get("row") or 1)),
            end_line=end.get("row"),
            column=loc.get("column"),
            end_column=end.get("column"),
            message=r.get("message", ""),
            url=r.get("url"),
            extra={"name": r.get("name"), "fixable": r.get("fix") is not None},
        ))
    by_rule = Counter(f.rule for f in findings)
    loc_count = count_loc(files)
    per_100 = 100.0 * len(findings) / loc_count if loc_count else 0.0
    notes = [line for line in run.stderr.splitlines() if "error" in line.lower()][:5]
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error="; ".join(notes) or None,
        findings=findings,
        metrics={
            "issues_total": len(findings),
            "issues_per_100_loc": round(per_100, 3),
            "lines_of_code": loc_count,
            "files_checked": len(files),
            "fixable": sum(1 for f in findings if f.extra["fixable"]),
            "by_rule": ", ".join(f"{rule}:{n}" for rule, n in by_rule.most_common()),
        },
        score=round(max(0.0, 10.0 - per_100), 2),
        score_formula=SCORE_FORMULA,
        scope=f"{len(files)} source file(s), tests excluded; {rule_set(ctx)}",
    )
