"""Measured project complexity and the task's stated severity, for the adaptive strategy and the planner.

Measured on the files a task names when it names any (a one-file fix in a big project is a small task),
else on the whole project. Levels (documented thresholds): simple = under 500 source lines and no function above cyclomatic
complexity 10; complex = over 5,000 lines or any function above 20; moderate otherwise. A caller's explicit
hint (`simple`/`moderate`/`complex`, or `low`/`medium`/`high`) wins and is reported as such.
"""

from __future__ import annotations

import re
from pathlib import Path

from empathy_os.analyzers.contract import ProjectContext
from empathy_os.llm.tiers import Tier

# What is at stake sets the adaptive strategy's tier floor, whatever the size of the code: a short file
# with a shell injection is no task for the cheapest tier. Critical: a flaw an attacker can use or that loses
# data; high: any other security task, a crash or wrong results.
CRITICAL_WORDS = re.compile(r"\b(?:injection|inject\w*|rce|remote code execution|exploit\w*|xss|csrf|ssrf|"
                            r"deserializ\w*|unpickl\w*|privilege escalation|path traversal|leak\w* (?:of )?"
                            r"(?:secrets?|credentials?|passwords?|tokens?|keys?)|data loss|corrupt\w*|"
                            r"vulnerab\w*|cve-\d+)\b", re.IGNORECASE)
HIGH_WORDS = re.compile(r"\b(?:crash\w*|wrong results?|incorrect|race conditions?|deadlocks?|production)\b",
                        re.IGNORECASE)

HINTS = {"simple": "simple", "low": "simple", "easy": "simple", "moderate": "moderate", "medium": "moderate",
         "complex": "complex", "high": "complex", "hard": "complex"}


def normalize_hint(hint: object) -> str | None:
    if hint is None or hint == "":
        return None
    level = HINTS.get(str(hint).strip().lower())
    if level is None:
        raise ValueError(f"unknown complexity {hint!r}; use simple, moderate or complex")
    return level


def named_files(task: str | None, root: Path) -> list[Path]:
    """Files the task names (`inventory/storage.py`, `storage.py`) that exist in the project, read-only."""
    found: list[Path] = []
    for name in re.findall(r"[\w./-]+\.py\b", task or ""):
        direct = (root / name).resolve()
        if direct.is_file() and direct.is_relative_to(root):
            candidates = [direct]
        else:
            candidates = [p for p in root.rglob(Path(name).name) if ".venv" not in p.parts][:3]
        found += [p for p in candidates if p not in found]
    return found


def task_severity(task: str, domain: str | None) -> tuple[str, Tier, str]:
    """(severity, the tier floor it sets, the words that said so) from the task's wording."""
    critical = CRITICAL_WORDS.search(task)
    if critical:
        return "critical", Tier.PREMIUM, critical.group(0)
    high = HIGH_WORDS.search(task)
    if high or domain == "security":
        return "high", Tier.CAPABLE, high.group(0) if high else "a security task"
    return "normal", Tier.CHEAP, ""


def classify_complexity(ctx: ProjectContext, hint: object = None, files: list[Path] | None = None) -> dict:
    """The level from the hint, else measured on `files` (the ones the task names) or the whole project."""
    level = normalize_hint(hint)
    if level:
        return {"level": level, "basis": "caller's hint"}
    from radon.complexity import cc_visit

    from empathy_os.analyzers.project import source_files

    lines = max_cc = unreadable = 0
    for path in files or source_files(ctx):
        try:
            text = path.read_text(encoding="utf-8")
            blocks = cc_visit(text)
        except (UnicodeDecodeError, SyntaxError, OSError):
            unreadable += 1
            continue
        lines += len(text.splitlines())
        max_cc = max([max_cc, *(b.complexity for b in blocks)])
    if lines > 5000 or max_cc > 20:
        level = "complex"
    elif lines < 500 and max_cc <= 10:
        level = "simple"
    else:
        level = "moderate"
    where = f"the named file(s) {', '.join(p.name for p in files)}" if files else "the project"
    basis = f"measured on {where}: {lines} source lines, max cyclomatic complexity {max_cc} (radon)"
    if unreadable:
        basis += f", {unreadable} file(s) unreadable"
    return {"level": level, "basis": basis, "lines": lines, "max_complexity": max_cc}
