"""The boost's candidate runs (testgen/measure.py): `launch.py batch SPEC_FILE`, many candidate files run
several times in one pytest session under coverage.py, each test in its own coverage context.

SPEC_FILE: JSON {"out", "include": [paths measured], "measure": bool, "watch": [folders], "args": [pytest's]}.
Per test (the shared recorder): the outcome of each run, the text of a failure, the files of `watch` that
changed while it ran (so a write is pinned on the test that made it), and a mark in the sandbox guard's log
before it (so what the guard records is pinned too). Written to `out`: {"rc", "outcomes", "errors" (collection
errors), "writes", "files": {path: {context: {"lines", "arcs"}}}, "longrepr"}.
"""

from __future__ import annotations

import json
import os
import re
import sys

import coverage
import pytest

from .no_shrink import no_shrinking
from .recorder import Recorder

SKIP = {"__pycache__", ".pytest_cache", ".hypothesis"}


def snapshot(tops):
    snap = {}
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d not in SKIP]
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                snap[path] = (st.st_mtime_ns, st.st_size)
    return snap


class Watch(Recorder):
    """The recorder, plus the guard's mark and the files written around each test."""

    def __init__(self, cov, watch, guard):
        super().__init__(cov, failures=True)
        self.watch, self.guard, self.writes, self.before = watch, guard, {}, {}

    def enter(self, item):
        if self.guard is not None and hasattr(self.guard, "mark"):
            self.guard.mark(item.nodeid)
        self.before = snapshot(self.watch)

    def leave(self, item):
        after = snapshot(self.watch)
        changed = sorted(k for k in set(self.before) | set(after) if self.before.get(k) != after.get(k))
        if changed:
            self.writes.setdefault(item.nodeid, []).extend(changed)


def per_test(data):
    """path -> context -> {"lines", "arcs"} of the measured data."""
    files = {}
    for f in data.measured_files():
        contexts = {}
        for line, names in (data.contexts_by_lineno(f) or {}).items():
            for name in names:
                contexts.setdefault(name, {"lines": [], "arcs": []})["lines"].append(line)
        for name, entry in contexts.items():
            data.set_query_contexts(["^" + re.escape(name) + "$"])
            entry["arcs"] = sorted(data.arcs(f) or [])
        data.set_query_contexts(None)
        files[f] = contexts
    return files


def _trimmed(text):
    # Head and tail: Hypothesis' falsifying example can sit far above the final error.
    return text if len(text) <= 6000 else text[:3000] + "\n...\n" + text[-3000:]


def main(args):
    with open(args[0], encoding="utf-8") as fh:
        spec = json.load(fh)
    no_shrinking()
    guard = sys.modules.get("_empathy_sandbox_guard")  # the sandbox's sitecustomize loads it in every run
    cov = coverage.Coverage(data_file=None, branch=True, include=spec["include"], config_file=False)
    recorder = Watch(cov if spec["measure"] else None, spec["watch"], guard)
    sys.argv = ["pytest"]
    if spec["measure"]:
        cov.start()
    try:
        rc = int(pytest.main(spec["args"], plugins=[recorder]))
    finally:
        if spec["measure"]:
            cov.stop()
    with open(spec["out"], "w", encoding="utf-8") as fh:
        json.dump({"rc": rc, "outcomes": recorder.runs(),
                   "errors": {node: text[-3000:] for node, text in recorder.collect_errors.items()},
                   "writes": recorder.writes, "files": per_test(cov.get_data()) if spec["measure"] else {},
                   "longrepr": {node: _trimmed(text) for node, text in recorder.failures.items()}}, fh)
    return 0
