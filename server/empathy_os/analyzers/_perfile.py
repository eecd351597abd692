"""Per-file analysis that may take long (radon, interrogate, code smells), one file at a time, in a process
of its own (filepool.py starts it as a script: `python -I -B <this file>`, so it imports no Empathy code).

Why a process: radon's maintainability index is quadratic in the length of a multi-line statement, so a
generated Unicode table of 4,000 lines took minutes of CPU (idna's idnadata.py: 200 s), and a thread doing
that could be neither stopped nor left behind: the CLI kept running after SIGTERM. Here each file gets a
CPU-time limit (ITIMER_PROF, so a busy machine does not make a normal file time out); past it the job is
abandoned and the file reported as skipped. The process dies with its parent (PR_SET_PDEATHSIG) and is
killed with the tools' process groups on SIGTERM.

Protocol (JSON lines): {"id", "job", "path", "limit", "options"} in, {"id", "ok": data} or
{"id", "error": reason} or {"id", "timeout": true} out. `data` may be {"skipped": reason} for a file
Python cannot compile.
"""

from __future__ import annotations

import ast
import json
import signal
import sys
import tokenize
from pathlib import Path

_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match,
           getattr(ast, "TryStar", ast.Try))
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


def read_source(path: Path) -> str:
    """Source text decoded as Python would (coding cookie, BOM). Raises SyntaxError/UnicodeError."""
    with open(path, "rb") as fh:
        encoding, _ = tokenize.detect_encoding(fh.readline)
    return path.read_bytes().decode(encoding)


def parse_file(path: Path) -> tuple[str | None, ast.Module | None, str | None]:
    """(source, tree, None) or (None, None, reason) for a file Python itself could not compile."""
    try:
        text = read_source(path)
        return text, ast.parse(text, filename=str(path)), None
    except SyntaxError as exc:
        if exc.lineno is None and "encoding" in str(exc.msg):
            return None, None, "not UTF-8 and no coding declaration"
        return None, None, f"syntax error line {exc.lineno}: {exc.msg}"
    except (UnicodeDecodeError, LookupError) as exc:
        return None, None, f"not decodable: {exc.reason if hasattr(exc, 'reason') else exc}"
    except (ValueError, OSError) as exc:
        return None, None, str(exc)


def function_blocks(code: str) -> list:
    """Every function and method radon sees (cc_visit lists methods beside their classes)."""
    from radon.complexity import cc_visit
    from radon.visitors import Class

    return [block for block in cc_visit(code) if not isinstance(block, Class)]


def nesting_depth(node: ast.AST, depth: int = 0) -> int:
    deepest = depth
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _FUNCS + (ast.ClassDef,)):
            continue  # a nested def is measured on its own
        inner = depth + 1 if isinstance(child, _BLOCKS) else depth
        deepest = max(deepest, nesting_depth(child, inner))
    return deepest


def functions(tree: ast.Module):
    """(qualified name, node) for every function, methods included."""
    stack: list[tuple[str, ast.AST]] = [("", tree)]
    while stack:
        prefix, node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _FUNCS):
                name = f"{prefix}{child.name}"
                yield name, child
                stack.append((f"{name}.", child))
            elif isinstance(child, ast.ClassDef):
                stack.append((f"{prefix}{child.name}.", child))
            else:
                stack.append((prefix, child))


def radon_job(path: Path, options: dict) -> dict:
    """Cyclomatic complexity of each function and the file's maintainability index."""
    from radon.metrics import mi_visit

    code, _, reason = parse_file(path)
    if code is None:
        return {"skipped": reason}
    blocks = [[b.fullname, b.lineno, b.endline, b.complexity] for b in function_blocks(code)]
    return {"blocks": blocks, "mi": mi_visit(code, multi=True)}


def smells_job(path: Path, options: dict) -> dict:
    """Per function: its length, parameters, nesting and complexity."""
    code, tree, reason = parse_file(path)
    if tree is None:
        return {"skipped": reason}
    cc = {(b.lineno, b.name): b.complexity for b in function_blocks(code)}
    found = []
    for qualname, fn in functions(tree):
        args = fn.args
        params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        if params and params[0] in ("self", "cls"):
            params = params[1:]
        found.append({"symbol": qualname, "line": fn.lineno, "end_line": fn.end_lineno, "measured": {
            "long-function": (fn.end_lineno or fn.lineno) - fn.lineno + 1,
            "too-many-parameters": len(params) + bool(args.vararg) + bool(args.kwarg),
            "deep-nesting": nesting_depth(fn),
            "high-complexity": cc.get((fn.lineno, fn.name)),
        }})
    return {"functions": found}


def docstrings_job(path: Path, options: dict) -> dict:
    """interrogate's verdict on each node of one file, with its totals."""
    _, _, reason = parse_file(path)
    if reason is None:
        try:
            path.read_bytes().decode("utf-8")  # interrogate opens files as UTF-8
        except UnicodeDecodeError:
            reason = "not UTF-8"
    if reason:
        return {"skipped": reason}
    from interrogate.config import InterrogateConfig
    from interrogate.coverage import InterrogateCoverage

    results = InterrogateCoverage(paths=[str(path)], conf=InterrogateConfig(**options)).get_coverage()
    nodes = [{"covered": n.covered, "type": n.node_type, "path": n.path, "line": n.lineno}
             for f in results.file_results for n in f.nodes]
    return {"nodes": nodes, "covered": results.covered, "total": results.total, "missing": results.missing}


JOBS = {"radon": radon_job, "smells": smells_job, "docstrings": docstrings_job}


class _Expired(BaseException):  # not an Exception: a library's `except Exception` must not swallow it
    pass


def _expired(signum, frame):
    raise _Expired


def _die_with_parent() -> None:
    try:
        import ctypes
        import os

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the line above
            os._exit(1)
    except (OSError, AttributeError):  # not Linux: the parent's kill of our group is all there is
        pass


def answer(request: dict) -> dict:
    job = JOBS.get(request.get("job"))
    if job is None:
        return {"error": f"unknown job {request.get('job')!r}"}
    try:
        signal.setitimer(signal.ITIMER_PROF, float(request["limit"]))
        try:
            return {"ok": job(Path(request["path"]), request.get("options") or {})}
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _Expired:
        return {"timeout": True}
    except RecursionError:
        return {"error": "too deeply nested for Python's parser"}
    except Exception as exc:  # noqa: BLE001 - one file's failure is reported, the next file goes on
        return {"error": f"{type(exc).__name__}: {exc}"}


def main() -> None:
    import os

    _die_with_parent()
    signal.signal(signal.SIGPROF, _expired)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever a library prints must not reach the protocol
    for line in sys.stdin:
        request = json.loads(line)
        out.write(json.dumps({"id": request.get("id"), **answer(request)}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
