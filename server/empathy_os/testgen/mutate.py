"""Strength, not just coverage: a kept test must fail on a small mutation of the lines it newly covers.

Mutants (made here from the target's AST, on the newly covered lines only): a comparison flipped
(`<` ↔ `>=`, `==` ↔ `!=`, `in` ↔ `not in`, `is` ↔ `is not`), `and` ↔ `or`, a constant changed (a number
+1, a string extended, a boolean negated), a return value dropped (`return None`), a `raise` or a
statement removed (`pass`), an `except` made to catch nothing. They run in the sandboxed copy, in one
runner of the project's interpreter: pytest is configured once per lane of test files (plugins,
conftests), and at collection a child is forked per mutant, collecting only its test file, whose import
of the target module reads the mutant's source (no file is rewritten, so two lanes run at once). Configuration costs most of a small test's run, so
this is several times cheaper than a pytest per mutant, which is still the way when a conftest imported
the target while pytest was configured. A mutant is killed when the test fails, errors or hangs past its
time limit; Hypothesis does not shrink in mutant runs (the first failing example is the kill).
"""

from __future__ import annotations

import ast
import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

from empathy_os.proc import ToolTimeout
from empathy_os.testgen.measure import NO_SHRINKING, test_weight
from empathy_os.testgen.sandbox import EFFECTS_ENV, Sandbox
from empathy_os.testgen.warm import PRELOAD

MAX_MUTANTS = 6  # per kept test, spread over its lines and kinds: enough to show strength, cheap enough for all
# A mutant run longer than LIMIT_FACTOR x its test's run on the unmutated code (at least MIN_LIMIT s)
# is stopped and counts as killed (the mutant made the test hang).
LIMIT_FACTOR = 5
MIN_LIMIT = 2

_FLIP: dict[type, type] = {
    ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}


@dataclass
class Mutant:
    line: int
    kind: str  # "flip <", "constant 3", "drop return", "and/or", "remove statement"
    source: str  # the whole mutated module


@dataclass
class Strength:
    made: int = 0
    killed: int = 0
    survivors: list[str] = field(default_factory=list)  # "line 12: flip <" (fed back to the model)
    error: str | None = None  # why the mutants could not be judged

    def to_json(self) -> dict:
        return {"mutants_made": self.made, "mutants_killed": self.killed, "surviving": self.survivors[:5]}


def _variants(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """(what was changed, replacement node) for one node."""
    make = _VARIANT_MAKERS.get(type(node))
    return make(node) if make is not None else []


def _flips(node: ast.Compare) -> list[tuple[str, ast.AST]]:
    out: list[tuple[str, ast.AST]] = []
    for i, op in enumerate(node.ops):
        if type(op) in _FLIP:
            new = copy.deepcopy(node)
            new.ops[i] = _FLIP[type(op)]()
            out.append((f"flip {type(op).__name__}", new))
    return out


def _and_or(node: ast.BoolOp) -> list[tuple[str, ast.AST]]:
    new = copy.deepcopy(node)
    new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    return [("and/or", new)]


def _other_constant(node: ast.Constant) -> list[tuple[str, ast.AST]]:
    value = node.value
    if isinstance(value, bool):
        return [(f"constant {value}", ast.Constant(not value))]
    if isinstance(value, (int, float)):
        return [(f"constant {value}", ast.Constant(value + 1))]
    if isinstance(value, str) and value:
        return [(f"constant {value[:20]!r}", ast.Constant(value + "X"))]
    return []  # bytes, None, an empty string, ...


def _drop_return(node: ast.Return) -> list[tuple[str, ast.AST]]:
    if node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None):
        return []
    return [("drop return", ast.Return(ast.Constant(None)))]


def _catch_nothing(node: ast.ExceptHandler) -> list[tuple[str, ast.AST]]:
    if node.type is None:
        return []
    # `except E:` → `except ():` catches nothing: the error the handler absorbed now escapes.
    new = copy.deepcopy(node)
    new.type = ast.Tuple(elts=[], ctx=ast.Load())
    return [("except catches nothing", new)]


def _remove_statement(node: ast.stmt) -> list[tuple[str, ast.AST]]:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # a docstring
        return []
    return [("remove statement", ast.Pass())]


_VARIANT_MAKERS = {
    ast.Compare: _flips, ast.BoolOp: _and_or, ast.Constant: _other_constant, ast.Return: _drop_return,
    ast.Raise: lambda _raise: [("remove raise", ast.Pass())], ast.ExceptHandler: _catch_nothing,
    ast.Expr: _remove_statement, ast.Assign: _remove_statement, ast.AugAssign: _remove_statement,
    ast.AnnAssign: _remove_statement,
}


