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
from itertools import pairwise

from empathy_os.orchestration import lexicon_intl
from empathy_os.orchestration.lexicon_tools import RULE_PHRASES, TOOL_WORDS
from empathy_os.orchestration.stemming import stemmer

PHRASE_WEIGHT = 2.0
# The task's first word after "please", "can you" …: the verb that names the action. A hair under one, so
# that when the verb's domain and its object's tie ("Rewrite the section of the README") the object wins.
LEAD_WEIGHT = 0.99
# Words that open a request before its verb ("please fix", "can you document", "let's refactor").
LEAD_INS = frozenset({"please", "pls", "kindly", "can", "could", "would", "will", "you", "we", "i", "id", "let",
                      "lets", "us", "need", "to", "want", "like", "go", "ahead", "and", "try", "help", "me", "just",
                      "also", "now", "first", "then", "finally", "next", "quickly", "but", "so"})

LEXICON: dict[str, dict[str, list[str]]] = {
    "security": {
        "words": ["security", "secure", "insecure", "vulnerability", "vulnerable", "exploit", "exploitable",
                  "attack", "attacker", "hacker", "hack", "breach", "cve", "owasp", "injection", "inject", "xss",
                  "csrf", "ssrf", "auth", "authentication", "authenticate", "authorization", "login", "password",
                  "credential", "secret", "token", "encrypt", "encryption", "crypto", "cryptography", "md5", "sanitize", "sanitise", "untrusted", "malicious", "threat", "permission",
                  "privilege", "pentest", "bandit", "tls", "ssl", "certificate", "pickle", "unpickle",
                  "deserialization", "deserialize", "safe", "unsafe", "compliance", "pbkdf2", "bcrypt", "scrypt",
                  "argon2", "sha1", "dos", "traversal",
                  "cwe", "ghsa", "advisory", "advisories", "redos", "xxe", "forgery", "spoofing", "tampering",
                  "clickjacking", "cors", "csp", "jwt", "oauth", "saml", "rce", "disclosure", "harden",
                  "hardening", "sandbox", "sandboxing", "brute", "sensitive", "sanitization", "escalation", "hmac",
                  "symlink", "symlinks", "integrity", "httponly", "samesite", "hsts",
                  "backtracking", "allowlist", "denylist", "blocklist", "snyk", "gosec", "brakeman", "semgrep", "codeql", "trivy", "gitleaks",
                  "pip-audit"],
        "phrases": ["sql query", "user input", "api key", "shell command", "access control",
                    "hardcoded secret", "security audit", "cross site scripting", "denial of service",
                    "path traversal", "open redirect", "arbitrary code", "code execution", "timing attack",
                    "information leak", "leak secrets", "session fixation", "privilege escalation",
                    "constant time", "escape html", "html escaping", "crafted input",
                    "crafted file", "crafted archive", "arbitrary file",
                    "zip slip", "external entity", "external entities", "entity expansion", "entity resolution",
                    "password hash", "hash passwords", "hashed passwords", "weak hash", "insecure hash", "pin hashes", "hash checking",
                    "user supplied", "user provided", "catastrophic backtracking",
                    "allow list", "deny list"],
    },
    "performance": {
        "words": ["performance", "slow", "slowness", "slower", "sluggish", "fast", "faster", "speed", "speedup",
                  "latency", "throughput", "bottleneck", "optimize", "optimise", "optimization", "profile",
                  "profiling", "profiler", "cpu", "memory", "ram", "efficient", "efficiency", "inefficient",
                  "benchmark", "scalability", "hotspot", "lag", "perf", "quicker", "slowdown",
                  "speedier", "performant", "caching", "memoize", "memoization", "overhead", "footprint",
                  "quadratic", "vectorize", "benchmarks", "accelerate", "speeds", "startup", "seconds",
                  "milliseconds", "lazy", "lazily", "flamegraph", "pprof", "py-spy", "cprofile", "scalene",
                  "memray", "tracemalloc", "lighthouse"],
        "phrases": ["memory leak", "hot spot", "hot path", "takes too long", "eat memory", "response time", "speed up", "startup time", "import time", "garbage collection",
                    "hot loop", "less memory", "memory usage", "run time",
                    "number of queries", "database queries", "fewer queries"],
    },
    "testing": {
        "words": ["test", "testing", "tests", "tested", "untested", "coverage", "covered", "uncovered", "pytest",
                  "unittest", "assertion", "fixture", "flaky", "mock", "tdd", "hypothesis", "testsuite", "conftest", "xfail", "skipif",
                  "monkeypatch", "capsys", "caplog", "doctest", "doctests", "mocking", "integration", "e2e",
                  "fuzz", "fuzzing", "testcase", "jest", "mocha", "vitest",
                  "rspec", "junit", "nose2", "regression-test", "asserts", "parametrized", "coverage.py"],
        "phrases": ["unit test", "test suite", "edge case", "error path", "test coverage", "test case", "regression test", "branch coverage",
                    "property based", "integration test", "end to end", "test failure"],
    },
    "documentation": {
        "words": ["documentation", "document", "documented", "undocumented", "docs", "doc", "docstring", "readme",
                  "comment", "comments", "tutorial", "guide", "changelog", "manual", "wiki", "explain",
                  "example", "examples", "sphinx", "mkdocs", "rst", "restructuredtext", "markdown", "autodoc",
                  "napoleon", "numpydoc", "intersphinx", "toctree", "spelling", "misspelling", "misspelled",
                  "grammar", "grammatical", "wording", "phrasing", "prose", "clarify", "clarification", "howto",
                  "faq", "glossary", "readthedocs", "docsite", "mention", "describe", "rephrase",
                  "reword", "quickstart", "instructions", "cookbook", "docstrings",
                  "jsdoc", "rustdoc", "typedoc", "javadoc", "godoc", "docusaurus"],
        "phrases": ["usage example", "api reference", "user guide", "write up", "docstring coverage",
                    "doc coverage", "documentation coverage", "help text", "man page", "docs build", "broken link", "dead link",
                    "contributing guide"],
    },
    "architecture": {
        "words": ["architecture", "architectural", "design", "structure", "dependency",
                  "dependencies", "depend", "import", "imports", "circular", "cycle", "layer", "layering",
                  "coupling", "coupled", "decouple", "cohesion", "service", "services", "microservice",
                  "monolith", "boundary", "boundaries", "component", "components", "layered", "hexagonal", "abstraction",
                  "abstractions", "interface", "interfaces", "inheritance", "modular", "modularity",
                  "modularize", "subpackage", "subpackages", "encapsulation"],
        "phrases": ["circular import", "import cycle", "overall design", "separation of concerns",
                    "single responsibility", "package layout", "project layout"],
    },
    "refactoring": {
        "words": ["refactor", "refactoring", "smell", "smells", "cleanup", "simplify", "duplication", "duplicate",
                  "duplicated", "dry", "restructure", "rename", "extract", "reorganize", "reorganise", "tidy",
                  "messy", "spaghetti", "legacy", "convoluted", "debt", "complexity", "cyclomatic",
                  "untangle", "tangled", "nested", "nesting", "unreadable", "unused", "unnecessary", "redundant",
                  "useless", "vestigial", "obsolete", "outdated", "antiquated", "leftover", "leftovers",
                  "remnant", "stale", "cruft", "boilerplate", "consolidate", "deduplicate", "dedupe",
                  "streamline", "overcomplicated", "clunky", "hacky", "halstead", "decompose", "cleanups",
                  "readability-refactor", "inline"],
        "phrases": ["clean up", "dead code", "technical debt", "code smell", "god class", "long function",
                    "too complex", "hard to follow", "big function", "break up", "split up", "break it up", "global state", "too many", "lines long",
                    "magic number", "god object", "maintainability index",
                    "extract method", "move method", "pull up", "no longer used", "no longer needed"],
    },
    "quality": {
        "words": ["review", "quality", "lint", "linter", "linting", "style", "readability", "readable",
                  "maintainability", "maintainable", "idiomatic", "pep8", "convention", "conventions", "feedback",
                  "ruff", "flake8", "pylint", "critique", "typing", "annotation", "annotations", "mypy", "pyright",
                  "warning", "warnings", "deprecation", "typed", "typehint", "typehints", "pyflakes", "pycodestyle",
                  "pyupgrade", "isort", "formatting", "formatter", "noqa", "overload", "protocol",
                  "typeddict", "typecheck", "deprecated", "consistency", "inconsistent", "pep", "eslint",
                  "prettier", "clippy", "rubocop", "stylelint", "golangci", "gofmt", "rustfmt", "autopep8", "yapf"],
        "phrases": ["code review", "pull request", "best practice", "look over", "second pair of eyes", "type hint",
                    "type check", "unused import", "type coverage", "type comment", "type annotation", "type checker",
                    "type checking", "type ignore", "type stub", "type alias", "type error", "code style", "bare except", "import order",
                    "sort imports", "import sorting"],
    },
    "release": {
        "words": ["release", "releases", "ship", "shipping", "deploy", "deployment", "production", "launch",
                  "publish", "rollout", "pypi", "prod"],
        "phrases": ["go live", "ready to ship", "cut a release", "new version", "version bump", "bump version",
                    "bump the version", "release candidate"],
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


def _all_words(domain: str) -> list[str]:
    """The hand-kept words of a domain, then the words its tools use for it (lexicon_tools.py)."""
    return LEXICON[domain]["words"] + TOOL_WORDS.get(domain, [])


@cache
def _compiled() -> dict[str, tuple[frozenset[str], tuple[tuple[str, ...], ...]]]:
    out = {}
    for domain, entry in LEXICON.items():
        single = frozenset(stemmer("en").stemWords(_all_words(domain)))
        phrases = tuple(tuple(stems(p)) for p in entry["phrases"] + RULE_PHRASES.get(domain, []))
        out[domain] = (single, phrases)
    return out


@cache
def _known() -> frozenset[str]:
    """Every listed word's stem."""
    return frozenset().union(*(single for single, _ in _compiled().values()))


@cache
def _spellings() -> dict[str, str]:
    """Every listed word (as written) → its stem: what a misspelt word is matched against."""
    listed = [w for domain in LEXICON for w in _all_words(domain)]
    return {w: s for w, s in zip(listed, stemmer("en").stemWords(listed), strict=True) if len(w) >= FUZZY_MIN_LENGTH}


def score_domains(task: str) -> dict[str, tuple[float, list[str]]]:
    """domain → (score, the words/phrases that matched), only domains that matched, best first.

    English first (with typos forgiven, see `_respell`); a task in German, Spanish or French by its
    function words, or one the English lexicon finds nothing in, is scored in that language's lexicon."""
    said = [w.replace("'", "") for w in words(without_identifiers(task))]
    lang = lexicon_intl.guess(said)
    found = _score_english(said) if lang == "en" else {}
    kind = COMMIT_TYPES.get(commit_type(task) or "")
    if kind:  # the author said which kind of work it is: that weighs as much as a phrase
        score, hits = found.get(kind, (0.0, []))
        found[kind] = (score + PHRASE_WEIGHT, [f"{commit_type(task)}:", *hits])
    if lang == "en":
        found = _main_verb(said, found)
    if _VERSION_LINE.match(task):  # "Version 4.0.0", "v2.3.1": a release's own commit
        found["release"] = (found.get("release", (0.0, []))[0] + PHRASE_WEIGHT, [task.strip()])
    if not found:
        for other in sorted(lexicon_intl.LANGUAGES, key=lambda code: code != lang):
            found = lexicon_intl.score(said, other)
            if found:
                break
    return dict(sorted(found.items(), key=lambda kv: (-kv[1][0], PRIORITY.index(kv[0]))))


# A name from the code ("file_tokens", "fields.DateTime", "__nonzero__", "MultiPartParser") says what the task
# is about in the user's code, not which kind of work it asks for: its parts are no domain words, except a
# dotted name's package, which names the library ("typing.Optional", "pytest.raises", "hashlib.md5"). A path
# or a file name ("doc/usage.rst", "test_keys.py") keeps its words: where a file lives says what it is.
_IDENTIFIER = re.compile(r"(?<![\w./-])(?![\w.-]*/)(?![\w-]+\.(?:py|pyi|rst|md|txt|toml|cfg|ini|ya?ml|json)\b)"
                         r"(?:([A-Za-z]\w*)(?:\.\w+)+|\w*_\w*|[A-Za-z]+[a-z][A-Z]\w*)(?:\(\))?")


def names_code(task: str) -> bool:
    """Does the task name something in the code (a dotted, snake_case, CamelCase or dunder name)?"""
    return _IDENTIFIER.search(task) is not None


def without_identifiers(task: str) -> str:
    return _IDENTIFIER.sub(_kept_part, task)


def _kept_part(match: re.Match[str]) -> str:
    """What of a name counts: a dotted name's package; the words of a warning or exception class (Python's
    own "DeprecationWarning", "RecursionError" name the defect's kind)."""
    name = match.group(0)
    if stemmer("en").stemWord(name.lower()) in _known():  # "HttpOnly", "PyPI", "DoS": a listed term
        return f" {name} "
    if _PROBLEM_CLASS.fullmatch(name):
        return " " + re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name) + " "
    return f" {match.group(1) or ''} "


_PROBLEM_CLASS = re.compile(r"(?:[A-Z][a-z]+)+(?:Warning|Error|Exception)")


# Conventional Commits' types ("docs: …", "perf(parser): …"): the kind of work, said before the message.
COMMIT_TYPES = {"docs": "documentation", "doc": "documentation", "test": "testing", "tests": "testing",
                "perf": "performance", "refactor": "refactoring", "style": "quality", "lint": "quality",
                "typing": "quality", "types": "quality", "security": "security", "sec": "security",
                "release": "release"}
_COMMIT = re.compile(r"^\s*\[?(\w+)\]?(?:\([^)]*\))?!?:\s")
# The main verb names the work when its object names no domain ("remove antiquated methods", "move the
# helpers"): what is done to code that no specialist's word describes.
VERB_DOMAINS = {**dict.fromkeys(("remove", "delete", "drop", "consolidate", "deduplicate", "dedupe", "move",
                                 "split", "merge", "inline", "replace", "rework", "rewrite", "reorganize", "streamline",
                                 "unify", "shorten", "modernize", "prune", "trim", "strip"), "refactoring"),
                **dict.fromkeys(("describe", "clarify", "mention", "reword", "rephrase"), "documentation"),
                **dict.fromkeys(("accelerate", "parallelize", "memoize", "cache"), "performance"),
                **dict.fromkeys(("annotate", "reformat", "format"), "quality")}


# Gitmoji (gitmoji.dev), the other common way to say a commit's kind: its code or emoji → the Conventional
# Commits type it stands for.
GITMOJI = {**dict.fromkeys(("bug", "🐛", "ambulance", "🚑", "adhesive_bandage", "🩹"), "fix"),
           **dict.fromkeys(("memo", "📝", "pencil2", "✏"), "docs"), **dict.fromkeys(("zap", "⚡"), "perf"),
           **dict.fromkeys(("lock", "🔒", "closed_lock_with_key", "🔐"), "security"),
           **dict.fromkeys(("white_check_mark", "✅", "test_tube", "🧪"), "test"),
           **dict.fromkeys(("recycle", "♻", "fire", "🔥", "coffin", "⚰"), "refactor"),
           **dict.fromkeys(("art", "🎨", "rotating_light", "🚨", "label", "🏷"), "style"),
           **dict.fromkeys(("sparkles", "✨", "lipstick", "💄", "boom", "💥"), "feat"),
           **dict.fromkeys(("arrow_up", "⬆", "arrow_down", "⬇", "heavy_plus_sign", "➕", "heavy_minus_sign", "➖",
                            "pushpin", "📌"), "build(deps)"),
           **dict.fromkeys(("construction_worker", "👷", "green_heart", "💚"), "ci"),
           **dict.fromkeys(("package", "📦"), "build"), **dict.fromkeys(("bookmark", "🔖"), "release")}
_GITMOJI = re.compile(r"^\s*(?::([a-z0-9_+-]+):|([^\w\s:]))\ufe0f?\s*")


def gitmoji_as_type(task: str) -> str:
    """The task with a leading gitmoji written as its Conventional Commits type (other tasks unchanged)."""
    match = _GITMOJI.match(task)
    kind = match and GITMOJI.get(match.group(1) or match.group(2))
    return f"{kind}: {task[match.end():]}" if kind else task


_AUXILIARIES = frozenset({"is", "are", "was", "were", "been", "be", "get", "got", "gets"})
_VERSION_LINE = re.compile(r"^\W*(?:version|release|tag|bump(?: version)?(?: to)?)?\s*v?\d+(?:\.\d+)+\S*\s*$",
                           re.IGNORECASE)
VERB_WEIGHT = 0.4  # under half a word: it breaks ties, never adds a second domain to a task that names one


def commit_type(task: str) -> str | None:
    """The Conventional Commits type a task starts with ("feat", "docs", "fix" …), lower case, or None."""
    match = _COMMIT.match(task)
    return match.group(1).lower() if match else None


# Words the stemmer folds into a listed word's stem though they mean something else ("tokenizer" → token).
FALSE_FRIENDS = frozenset({"tokenizer", "tokenizers", "tokenize", "tokenized", "tokenizing", "tokenization",
                           "tokeniser", "tokenise", "detokenize", "extraction", "dry-run", "format",
                           "formats"})


def _score_english(said: list[str]) -> dict[str, tuple[float, list[str]]]:
    # "self-XSS", "CVE-2026-1234", "non-beta": the parts of a hyphenated word count as words too.
    original = [part for w in said if w not in FALSE_FRIENDS
                for part in ([w, *w.split("-")] if "-" in w else [w]) if part not in FALSE_FRIENDS]
    seq = _respell(original, stemmer("en").stemWords(original))
    lead = next((i for i, w in enumerate(original) if w not in LEAD_INS), None)
    if lead is not None and original[lead].endswith("ing"):  # "Importing X takes …": a subject, no command
        lead = None
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


def _main_verb(said: list[str], found: dict[str, tuple[float, list[str]]]) -> dict[str, tuple[float, list[str]]]:
    """`found` with the main verb's domain (VERB_DOMAINS) weighing VERB_WEIGHT more: the domain alone when the
    object names none, the tie-break when two do ("Remove the unused compat module" is no architecture)."""
    lead = next((w for w in said if w not in LEAD_INS), "")
    # "Helpers were moved …", "has been removed": in the passive the participle is the main verb.
    passive = next((b for a, b in pairwise(said) if a in _AUXILIARIES), "")
    verb, said_as = next(((v, w) for w in (lead, passive) for v in VERB_DOMAINS
                          if w in (v, v + "s", v + "d", v + "ed", v[:-1] + "ing", v + "ing")), (None, ""))
    if verb is None:
        return found
    score, hits = found.get(VERB_DOMAINS[verb], (0.0, []))
    return {**found, VERB_DOMAINS[verb]: (score + VERB_WEIGHT, hits + [said_as])}


def _respell(original: list[str], seq: list[str]) -> list[str]:
    """Stems with misspelt lexicon words put right ("secuirty", "perfomance"): a word of six letters or
    more that no list knows is matched to its closest listed word by difflib's ratio (stdlib) when both
    start alike and differ in length by one letter at most ("serialization" is not "deserialization")."""
    known = _known()
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
