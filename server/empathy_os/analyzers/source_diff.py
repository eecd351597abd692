"""Where two versions of a Python file differ, by function: the line diff and the spans of its functions
and classes that coverage_map's plan reads to tell which tests a change affects."""

from __future__ import annotations

import ast
import difflib
import functools
import re
from dataclasses import dataclass

from empathy_os.analyzers.project import parse_file

LINES = re.compile(r"\r\n|\r|\n")  # Python's own line ends (str.splitlines also splits at \f, \x1c, ...)

Def = tuple[int, int, int, bool, bool]  # first line (decorators), last line, first body line, top level, class


def defs(tree: ast.Module) -> dict[str, Def]:
    """qualified name -> span of every function and class; `top`: defined at module or class level.
    Walks statement lists only (a def is a statement), not expressions: a few times faster on big files."""
    found: dict[str, Def] = {}

    def walk(body: list[ast.stmt], prefix: str, top: bool) -> None:
        for child in body:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                is_class = isinstance(child, ast.ClassDef)
                start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                found[name] = (start, child.end_lineno or child.lineno, child.body[0].lineno, top, is_class)
                walk(child.body, name + ".", top and is_class)
                continue
            for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
                for item in getattr(child, attr, None) or []:
                    # except handlers and match cases are not statements but hold statement lists
                    nested = item.body if isinstance(item, (ast.ExceptHandler, ast.match_case)) else [item]
                    walk(nested, prefix, top)

    walk(tree.body, "", True)
    return found


@dataclass(frozen=True)
class Facts:
    """What the coverage analyzer and the live plan read from a file's syntax tree."""

    why: str | None  # why Python cannot compile it (parse_file's words), else None
    defs: dict[str, Def]
    spans: dict[int, int]  # def line -> last line, of every function


@functools.lru_cache(maxsize=512)
def text_facts(text: str) -> Facts:
    """Parsed once per text in a process: a live refresh parses only the files that changed since the last
    one (a 5,000-line module took 0.1-0.3 s to parse, up to three times per refresh)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        return Facts(f"syntax error line {exc.lineno}: {exc.msg}", {}, {})
    except ValueError as exc:  # a NUL byte
        return Facts(str(exc), {}, {})
    spans = {n.lineno: n.end_lineno or n.lineno for n in ast.walk(tree)
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return Facts(None, defs(tree), spans)


def file_facts(path) -> Facts:
    """`text_facts` of a file as Python decodes it; a file it cannot decode says why, as parse_file does."""
    from empathy_os.analyzers.project import read_source

    try:
        text = read_source(path)
    except (SyntaxError, UnicodeDecodeError, LookupError, ValueError, OSError):
        return Facts(parse_file(path)[2], {}, {})
    return text_facts(text)


def opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with the common head and tail taken off first: an edit touches a few lines of a
    long file, and SequenceMatcher over the whole of a 5,000-line module takes seconds."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    ops: list[tuple[str, int, int, int, int]] = [("equal", 0, head, 0, head)] if head else []
    middle = difflib.SequenceMatcher(None, old[head:len(old) - tail], new[head:len(new) - tail], autojunk=False)
    ops += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle.get_opcodes()]
    if tail:
        ops.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return ops


def _blank(line: str) -> bool:
    text = line.strip()
    return not text or text.startswith("#")


def only_blank(lines: list[str], span: tuple[int, int]) -> bool:
    return all(_blank(lines[n - 1]) for n in range(span[0], span[1] + 1))


def whole_defs(defs: dict[str, Def], lines: list[str], span: tuple[int, int]) -> bool:
    """Every non-blank line of `span` belongs to a function or class defined at module or class level and
    wholly inside it (or the span is empty)."""
    inside = [(d[0], d[1]) for d in defs.values() if d[3] and span[0] <= d[0] and d[1] <= span[1]]
    return all(_blank(lines[n - 1]) or any(s <= n <= e for s, e in inside)
               for n in range(span[0], span[1] + 1))


def changed_function(old_defs: dict[str, Def], new_defs: dict[str, Def], old_span: tuple[int, int],
                      i1: int, new_span: tuple[int, int], j1: int) -> str | None:
    """The innermost function (a class body is module-level code) holding the change on both sides."""
    holders = sorted((n for n, d in old_defs.items() if not d[4] and _within(d, old_span, i1)),
                     key=lambda n: -old_defs[n][0])
    for name in holders:
        new = new_defs.get(name)
        if new is not None and not new[4] and _within(new, new_span, j1):
            return name
    return None


def _within(outer: Def, span: tuple[int, int], gap: int) -> bool:
    if span[0] > span[1]:  # an empty span: an insertion or deletion just after line `gap`
        return outer[0] <= gap <= outer[1]
    return outer[0] <= span[0] and span[1] <= outer[1]