def mutants(source: str, lines: set[int], limit: int = MAX_MUTANTS) -> list[Mutant]:
    """Up to `limit` mutants of `lines`, spread over lines and kinds (round robin)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    by_line: dict[int, list[tuple[str, ast.AST, ast.AST]]] = {}
    docstrings = {id(part) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) for part in (n.body[0], n.body[0].value)}
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if line in lines and id(node) not in docstrings:
            for kind, new in _variants(node):
                by_line.setdefault(line, []).append((kind, node, new))
    picked: list[Mutant] = []
    queues = [by_line[k] for k in sorted(by_line)]
    while queues and len(picked) < limit:
        for queue in list(queues):
            if not queue:
                queues.remove(queue)
                continue
            kind, old, new = queue.pop(0)
            text = ast.unparse(ast.fix_missing_locations(_mutate(tree, old, new)))
            picked.append(Mutant(old.lineno, kind, text))
            if len(picked) >= limit:
                break
    return picked


def _mutate(tree: ast.Module, old: ast.AST, new: ast.AST) -> ast.Module:
    # Replace in place, unparse by the caller, then put the original back: no deep copy per mutant.
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, ast.copy_location(new, old))
                result = ast.parse(ast.unparse(tree))
                setattr(parent, name, old)
                return result
            if isinstance(value, list) and any(v is old for v in value):
                i = next(i for i, v in enumerate(value) if v is old)
                value[i] = ast.copy_location(new, old)
                result = ast.parse(ast.unparse(tree))
                value[i] = old
                return result
    return tree


# Runs in the project's interpreter inside the sandbox. argv: spec file. Prints one JSON line.
_RUNNER = NO_SHRINKING + r"""
import fcntl, importlib.machinery, json, os, signal, struct, sys, termios, time
from pathlib import Path
spec = json.load(open(sys.argv[1], encoding="utf-8"))
import pytest
TARGET = None  # the module file the next forked child reads the mutant for
# pytest's plugins and Hypothesis imported once here (already, in a warm sandbox), so each forked
# child only collects and runs.
""" + PRELOAD + r"""

class Loader(importlib.machinery.SourceFileLoader):
    def get_data(self, path):
        if os.path.realpath(path) == TARGET:
            return MUTANT.encode("utf-8")
        if path.endswith(".pyc"):
            raise OSError("no bytecode for a mutant run")
        return super().get_data(path)

class Finder:
    @staticmethod
    def find_spec(name, path=None, target_=None):
        found = importlib.machinery.PathFinder.find_spec(name, path)
        if found is not None and found.origin and os.path.realpath(found.origin) == TARGET:
            found.loader = Loader(name, found.origin)
        return found

def quiet():
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)

def child(args, limit, i):
    no_shrinking()
    # Each child its own basetemp: pytest empties basetemp at start, so two children sharing one race.
    args = [*args, "--basetemp=" + os.path.join(spec["tmp"], str(i))]
    sys.meta_path.insert(0, Finder)
    sys.dont_write_bytecode = True
    signal.alarm(limit)
    quiet()
    os._exit(int(pytest.main(args)))

os.makedirs(spec["tmp"], exist_ok=True)  # pytest makes basetemp itself, not its parents
import gc
gc.freeze()  # each child's gc.collect() then skips what is already imported (see warm.py)

def key(job):
    return (job["target"], *job["args"])

def limit_after(control_seconds):
    # A hang is a kill, so the limit follows the machine's speed now (the control's time), not a
    # constant that a busy machine would turn into false kills.
    return max(spec["min_limit"], int(spec["factor"] * control_seconds) + 1)

IN_CHILD = False

def fork_group(group, out):
    # A child per job of the group, one after the other, the control first (its time sets the mutants'
    # limit). Returns (job, index, time limit) in the child; in the parent, None once every child ended
    # (their [index, exit code] appended to `out`).
    global MUTANT, TARGET
    limit = spec["limit"]
    for n, i in enumerate(group):
        job = spec["jobs"][i]
        MUTANT, TARGET = job["source"], os.path.realpath(job["target"])
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            return job, i, limit
        _, status = os.waitpid(pid, 0)
        out.append([i, os.waitstatus_to_exitcode(status)])
        if n == 0:
            limit = limit_after(time.monotonic() - started)
    return None

