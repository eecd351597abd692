"""Which tests ran which lines, kept between runs, and which tests a change affects.

Why coverage.py's own per-test contexts and not pytest-testmon (evaluated first; see docs/guide/release-prep.md,
"Live coverage"): testmon keeps fingerprints of the blocks each test ran, not the lines, so the merged
coverage figure (statements and branches) still needs coverage.py's per-test data; it must be installed
in the project's own interpreter (we install nothing there: our driver is run by path, runners/); its
own Coverage instance takes over tracing from ours (two tracers cannot both see a test), and it refuses
branch coverage next to another measurement. Its `.testmondata` could be redirected (TESTMON_DATAFILE),
so it is not the read-only rule that rules it out. What it does well, selecting by changed function, is
done here on the same data: a test is affected when it ran a line of a function whose text changed.

The map lives in `<root>/.empathy/cache/coverage-map.json`: per test (node id) its outcome and the
lines/arcs it ran per file; the lines run at import time (context ""); the text of every measured file
(for line diffs) and a hash of every project .py file; the interpreter and its installed distributions;
the last merged coverage report. A plan compares it with the files now:

- a function body changed in a measured file → the tests that ran a line of that function;
- whole functions or classes added → none (their lines are measured when the module is imported again);
- a test file changed or added → all its tests (new ones included; vanished ones are dropped);
- anything else (module-level code, a conftest, a pytest/coverage/packaging config, a .py file no test is
  known to use, the interpreter) → every test, and the plan says why. The driver itself runs every test
  when the installed distributions differ from the map's.

Tests not re-run keep their data, with line numbers moved by the diff (lines inside a changed region belong
only to re-run tests, by construction). The merged report is coverage.py's own JSON report over the union,
made in the project's interpreter, so it equals a full run's whenever each test's lines are deterministic.
"""

from __future__ import annotations

import hashlib
import io
import json
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from empathy_os.analyzers import source_diff as sd
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.analyzers.project import all_py_files

VERSION = 1
MAP_FILE = "coverage-map.json"
# Files whose change can alter any test: configuration of pytest, coverage and packaging.
CONFIG_NAMES = ("pyproject.toml", "setup.cfg", "tox.ini", ".coveragerc", "pytest.ini", ".pytest.ini",
                "setup.py")

Data = list  # [lines, arcs] of one file for one context


@dataclass
class Plan:
    full: bool
    reason: str = ""
    select: set[str] = field(default_factory=set)  # node ids re-run
    run_files: set[str] = field(default_factory=set)  # test files whose every test runs
    drop_files: set[str] = field(default_factory=set)  # test files whose old tests are forgotten
    imports: list[str] = field(default_factory=list)  # changed modules to import after collection
    line_maps: dict[str, dict[int, int]] = field(default_factory=dict)  # changed file -> old -> new line
    changed: list[str] = field(default_factory=list)  # relative paths, for the report


def map_path(ctx: ProjectContext) -> Path:
    return ctx.cache_dir / MAP_FILE


