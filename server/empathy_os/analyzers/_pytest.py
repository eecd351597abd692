"""Running the project's pytest in the project's interpreter, and reading its JUnit XML."""

from __future__ import annotations

import configparser
import json
import shlex
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from empathy_os import runners
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.analyzers.project import read_pyproject
from empathy_os.execution import TEST_ENV, UNTRUSTED_MESSAGE, is_trusted, run_project_code


def isolated_env(tmp: Path) -> dict[str, str]:
    # hypothesis' pytest plugin creates .hypothesis/ in the working folder even when no test uses it.
    return {**TEST_ENV, "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp / "hypothesis")}

async def probe_interpreter(ctx: ProjectContext) -> tuple[dict[str, str | None] | None, str | None]:
    """Versions of coverage and pytest in the project's interpreter, or (None, why it cannot run)."""
    try:
        run = await run_project_code(ctx, runners.command(ctx.python, "probe"), ctx.root, timeout=60)
    except (FileNotFoundError, PermissionError, OSError) as exc:
        return None, f"project interpreter {ctx.python} cannot be started: {exc.strerror or exc}"
    if run.returncode != 0:
        return None, f"project interpreter {ctx.python} failed: {run.stderr.strip()[-300:]}"
    try:
        return json.loads(run.stdout.strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, f"project interpreter {ctx.python} gave no answer"


async def runnable_pytest(ctx: ProjectContext) -> tuple[str | None, str]:
    """(None, "pytest X.Y") when the project's tests may run (trusted) and can (its interpreter has pytest);
    else (why not, "pytest")."""
    if not is_trusted(ctx):
        return UNTRUSTED_MESSAGE, "pytest"
    versions, problem = await probe_interpreter(ctx)
    if versions is None:
        return problem or "project interpreter unusable", "pytest"
    if not versions.get("pytest"):
        return f"pytest not installed in {ctx.python}", "pytest"
    return None, f"pytest {versions['pytest']}"


def pytest_config(root: Path) -> str | None:
    """The config file pytest itself would pick in `root`, in pytest's own order, or None.

    pytest.ini, .pytest.ini (both even when empty), pyproject.toml with `[tool.pytest.ini_options]` or
    pytest 9's native `[tool.pytest]`, tox.ini with `[pytest]`, setup.cfg with `[tool:pytest]`.
    """
    for name in ("pytest.ini", ".pytest.ini"):
        if (root / name).is_file():
            return name
    if (root / "pyproject.toml").is_file() and isinstance(read_pyproject(root).get("tool", {}).get("pytest"), dict):
        return "pyproject.toml"
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        if (root / name).is_file():
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(root / name, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if parser.has_section(section):
                return name
    return None


def project_addopts(root: Path) -> list[str]:
    """The `addopts` of the config pytest picks in `root`, split as pytest splits them ([] if none)."""
    return ini_args(root, "addopts")


def ini_args(root: Path, key: str) -> list[str]:
    """An "args" option (`addopts`, `testpaths`) of the config pytest picks in `root`, split as pytest splits
    it ([] if none)."""
    name = pytest_config(root)
    if name is None:
        return []
    if name == "pyproject.toml":
        tool = read_pyproject(root).get("tool", {}).get("pytest", {})
        value = tool.get("ini_options", {}).get(key, tool.get(key, []))
    else:
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(root / name, encoding="utf-8")
        section = {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}.get(name, "pytest")
        value = parser.get(section, key, fallback="") if parser.has_section(section) else ""
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        return shlex.split(str(value))
    except ValueError:
        return []


# Options a project's addopts may carry that make pytest (or a plugin) write a report or log file: when the
# project sets one, every run gets it again, after the project's, pointing into our temp folder (pytest
# keeps the last value given). Each: (what the project's option starts with, what we add, the file's name).
_OUTPUTS = (
    (("--junitxml", "--junit-xml"), "--junitxml", "junit-unread.xml"),
    (("--debug",), "--debug", "pytestdebug.log"),  # bare --debug writes ./pytestdebug.log
    (("--result-log", "--resultlog"), "--result-log", "resultlog.txt"),  # pytest < 6.1
    (("--report-log",), "--report-log", "report-log.jsonl"),  # pytest-reportlog
    (("--html",), "--html", "report.html"),  # pytest-html
    (("--json-report",), "--json-report-file", "report.json"),  # pytest-json-report: ./.report.json
    (("--alluredir",), "--alluredir", "allure"),  # allure-pytest
)


def neutral_args(root: Path, tmp: Path, *, junit: bool = False) -> list[str]:
    """What every run of a project's tests gets (the analyzers' in the project, the engine's and the boost's
    in a copy), after the project's own options, so that it writes nothing outside `tmp`: no cache, pytest's
    temporary folders, the log file, and each report or trace file the project's `addopts` asks for
    (`junit`: the caller writes its own JUnit report). pytest-cov gets `--no-cov` when `addopts` turns it
    on (`--cov...`): `-p no:cov` would leave `--cov` an unknown option, and with it pytest-cov writes
    `.coverage`, `htmlcov/`, `coverage.xml` into the working folder. `tmp` is created."""
    tmp.mkdir(parents=True, exist_ok=True)
    opts = project_addopts(root)
    args = ["-p", "no:cacheprovider", f"--basetemp={tmp / 'basetemp'}", f"--log-file={tmp / 'pytest-log.txt'}"]
    for starts, option, name in _OUTPUTS:
        if any(o.startswith(starts) for o in opts) and not (junit and option == "--junitxml"):
            args.append(f"{option}={tmp / name}")
    if any(o.startswith("--cov") for o in opts):
        args.append("--no-cov")
    return args


def has_pytest_config(root: Path) -> bool:
    return pytest_config(root) is not None


def config_args(root: Path, scratch: Path) -> list[str]:
    """Nothing when pytest will find the project's own config in `root` (it reads it itself); otherwise
    an empty config of ours, so pytest does not adopt a parent folder's (e.g. the repo holding it).
    Plus, for a suite that lives only in `test.py`/`tests.py` (unittest style, which pytest's default
    pattern skips), a `python_files` that collects it."""
    extra = unittest_only_args(root)
    if has_pytest_config(root):
        return extra
    ini = scratch / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    return ["-c", str(ini), *extra]


_NOT_PROJECT = {".git", ".venv", "venv", "env", ".tox", ".nox", "node_modules", "build", "dist", "__pycache__"}
_UNITTEST_NAMES = ("test.py", "tests.py")


def _project_files(root: Path, limit: int = 5000) -> list[Path]:
    out: list[Path] = []
    stack = [root]
    while stack and len(out) < limit:
        folder = stack.pop()
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                if entry.name not in _NOT_PROJECT and not (entry / "pyvenv.cfg").exists():
                    stack.append(entry)
            elif entry.suffix == ".py":
                out.append(entry)
    return out


def unittest_only_args(root: Path) -> list[str]:
    """`-o python_files=...` when no file matches pytest's default patterns but `test.py`/`tests.py`
    exist and the config does not set python_files itself; else nothing (the project's choice stands)."""
    files = _project_files(root)
    if any(f.name.startswith("test_") or f.name.endswith("_test.py") for f in files):
        return []
    if not any(f.name in _UNITTEST_NAMES for f in files) or _config_sets(root, "python_files"):
        return []
    return ["-o", "python_files=test_*.py *_test.py " + " ".join(_UNITTEST_NAMES)]


def _config_sets(root: Path, key: str) -> bool:
    name = pytest_config(root)
    if name is None:
        return False
    if name == "pyproject.toml":
        table = read_pyproject(root).get("tool", {}).get("pytest", {})
        return key in table or key in (table.get("ini_options") or {})
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / name, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return False
    section = {"setup.cfg": "tool:pytest"}.get(name, "pytest")
    return parser.has_option(section, key)


def pytest_args(ctx: ProjectContext, tmp: Path, junit: Path | None) -> list[str]:
    """Only our options; the project's pytest config (found by pytest) keeps everything else. `junit`: where
    pytest writes its JUnit XML, None for no report (writing it cost 8 % of more-itertools' test run)."""
    args = ["-q", f"--rootdir={ctx.root}"]
    if junit is not None:
        args += [f"--junitxml={junit}", "-o", "junit_family=xunit2"]
    return args + config_args(ctx.root, tmp) + neutral_args(ctx.root, tmp, junit=junit is not None)


@dataclass
class TestRun:
    tests: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    total_seconds: float = 0.0
    cases: list[tuple[str, float, str]] = field(default_factory=list)  # (node id, seconds, file)


TestRun.__test__ = False  # type: ignore[attr-defined]


def read_junit(path: Path) -> TestRun | None:
    """Counts and per-test times from pytest's JUnit XML; None when pytest wrote none."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    result = TestRun()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        result.total_seconds += float(suite.get("time", 0) or 0)
        # Counted from the test cases, not the suite's totals: pytest 9 adds every subtest to those
        # (more-itertools: tests="2996" for 664 test cases, as `pytest -q` says "663 passed, 1 skipped").
        for case in suite.iter("testcase"):
            name = f"{case.get('classname', '')}::{case.get('name', '')}".lstrip(":")
            result.cases.append((name, float(case.get("time", 0) or 0), case.get("file") or ""))
            result.tests += 1
            # As pytest's summary line counts: a test that failed and then errored in teardown is both.
            failed, errored = case.find("failure") is not None, case.find("error") is not None
            result.failed += failed
            result.errors += errored
            if not (failed or errored):
                if case.find("skipped") is not None:
                    result.skipped += 1
                else:
                    result.passed += 1
    return result


PYTEST_EXIT = {
    2: "test run interrupted (collection errors)",
    3: "pytest internal error",
    4: "pytest usage error",
    5: "no tests were collected",
}
