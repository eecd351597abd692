"""Strength, not just coverage: a kept test must fail on a small mutation of the lines it newly covers.

Mutants (made here from the target's AST, on the newly covered lines only): a comparison flipped
(`<` ↔ `>=`, `==` ↔ `!=`, `in` ↔ `not in`, `is` ↔ `is not`), `and` ↔ `or`, a constant changed (a number
+1, a string extended, a boolean negated), a return value dropped (`return None`), a `raise` or a
statement removed (`pass`), an `except` made to catch nothing. They run in the sandboxed copy, in one
runner of the project's interpreter (runners/mutants.py): pytest is configured once per lane of test files (plugins,
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

from empathy_os import runners
from empathy_os.proc import ToolTimeout
from empathy_os.testgen.measure import test_weight
from empathy_os.testgen.sandbox import EFFECTS_ENV, Sandbox

_MARK = "EMPATHY-MUTANTS "  # the runner's answer line (runners/mutants.py)
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
        ran = await sandbox.run(runners.command(sandbox.python, "mutants", str(spec_file)), timeout=timeout,
                                 env={**sandbox.bytecode_env(), **EFFECTS_ENV})
    except ToolTimeout as exc:
        return _not_judged(results, flat, f"mutation run: {exc}")
    line = next((ln for ln in reversed(ran.stdout.splitlines()) if ln.startswith(_MARK)), None)
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
