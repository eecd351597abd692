"""Offline task classification: a lexicon per domain, matched on word stems (Snowball's stemmers).

Each domain lists the vocabulary engineers use for it — the subject's own terms, their synonyms, the
symptoms people describe instead of naming the subject ("eats memory", "break into", "go live"), and tools
or artefacts that only belong to it (bandit, PyPI, README). Words are stemmed, so "vulnerable",
"vulnerabilities" and "vulnerability" are one entry; phrases (several stems in order) weigh double, because
"memory leak" says more than "leak". A domain's score is its weighted hit count; the best-scoring domain is
the task's main one. Generic words that fit every domain ("fix", "improve", "code", "check") are in no list.

Used offline and as the fallback when the model classification is unavailable (see `task_classifier`).
"""

from __future__ import annotations

import re
from functools import cache

from empathy_os.orchestration import lexicon_intl
from empathy_os.orchestration.stemming import stemmer

PHRASE_WEIGHT = 2.0
LEAD_WEIGHT = 1.0  # the task's first word after "please", "can you" …: the verb that names the action
# Words that open a request before its verb ("please fix", "can you document", "let's refactor").
LEAD_INS = frozenset({"please", "pls", "kindly", "can", "could", "would", "will", "you", "we", "i", "id", "let",
                      "lets", "us", "need", "to", "want", "like", "go", "ahead", "and", "try", "help", "me", "just",
                      "also", "now", "first", "then", "finally", "next", "quickly", "but", "so"})

LEXICON: dict[str, dict[str, list[str]]] = {
    "security": {
        "words": ["security", "secure", "insecure", "vulnerability", "vulnerable", "exploit", "exploitable",
                  "attack", "attacker", "hacker", "hack", "breach", "cve", "owasp", "injection", "inject", "xss",
                  "csrf", "ssrf", "auth", "authentication", "authenticate", "authorization", "login", "password",
                  "credential", "secret", "token", "encrypt", "encryption", "crypto", "cryptography", "hash",
                  "hashed", "md5", "sanitize", "sanitise", "untrusted", "malicious", "threat", "permission",
                  "privilege", "pentest", "bandit", "tls", "ssl", "certificate", "pickle", "unpickle",
                  "deserialization", "deserialize", "safe", "unsafe", "compliance", "pbkdf2", "bcrypt", "scrypt",
                  "argon2", "sha1", "dos", "traversal"],
        "phrases": ["sql query", "user input", "api key", "shell command", "access control",
                    "hardcoded secret", "security audit"],
    },
    "performance": {
        "words": ["performance", "slow", "slowness", "slower", "sluggish", "fast", "faster", "speed", "speedup",
                  "latency", "throughput", "bottleneck", "optimize", "optimise", "optimization", "profile",
                  "profiling", "profiler", "cpu", "memory", "ram", "efficient", "efficiency", "inefficient",
                  "benchmark", "scalability", "hotspot", "lag", "responsive"],
        "phrases": ["memory leak", "hot spot", "hot path", "takes too long", "eat memory", "response time"],
    },
    "testing": {
        "words": ["test", "testing", "tests", "tested", "untested", "coverage", "covered", "uncovered", "pytest",
                  "unittest", "assertion", "fixture", "flaky", "mock", "tdd", "hypothesis"],
        "phrases": ["unit test", "test suite", "edge case", "error path", "test coverage"],
    },
    "documentation": {
        "words": ["documentation", "document", "documented", "undocumented", "docs", "doc", "docstring", "readme",
                  "comment", "comments", "tutorial", "guide", "changelog", "manual", "wiki", "explain",
                  "example", "examples", "sphinx", "mkdocs"],
        "phrases": ["usage example", "api reference", "user guide", "write up", "docstring coverage",
                    "doc coverage", "documentation coverage"],
    },
    "architecture": {
        "words": ["architecture", "architectural", "design", "structure", "module", "modules", "dependency",
                  "dependencies", "depend", "import", "imports", "circular", "cycle", "layer", "layering",
                  "coupling", "coupled", "decouple", "cohesion", "service", "services", "microservice",
                  "monolith", "boundary", "boundaries", "component", "components"],
        "phrases": ["circular import", "import cycle", "overall design"],
    },
    "refactoring": {
        "words": ["refactor", "refactoring", "smell", "smells", "cleanup", "simplify", "duplication", "duplicate",
                  "duplicated", "dry", "restructure", "rename", "extract", "reorganize", "reorganise", "tidy",
                  "messy", "spaghetti", "legacy", "rewrite", "convoluted", "debt", "complexity", "cyclomatic",
                  "untangle", "tangled", "nested", "nesting", "unreadable", "unused", "unnecessary", "redundant",
                  "useless", "vestigial"],
        "phrases": ["clean up", "dead code", "technical debt", "code smell", "god class", "long function",
                    "too complex", "hard to follow", "big function", "break up", "split up", "break it up"],
    },
    "quality": {
        "words": ["review", "quality", "lint", "linter", "linting", "style", "readability", "readable",
                  "maintainability", "maintainable", "idiomatic", "pep8", "convention", "conventions", "feedback",
                  "ruff", "flake8", "pylint", "critique", "typing", "annotation", "annotations", "mypy", "pyright",
                  "warning", "warnings", "deprecation"],
        "phrases": ["code review", "pull request", "best practice", "look over", "second pair of eyes", "type hint",
                    "type check", "unused import", "type coverage"],
    },
    "release": {
        "words": ["release", "releases", "ship", "shipping", "deploy", "deployment", "production", "launch",
                  "publish", "rollout", "pypi", "prod"],
        "phrases": ["go live", "ready to ship", "cut a release", "new version", "version bump"],
    },
}
# Tie-break when two domains score the same: the one whose mistakes cost more first.
PRIORITY = ["release", "security", "performance", "testing", "architecture", "refactoring", "documentation",
            "quality"]

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
FUZZY_CUTOFF = 0.85  # difflib ratio: one letter dropped or swapped in a word of six or more letters
FUZZY_MIN_LENGTH = 6


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    return stemmer("en").stemWords([w.replace("'", "") for w in words(text)])