def load_map(ctx: ProjectContext) -> dict[str, Any] | None:
    """The stored map, or None when missing, unreadable or of another version (never an error)."""
    try:
        state = json.loads(map_path(ctx).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("version") == VERSION else None


def save_map(ctx: ProjectContext, state: dict[str, Any]) -> bool:
    """Atomically; False when `.empathy/` cannot be written."""
    from empathy_os.analyzers.cache import write_entry  # cache imports the analyzers' package

    return write_entry(ctx, MAP_FILE, json.dumps(state, separators=(",", ":")))


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def snapshot(ctx: ProjectContext) -> dict[str, bytes]:
    """Every project .py file's bytes, read once before a run: what the run measures is this content, even
    if the editor saves again meanwhile (that save's own run then sees the difference)."""
    out = {}
    for path in all_py_files(ctx):
        try:
            out[path.relative_to(ctx.root).as_posix()] = path.read_bytes()
        except OSError:
            continue
    return out


def decode(data: bytes) -> str:
    """Source bytes decoded as Python would (coding cookie, BOM)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def hashes(snap: dict[str, bytes]) -> dict[str, str]:
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in snap.items()}


def config_hash(ctx: ProjectContext) -> str:
    h = hashlib.sha256()
    for name in CONFIG_NAMES:
        h.update(name.encode() + b"\0" + (_sha(ctx.root / name) or "-").encode())
    return h.hexdigest()


def identity(ctx: ProjectContext, source: Any, omit: Any) -> dict[str, Any]:
    """What must be equal for stored per-test data to be reused at all."""
    return {"python": ctx.python, "config": config_hash(ctx), "scope": [source, omit],
            "settings": json.dumps(ctx.settings, sort_keys=True, default=str)}


# -- planning ---------------------------------------------------------------------------------------------

def _is_test_name(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py")


def _hosts(state: dict[str, Any]) -> dict[str, list[str]]:
    hosts: dict[str, list[str]] = {}
    for node in state["tests"]:
        hosts.setdefault(node.split("::", 1)[0], []).append(node)
    return hosts


def _users(state: dict[str, Any], rel: str, lines: set[int] | None = None) -> set[str]:
    """Tests that ran a line of `rel` (any line, or one of `lines`)."""
    found = set()
    for node, test in state["tests"].items():
        data = test["d"].get(rel)
        if data and (lines is None or lines & set(data[0])):
            found.add(node)
    return found


def module_name(root: Path, rel: str) -> str | None:
    """The dotted name a file is imported under: its path from the first folder up without __init__.py."""
    path = root / rel
    parts = [path.stem] if path.name != "__init__.py" else []
    folder = path.parent
    while folder != root.parent and (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) or None


def plan(ctx: ProjectContext, state: dict[str, Any] | None, ident: dict[str, Any],
         snap: dict[str, bytes]) -> Plan:
    """What to re-run to bring `state` up to date with the files now."""
    if state is None:
        return Plan(full=True, reason="no per-test data from an earlier run")
    for key, what in (("python", "the interpreter"), ("config", "a pytest, coverage or packaging config"),
                      ("scope", "what coverage measures"), ("settings", "[tool.empathy] settings")):
        if state["identity"].get(key) != ident[key]:
            return Plan(full=True, reason=f"{what} changed")
    now = hashes(snap)
    before = state["hashes"]
    changed = sorted(p for p in set(now) | set(before) if now.get(p) != before.get(p))
    out = Plan(full=False, changed=changed)
    hosts = _hosts(state)
    for rel in changed:
        why = _plan_file(ctx, state, hosts, rel, snap.get(rel), rel in before, out)
        if why is not None:
            return Plan(full=True, reason=why, changed=changed)
    return out


def _plan_file(ctx: ProjectContext, state: dict[str, Any], hosts: dict[str, list[str]], rel: str,
               now: bytes | None, existed: bool, out: Plan) -> str | None:
    """Add what changing `rel` needs to `out`; a reason string when only a full run will do."""
    if rel.rsplit("/", 1)[-1] == "conftest.py":
        return f"{rel} changed (a conftest can change any test)"
    measured = rel in state["texts"]
    used = bool(_users(state, rel)) or rel in state["imports"]
    if rel in hosts:
        out.drop_files.add(rel)
        if now is not None:
            out.run_files.add(rel)
        if measured and used:  # a test file that is measured too: whoever ran its lines
            out.select |= _users(state, rel)
        return None
    if not existed:  # new: nothing ran it yet; a new test file runs
        if _is_test_name(rel):
            out.run_files.add(rel)
        return None
    if not used:  # measured (0 %) or unknown, but nothing ran a line of it
        return None
    if now is None:
        return f"{rel} was removed and tests used it"
    if not measured:
        return f"{rel} changed and no per-test data says which tests use it"
    return _plan_source(ctx, state, rel, now, out)


def _plan_source(ctx: ProjectContext, state: dict[str, Any], rel: str, now: bytes, out: Plan) -> str | None:
    old_text = state["texts"][rel]
    try:
        new_text = decode(now)
    except (SyntaxError, ValueError, UnicodeError, LookupError):
        return f"{rel} does not parse now"
    old, new = sd.text_facts(old_text), sd.text_facts(new_text)
    if old.why is not None or new.why is not None:
        return f"{rel} does not parse now"
    old_lines, new_lines = sd.LINES.split(old_text), sd.LINES.split(new_text)
    old_defs, new_defs = old.defs, new.defs
    at_import = set(state["imports"].get(rel, [[], []])[0])
    line_map: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in sd.opcodes(old_lines, new_lines):
        if tag == "equal":
            line_map.update({i1 + k + 1: j1 + k + 1 for k in range(i2 - i1)})
            continue
        old_span, new_span = (i1 + 1, i2), (j1 + 1, j2)  # 1-based, inclusive; empty when start > end
        if sd.only_blank(old_lines, old_span) and sd.only_blank(new_lines, new_span):
            continue
        if sd.whole_defs(old_defs, old_lines, old_span) and sd.whole_defs(new_defs, new_lines, new_span):
            for start, end, *_ in old_defs.values():  # functions removed or rewritten: their tests re-run
                if old_span[0] <= start and end <= old_span[1]:
                    out.select |= _users(state, rel, set(range(start, end + 1)))
            continue
        inner = sd.changed_function(old_defs, new_defs, old_span, i1, new_span, j1)
        if inner is None:
            return f"module-level code of {rel} changed (line {i1 + 1})"
        start, end, body, *_ = old_defs[inner]
        if at_import & set(range(body, end + 1)):
            return f"{rel}: {inner} changed and runs at import time"
        out.select |= _users(state, rel, set(range(start, end + 1)))
    out.line_maps[rel] = line_map
    if rel in state["imports"] and (name := module_name(ctx.root, rel)):
        out.imports.append(name)
    return None


# -- merging ----------------------------------------------------------------------------------------------

def _remap(data: Data, line_map: dict[int, int]) -> Data:
    lines = [line_map[n] for n in data[0] if n in line_map]
    arcs = []
    for a, b in data[1]:
        ma = line_map.get(abs(a))
        mb = line_map.get(abs(b))
        if ma is not None and mb is not None:
            arcs.append([ma if a > 0 else -ma, mb if b > 0 else -mb])
    return [lines, arcs]


def kept_tests(state: dict[str, Any], p: Plan) -> dict[str, dict[str, Any]]:
    """Tests not re-run, their data moved to the new line numbers."""
    out = {}
    for node, test in state["tests"].items():
        if node in p.select or node.split("::", 1)[0] in p.drop_files:
            continue
        d = {rel: _remap(data, p.line_maps[rel]) if rel in p.line_maps else data
             for rel, data in test["d"].items()}
        out[node] = {"o": test["o"], "d": d}
    return out


def kept_imports(state: dict[str, Any], p: Plan) -> dict[str, Data]:
    return {rel: _remap(data, p.line_maps[rel]) if rel in p.line_maps else data
            for rel, data in state["imports"].items()}


def base_union(root: Path, tests: dict[str, dict[str, Any]], imports: dict[str, Data]) -> dict[str, Data]:
    """Absolute path -> union of lines/arcs (what coverage's data file holds for these tests)."""
    acc: dict[str, tuple[set, set]] = {}
    for per_file in [imports, *(t["d"] for t in tests.values())]:
        for rel, (lines, arcs) in per_file.items():
            lines_set, arcs_set = acc.setdefault(str(root / rel), (set(), set()))
            lines_set.update(lines)
            arcs_set.update(tuple(a) for a in arcs)
    return {path: [sorted(ls), sorted(list(a) for a in arcs)] for path, (ls, arcs) in acc.items()}


def _relative(root: Path, path: str) -> str:
    p = Path(path)
    return p.relative_to(root).as_posix() if p.is_relative_to(root) else path


def merge(ctx: ProjectContext, measured: dict[str, Any], tests: dict[str, dict[str, Any]],
          imports: dict[str, Data]) -> tuple[dict[str, dict[str, Any]], dict[str, Data]]:
    """Add the driver's per-test output to the kept data (new data of a test replaces its old data)."""
    tests = dict(tests)
    outcomes = measured["outcomes"]
    for node in outcomes:
        tests[node] = {"o": outcomes[node], "d": {}}
    imports = {rel: [list(d[0]), list(d[1])] for rel, d in imports.items()}
    for context, files in measured["contexts"].items():
        for path, data in files.items():
            rel = _relative(ctx.root, path)
            if context == "":
                old = imports.get(rel, [[], []])
                imports[rel] = [sorted(set(old[0]) | set(data[0])),
                                sorted({tuple(a) for a in old[1]} | {tuple(a) for a in data[1]})]
            elif context in tests:
                tests[context]["d"][rel] = data
    return tests, imports


def new_state(ctx: ProjectContext, ident: dict[str, Any], snap: dict[str, bytes], env: str | None,
              branch: bool, tests: dict[str, dict[str, Any]], imports: dict[str, Data],
              report: dict[str, Any]) -> dict[str, Any]:
    files = report.get("files", {})
    texts = {}
    for name in files:
        rel = _relative(ctx.root, name)
        try:
            texts[rel] = decode(snap[rel])
        except (KeyError, SyntaxError, UnicodeError, LookupError):
            continue
    slim = {_relative(ctx.root, name): {k: v for k, v in data.items() if k not in ("functions", "classes")}
            for name, data in files.items()}
    return {"version": VERSION, "identity": ident, "env": env, "branch": branch, "hashes": hashes(snap),
            "texts": texts, "tests": tests, "imports": imports,
            "report": {"files": slim, "totals": report.get("totals", {}), "meta": report.get("meta", {})}}
