"""Task analysis on whole words: which composition a task asks for and how complex it says it is.

Which domains a task touches is the lexicon's job (`empathy_os.orchestration.lexicon`).
"""

from __future__ import annotations

import re

# Which agents serve a domain is declared by the templates themselves (`AgentTemplate.serves`).
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


def strategy_votes(tokens: set[str]) -> dict[str, list[str]]:
    return {name: sorted(tokens & vocab) for name, vocab in STRATEGY_WORDS.items() if tokens & vocab}


def complexity_from_words(tokens: set[str]) -> tuple[str, list[str]]:
    for level in ("complex", "simple"):
        hits = sorted(tokens & COMPLEXITY_WORDS[level])
        if hits:
            return level, hits
    return "moderate", []