@cache
def _compiled() -> dict[str, tuple[frozenset[str], tuple[tuple[str, ...], ...]]]:
    out = {}
    for domain, entry in LEXICON.items():
        single = frozenset(stemmer("en").stemWords(entry["words"]))
        phrases = tuple(tuple(stems(p)) for p in entry["phrases"])
        out[domain] = (single, phrases)
    return out


@cache
def _spellings() -> dict[str, str]:
    """Every listed word (as written) → its stem: what a misspelt word is matched against."""
    return {w: s for entry in LEXICON.values() for w, s in zip(entry["words"], stemmer("en").stemWords(entry["words"]),
                                                              strict=True) if len(w) >= FUZZY_MIN_LENGTH}


def score_domains(task: str) -> dict[str, tuple[float, list[str]]]:
    """domain → (score, the words/phrases that matched), only domains that matched, best first.

    English first (with typos forgiven, see `_respell`); a task in German, Spanish or French by its
    function words, or one the English lexicon finds nothing in, is scored in that language's lexicon."""
    said = [w.replace("'", "") for w in words(task)]
    lang = lexicon_intl.guess(said)
    found = _score_english(said) if lang == "en" else {}
    if not found:
        for other in sorted(lexicon_intl.LANGUAGES, key=lambda code: code != lang):
            found = lexicon_intl.score(said, other)
            if found:
                break
    return dict(sorted(found.items(), key=lambda kv: (-kv[1][0], PRIORITY.index(kv[0]))))


def _score_english(said: list[str]) -> dict[str, tuple[float, list[str]]]:
    # "self-XSS", "CVE-2026-1234", "non-beta": the parts of a hyphenated word count as words too.
    original = [part for w in said for part in ([w, *w.split("-")] if "-" in w else [w])]
    seq = _respell(original, stemmer("en").stemWords(original))
    lead = next((i for i, w in enumerate(original) if w not in LEAD_INS), None)
    found: dict[str, tuple[float, list[str]]] = {}
    for domain, (single, phrases) in _compiled().items():
        matched = [i for i, s in enumerate(seq) if s in single]
        hits = list(dict.fromkeys(original[i] for i in matched))
        score = float(len({seq[i] for i in matched}))
        for phrase in phrases:
            start = _find(seq, phrase)
            if start is not None:
                score += PHRASE_WEIGHT
                hits.append(" ".join(original[start:start + len(phrase)]))
                matched.append(start)
        if score and lead in matched:
            score += LEAD_WEIGHT
        if score:
            found[domain] = (score, hits)
    return found


def _respell(original: list[str], seq: list[str]) -> list[str]:
    """Stems with misspelt lexicon words put right ("secuirty", "perfomance"): a word of six letters or
    more that no list knows is matched to its closest listed word by difflib's ratio (stdlib) when both
    start alike and differ in length by one letter at most ("serialization" is not "deserialization")."""
    known = set().union(*(single for single, _ in _compiled().values()))
    out = list(seq)
    for i, (word, stem) in enumerate(zip(original, seq, strict=True)):
        if len(word) >= FUZZY_MIN_LENGTH and stem not in known and word.isalpha():
            from difflib import get_close_matches

            close = [c for c in get_close_matches(word, _spellings(), n=3, cutoff=FUZZY_CUTOFF)
                     if c[0] == word[0] and abs(len(c) - len(word)) <= 1]  # a typo, not another word
            if close:
                out[i] = _spellings()[close[0]]
    return out


def _find(seq: list[str], phrase: tuple[str, ...]) -> int | None:
    n = len(phrase)
    return next((i for i in range(len(seq) - n + 1) if tuple(seq[i:i + n]) == phrase), None)
