"""bandit, ruff, radon, docstrings, code smells, import graph: real tools on real files."""

from __future__ import annotations

import json
import subprocess

import pytest
from empathy_os.proc import tool_bin

from tests.unit.analyzer_helpers import PY, analyze, copy_sample, write_project

SOURCES = ["inventory/__init__.py", "inventory/pricing.py", "inventory/report.py", "inventory/stock.py",
           "inventory/storage.py"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return copy_sample(tmp_path_factory.mktemp("static") / "sample")


def test_bandit_counts_equal_bandits_own_json(sample):
    result = analyze("bandit", sample)
    own = json.loads(subprocess.run([tool_bin("bandit"), "-f", "json", "-q", *SOURCES], cwd=sample,
                                    capture_output=True, text=True, check=False).stdout)
    assert result.metrics["issues_total"] == len(own["results"])
    totals = own["metrics"]["_totals"]
    for key in ("high", "medium", "low"):
        assert result.metrics[key] == totals[f"SEVERITY.{key.upper()}"]
    assert {f.rule for f in result.findings} >= {"B324", "B301", "B602"}
    shell = next(f for f in result.findings if f.rule == "B602")
    assert (shell.path, shell.severity.value, shell.cwe, shell.confidence) == (
        "inventory/storage.py", "critical", 78, "HIGH")
    assert shell.url.startswith("https://")
    assert result.metrics["critical_issues"] == sum(f.severity.value == "critical" for f in result.findings)
    assert result.metrics["critical_issues"] == 2  # B324 md5 and B602 shell=True: HIGH/HIGH
    assert all(not f.path.startswith("tests/") for f in result.findings)


def test_bandit_critical_rule_is_configurable(tmp_path):
    root = copy_sample(tmp_path / "s")
    strict = analyze("bandit", root, overrides={"critical_min_severity": "MEDIUM"})
    assert strict.metrics["critical_issues"] == 3  # pickle B301 (MEDIUM/HIGH) now counts too


def test_bandit_honours_project_config(tmp_path):
    root = copy_sample(tmp_path / "s")
    with open(root / "pyproject.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[tool.bandit]\nskips = ["B602", "B404"]\n')
    result = analyze("bandit", root)
    assert not {"B602", "B404"} & {f.rule for f in result.findings}
    assert "-c pyproject.toml" in result.scope


def test_ruff_counts_equal_ruffs_own_json(tmp_path):
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "import os\nimport sys\n\n\ndef f(x=[]):\n    return x == None\n",
        "pkg/ok.py": '"""Fine."""\n',
        "tests/test_pkg.py": "import json\n",  # tests are out of scope
    })
    result = analyze("ruff", root)
    # What a user types: ruff's own defaults (no project config), on the same files, in the project root.
    own = json.loads(subprocess.run(
        [tool_bin("ruff"), "check", "--output-format", "json", "--isolated", "--no-cache",
         "pkg/__init__.py", "pkg/ok.py"], cwd=root, capture_output=True, text=True, check=False).stdout)
    assert result.metrics["issues_total"] == len(own) == len(result.findings)
    assert {f.rule for f in result.findings} == {d["code"] for d in own} >= {"F401"}
    assert "ruff's default rules" in result.scope
    f401 = next(f for f in result.findings if f.rule == "F401")
    assert (f401.path, f401.line, f401.column) == ("pkg/__init__.py", 1, 8)
    assert f401.url.startswith("https://docs.astral.sh/ruff/rules/")
    assert result.metrics["lines_of_code"] == 5
    assert result.score == round(max(0.0, 10 - 100 * len(own) / 5), 2)


def test_ruff_uses_the_projects_config(tmp_path):
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "import os\n" + "x = '" + "a" * 120 + "'\n",
        "ruff.toml": 'line-length = 100\n[lint]\nselect = ["E501"]\n',
    })
    result = analyze("ruff", root)
    assert [f.rule for f in result.findings] == ["E501"]
    assert "the project's rules (ruff.toml)" in result.scope


def test_radon_on_sample(sample):
    from radon.complexity import cc_visit

    result = analyze("radon", sample)
    expected = [b.complexity for p in SOURCES for b in cc_visit((sample / p).read_text())
                if not hasattr(b, "methods")]
    assert result.metrics["functions"] == len(expected)
    assert result.metrics["max_complexity"] == max(expected)
    assert 0 <= result.score <= 10 and result.score_formula


def test_radon_flags_complex_function(tmp_path):
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    root = write_project(tmp_path / "p", {"pkg/__init__.py": f"def tangled(x):\n{branches}    return -1\n"})
    result = analyze("radon", root)
    assert [(f.rule, f.symbol, f.line) for f in result.findings] == [("radon-cc-C", "tangled", 1)]
    assert result.metrics["max_complexity"] == 13


