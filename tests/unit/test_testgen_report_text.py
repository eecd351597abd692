"""The coverage-boost report's text: every section as the user reads it, from a report holding each kind of outcome."""

from __future__ import annotations

from empathy_os.testgen.candidates import Candidate, Reason, Verdict
from empathy_os.testgen.gaps import Gap
from empathy_os.testgen.mutate import Strength
from empathy_os.testgen.output import GeneratedTestFile
from empathy_os.testgen.report import CoverageBoostReport, render_text


def gap(symbol: str, line: int = 3, side_effects: str | None = None) -> Gap:
    return Gap(path="pkg/mod.py", module="pkg.mod", symbol=symbol, line=line, end_line=line + 4,
               missing={line + 1, line + 2}, complexity=2, side_effects=side_effects)


def verdict(g: Gap, reason: Reason, origin: str = "plain", source: str = "def test_x():\n    pass\n", **kw) -> Verdict:
    return Verdict(Candidate(g, origin, source, tier="CHEAP" if origin == "model" else None,
                             private_why=kw.pop("private_why", None)), reason, **kw)


def full_report() -> CoverageBoostReport:
    gaps = [gap(f"f{i}", line=10 * i + 1) for i in range(9)]
    gaps[1] = gap("_hidden", line=11, side_effects="opens a socket")
    report = CoverageBoostReport(project_root="/p", target=80.0, only="pkg/mod.py", coverage_before=50.0,
                                 coverage_after=62.5, coverage_source="coverage 7, pytest 8", interpreter="/py (x)",
                                 isolation="OS sandbox: bubblewrap", gaps=gaps, model_calls=2, cost_usd=0.0125,
                                 max_cost=0.5, budget_note="budget spent", final_suite="12 passed",
                                 notes=["one note"], duration_seconds=4.25, timings={"baseline": 1.0, "model": 2.5})
    report.verdicts = [
        verdict(gaps[0], Reason.KEPT, strength=Strength(made=4, killed=3)),
        verdict(gaps[1], Reason.KEPT, source="from pkg.mod import _hidden\n", private_why="no public call reaches"),
        verdict(gaps[2], Reason.KEPT, origin="model"),
        verdict(gaps[3], Reason.FAILED, origin="ghostwriter", detail="boom"),
        verdict(gaps[4], Reason.CRASH, origin="ghostwriter", detail="ZeroDivisionError on x=0\nmore"),
        verdict(gaps[5], Reason.NETWORK, detail="reached for the network from project code: example.org:80"),
        verdict(gaps[6], Reason.FAILED, detail="again"),
    ]
    report.files = [GeneratedTestFile("tests/test_gen_mod.py", "a\nb\nc\n")]
    report.written = ["tests/test_gen_mod.py"]
    return report


def test_every_section_of_a_full_report():
    lines = render_text(full_report()).splitlines()
    assert lines[:9] == ["=" * 60, "  TEST COVERAGE BOOST", "=" * 60, "",
                         "  Project: /p  (only pkg/mod.py)", "  Target Coverage: 80.0%",
                         "  Current Coverage: 50.0%   [coverage 7, pytest 8]", "  Interpreter: /py (x)",
                         "  Isolation: OS sandbox: bubblewrap"]
    text = "\n".join(lines)
    assert "  ✓ 9 function(s) with uncovered code (8 public), 18 missed line(s)\n" \
           "      pkg/mod.py:1 f0  missing 2, complexity 2\n" \
           "      pkg/mod.py:11 _hidden  missing 2, complexity 2  [offline skipped: opens a socket]\n" in text
    assert "      pkg/mod.py:71 f7  missing 2, complexity 2\n      ... and 1 more\n" in text
    assert "  Stage 2: Test Generation\n  ✓ plain: 4 candidate(s) tried, 2 kept\n" \
           "  ✓ model:CHEAP: 1 candidate(s) tried, 1 kept\n  ✓ ghostwriter: 2 candidate(s) tried, 0 kept\n" in text
    assert "  Model calls: 2, cost $0.0125 (max $0.5000)\n  ! budget spent\n" in text
    assert "  ✓ Kept 3 of 7 candidate(s)\n  ✗ Rejected: failed 2, found-a-crash 1, network 1\n" \
           "  ✓ Through the public API: 2 of 3 kept test(s)\n" \
           "      _hidden (plain) calls _hidden: no public call reaches\n" \
           "  ✓ Strength: kept tests killed 3 of 4 mutants of the lines they newly cover\n" in text
    assert "  Targets: failed 2, found a crash 1, kept 3, network 1, unreachable 2\n" \
           "  ! finding: ZeroDivisionError on x=0\n" \
           "  ! pkg/mod.py:f5: reached for the network from project code: example.org:80\n" \
           "  ✓ Final full run: 12 passed\n  ✓ Coverage: 50.0% → 62.5% (+12.5 points)\n" \
           "  Wrote tests/test_gen_mod.py (3 lines)\n  note: one note\n\n  Target 80.0% not reached.\n\n" \
           "  Duration: 4.2 seconds (baseline 1.0s, model 2.5s)\n" + "=" * 60 in text


def test_a_dry_run_that_reached_its_target():
    report = full_report()
    report.dry_run, report.coverage_after = True, 85.0
    text = render_text(report)
    assert "  Would write tests/test_gen_mod.py (3 lines)\n" in text
    assert "\n  SUCCESS: Coverage target achieved!\n" in text


def test_a_quiet_report_leaves_out_what_did_not_happen():
    report = CoverageBoostReport(project_root="/p", target=80.0)
    assert render_text(report).splitlines()[4:] == [
        "  Project: /p", "  Target Coverage: 80.0%", "",
        "  Stage 1: Coverage Gap Analysis", "  ✓ 0 function(s) with uncovered code (0 public), 0 missed line(s)", "",
        "  Stage 2: Test Generation", "  Model: not configured (no ANTHROPIC_API_KEY): offline generation only", "",
        "  Stage 3: Test Validation (3 runs in the sandbox, coverage gain, no writes, kills a mutant)",
        "  ✓ Kept 0 of 0 candidate(s)", "", "  Target 80.0% not reached.", "", "  Duration: 0.0 seconds", "=" * 60]


def test_a_refused_boost_says_why_and_stops():
    report = CoverageBoostReport(project_root="/p", target=80.0, refused="workspace not trusted",
                                 coverage_before=40.0, coverage_source="coverage 7", gaps=[gap("f")])
    assert render_text(report).splitlines()[4:] == [
        "  Project: /p", "  Target Coverage: 80.0%", "  Current Coverage: 40.0%   [coverage 7]", "",
        "  ✗ REFUSED: workspace not trusted", "", "  Duration: 0.0 seconds", "=" * 60]
