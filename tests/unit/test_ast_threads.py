"""Parsing in several threads at once: the CPython 3.11 AST counter race (see empathy_os.astlock).

The race needs a thread switch inside `ast.parse`. A garbage-collector finalizer that waits makes it
happen every time: thread A's parse triggers a collection, whose finalizer lets thread B parse, then A
goes on with a counter B has reset. Each scenario runs in a fresh interpreter, which controls the GC.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SCENARIO = textwrap.dedent('''
    import ast, gc, json, sys, threading
    if sys.argv[1] == "empathy":
        import empathy_os  # noqa: F401  installs the lock, as every entry point does
    src = "\\n".join(f"def f{i}(a):\\n    return [a + {i} for _ in range(3)]\\n" for i in range(50))
    inside, b_done = threading.Event(), threading.Event()
    errors = []

    class Finalized:
        def __del__(self):
            inside.set()
            b_done.wait(1)  # with the lock, B waits for A: give up after 1 s rather than deadlock

    def parse(text):
        try:
            ast.parse(text)
        except SystemError as exc:
            errors.append(str(exc))

    def a():
        gc.collect()
        cycle = Finalized()
        cycle.me = cycle
        del cycle
        gc.set_threshold(50)  # the next collection falls inside ast.parse's conversion of src
        parse(src)

    def b():
        inside.wait(5)
        parse("x = [1, (2, {3: 4})]")
        b_done.set()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"finalizer_ran": inside.is_set(), "errors": errors}))
''')


def run(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", SCENARIO, mode], check=False, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the race is shown on the CPython we ship on")
def test_the_scenario_reproduces_the_cpython_race_without_the_lock():
    result = run("plain")
    assert result["finalizer_ran"]
    assert result["errors"] and "recursion depth mismatch" in result["errors"][0]


def test_with_empathy_imported_concurrent_parses_never_fail():
    for _ in range(3):
        result = run("empathy")
        assert result == {"finalizer_ran": True, "errors": []}


def test_the_locked_parse_is_still_ast_parse():
    import ast

    import empathy_os  # noqa: F401

    assert ast.parse.__name__ == "parse" and ast.parse._empathy_locked
    assert ast.dump(ast.parse("x = 1", mode="exec")) == "Module(body=[Assign(targets=[Name(id='x', ctx=Store())], value=Constant(value=1))], type_ignores=[])"
    assert ast.literal_eval("[1, {'a': (2,)}]") == [1, {"a": (2,)}]
    with pytest.raises(SyntaxError):
        ast.parse("def (:")
