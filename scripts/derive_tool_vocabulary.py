"""Derive the planner's per-domain tool vocabulary from the tools' own names; writes lexicon_tools.py.

Run after upgrading ruff or bandit:  .venv/bin/python scripts/derive_tool_vocabulary.py
(needs the optional `cwe` package for the CWE titles: .venv/bin/pip install cwe)

Sources, each mapped to a domain by what the tool or rule family checks:
- ruff's rule names (`ruff rule --all --output-format json`), by linter: flake8-bandit → security, Perflint →
  performance, flake8-pytest-style → testing, pydocstyle/pydoclint → documentation, mccabe/flake8-simplify/
  Pylint's refactoring (PLR) … → refactoring, isort/flake8-tidy-imports … → architecture;
- bandit's plugin and blacklist test names (its entry points) and the titles of the CWEs bandit reports;
- pytest's, coverage.py's and hypothesis' public names (their modules' `__all__`/top-level names).

A word goes to the domain where most (≥ 80 %) of its uses are and at least `MIN_USES`; words every domain
uses (STOP) and words the hand-kept lexicon already places are left out. The output is reviewed and
committed, so planning never runs a tool.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from empathy_os.orchestration.lexicon import LEXICON
from empathy_os.orchestration.stemming import stemmer

RUFF_LINTERS = {
    "flake8-bandit": "security",
    "Perflint": "performance",
    "flake8-pytest-style": "testing",
    "pydocstyle": "documentation",
    "pydoclint": "documentation",
    "mccabe": "refactoring",
    "flake8-simplify": "refactoring",
    "eradicate": "refactoring",
    "flake8-return": "refactoring",
    "flake8-unused-arguments": "refactoring",
    "flake8-comprehensions": "refactoring",
    "flake8-pie": "refactoring",
    "isort": "architecture",
    "flake8-tidy-imports": "architecture",
    "flake8-import-conventions": "architecture",
    "flake8-no-pep420": "architecture",
}
QUALITY_LINTERS = {
    "pycodestyle",
    "pep8-naming",
    "flake8-annotations",
    "pyupgrade",
    "Pyflakes",
    "flake8-bugbear",
    "flake8-pyi",
    "flake8-future-annotations",
    "flake8-quotes",
    "flake8-commas",
    "flake8-builtins",
    "flake8-2020",
    "refurb",
    "flake8-type-checking",
    "flake8-implicit-str-concat",
    "flake8-errmsg",
    "flake8-print",
    "flake8-fixme",
    "flake8-todos",
}


def _words(text: str) -> set[str]:
    return set(text.split())


# Words of every domain's rule names, or of the subject code rather than its concern.
STOP = _words("""a an the of in on to for with without from by as at or and not no non is be use used uses using usage
call calls called function functions method methods class classes argument arguments parameter parameters
param name names value values variable variables statement statements expression expressions module
modules object objects type types string strings str int list dict set tuple bytes none true false
default defaults missing invalid unnecessary redundant incorrect improper bad wrong literal literals
keyword keywords attribute attributes self cls return returns first last line lines code file files path
call def if else elif try except raise raises import imports from all any one two more than instead
should after before within inside outside same multiple specific single empty other builtin builtins open
data input output element elements special control resource generation page web check checks pass assign
assignment access""")
MIN_USES = 2
# Read once by a person (the review the docstring speaks of): names of frameworks, parts of the tools'
# own APIs, or words that in a request mean something else ("lazy" loading is a speed-up, "xml"/"yaml"
# parsing is ordinary work, "validation" of values is not a security check).
REJECTED = _words("""lazy new arms double boolean flask django request host partial tree templates command download interfaces
listen neutralization dom jinja2 mako markup sax xml yaml validation wildcard etree broad core factory
fail group hook main parser plugin register report result underscore recorder region stash capture
scripting""")
# Quality is the default domain: of its derived words only those naming a style or typing matter are kept.
QUALITY_KEPT = {
    "stub",
    "generic",
    "union",
    "alias",
    "whitespace",
    "trailing",
    "semicolon",
    "camelcase",
    "undefined",
    "shadowing",
    "syntax",
    "dunder",
    "pep604",
    "pep695",
    "metaclass",
    "tabs",
    "newline",
    "lowercase",
    "comma",
    "ambiguous",
}


def ruff_rules() -> list[tuple[str, str]]:
    out = subprocess.run(
        [str(ROOT / ".venv/bin/ruff"), "rule", "--all", "--output-format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = []
    for rule in json.loads(out):
        linter, code = rule.get("linter"), rule.get("code") or ""
        domain = (
            "refactoring"
            if code.startswith("PLR")
            else RUFF_LINTERS.get(linter)
            or ("quality" if linter in QUALITY_LINTERS or code.startswith(("PLC", "PLE", "PLW")) else None)
        )
        if domain:
            rows.append((domain, rule["name"]))
    return rows


def bandit_names() -> list[tuple[str, str]]:
    from importlib.metadata import entry_points

    from bandit.blacklists import calls, imports
    from bandit.core.issue import Cwe

    rows = [("security", e.name) for e in entry_points(group="bandit.plugins")]
    rows += [
        ("security", b["name"]) for b in calls.gen_blacklist()["Call"] + imports.gen_blacklist()["Import"]
    ]
    try:
        import cwe

        db = cwe.Database()
        ids = [v for k, v in vars(Cwe).items() if k.isupper() and isinstance(v, int) and v]
        rows += [("security", db.get(i).name) for i in ids if db.get(i)]
    except ImportError:
        print("cwe not installed: CWE titles left out", file=sys.stderr)
    return rows


def test_tool_names() -> list[tuple[str, str]]:
    import coverage
    import hypothesis
    import pytest

    names = [
        *pytest.__all__,
        *(n for n in dir(coverage) if not n.startswith("_")),
        *(n for n in dir(hypothesis) if not n.startswith("_")),
    ]
    return [("testing", n) for n in names]


def split(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", spaced)]


def derive() -> dict[str, list[str]]:
    known = {s for entry in LEXICON.values() for s in stemmer("en").stemWords(entry["words"])}
    uses: dict[str, Counter[str]] = defaultdict(Counter)
    spelling: dict[str, str] = {}
    for domain, name in ruff_rules() + bandit_names() + test_tool_names():
        for word in set(split(name)):
            if word in STOP or len(word) < 3 or word.isdigit():
                continue
            stem = stemmer("en").stemWord(word)
            uses[stem][domain] += 1
            spelling.setdefault(stem, word)
    out: dict[str, list[str]] = defaultdict(list)
    for stem, counts in sorted(uses.items()):
        domain, n = counts.most_common(1)[0]
        word = spelling[stem]
        if word in REJECTED or (domain == "quality" and word not in QUALITY_KEPT):
            continue
        if stem not in known and n >= MIN_USES and n >= 0.8 * sum(counts.values()):
            out[domain].append(word)
    return {d: sorted(out[d]) for d in sorted(out)}


def rule_phrases() -> dict[str, list[str]]:
    """ruff's rule names of two words or more ("unused-variable", "too-many-branches"), by their family's
    domain, as phrases: a task naming a rule says which kind of finding it is about."""
    out: dict[str, list[str]] = defaultdict(list)
    for domain, name in ruff_rules():
        if name.count("-") >= 1:
            out[domain].append(name.replace("-", " "))
    return {d: sorted(set(out[d])) for d in sorted(out)}


def _block(name: str, table: dict[str, list[str]]) -> str:
    body = "".join(f"    {d!r}: [\n{_wrapped([json.dumps(w) for w in words])}    ],\n" for d, words in table.items())
    return f"{name}: dict[str, list[str]] = {{\n{body}}}\n"


def _wrapped(items: list[str], width: int = 100) -> str:
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) + 2 > width:
            lines.append(line)
            line = ""
        line += f"{item}, "
    return "".join(f"        {text.rstrip()}\n" for text in [*lines, line] if text)


def main() -> None:
    vocab, phrases = derive(), rule_phrases()
    text = (
        f'"""Generated by scripts/derive_tool_vocabulary.py from ruff\'s rule names, bandit\'s test names and '
        f"CWE titles,\nand pytest/coverage/hypothesis names: a word per domain where the tools use it, and ruff's "
        f'rule names as phrases.\nDo not edit; re-run the script."""\n\n{_block("TOOL_WORDS", vocab)}\n'
        f'{_block("RULE_PHRASES", phrases)}'
    )
    target = ROOT / "server/empathy_os/orchestration/lexicon_tools.py"
    target.write_text(text)
    print(f"{target.relative_to(ROOT)}: " + ", ".join(f"{d} {len(w)}" for d, w in vocab.items())
          + "; rule phrases: " + ", ".join(f"{d} {len(w)}" for d, w in phrases.items()))


if __name__ == "__main__":
    main()