def test_docstrings_equal_interrogate_cli(sample):
    result = analyze("docstrings", sample)
    out = subprocess.run(
        [PY, "-m", "interrogate", "--ignore-private", "--ignore-semiprivate", "--ignore-magic",
         "--ignore-init-method", "--ignore-nested-functions", "--fail-under=0", "-v", *SOURCES],
        cwd=sample, capture_output=True, text=True, check=False)
    total_line = next(line for line in out.stdout.splitlines() if "TOTAL" in line)
    total, missing, covered = (int(x) for x in total_line.split("|")[2:5])
    assert (result.metrics["total"], result.metrics["missing"], result.metrics["documented"]) == (
        total, missing, covered)
    assert result.metrics["readme_present"] is True
    symbols = {f.symbol for f in result.findings}
    assert {"tax_amount", "price_band", "Inventory.total_value", "archive"} <= symbols
    assert all(f.rule == "missing-docstring" and f.severity.value == "info" for f in result.findings)


def test_docstrings_measure_the_packages_not_setup_docs_or_scripts(tmp_path):
    # What interrogate users exclude by hand: setup.py, Sphinx's conf.py, scripts outside the packages.
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": '"""The package."""\n',
        "pkg/core.py": '"""Core."""\n\n\ndef documented():\n    """Yes."""\n\n\ndef bare():\n    return 1\n',
        "setup.py": "from setuptools import setup\n\n\ndef helper():\n    return 2\n\n\nsetup()\n",
        "docs/conf.py": "project = 'p'\n\n\ndef setup(app):\n    return app\n",
        "scripts/release.py": "def main():\n    return 0\n",
    })
    result = analyze("docstrings", root)
    out = subprocess.run(
        [PY, "-m", "interrogate", "--ignore-private", "--ignore-semiprivate", "--ignore-magic",
         "--ignore-init-method", "--ignore-nested-functions", "--fail-under=0", "-v", "pkg"],
        cwd=root, capture_output=True, text=True, check=False)
    total_line = next(line for line in out.stdout.splitlines() if "TOTAL" in line)
    total, missing, covered = (int(x) for x in total_line.split("|")[2:5])
    assert (result.metrics["total"], result.metrics["missing"], result.metrics["documented"]) == (
        total, missing, covered) == (4, 1, 3)
    assert {f.path for f in result.findings} == {"pkg/core.py"}
    assert "left out as not the API: docs/conf.py, scripts/release.py, setup.py" in result.scope


def test_code_smells(tmp_path):
    body = "\n".join(f"    v{i} = {i}" for i in range(60))
    nested = "def deep(x):\n" + "".join("    " * (i + 1) + f"if x > {i}:\n" for i in range(5)) + \
        "    " * 6 + "return x\n    return 0\n"
    root = write_project(tmp_path / "p", {"pkg/__init__.py": (
        f"def long_one():\n{body}\n    return 0\n\n\n"
        "def many(a, b, c, d, e, f):\n    return a\n\n\n" + nested)})
    result = analyze("code_smells", root)
    found = {(f.rule, f.symbol) for f in result.findings}
    assert found == {("long-function", "long_one"), ("too-many-parameters", "many"), ("deep-nesting", "deep")}
    assert result.metrics["functions"] == 3 and result.metrics["smelly_functions"] == 3


def test_import_graph_finds_cycle(tmp_path):
    root = write_project(tmp_path / "p", {
        "app/__init__.py": "",
        "app/a.py": "from app import b\n",
        "app/b.py": "import app.c\n",
        "app/c.py": "\n\nfrom app.a import *\n",
        "app/d.py": "import app.a\n",
    })
    result = analyze("import_graph", root)
    assert result.ran, result.error
    assert result.metrics["import_cycles"] == 1
    cycle = result.findings[0]
    assert cycle.rule == "import-cycle" and set(cycle.extra["cycle"]) == {"app.a", "app.b", "app.c"}
    assert result.metrics["max_fan_in"] == 2  # app.a: from app.c and app.d


def test_import_graph_on_sample(sample):
    result = analyze("import_graph", sample)
    assert result.metrics["import_cycles"] == 0 and result.metrics["modules"] == 5


@pytest.mark.parametrize("name", ["bandit", "ruff", "radon", "docstrings", "code_smells"])
def test_broken_files_are_reported_not_raised(tmp_path, name):
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": '"""Pkg."""\n',
        "pkg/good.py": '"""Good."""\n\n\ndef ok(x):\n    """Add one."""\n    return x + 1\n',
        "pkg/broken.py": "def broken(:\n    pass\n",
        "pkg/latin.py": b"# caf\xe9\ndef latin():\n    return 1\n",
    })
    result = analyze(name, root)
    assert result.ran
    if name == "ruff":  # ruff reports unreadable files as its own findings
        assert {f.path for f in result.findings if f.severity.value == "high"} == {"pkg/broken.py", "pkg/latin.py"}
    else:
        assert "pkg/broken.py" in result.error and "pkg/latin.py" in result.error


@pytest.mark.parametrize("name", ["bandit", "ruff", "radon", "docstrings", "code_smells", "import_graph",
                                  "coverage"])
def test_empty_folder_says_why(tmp_path, name):
    (tmp_path / "empty").mkdir()
    result = analyze(name, tmp_path / "empty")
    assert not result.ran and result.metrics == {}
    assert "no Python" in result.error
