"""Severity rules on top of bandit and ruff, as tables: real tools on tiny files, one rule per row."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from empathy_os.analyzers.bandit import config_args, is_critical
from empathy_os.analyzers.contract import Severity
from empathy_os.analyzers.project import load_project
from empathy_os.analyzers.ruff import _severity

from .analyzer_helpers import analyze, write_project

# bandit (severity, confidence) of each snippet, as bandit itself rates it
SNIPPETS = {
    "shell": ("import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n", "B602"),  # HIGH/HIGH
    "pickle": ("import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n", "B301"),  # MEDIUM/HIGH
    "random": ("import random\n\n\ndef pick():\n    return random.random()\n", "B311"),  # LOW/HIGH
    "sql": ("def q(name):\n    return 'SELECT * FROM t WHERE n = ' + name\n", "B608"),  # MEDIUM/LOW
}


@pytest.mark.parametrize(("severity", "confidence", "settings", "critical"), [
    ("HIGH", "HIGH", {}, True),
    ("HIGH", "MEDIUM", {}, True),
    ("HIGH", "LOW", {}, False),          # default minimum confidence is MEDIUM
    ("MEDIUM", "HIGH", {}, False),       # default minimum severity is HIGH
    ("MEDIUM", "HIGH", {"critical_min_severity": "medium"}, True),
    ("LOW", "HIGH", {"critical_min_severity": "MEDIUM"}, False),
    ("HIGH", "LOW", {"critical_min_confidence": "LOW"}, True),
    ("UNDEFINED", "HIGH", {"critical_min_severity": "LOW"}, False),
    ("WEIRD", "HIGH", {"critical_min_severity": "LOW"}, False),   # an unknown rating ranks lowest
    ("HIGH", "WEIRD", {"critical_min_confidence": "LOW"}, False),
    ("HIGH", "MEDIUM", {"critical_min_confidence": "BOGUS"}, True),  # an unknown setting: the default
    ("HIGH", "MEDIUM", {"critical_min_severity": "BOGUS"}, True),
    ("MEDIUM", "HIGH", {"critical_min_severity": "BOGUS"}, False),
])
def test_critical_rule(tmp_path, severity, confidence, settings, critical):
    lines = "".join(f'{k} = "{v}"\n' for k, v in settings.items())
    root = write_project(tmp_path / "p", {"pyproject.toml": f"[tool.empathy]\n{lines}", "m.py": "X = 1\n"})
    assert is_critical(severity, confidence, load_project(root)) is critical


def test_bandit_severity_mapping_and_score(tmp_path):
    files = {f"pkg/{name}.py": src for name, (src, _) in SNIPPETS.items()}
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "", **files})
    result = analyze("bandit", root)
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["B602"].severity is Severity.CRITICAL
    assert by_rule["B301"].severity is Severity.MEDIUM
    assert by_rule["B311"].severity is Severity.LOW
    assert by_rule["B608"].severity is Severity.MEDIUM
    assert by_rule["B602"].extra["bandit_severity"] == "HIGH" and by_rule["B602"].confidence == "HIGH"
    assert by_rule["B404"].severity is Severity.LOW and by_rule["B403"].severity is Severity.LOW  # imports
    crit = result.metrics["critical_issues"]
    high, medium, low = result.metrics["high"], result.metrics["medium"], result.metrics["low"]
    assert crit == 1 and high == 1
    expected = max(0.0, 10 - (4 * crit + 2 * (high - crit) + medium + 0.25 * low))
    assert result.score == pytest.approx(expected)


@pytest.mark.parametrize(("code", "severity"), [
    (None, Severity.HIGH), ("invalid-syntax", Severity.HIGH), ("E902", Severity.HIGH),
    ("F401", Severity.MEDIUM), ("E999", Severity.MEDIUM), ("B006", Severity.MEDIUM),
    ("E501", Severity.LOW), ("W291", Severity.LOW), ("I001", Severity.LOW), ("E711", Severity.LOW),
])
def test_ruff_severity_table(code, severity):
    assert _severity(code) is severity


def test_ruff_findings_carry_the_mapped_severity_and_score(tmp_path):
    root = write_project(tmp_path / "p", {
        "pyproject.toml": '[tool.ruff]\nlint.select = ["F", "E", "W", "B"]\n',
        "pkg/__init__.py": "import os\n\n\ndef f(x=[]):\n    return x == None  \n",
        "pkg/broken.py": "def g(:\n    pass\n",
    })
    result = analyze("ruff", root)
    by_rule = {f.rule: f.severity for f in result.findings}
    assert by_rule["F401"] is Severity.MEDIUM and by_rule["B006"] is Severity.MEDIUM
    assert by_rule["E711"] is Severity.LOW and by_rule["W291"] is Severity.LOW
    syntax = [f for f in result.findings if f.path == "pkg/broken.py"]
    assert syntax and all(f.severity is Severity.HIGH for f in syntax)
    lines = 4 + 2  # non-blank source lines
    assert result.score == pytest.approx(max(0.0, 10 - 100 * len(result.findings) / lines), abs=0.01)


def test_bandit_exact_score_when_it_does_not_floor(tmp_path):
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "", "pkg/load.py": SNIPPETS["pickle"][0]})
    result = analyze("bandit", root)
    assert result.ran and result.metrics["critical_issues"] == 0
    assert (result.metrics["medium"], result.metrics["low"]) == (1, 1)  # B301 pickle.loads, B403 import
    assert result.score == 8.75


def test_bandit_score_floors_at_zero(tmp_path):
    many = "import subprocess\n\n\n" + "".join(
        f"def run{i}(cmd):\n    subprocess.call(cmd, shell=True)\n\n\n" for i in range(4))
    result = analyze("bandit", write_project(tmp_path / "p", {"pkg/__init__.py": "", "pkg/run.py": many}))
    assert result.metrics["critical_issues"] == 4 and result.score == 0.0


def test_bandit_on_an_empty_project_says_why(tmp_path):
    result = analyze("bandit", write_project(tmp_path / "p", {"README.md": "nothing\n"}))
    assert not result.ran and "no Python source files" in result.error


def test_ruff_exact_score_lines_and_fixable(tmp_path):
    body = "import os\n" + "".join(f"X{i} = {i}\n" for i in range(99))  # 100 lines, one F401
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "", "pkg/m.py": body})
    result = analyze("ruff", root)
    unused = next(f for f in result.findings if f.rule == "F401")
    assert result.ran and unused.line == 1 and unused.column == 8
    assert result.score == 10 - len(result.findings)  # 10 - issues per 100 non-blank lines (here 100)
    assert 0 < result.metrics["fixable"] == sum(f.extra["fixable"] for f in result.findings)


def test_ruff_line_numbers_come_from_ruff(tmp_path):
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "\n\n\nimport os\n"})
    assert ("F401", 4) in [(f.rule, f.line) for f in analyze("ruff", root).findings]


def test_ruff_failure_is_not_run_with_the_reason(tmp_path):
    root = write_project(tmp_path / "p", {"pyproject.toml": '[tool.ruff]\nlint.select = ["NOPE"]\n',
                                          "pkg/__init__.py": "X = 1\n"})
    result = analyze("ruff", root)
    assert not result.ran and result.error.startswith("ruff failed (exit 2)")


def test_bandit_non_critical_high_costs_two_points_and_stays_high(tmp_path):
    # Flask's debug server is HIGH severity, MEDIUM confidence: critical only while MEDIUM confidence counts.
    app = "from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n"
    root = write_project(tmp_path / "p", {"pyproject.toml": '[tool.empathy]\ncritical_min_confidence = "HIGH"\n',
                                          "pkg/__init__.py": "", "pkg/app.py": app})
    result = analyze("bandit", root)
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.confidence) == ("B201", Severity.HIGH, "MEDIUM")
    assert result.metrics["critical_issues"] == 0 and result.metrics["high"] == 1
    assert result.score == 8.0


def test_bandit_finding_fields_come_from_bandit(tmp_path):
    src = ("import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(\n        cmd,\n        shell=True,\n"
           "    )\n")
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "", "pkg/run.py": src})
    by_rule = {f.rule: f for f in analyze("bandit", root).findings}
    by_hand = {r["test_id"]: r for r in json.loads(subprocess.run(
        [sys.executable, "-m", "bandit", "-f", "json", "-q", "pkg/run.py"], cwd=root, capture_output=True,
        text=True, check=False).stdout)["results"]}
    assert set(by_rule) == set(by_hand) == {"B404", "B602"}
    for rule, f in by_rule.items():
        r = by_hand[rule]
        assert (f.path, f.line, f.end_line, f.column) == (
            "pkg/run.py", r["line_number"], max(r["line_range"]), r["col_offset"] + 1)
        assert (f.cwe, f.url, f.message) == (r["issue_cwe"]["id"], r["more_info"], r["issue_text"])
        assert f.extra == {"test_name": r["test_name"], "bandit_severity": r["issue_severity"]}
    assert (by_rule["B602"].line, by_rule["B602"].end_line) == (7, 8)  # the call spans lines 5-8


NOSEC_AND_BROKEN = {"pkg/__init__.py": "", "pkg/broken.py": "def g(:\n    pass\n",
                    "pkg/ok.py": "import pickle  # nosec\n\n\ndef f(b):\n    return pickle.loads(b)  # nosec\n"}


def test_bandit_metrics_count_skipped_files_nosec_and_lines(tmp_path):
    root = write_project(tmp_path / "p", NOSEC_AND_BROKEN)
    result = analyze("bandit", root)
    assert result.ran and result.findings == []
    m = result.metrics
    totals = json.loads(subprocess.run([sys.executable, "-m", "bandit", "-f", "json", "-q", "-r", "pkg"], cwd=root,
                                       capture_output=True, text=True, check=False).stdout)["metrics"]["_totals"]
    assert (m["files_scanned"], m["files_skipped"], m["nosec"]) == (2, 1, 2)
    assert m["lines_of_code"] == totals["loc"] > 0
    assert result.error == "bandit skipped 1 file(s): pkg/broken.py: syntax error while parsing AST from file"
    assert result.score == 10.0 and result.scope == "3 source file(s), tests excluded"


@pytest.mark.parametrize(("config", "args"), [
    ({"pyproject.toml": "[tool.bandit]\nskips = [\"B404\"]\n"}, ["-c", "pyproject.toml"]),
    ({".bandit": "[bandit]\nskips = B404\n"}, ["--ini", ".bandit"]),
    ({"pyproject.toml": "[tool.ruff]\n"}, []),
])
def test_bandit_uses_the_project_config(tmp_path, config, args):
    root = write_project(tmp_path / "p", {**config, "pkg/__init__.py": "import subprocess\n"})
    assert config_args(load_project(root)) == args
    result = analyze("bandit", root)
    assert ("B404" in {f.rule for f in result.findings}) is (not args)
    assert result.scope.endswith(f"; bandit config {' '.join(args)}" if args else "tests excluded")


def test_bandit_failure_is_not_run_with_the_reason(tmp_path):
    # A profile that selects no known test: bandit exits 2 ("No tests would be run").
    root = write_project(tmp_path / "p", {"pyproject.toml": '[tool.bandit]\ntests = ["B999"]\n',
                                          "pkg/__init__.py": "X = 1\n"})
    result = analyze("bandit", root)
    assert not result.ran and result.error.startswith("bandit failed (exit 2)")