def take(queue):
    # The next group from a family's queue (a pipe filled before its lanes started, read by all of them:
    # a 4-byte read of it is whole), or None when the others took the rest. Lanes that pull work end
    # together, where lanes dealt in advance waited for the one that got the slow Hypothesis tests.
    data = os.read(queue, 4)
    return GROUPS[struct.unpack("i", data)[0]] if len(data) == 4 else None

def queued(queue):
    return struct.unpack("i", fcntl.ioctl(queue, termios.FIONREAD, b"\0\0\0\0"))[0]

class Forker:
    # pytest configured once per lane (with its family's first test file): at collection, a child is
    # forked per job of each group it takes in turn (the group's control first); the child collects only
    # its own test file (config.args) and imports its own mutant. A group whose target was imported while
    # pytest was configured (a conftest importing it) cannot be swapped here: the runner runs it the slow way.

    def __init__(self, queue, out):
        self.queue, self.out = queue, out

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session):
        global IN_CHILD
        loaded = {os.path.realpath(getattr(m, "__file__", None) or "") for m in list(sys.modules.values())}
        done, slow = [], []
        for group in iter(lambda: take(self.queue), None):
            if os.path.realpath(spec["jobs"][group[0]]["target"]) in loaded:
                slow.append(group)
                continue
            forked = fork_group(group, done)
            if forked is not None:  # the child: collect and run its own test file with its mutant
                job, i, limit = forked
                IN_CHILD = True
                session.config.args = [job["args"][-1]]
                factory = getattr(session.config, "_tmp_path_factory", None)
                if factory is not None:  # pytest empties basetemp at start: each child its own
                    factory._basetemp = None
                    factory._given_basetemp = Path(spec["tmp"], str(i))
                signal.alarm(limit)
                return None
        with open(self.out, "w", encoding="utf-8") as fh:
            json.dump({"done": done, "slow": slow}, fh)
        os._exit(0)

def lane_process(first, queue, k):
    out = os.path.join(spec["tmp"], "lane-%d.json" % k)
    pid = os.fork()
    if pid == 0:
        no_shrinking()
        sys.meta_path.insert(0, Finder)
        sys.dont_write_bytecode = True
        quiet()
        job = spec["jobs"][first[0]]
        rc = int(pytest.main([*job["args"], "--basetemp=" + os.path.join(spec["tmp"], "lane%d" % k)],
                             plugins=[Forker(queue, out)]))
        if IN_CHILD:
            os._exit(rc)
        # pytest stopped before collecting (a usage error): no job of the family can run here.
        rest = [[i, rc or 4] for group in iter(lambda: take(queue), None) for i in group]
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"done": rest, "slow": []}, fh)
        os._exit(0)
    return pid, out

def one_by_one(group):
    # A fresh pytest per job (the control first): the way for a target imported at configuration.
    out = []
    forked = fork_group(group, out)
    if forked is not None:
        job, i, limit = forked
        child(job["args"], limit, i)
    return out

# One group per (target, test file): its control first, then its mutants. Groups whose runs differ only
# in the test file, in the same folder (same conftests), are a family and share a configured pytest: up to
# `parallel` lanes per family, at most `parallel` at once, each taking the family's groups from one queue,
# the heaviest first (by the weights given: a Hypothesis test runs all its examples on a surviving mutant).
groups = {}
for i, job in enumerate(spec["jobs"]):
    groups.setdefault(key(job), []).append(i)
GROUPS = list(groups.values())
families = {}
for n, group in enumerate(GROUPS):
    job = spec["jobs"][group[0]]
    families.setdefault((*job["args"][:-1], os.path.dirname(job["args"][-1])), []).append(n)
pending, running, results = [], {}, []
for members in families.values():
    queue, fill = os.pipe()
    data = b"".join(struct.pack("i", n) for n in
                    sorted(members, key=lambda n: -sum(spec["jobs"][i]["weight"] for i in GROUPS[n])))
    if len(data) > 65536:  # all of it is written before any lane reads: the pipe must hold it
        fcntl.fcntl(fill, 1031, len(data))  # F_SETPIPE_SZ: fcntl names it from 3.10; this is the project's Python
    os.write(fill, data)
    os.close(fill)
    pending += [(GROUPS[members[0]], queue)] * min(spec["parallel"], len(members))
started = 0
while pending or running:
    while pending and len(running) < spec["parallel"]:
        first, queue = pending.pop(0)
        if not queued(queue):
            continue  # the family's lanes already running took all its groups
        started += 1
        pid, out = lane_process(first, queue, started)
        running[pid] = out
    if not running:
        break
    pid, _ = os.wait()
    out = running.pop(pid)
    try:
        with open(out, encoding="utf-8") as fh:
            answer = json.load(fh)
    except (OSError, ValueError):
        continue  # the lane's process died: its jobs have no result, so they count as not judged
    results += answer["done"]
    for group in answer["slow"]:
        results += one_by_one(group)
