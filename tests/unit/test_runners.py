"""The programs that run in the project's interpreter (empathy_os/runners): real modules, run by path, that
import nothing of Empathy's, and one recorder of test outcomes for all of them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os import runners
from empathy_os.runners.recorder import Recorder

RUNNERS = Path(runners.__file__).parent
ALLOWED = {"coverage", "pytest", "hypothesis", "_pytest"}


def _top_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add((node.module or "").split(".")[0])
    return names


def test_the_runners_import_only_the_stdlib_the_test_tools_and_each_other():
    for path in RUNNERS.glob("*.py"):
        foreign = _top_imports(path) - set(sys.stdlib_module_names) - ALLOWED - {"__future__"}
        assert not foreign, f"{path.name} imports {foreign}: the project's interpreter does not have them"


def test_a_project_module_named_like_ours_is_the_projects_own(tmp_path):
    """Run by path with its folder first on sys.path, a runner's siblings would shadow the project's modules
    of the same names (and a project's `pytest` folder the real pytest): neither happens."""
    (tmp_path / "recorder.py").write_text("WHOSE = 'project'\n")
    (tmp_path / "coverage_driver.py").write_text("WHOSE = 'project'\n")
    (tmp_path / "pytest").mkdir()
    (tmp_path / "pytest" / "__init__.py").write_text("raise ImportError('the project folder, not pytest')\n")
    (tmp_path / "test_it.py").write_text("import recorder, coverage_driver\n\n"
                                         "def test_own():\n    assert recorder.WHOSE == coverage_driver.WHOSE == 'project'\n")
    spec = {"data_file": str(tmp_path / "data" / ".coverage"), "json_file": str(tmp_path / "data" / "c.json"),
            "debug_file": str(tmp_path / "data" / "debug.log"), "source": [str(tmp_path)], "omit": None,
            "pytest_args": ["-q", "-p", "no:cacheprovider", "test_it.py"],
            "per_test": {"out": str(tmp_path / "data" / "per-test.json"), "plan": None}}
    (tmp_path / "data").mkdir()
    done = subprocess.run(runners.command(sys.executable, "coverage_driver", json.dumps(spec)), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    answer = json.loads(done.stdout.splitlines()[-1].removeprefix(runners.COVERAGE_MARK))
    assert answer["pytest_exit"] == 0, done.stdout + done.stderr
    per_test = json.loads((tmp_path / "data" / "per-test.json").read_text())
    assert per_test["outcomes"] == {"test_it.py::test_own": "passed"}


def test_one_outcome_check_for_every_phase(tmp_path):
    (tmp_path / "test_phases.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\ndef bad_setup():\n    raise RuntimeError('setup')\n\n"
        "@pytest.fixture\ndef bad_teardown():\n    yield\n    raise RuntimeError('teardown')\n\n"
        "def test_pass():\n    pass\n\n"
        "def test_fail():\n    assert False\n\n"
        "def test_setup_error(bad_setup):\n    pass\n\n"
        "def test_teardown_error(bad_teardown):\n    pass\n\n"
        "def test_fail_and_teardown_error(bad_teardown):\n    assert False\n\n"
        "@pytest.mark.skip\ndef test_skipped():\n    pass\n")
    (tmp_path / "test_broken.py").write_text("import no_such_module_anywhere\n")
    recorder = Recorder(failures=True)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    pytest.main(["-q", "-p", "no:cacheprovider", "--continue-on-collection-errors", "--rootdir", str(tmp_path),
                 str(tmp_path)], plugins=[recorder])
    verdicts = {k.split("::")[-1]: v for k, v in recorder.verdicts().items()}
    assert verdicts == {"test_pass": "passed", "test_fail": "failed", "test_setup_error": "error",
                        "test_teardown_error": "error", "test_fail_and_teardown_error": "failed",
                        "test_skipped": "skipped"}
    runs = {k.split("::")[-1]: v for k, v in recorder.runs().items()}
    assert runs == {"test_pass": ["passed"], "test_fail": ["failed"], "test_setup_error": ["failed"],
                    "test_teardown_error": ["passed", "failed"], "test_fail_and_teardown_error": ["failed", "failed"],
                    "test_skipped": ["skipped"]}
    assert list(recorder.collect_errors) == ["test_broken.py"]
    assert "no_such_module_anywhere" in recorder.collect_errors["test_broken.py"]
    assert set(recorder.failures) == {n for n, r in recorder.runs().items() if "failed" in r}
