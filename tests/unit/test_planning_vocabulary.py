"""Issue 28, part 3: the offline planner generalises — the tools' own vocabulary per domain, names from the
code that are no domain words, Conventional Commits types, verb-less bug reports, and refusals of
dependency, CI, packaging and feature work phrased in any common way."""

from __future__ import annotations

import pytest
from empathy_os.orchestration import MetaOrchestrator, OutOfScopeError
from empathy_os.orchestration.intent import named_workflow, refusal, reports_defect
from empathy_os.orchestration.lexicon import gitmoji_as_type, score_domains, without_identifiers
from empathy_os.orchestration.lexicon_tools import TOOL_WORDS


def main_domain(task: str) -> str | None:
    return next(iter(score_domains(task)), None)


@pytest.mark.parametrize(("domain", "word"), [(d, w) for d, words in TOOL_WORDS.items() for w in words])
def test_each_word_the_tools_use_scores_its_domain(domain, word):
    assert main_domain(f"look at the {word}") == domain


def test_names_from_the_code_are_no_domain_words():
    assert main_domain("Remove file_tokens parameter to Checker") != "security"  # "tokens" is a name's part
    assert main_domain("Fix the login bug in auth_helper") == "security"  # the words around a name count
    assert without_identifiers("Speed up MultiPartParser and parse_cookie()").split() == ["Speed", "up", "and"]


def test_a_dotted_name_keeps_its_package_and_a_warning_class_its_words():
    assert main_domain("Remove usage of implicit typing.Optional") == "quality"
    assert main_domain("Silence DeprecationWarning from datetime.utcnow") == "quality"
    assert "doc/en/usage.rst" in without_identifiers("Fix the example in doc/en/usage.rst")


@pytest.mark.parametrize(("task", "domain"), [("docs: the retry settings", "documentation"),
                                              ("perf(io): avoid a copy per read", "performance"),
                                              ("refactor: the option parsing", "refactoring"),
                                              ("test(cli): the empty input", "testing"),
                                              ("style: quotes", "quality")])
def test_a_conventional_commit_type_names_the_work(task, domain):
    assert main_domain(task) == domain


@pytest.mark.parametrize(("task", "why"), [
    ("feat: add a --json output mode", "implementing features"),
    ("Add a retry option to the HTTP client", "implementing features"),
    ("Make the timeout configurable", "implementing features"),
    ("ci: run the tests on macOS", "configuring CI services"),
    ("Update the pre-commit hooks", "configuring CI services"),
    ("build(deps): bump requests from 2.31.0 to 2.32.0", "managing dependencies"),
    ("Upgrade to pytest 8", "managing dependencies"),
    ("Update dependencies", "managing dependencies"),
    ("Drop Python 3.8", "changing packaging configuration"),
    ("Use SPDX license identifier", "changing packaging configuration"),
    ("Merge branch 'main' into feature", "running shell commands or deleting files"),
])
def test_work_no_agent_does_is_refused_in_other_wordings(task, why):
    assert refusal(task) == why


@pytest.mark.parametrize("task", ["Add tests for the new parser", "Add type hints to the storage module",
                                  "Add docstrings to public functions", "Bump version to 1.4.0",
                                  "Bump coverage to 90%", "Fix deprecation warnings emitted in Python 3.10"])
def test_the_agents_own_work_is_not_refused(task):
    assert refusal(task) is None


@pytest.mark.parametrize("task", ["Crash when reading an empty config file", "TypeError when passing None",
                                  "Segmentation fault when closing the client", "README example does not run",
                                  "Wrong line numbers in the HTML report", "Docstring of load() is wrong"])
def test_a_bug_report_asks_for_a_fix(task):
    assert reports_defect(task) and named_workflow(task)[0] == "fix"


@pytest.mark.parametrize("task", ["Why does the exporter crash?", "Find the crashes in the importer",
                                  "Our test suite misses the error paths", "Triage the flaky bug in the parser",
                                  "Freeze the date in tests to fix test failures",
                                  "Enforce layering: core must not import cli"])
def test_looking_for_defects_is_no_bug_report(task):
    assert not reports_defect(task)


def test_a_bug_fix_is_led_by_the_code_reviewer_not_the_refactorer(offline):
    plan = MetaOrchestrator().analyze_and_compose("Fix bug when nesting lists in tuples", {"learn": False})
    assert plan.workflow == "fix" and plan.agents[0].id == "code_reviewer"
    with pytest.raises(OutOfScopeError, match="out of scope: implementing features"):
        MetaOrchestrator().analyze_and_compose("Add check for f-strings without placeholders", {"learn": False})