print("EMPATHY-MUTANTS " + json.dumps(results))
"""


async def strength(sandbox: Sandbox, jobs: list[tuple[str, str, list[Mutant]]], pytest_args: list[str],
                   limit: int = 60, timeout: float = 600) -> list[Strength]:
    """For each (test file, target path, mutants): how many mutants the test file kills."""
    flat = _flat_jobs(sandbox, jobs, pytest_args)
    results = [Strength(made=len(m)) for _, _, m in jobs]
    if not flat:
        return results
    controls = _controls(flat)
    spec_file = sandbox.base / "data" / f"mutants-{sandbox.next_id()}.json"
    jobs_json = list(controls.values()) + [{k: i[k] for k in ("target", "source", "args", "weight")} for i in flat]
    spec_file.write_text(json.dumps({"parallel": 2, "limit": limit, "jobs": jobs_json, "controls": len(controls),
                                     "min_limit": MIN_LIMIT, "factor": LIMIT_FACTOR,
                                     "tmp": str(sandbox.base / "tmp" / spec_file.stem)}), encoding="utf-8")
    try:
        ran = await sandbox.run([sandbox.python, "-c", _RUNNER, str(spec_file)], timeout=timeout,
                                 env={**sandbox.bytecode_env(), **EFFECTS_ENV})
    except ToolTimeout as exc:
        return _not_judged(results, flat, f"mutation run: {exc}")
    line = next((ln for ln in reversed(ran.stdout.splitlines()) if ln.startswith("EMPATHY-MUTANTS ")), None)
    if line is None:
        last = (ran.stderr.strip().splitlines() or [f"exit {ran.returncode}"])[-1]
        return _not_judged(results, flat, f"mutation run did not finish: {last}")
    _tally(results, flat, controls, dict(json.loads(line.split(" ", 1)[1])))
    return results


def _flat_jobs(sandbox: Sandbox, jobs: list[tuple[str, str, list[Mutant]]], pytest_args: list[str]) -> list[dict]:
    """One runner job per mutant (its job index, target file, mutated source, pytest arguments)."""
    flat = []
    # The runner's lanes take the heaviest groups first (Hypothesis tests: every surviving mutant runs all
    # their examples), so both end together.
    weights = {path: test_weight(sandbox.copy / path) for path in {test_path for test_path, _, _ in jobs}}
    for n, (test_path, target, muts) in enumerate(jobs):
        for m in muts:
            # --tb=no: only the exit code is read; formatting a killed mutant's traceback doubled its run.
            flat.append({"job": n, "target": str(sandbox.copy / target), "source": m.source,
                         "args": [*pytest_args, "-x", "-q", "--tb=no", test_path], "line": m.line, "kind": m.kind,
                         "weight": weights[test_path]})
    return flat


def _controls(flat: list[dict]) -> dict[tuple, dict]:
    """One runner for every target (each forked child swaps in its own job's module), so both CPUs stay
    busy across targets. Control: each (target, test file) against the unmutated module, loaded the same
    way, must pass; if not, the harness cannot judge that file and its mutants count as not made."""
    originals: dict[str, str] = {}
    controls: dict[tuple, dict] = {}
    for item in flat:
        target = item["target"]
        if target not in originals:
            originals[target] = ast.unparse(ast.parse(Path(target).read_text(encoding="utf-8")))
        controls.setdefault((target, *item["args"]), {"target": target, "source": originals[target],
                                                      "args": item["args"], "weight": item["weight"]})
    return controls


def _not_judged(results: list[Strength], flat: list[dict], error: str) -> list[Strength]:
    for item in flat:
        results[item["job"]].error = error
    return results


def _tally(results: list[Strength], flat: list[dict], controls: dict[tuple, dict], codes: dict[int, int]) -> None:
    """Kills and survivors from the runner's exit codes (the controls' first, then one per mutant)."""
    broken = {k for n, k in enumerate(controls) if codes.get(n) != 0}
    for i, code in codes.items():
        if i < len(controls):
            continue
        item = flat[i - len(controls)]
        if (item["target"], *item["args"]) in broken:
            results[item["job"]].error = "the test did not pass against the unmutated module loaded by the harness"
            continue
        if code != 0:
            results[item["job"]].killed += 1
        else:
            results[item["job"]].survivors.append(f"line {item['line']}: {item['kind']}")
