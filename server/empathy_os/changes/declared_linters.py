"""The linters and formatters a project declares, and checking a change against them.

Declared: hooks of `.pre-commit-config.yaml`, tools named in tox's lint environments, `[flake8]` (setup.cfg,
tox.ini, .flake8), `[pycodestyle]`, `[tool.black]`, `[tool.isort]` / .isort.cfg / `[isort]`, `[tool.pylint]` /
pylintrc / .pylintrc, mypy (mypy.ini, `[mypy]`, `[tool.mypy]`). Read as text: nothing of the project runs.

Checked, on the touched files in the verification copy, before and after the change:
- each declared tool installed in the project's interpreter runs with flags that keep it from writing
  (flake8 and pylint only read; black `--check --diff`; isort `--check-only --diff`; mypy without its cache)
  and must report nothing that it did not report on the original text. Their configs can load plugins
  (flake8's local-plugins, pylint's init-hook, mypy plugins), i.e. project code: they run only in a trusted
  workspace, inside the sandbox;
- the declared line length is kept even where no tool is installed: ruff's E501 with that length, on the
  original and the changed text, must find no new over-long line (B950 in flake8's select: +10 %, as
  bugbear allows).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from empathy_os.analyzers.project import read_pyproject
from empathy_os.analyzers.python_range import read_ini
from empathy_os.changes.model import Check
from empathy_os.proc import run_tool, tool_bin

TOOLS = ("flake8", "pycodestyle", "black", "isort", "pylint", "mypy")
_LINT_ENV = re.compile(r"lint|flake|pep8|style|check|mypy|typ|black|isort|format|pylint", re.IGNORECASE)


@dataclass
class Declared:
    tools: dict[str, str] = field(default_factory=dict)  # tool -> where it is declared
    line_length: int | None = None
    line_length_from: str = ""
    isort_style: str | None = None  # where the project's import style is configured (isort)

    def describe(self) -> str:
        return ", ".join(f"{t} ({w})" for t, w in self.tools.items()) or "none"


def _length(d: Declared, value: object, where: str, allowance: bool = False) -> None:
    try:
        n = int(str(value).strip())
    except ValueError:
        return
    n = n + n // 10 if allowance else n
    if 20 <= n and (d.line_length is None or n < d.line_length):
        d.line_length, d.line_length_from = n, where


def _pre_commit(root: Path, d: Declared) -> None:
    for name in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
        try:
            data = yaml.safe_load((root / name).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        for repo in (data or {}).get("repos", []) if isinstance(data, dict) else []:
            for hook in (repo or {}).get("hooks", []) if isinstance(repo, dict) else []:
                hid = str((hook or {}).get("id", "")) if isinstance(hook, dict) else ""
                if hid in TOOLS:
                    d.tools.setdefault(hid, name)


def _tox(root: Path, d: Declared) -> None:
    tox = read_ini(root / "tox.ini")
    if tox is None:
        return
    for section in tox.sections():
        if section.startswith("testenv:") and _LINT_ENV.search(section):
            text = " ".join(tox.get(section, k, fallback="") for k in ("commands", "deps"))
            for tool in TOOLS:
                if re.search(rf"\b{tool}\b", text):
                    d.tools.setdefault(tool, f"tox.ini [{section}]")


def _flake8(root: Path, d: Declared) -> None:
    for name, section in (("setup.cfg", "flake8"), ("tox.ini", "flake8"), (".flake8", "flake8"),
                          ("setup.cfg", "pycodestyle"), ("tox.ini", "pycodestyle"), ("setup.cfg", "pep8")):
        cfg = read_ini(root / name)
        if cfg is None or not cfg.has_section(section):
            continue
        tool = "flake8" if section == "flake8" else "pycodestyle"
        d.tools.setdefault(tool, f"{name} [{section}]")
        opts = {k.replace("_", "-"): v for k, v in cfg.items(section)}
        select = opts.get("select", "") + "," + opts.get("extend-select", "")
        ignore = opts.get("ignore", "") + "," + opts.get("extend-ignore", "")
        e501_off = re.search(r"\bE(5(01?)?)?\b", ignore) is not None
        b950 = re.search(r"\bB9(50)?\b", select) is not None and e501_off
        if "max-line-length" in opts:
            _length(d, opts["max-line-length"], f"{name} [{section}] max-line-length"
                    + (" + 10 % (B950)" if b950 else ""), allowance=b950)
        elif not e501_off:  # pycodestyle's default, which a [flake8] section without the option keeps
            _length(d, 79, f"{name} [{section}] (pycodestyle's default max-line-length)")


def _pyproject_tools(root: Path, d: Declared) -> None:
    tool = read_pyproject(root).get("tool", {})
    if "black" in tool:
        d.tools.setdefault("black", "pyproject.toml [tool.black]")
        _length(d, tool["black"].get("line-length", 88), "[tool.black] line-length")
    elif "black" in d.tools:
        _length(d, 88, "black's default line length")
    if "isort" in tool:
        d.tools.setdefault("isort", "pyproject.toml [tool.isort]")
    if "pylint" in tool:
        d.tools.setdefault("pylint", "pyproject.toml [tool.pylint]")
        fmt = tool["pylint"].get("format", tool["pylint"].get("FORMAT", {}))
        if isinstance(fmt, dict) and "max-line-length" in fmt:
            _length(d, fmt["max-line-length"], "[tool.pylint] max-line-length")
    if "mypy" in tool:
        d.tools.setdefault("mypy", "pyproject.toml [tool.mypy]")


def _other_files(root: Path, d: Declared) -> None:
    for name in (".isort.cfg",):
        if (root / name).is_file():
            d.tools.setdefault("isort", name)
    setup_cfg = read_ini(root / "setup.cfg")
    if setup_cfg is not None and (setup_cfg.has_section("isort") or setup_cfg.has_section("tool:isort")):
        d.tools.setdefault("isort", "setup.cfg [isort]")
    if setup_cfg is not None and setup_cfg.has_section("mypy"):
        d.tools.setdefault("mypy", "setup.cfg [mypy]")
    for name in ("mypy.ini", ".mypy.ini"):
        if (root / name).is_file():
            d.tools.setdefault("mypy", name)
    for name in ("pylintrc", ".pylintrc"):
        cfg = read_ini(root / name)
        if cfg is not None:
            d.tools.setdefault("pylint", name)
            for section in ("FORMAT", "format"):
                if cfg.has_option(section, "max-line-length"):
                    _length(d, cfg.get(section, "max-line-length"), f"{name} max-line-length")


def declared_linters(root: Path) -> Declared:
    d = Declared()
    for read in (_pre_commit, _tox, _flake8, _pyproject_tools, _other_files):
        read(root, d)
    if "isort" in d.tools:
        d.isort_style = d.tools["isort"]
    return d


# -- running them --------------------------------------------------------------------------------------

_COMMANDS = {
    "flake8": ["-m", "flake8", "--exit-zero", "--format=%(path)s:%(row)d: %(code)s %(text)s"],
    "pycodestyle": ["-m", "pycodestyle"],
    "black": ["-m", "black", "--check", "--diff", "--quiet", "--no-color"],
    "isort": ["-m", "isort", "--check-only", "--diff", "--quiet"],
    "pylint": ["-m", "pylint", "--persistent=n", "--score=n", "--output-format=parseable", "--exit-zero"],
    "mypy": ["-m", "mypy", "--no-incremental", "--cache-dir=/dev/null", "--no-error-summary",
             "--show-error-codes", "--no-color-output", "--no-pretty"],
}
_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<row>\d+):(?:\d+:)?\s*(?P<rest>.*)$")


def findings(tool: str, output: str, lines: dict[str, list[str]]) -> Counter[tuple[str, str, str]]:
    """(path, the flagged line's text, message) of each finding (line numbers move with a change)."""
    out: Counter[tuple[str, str, str]] = Counter()
    if tool in ("black", "isort"):  # a file the formatter would change; its diff is the finding
        for path in lines:
            if f"a/{path}" in output or f"{path}:before" in output or f"--- {path}" in output:
                out[(path, "", f"{tool} would reformat it")] += 1
        return out
    for raw in output.splitlines():
        m = _LINE.match(raw.strip())
        if not m or m["path"].lstrip("./") not in lines:
            continue
        path, row = m["path"].lstrip("./"), int(m["row"])
        text = lines[path][row - 1].strip() if 0 < row <= len(lines[path]) else ""
        out[(path, text, re.sub(r"\s+", " ", m["rest"]).strip())] += 1
    return out


async def installed(sandbox, tool: str) -> bool:
    probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({tool!r}) is None)"
    run = await sandbox.run([sandbox.python, "-c", probe], timeout=60)
    return run.returncode == 0


