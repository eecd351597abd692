"""What a request's wording asks for beyond its domains, in English, German, Spanish and French:

- a workflow: fixing (an imperative "fix / repair / resolve / clean up / get rid of …" at the start of any
  clause, after "please", "can you" …; the rule codes and tool it names) or raising test coverage (a
  raising verb or a target with "coverage", in any order; the target N % must lie in 0-100);
- the order of its steps ("X, then Y", "first X, after that Y"): the domains clause by clause;
- the whole team ("everything", "a full audit", "all checks");
- work Empathy's agents do not do (creative writing, translation, deployment, signing, triage, shell
  commands, feature work, CI and packaging configuration): `OutOfScopeError`, a ValueError.

The lexicon (lexicon.py) says which domains a text is about; this module says what is asked of them.
"""

from __future__ import annotations

import re
from typing import Any

from empathy_os.orchestration.lexicon import LEAD_INS, names_code, score_domains, words

CAN = ("audit security, measure and raise test coverage, review code quality and fix lint/security/docstring "
       "findings, check documentation, find performance hot spots, review architecture, find refactorings, "
       "check release readiness")
SPECIALITIES = ("security", "testing", "quality", "documentation", "performance", "architecture", "refactoring")


class OutOfScopeError(ValueError):
    """The task asks for work none of Empathy's agents does; `reason` says which."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"out of scope: {reason}; Empathy can: {CAN}")


_LEAD_INS = LEAD_INS | {"bitte", "por", "favor", "merci", "de", "vous", "plaît", "plait", "sil"}
_FIX_VERBS = {"fix", "fixes", "fixed", "repair", "repairs", "resolve", "resolves", "correct", "corrects",
              "eliminate", "cleanup", "address"}
_FIX_PHRASES = (("clean", "up"), ("get", "rid", "of"), ("sort", "out"), ("tidy", "up"))
# German, Spanish and French fix verbs count anywhere (German puts the verb last: "… beheben").
_FIX_FOREIGN = {"behebe", "beheben", "behebt", "repariere", "reparieren", "korrigiere", "korrigieren", "fixe",
                "fixen", "beseitige", "beseitigen", "arregla", "arreglar", "arregle", "corrige", "corregir",
                "corrija", "soluciona", "solucionar", "solucione", "repara", "reparar", "corriger", "corrigez",
                "répare", "réparer", "réparez", "résous", "résoudre", "résolvez", "élimine", "éliminer",
                "éliminez"}
_CLAUSE = re.compile(r"[.;:!?]+(?:\s+|$)|\n+|,\s+|\b(?:and then|then|after that|afterwards|next|finally|followed by|und "
                     r"dann|dann|danach|anschließend|y luego|luego|después|et ensuite|ensuite|puis)\b",
                     re.IGNORECASE)
# Test coverage: not "type coverage" or "docstring coverage" (other measures, other agents).
_COVERAGE = re.compile(r"(?<!type )(?<!typing )(?<!doc )(?<!docs )(?<!docstring )(?<!documentation )"
                       r"\b(?:coverage|covered|testabdeckung|abdeckung|cobertura|couverture)\b", re.IGNORECASE)
_RAISE = re.compile(r"\b(?:(?:bump|rais|increas|push|get|boost|improv|lift|bring|grow|add|reach|extend|expand)"
                    r"(?:e|s|es|ed|d|ing)?|up|higher|more|erhöhen|erhöhe|steigern|steigere|verbessern|aumentar|aumenta|subir|sube|mejorar|"
                    r"mejora|elevar|augmenter|augmente|augmentez|améliorer|améliore|monter|porter)\b|->|→",
                    re.IGNORECASE)
_PERCENT = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(?:%|percent\b|per cent\b|pct\b|prozent\b|por ciento\b|"
                      r"pour cent\b)", re.IGNORECASE)
_TO_TARGET = re.compile(r"\b(?:to|auf|al|a|à)\s+-?\d", re.IGNORECASE)
_RULE = re.compile(r"\b([A-Z]{1,3}\d{2,4})\b")
_TOOLS = {"ruff": "code_reviewer", "flake8": "code_reviewer", "pylint": "code_reviewer", "bandit": "security_auditor",
          "interrogate": "documentation_writer", "pydocstyle": "documentation_writer", "radon": "refactoring_specialist"}
_FILE = re.compile(r"[\w./-]+\.py\b")
_WHOLE = re.compile(r"\b(?:full audit|complete audit|all (?:the )?checks|every check|full check|all agents|"
                    r"whole team|vollständige prüfung|alle prüfungen|auditoría completa|todas las comprobaciones|"
                    r"audit complet|toutes les vérifications)\b", re.IGNORECASE)
_EVERYTHING = re.compile(r"\b(?:everything|alles|todo|tout)\b", re.IGNORECASE)

# (pattern, what it asks for): work no agent does. Checked before anything is planned.
_OUT_OF_SCOPE: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), why) for p, why in (
    ((r"\b(?:poem|poems|poetry|haiku|limerick|song|lyrics|story|stories|novel|joke|jokes|essay|gedicht|poema|"
     r"poème)\b"), "creative writing"),
    (r"\b(?:translat\w*|übersetz\w*|tradu[cz]\w*|tradui\w*)\b", "translating text"),
    ((r"^\W*(?:please\s+)?(?:deploy|provision|host|roll out)\b|\b(?:kubernetes|k8s|helm|terraform|ansible|kubectl|"
     r"heroku|github pages|netlify|vercel)\b"), "deploying or operating infrastructure"),
    ((r"\bsign(?:s|ing)?\s+(?:the\s+)?(?:wheels?|packages?|releases?|commits?|tags?|artifacts?|binar\w+)\b|"
     r"\breproducible\b"), "signing artifacts or making builds reproducible"),
    ((r"\b(?:triage|assign|label|prioriti[sz]e|close)\s+(?:the\s+|all\s+|our\s+)?(?:open\s+|new\s+|old\s+)?"
     r"(?:bugs?|issues?|tickets?|prs?|pull requests?)\b|\b(?:roadmap|sprint|standup|meeting)\b"),
     "managing issues and tickets"),
    ((r"^\W*(?:please\s+)?(?:rm|mv|cp|mkdir|chmod|chown|sudo|curl|wget|kubectl|docker|npm|pip install|git "
     r"(?:push|commit|merge|rebase|reset|checkout|clone|pull))\b|\brm\s+-\w+|^\W*(?:revert\b|merge (?:branch|pull request|remote-tracking|tag)\b)|\b(?:delete|remove|wipe|empty)\s+"
     r"(?:the\s+)?(?:\w+\s+)?(?:folder|directory|dir)\b"), "running shell commands or deleting files"),
    ((r"^\W*(?:please\s+)?(?:allow|support|introduce|implement)\b|"
      r"\bsupport\s+for\s+python\b|"
      r"\b(?:add|drop|remove|implement|introduce)\s+support\s+for\b|\ballow\s+\w+\s+to\b|\bnew feature\b|"
     r"\b(?:add|implement|create|build)\s+(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?:--?\w+\s+)?(?:option|flag|argument|"
     r"endpoint|command|button|page|feature|field|setting)\b"), "implementing features"),
    ((r"^\W*(?:please\s+)?make\s+(?:\S+\s+){1,5}?(?:configurable|customi[sz]able|overridable|pluggable)\b|"
      r"\b(?:feature request|enhancement request|proposal|rfc)\b|"
      r"^\W*(?:please\s+)?add\w*\s+(?:an?\s+)?(?:new\s+)?(?:check|rule|lint rule|diagnostic)s?\s+(?:for|against|that)\b|^\W*\[?(?:feat|feature)\]?(?:\([^)]*\))?!?:"),
     "implementing features"),
    ((r"\b(?:appveyor|travis|circleci|jenkins|github actions|gitlab ci|azure pipelines|continuous integration|"
      r"pre-commit|dependabot|renovate|github workflows?|workflow files?|codecov|coveralls|tox\.ini|noxfile)\b|"
      r"(?<![\w-])ci(?![\w-])|\.github/|^\W*\[?ci\]?(?:\([^)]*\))?!?:"), "configuring CI services"),
    # Which Python versions a project supports, its licence, metadata and build: packaging, not code.
    ((r"\b(?:packaging metadata|build backend|build system|setup\.cfg|setup\.py|manifest\.in|spdx|licen[cs]e|"
      r"trove(?: classifiers?)?|sdists?|wheels?|tarballs?|entry[- ]points?|requires-python|python_requires)\b|"
      r"\b(?:support\w*|drop\w*|add\w*|compatib\w*|eol|end[- ]of[- ]life|require\w*|declare\w*|mark\w*|"
      r"test\w*\s+(?:on|against|with|under))\s+(?:\w+\s+){0,3}?(?:c?python|pypy)\s*\d|"
      r"^\W*\[?build\]?(?:\((?!deps)[^)]*\))?!?:"), "changing packaging configuration"),
    ((r"^\W*(?:please\s+)?(?:bump|upgrade|update|pin|unpin)\w*\s+(?!(?:the\s+)?(?:version|coverage|test)\b)"
      r"(?:the\s+)?[\w./\[\]-]+\s+(?:from\s+\S+\s+)?to\s+v?\d|"
      r"\b(?:bump|upgrade|update|pin|unpin)\w*\s+(?:the\s+|all\s+|our\s+)?(?:dev\s+)?"
      r"(?:dependenc\w+|deps|requirements|lock\s*files?|pins)\b|^\W*\w+\(deps\):|"
      r"\b(?:dependenc\w+|deps|requirements)\b[^.;]{0,30}\b(?:updated|bumped|upgraded|pinned|unpinned)\b|"
      r"\b(?:drop|remove|add|replace|vendor)\w*\s+(?:the\s+|a\s+)?(?!(?:circular|cyclic|import)\b)(?:[\w.-]+\s+)?"
      r"(?:dependency|requirement)\b(?!\s+(?:cycles?|graphs?|loops?|injection|inversion|between))|"
      r"^\W*(?:please\s+)?(?:upgrade|update|migrate|switch|port|move)\w*\s+to\s+[\w.-]+\s*v?\d"),
     "managing dependencies"),
))
_TROUBLE_ON_CI = re.compile(r"\b(?:flaky|fail\w*|broken|errors?|crash\w*|timeouts?|times out)\b[^.;]*\b(?:on|in|under)\s+"
                            r"(?:the\s+)?ci\b", re.IGNORECASE)
_DOCUMENTABLE = {"configuring CI services", "changing packaging configuration", "managing dependencies"}
# Adding something new is feature work, unless what is added is the agents' own kind of artefact
# (tests, docs, type hints …: a domain the sentence names).
_ADD_LEAD = {"add", "adds", "added", "adding", "create", "creates", "created", "implement", "implements",
             "implemented", "introduce", "introduces", "introduced", "new", "deprecate", "deprecates",
             "deprecated", "expose", "exposes", "exposed", "enable", "enables", "enabled", "include", "includes",
             "included", "accept", "accepts", "accepted", "provide", "provides", "provided"}

# With no domain named, these still ask for a look at the code (a code review); anything else is refused.
_GENERIC = {"check", "review", "analyze", "analyse", "audit", "inspect", "assess", "evaluate", "examine", "scan",
            "look", "improve", "code", "codebase", "project", "repo", "repository", "function", "functions",
            "class", "classes", "method", "methods", "module", "modules", "file", "files", "bug", "bugs", "crash",
            "crashes", "error", "errors", "warning", "warnings", "broken", "prüfe", "prüfen", "überprüfe",
            "überprüfen", "analysiere", "analysieren", "projekt", "verbessere", "verbessern", "fehler", "revisa",
            "analiza", "analizar", "código", "proyecto", "mejora", "mejorar", "vérifie", "vérifier", "vérifiez",
            "analyser", "projet", "améliore", "améliorer", "améliorez", "erreur", "erreurs"}


def refusal(task: str) -> str | None:
    """What the task asks that no agent does, or None."""
    why = next((why for pattern, why in _OUT_OF_SCOPE if pattern.search(task)), None)
    if why == "configuring CI services" and _TROUBLE_ON_CI.search(task):
        return None  # "test_upload is flaky on CI": a test's defect, where it shows
    if why in _DOCUMENTABLE and next(iter(score_domains(task)), None) == "documentation":
        return None  # "Document the entry points", "Explain the CI setup in the README": writing docs
    first = (clauses(task) or [""])[0]
    said = [w for w in words(first) if w not in _LEAD_INS and w not in ("a", "an", "the")]
    if why is None and said[:1] and said[0] in _ADD_LEAD and not score_domains(first):
        return "implementing features"
    return why


# A bug report names its defect first ("Crash when …", "TypeError on empty input", "Wrong line numbers in
# …", "X fails with …"); an analysis names its verb first ("find the crashes", "why does it fail?").
_DEFECT = re.compile(r"\b(?:crash\w*|segfault\w*|hangs|regression|traceback|bugs?|broken|fails?|failing|"
                     r"failures?|incorrect(?:ly)?|wrong(?:ly)?|errors?|exceptions?|\w+(?:error|exception)s?|"
                     r"false (?:positive|negative)s?|no longer works?|segmentation fault|infinite loop|deadlocks?|"
                     r"race conditions?|data loss|freezes|(?:does ?n[o']t|do ?n[o']t|won'?t|can'?t|cannot|unable to)"
                     r" (?:work|run|load|build|compile|render|start|install|import|open|parse)(?:ing|s)?)\b"
                     # an error as a kind of code, not a defect: "the error branches", "exception handling"
                     r"(?!\s+(?:handling|handlers?|branch(?:es)?|paths?|messages?|cases?|codes?|class(?:es)?|types?))",
                     re.IGNORECASE)
_NOT_A_REPORT = {"find", "check", "look", "search", "scan", "review", "audit", "analyze", "analyse", "detect",
                 "identify", "list", "show", "investigate", "explain", "document", "describe", "test", "write",
                 "add", "why", "how", "what", "which", "where", "is", "are", "does", "do", "improve", "reproduce",
                 "log", "report", "count", "raise", "throw", "emit", "warn", "handle", "catch", "there", "our", "triage",
                 "debug", "diagnose", "trace", "understand", "cover"}


_REPORT_HEAD = 5  # "Docstring of load() is wrong": the subject, then what is wrong with it


def reports_defect(task: str) -> bool:
    """Does a clause report a defect (its head, within five words) rather than ask to look for some?"""
    if task.rstrip().endswith("?"):
        return False
    for clause in clauses(task):
        said = [w for w in words(clause) if w not in _LEAD_INS and w not in _FIX_VERBS and w not in ("a", "an",
                                                                                                  "the")]
        if said and said[0] not in _NOT_A_REPORT and _DEFECT.search(" ".join(said[:_REPORT_HEAD])):
            return True
    return False


def clauses(task: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(task) if c and c.strip()]


def named_workflow(task: str) -> tuple[str | None, dict[str, Any]]:
    """The workflow the wording names and its arguments (a boost's target; a fix's rules and tool)."""
    for clause in clauses(task):
        if _raises_coverage(clause):
            return "test_coverage_boost", _target(clause)
    if any(_fixes(words(clause)) for clause in clauses(task)) or reports_defect(task):
        return "fix", fix_args(task)
    return None, {}


def _raises_coverage(clause: str) -> bool:
    # A percent alone is no raise ("is coverage above 80 %?"): a raising word or "to N %" is.
    return bool(_COVERAGE.search(clause) and (_RAISE.search(clause) or _TO_TARGET.search(clause)))


def asks_for_workflow(task: str) -> bool:
    """The wording itself asks for a fix or a coverage raise (an imperative, not a bug report read as one):
    issue 28 promises these plan their workflow."""
    return any(_raises_coverage(c) or _fixes(words(c)) for c in clauses(task))


_READINESS = re.compile(r"\b(?:prepar\w*|ready|readiness|check\w*|audit\w*|verif\w*|go live|ship\w*)\b",
                        re.IGNORECASE)


def release_check(task: str) -> bool:
    """A release readiness check ("Prepare release", "Are we ready to ship?"), not a release chore ("bump
    version", "Update release script"): the word lists' main domain is the release and readiness is asked."""
    return next(iter(score_domains(task)), None) == "release" and bool(_READINESS.search(task))


def boost_args(task: str) -> dict[str, Any]:
    """A boost's target when the classifier, not the wording, chose the boost ("100% test coverage!")."""
    return next((_target(c) for c in clauses(task) if _COVERAGE.search(c) and _PERCENT.search(c)), {})


def _target(clause: str) -> dict[str, Any]:
    found = _PERCENT.findall(clause)
    if not found:
        return {}
    target = float(found[-1].replace(",", "."))
    if not 0 <= target <= 100:
        raise ValueError(f"coverage target {found[-1]} % is outside 0-100 %")
    return {"target": target}


def fix_args(task: str) -> dict[str, Any]:
    """The rule codes, files and tool (its agent) a fix names."""
    args: dict[str, Any] = {}
    rules = list(dict.fromkeys(_RULE.findall(task)))
    tools = [t for t in words(task) if t in _TOOLS]
    files = list(dict.fromkeys(_FILE.findall(task)))
    if rules:
        args["rules"] = rules
    if files:
        args["files"] = files
    if tools:
        args["agent"] = _TOOLS[tools[0]]
    return args


DEFECT_LEAD = 1.5  # more than one security word


def bug_fix_domains(found: list[str], scored: dict[str, tuple[float, list[str]]], *, by_model: bool) -> list[str]:
    """The domains that may lead a bug fix: no refactoring, and one lexicon word that is also plain
    programming ("broke pickling", "token", "eval") makes no security fix; the model's judgement stands."""
    def leads(domain: str) -> bool:
        return domain != "security" or by_model or scored.get(domain, (0.0,))[0] >= DEFECT_LEAD

    return [d for d in found if d != "refactoring" and leads(d)]


def _fixes(said: list[str]) -> bool:
    if any(w in _FIX_FOREIGN for w in said):
        return True
    rest = [w.replace("'", "") for w in said]
    while rest and rest[0] in _LEAD_INS and rest[0] not in _FIX_VERBS:
        rest = rest[1:]
    if not rest:
        return False
    if rest[0] in _FIX_VERBS:
        return True
    return any(tuple(rest[:len(p)]) == p or (p == ("sort", "out") and rest[0] == "sort" and "out" in rest[1:3])
               for p in _FIX_PHRASES)


def without_fix_verb(task: str) -> str:
    """The task minus its fix verbs: "clean up the warnings" is about warnings, not about cleaning up."""
    return re.sub(r"\b(?:clean(?:ing)?\s+up|cleanup|get(?:ting)?\s+rid\s+of|tidy\s+up)\b", " ", task,
                  flags=re.IGNORECASE)


def ordered_domains(task: str) -> list[str] | None:
    """The main domain of each step, in the order the task gives them, when it gives several steps."""
    if not re.search(r"\b(?:then|after that|afterwards|followed by|dann|danach|anschließend|luego|después|"
                     r"ensuite|puis)\b", task, re.IGNORECASE):
        return None
    steps = [next(iter(score_domains(c)), None) for c in clauses(task)]
    ordered = list(dict.fromkeys(d for d in steps if d))
    return ordered if len(ordered) >= 2 else None


def whole_team(task: str, domains: list[str]) -> bool:
    """"Check everything", "a full audit", "all checks": every specialist."""
    # "TODO" is a code marker, not Spanish for "everything"
    said = any(m.group() != "TODO" for m in _EVERYTHING.finditer(task))
    return bool(_WHOLE.search(task)) or (said and set(domains) <= {"quality"})


def asks_for_code_work(task: str) -> bool:
    """With no domain and no workflow: does the task still ask for a look at the code (generic words, a name
    from the code such as `__slots__` or `parse_args()`, or how to work on it: "debate", "polish" …)?"""
    from empathy_os.orchestration.task_analysis import STRATEGY_WORDS

    how = set().union(*(vocab for name, vocab in STRATEGY_WORDS.items() if name != "sequential"))
    return names_code(task) or any(w in _GENERIC or w in how for w in words(task))
