"""Coverage analyzer: real pytest + coverage.py runs on the sample and on tiny projects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.analyzer_helpers import PY, analyze, copy_sample, leftovers, write_project


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    root = copy_sample(tmp_path_factory.mktemp("cov") / "sample")
    return root, analyze("coverage", root)


def coverage_by_hand(root: Path, tmp: Path, *source_args: str) -> float:
    data = tmp / "by-hand.coverage"
    env = {"HYPOTHESIS_STORAGE_DIRECTORY": str(tmp / "hyp"), "PATH": "/usr/bin:/bin"}
    subprocess.run([PY, "-m", "coverage", "run", f"--data-file={data}", *source_args, "-m", "pytest", "-q",
                    "-p", "no:cacheprovider"], cwd=root, env=env, capture_output=True, check=False)
    out = subprocess.run([PY, "-m", "coverage", "report", f"--data-file={data}", "--format=total",
                          "--precision=2"], cwd=root, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def test_sample_total_matches_coverage_report(sample_run, tmp_path):
    root, result = sample_run
    assert result.ran, result.error
    by_hand = coverage_by_hand(root, tmp_path, "--source=inventory")
    assert abs(result.metrics["coverage_percent"] - by_hand) <= 0.1
    assert result.metrics["tests_passed"] == 5 and result.metrics["tests_failed"] == 0
    assert result.metrics["branch_percent"] is None
    assert "inventory" in result.scope
    assert result.tool.startswith("coverage 7.") and "pytest" in result.tool
    assert leftovers(root) == []


def test_sample_gaps_are_per_public_function(sample_run):
    root, result = sample_run
    gaps = {f.symbol: f for f in result.findings}
    assert {"tax_amount", "price_band", "Inventory.total_value"} <= set(gaps)
    tax = gaps["tax_amount"]
    assert (tax.path, tax.rule, tax.severity.value) == ("inventory/pricing.py", "coverage-gap", "info")
    lines = (root / "inventory/pricing.py").read_text().splitlines()
    assert lines[tax.line - 1].startswith("def tax_amount")
    assert tax.extra["percent"] == 0.0 and tax.extra["missing_lines"]
    assert tax.end_line >= max(tax.extra["missing_lines"])
    assert "Inventory.add" not in gaps  # fully covered by test_add_merges_quantities


def test_project_config_with_branch_is_followed(tmp_path):
    root = write_project(tmp_path / "p", {
        "lib/__init__.py": "",
        "lib/m.py": "def f(x):\n    if x:\n        return 1\n    return 2\n",
        "other/__init__.py": "",
        "other/n.py": "def g():\n    return 3\n",
        "tests/test_m.py": "from lib.m import f\n\ndef test_f():\n    assert f(1) == 1\n",
        ".coveragerc": "[run]\nsource = lib\nbranch = true\n",
    })
    result = analyze("coverage", root)
    assert result.ran, result.error
    assert result.scope == "as configured in .coveragerc: source = lib"
    assert result.metrics["files_measured"] == 2  # lib/__init__.py and lib/m.py, not other/
    assert result.metrics["branch_percent"] == 50.0
    assert abs(result.metrics["coverage_percent"] - coverage_by_hand(root, tmp_path)) <= 0.1
    assert leftovers(root) == []


def test_failing_tests_are_counted_and_coverage_still_measured(tmp_path):
    root = write_project(tmp_path / "p", {
        "calc/__init__.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
        "tests/test_calc.py": "from calc import add\n\ndef test_ok():\n    assert add(1, 1) == 2\n\n"
                              "def test_wrong():\n    assert add(1, 1) == 3\n",
    })
    result = analyze("coverage", root)
    assert result.ran
    assert (result.metrics["tests_passed"], result.metrics["tests_failed"]) == (1, 1)
    assert "1 test(s) failed" in result.error
    assert 0 < result.metrics["coverage_percent"] < 100
    assert [f.symbol for f in result.findings] == ["sub"]


def test_no_tests_measures_zero_and_says_so(tmp_path):
    root = write_project(tmp_path / "p", {"calc/__init__.py": "def add(a, b):\n    return a + b\n"})
    result = analyze("coverage", root)
    assert result.ran
    assert result.metrics["coverage_percent"] == 0.0
    assert "no tests were collected" in result.error
    assert leftovers(root) == []


@pytest.mark.parametrize("files, exit_code, why", [
    ({"tests/test_calc.py": "import calc\nimport not_installed_dep\n\ndef test_x():\n    assert calc.add(1, 1)\n"},
     2, "ModuleNotFoundError: No module named 'not_installed_dep'"),
    ({"tests/conftest.py": "def pytest_configure(config):\n    raise RuntimeError('plugin broke')\n",
      "tests/test_calc.py": "import calc\n\ndef test_x():\n    assert calc.add(1, 1)\n"},
     3, "RuntimeError: plugin broke"),
])
def test_tests_that_never_ran_are_not_a_zero_percent(tmp_path, files, exit_code, why):
    # A suite stopped at collection or by an internal error measured nothing: "0 %" would be a false figure.
    root = write_project(tmp_path / "p", {"calc/__init__.py": "def add(a, b):\n    return a + b\n", **files})
    result = analyze("coverage", root)
    assert not result.ran and result.metrics.get("coverage_percent") is None
    assert f"tests did not run (pytest exit {exit_code}" in result.error and why in result.error
    assert leftovers(root) == []


def test_untrusted_workspace_runs_nothing(tmp_path):
    root = write_project(tmp_path / "p", {
        "calc/__init__.py": "",
        "tests/test_x.py": "import pathlib\npathlib.Path('RAN').write_text('x')\n\ndef test_x():\n    pass\n",
    })
    for name in ("coverage", "test_durations"):
        result = analyze(name, root, trusted=False)
        assert not result.ran and result.error == "workspace not trusted: project code is not run"
        assert result.metrics == {}
    assert not (root / "RAN").exists()


def test_interpreter_without_pytest_is_reported(tmp_path):
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    root = write_project(tmp_path / "p", {"calc/__init__.py": "X = 1\n"})
    result = analyze("coverage", root, python=str(venv / "bin" / "python"))
    assert not result.ran
    assert "coverage and pytest not installed in" in result.error


def test_missing_interpreter_is_reported(tmp_path):
    root = write_project(tmp_path / "p", {"calc/__init__.py": "X = 1\n"})
    # load_project refuses it up front (test_bad_interpreter.py); the analyzer still says why on its own.
    result = analyze("coverage", root, python=str(tmp_path / "nope" / "python"), check_python=False)
    assert not result.ran and "cannot be started" in result.error


def test_durations_on_sample(tmp_path):
    sample_project = copy_sample(tmp_path / "sample")
    result = analyze("test_durations", sample_project)
    assert result.ran, result.error
    assert result.metrics["tests"] == 5
    assert 0 <= result.metrics["slowest_test_seconds"] <= result.metrics["total_test_seconds"] + 1e-9
    assert leftovers(sample_project) == []


def test_parallel_config_with_per_test_data_matches_combined_report(tmp_path):
    # attrs' and structlog's config: `parallel = true` (attrs adds `patch = ["subprocess"]`). With per-test data
    # (use_cache, the CLI's default) coverage 7.18 renamed the in-memory database to a suffixed file and failed.
    root = write_project(tmp_path / "p", {
        "lib/__init__.py": "",
        "lib/m.py": "def f(x):\n    if x:\n        return 1\n    return 2\n\n\ndef g():\n    return 3\n",
        "tests/test_m.py": "import subprocess, sys\nfrom lib.m import f\n\ndef test_f():\n    assert f(1) == 1\n\n"
                           "def test_child():\n    subprocess.run([sys.executable, '-c', 'import lib.m; lib.m.g()'],"
                           " check=True)\n",
        "pyproject.toml": '[tool.coverage.run]\nparallel = true\nbranch = true\npatch = ["subprocess"]\n'
                          'source_pkgs = ["lib"]\n\n[tool.coverage.paths]\nsource = ["lib", ".tox/*/lib"]\n',
    })
    result = analyze("coverage", root, use_cache=True)
    assert result.ran, result.error
    env = {"HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path / "hyp"), "PATH": "/usr/bin:/bin"}
    data = tmp_path / "by-hand.coverage"
    for cmd in (["run", f"--data-file={data}", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                ["combine", f"--data-file={data}"]):
        subprocess.run([PY, "-m", "coverage", *cmd], cwd=root, env=env, capture_output=True, check=True)
    by_hand = subprocess.run([PY, "-m", "coverage", "report", f"--data-file={data}", "--format=total",
                              "--precision=2"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert float(by_hand) == 75.0  # g() ran only in the child process (62.5 without its data)
    assert abs(result.metrics["coverage_percent"] - float(by_hand)) <= 0.1
