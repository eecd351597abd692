"""Task analysis on whole words: which domains a task touches and which composition it asks for.

Whole-word matching (the previous implementation matched substrings, so "latest" meant testing).
"""

from __future__ import annotations

import re

DOMAIN_WORDS: dict[str, set[str]] = {
    "release": {"release", "releases", "ship", "shipping", "production", "deploy", "deployment", "launch",
                "publish", "rollout"},
    "security": {"security", "secure", "vulnerability", "vulnerabilities", "audit", "cve", "injection",
                 "auth", "authentication", "secrets", "exploit", "threat", "threats"},
    "testing": {"test", "tests", "testing", "coverage", "untested", "pytest", "unit"},
    "quality": {"quality", "review", "lint", "linting", "style", "readability", "maintainability",
                "bugs", "bug", "fix"},
    "documentation": {"documentation", "docs", "doc", "docstring", "docstrings", "readme", "document",
                      "documented", "api-docs"},
    "performance": {"performance", "slow", "speed", "latency", "optimize", "optimise", "bottleneck",
                    "bottlenecks", "faster", "profiling", "profile", "throughput"},
    "architecture": {"architecture", "architectural", "design", "structure", "dependencies", "layering",
                     "coupling", "modules", "cycles"},
    "refactoring": {"refactor", "refactoring", "smell", "smells", "cleanup", "simplify", "duplication",
                    "restructure"},
}

# domain → agents, most relevant first
DOMAIN_AGENTS: dict[str, list[str]] = {
    "release": ["security_auditor", "test_coverage_analyzer", "code_reviewer", "documentation_writer"],
    "security": ["security_auditor"],
    "testing": ["test_coverage_analyzer"],
    "quality": ["code_reviewer"],
    "documentation": ["documentation_writer"],
    "performance": ["performance_optimizer"],
    "architecture": ["architecture_analyst"],
    "refactoring": ["refactoring_specialist"],
}

DOMAIN_PATTERNS = {
    "release": "release_preparation", "security": "security_audit", "testing": "test_coverage",
    "quality": "code_review", "documentation": "documentation", "performance": "performance_optimization",
    "architecture": "architecture_review", "refactoring": "refactoring",
}

STRATEGY_WORDS: dict[str, set[str]] = {
    "debate": {"perspectives", "perspective", "consensus", "debate", "opinions", "viewpoints", "tradeoffs",
               "trade-offs", "compare", "decision", "decisions"},
    "refinement": {"refine", "refinement", "polish", "iterate", "iterative", "draft", "progressive",
                   "progressively"},
    "teaching": {"cheap", "cheaply", "budget", "cost-effective", "economical", "inexpensive"},
    "adaptive": {"fix", "bug", "bugs", "triage", "route", "adaptive", "right-size"},
    "sequential": {"then", "pipeline", "boost", "generate", "step-by-step", "stages", "after"},
    "parallel": {"validate", "validation", "check", "checks", "verify", "gate", "gates", "release"},
}

COMPLEXITY_WORDS = {
    "complex": {"comprehensive", "entire", "whole", "critical", "thorough", "deep", "production",
                "multiple", "complete", "full"},
    "simple": {"quick", "simple", "small", "minor", "typo", "trivial", "single", "one"},
}


def words(task: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", task.lower())


def domains_of(tokens: set[str]) -> list[str]:
    return [d for d, vocab in DOMAIN_WORDS.items() if tokens & vocab]


def strategy_votes(tokens: set[str]) -> dict[str, list[str]]:
    return {name: sorted(tokens & vocab) for name, vocab in STRATEGY_WORDS.items() if tokens & vocab}


def complexity_from_words(tokens: set[str]) -> tuple[str, list[str]]:
    for level in ("complex", "simple"):
        hits = sorted(tokens & COMPLEXITY_WORDS[level])
        if hits:
            return level, hits
    return "moderate", []