@pytest.mark.parametrize(("task", "written"), [(":zap: faster parser", "perf: faster parser"),
                                               ("🐛 crash on empty input", "fix: crash on empty input"),
                                               (":sparkles: export command", "feat: export command"),
                                               (":smile: nothing", ":smile: nothing"), ("plain", "plain")])
def test_a_gitmoji_reads_as_its_commit_type(task, written):
    assert gitmoji_as_type(task) == written


def test_a_word_the_stemmer_folds_into_a_listed_stem_is_not_that_word():
    assert main_domain("Fix the tokenizer crash") is None  # "tokenizer" is no "token"
    assert main_domain("Are we leaking API tokens anywhere?") == "security"


def test_ci_as_the_place_a_defect_shows_is_no_ci_work():
    assert refusal("test_upload is flaky on CI") is None
    assert refusal("Run tests in parallel on CI") == "configuring CI services"


@pytest.mark.usefixtures("word_lists_only")
def test_a_task_naming_code_is_code_work_and_avoiding_a_crash_is_a_fix(offline):
    plan = MetaOrchestrator().analyze_and_compose("Use __slots__ for Record", {"learn": False})
    assert plan.rationale["domains"] == "no domain words recognised: defaulting to a code review"
    assert named_workflow("Avoid crash when the list is empty")[0] == "fix"


def test_the_main_verb_breaks_a_tie_but_adds_no_second_domain():
    assert main_domain("Remove the unused compat module") == "refactoring"  # unused 1 + remove vs module 1
    assert list(score_domains("Remove tests that rely on setuptools")) == ["testing", "refactoring"]
    assert score_domains("Remove tests that rely on setuptools")["refactoring"][0] < 0.5  # under half: not asked


def test_a_passing_security_word_makes_no_security_fix(offline):
    def agent(task):
        return MetaOrchestrator().analyze_and_compose(task, {"learn": False}).agents[0].id

    assert agent("Fix a regression that broke pickling of exceptions") == "code_reviewer"
    assert agent("Fix a security issue that allows XSS on the debugger") == "security_auditor"


def test_a_listed_term_written_like_a_name_still_counts_and_the_passive_has_a_main_verb():
    assert main_domain("Cookies are now marked HttpOnly") == "security"
    assert main_domain("The dispatcher was split into smaller functions") == "refactoring"
    assert main_domain("Add a --dry-run flag") is None  # a dry run is no DRY principle
    assert refusal("A new --dry-run flag shows what would change") == "implementing features"
    assert refusal("Dependencies were updated to their latest versions") == "managing dependencies"


@pytest.mark.parametrize("task", ["Version 4.0.0", "v2.3.1", "Release 1.8.0rc1", "bump version to 2.0"])
def test_a_version_line_is_a_release(task):
    assert main_domain(task) == "release"


def test_module_is_a_word_of_every_domain_not_of_architecture():
    assert main_domain("Which modules have the most complex functions?") == "refactoring"


def test_the_model_may_name_a_security_bug_fix_the_lexicon_saw_one_word_of():
    from empathy_os.orchestration.intent import bug_fix_domains

    scored = {"security": (1.0, ["pickling"]), "refactoring": (1.0, ["nesting"])}
    assert bug_fix_domains(["security", "refactoring"], scored, by_model=False) == []
    assert bug_fix_domains(["security", "refactoring"], scored, by_model=True) == ["security"]


def test_an_error_as_a_kind_of_code_is_no_defect_and_a_dependency_cycle_no_dependency():
    assert not reports_defect("cover the error branches of the loader")
    assert not reports_defect("Improve exception handling in the client")
    assert refusal("Drop the six dependency") == "managing dependencies"
    assert refusal("Remove the dependency cycle between core and plugins") is None


@pytest.mark.parametrize(("task", "domain"), [("Fix the unused-variable warnings", "quality"),
                                              ("too-many-branches in dispatch", "refactoring"),
                                              ("hardcoded password string in settings", "security"),
                                              ("undocumented public function in the client", "documentation")])
def test_a_ruff_rule_name_says_its_family_domain(task, domain):
    assert main_domain(task) == domain


def test_adding_a_check_is_building_a_linter_feature():
    assert refusal("Add check for f-strings without placeholders") == "implementing features"