async def run_declared(sandbox, tool: str, paths: list[str]) -> str:
    run = await sandbox.run([sandbox.python, *_COMMANDS[tool], *paths], timeout=300)
    return run.stdout + "\n" + run.stderr


async def over_long(scratch: Path, text: str, limit: int) -> Counter[str]:
    """Lines of `text` that ruff's E501 finds longer than `limit` (by their text)."""
    probe = scratch / "line_length_probe.py"
    probe.write_text(text, encoding="utf-8")
    cmd = [tool_bin("ruff"), "check", "--isolated", "--no-cache", "--no-fix", "--exit-zero", "--select", "E501",
           "--line-length", str(limit), "--output-format", "json", probe.name]
    run = await run_tool(cmd, scratch, timeout=60)
    lines = text.splitlines()
    return Counter(lines[r["location"]["row"] - 1].strip() for r in json.loads(run.stdout or "[]")
                   if 0 < r["location"]["row"] <= len(lines))


def check(name: str, ran: list[str], missing: list[str], new: list[str], what: str) -> Check:
    detail = (f"new: {'; '.join(new[:8])}" if new else f"nothing new on {what}")
    detail += f" (ran: {', '.join(ran) or 'none'}" + (f"; could not run: {', '.join(missing)}" if missing else "") + ")"
    return Check(name=name, passed=not new, detail=detail, measured={"ran": ran, "could_not_run": missing, "new": new})
