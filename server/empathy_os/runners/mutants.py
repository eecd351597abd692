"""The boost's mutant runs (testgen/mutate.py): `launch.py mutants SPEC_FILE`, in the sandboxed copy.

SPEC_FILE: JSON {"jobs": [{"target", "source", "args", "weight"}], "parallel", "limit", "min_limit", "factor",
"tmp"}; each job runs pytest (`args`) with the module file `target` read as `source` (a mutant, or the
unmutated control). Prints one line "EMPATHY-MUTANTS " + JSON [[job index, exit code], ...].

pytest is configured once per lane of test files (plugins, conftests), and at collection a child is forked per
job, collecting only its test file, whose import of the target module reads the job's source (no file is
rewritten, so two lanes run at once). A group is one (target, test file): its control first, then its
mutants; the control's time sets the mutants' time limit (a hang is a kill). Groups whose runs differ only in
the test file, in the same folder (same conftests), are a family and share a configured pytest: up to
`parallel` lanes per family, at most `parallel` at once, each taking the family's groups from one queue, the
heaviest first. A group whose target was imported while pytest was configured (a conftest importing it) cannot
be swapped at collection: it runs the slow way, a fresh pytest per job.
"""

from __future__ import annotations

import fcntl
import gc
import importlib.machinery
import json
import os
import signal
import struct
import sys
import termios
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from .live_worker import preload
from .no_shrink import no_shrinking

MARK = "EMPATHY-MUTANTS "
F_SETPIPE_SZ = 1031  # fcntl names it from 3.10; this is the project's Python


# What this process (a lane, or a child forked for one job) is doing: `target` is the module file the next
# forked child reads `mutant` for.
state = SimpleNamespace(spec={}, groups=[], target=None, mutant=None, in_child=False)


class Loader(importlib.machinery.SourceFileLoader):
    def get_data(self, path):
        if os.path.realpath(path) == state.target:
            return state.mutant.encode("utf-8")
        if path.endswith(".pyc"):
            raise OSError("no bytecode for a mutant run")
        return super().get_data(path)


class Finder:
    @staticmethod
    def find_spec(name, path=None, _target=None):
        found = importlib.machinery.PathFinder.find_spec(name, path)
        if found is not None and found.origin and os.path.realpath(found.origin) == state.target:
            found.loader = Loader(name, found.origin)
        return found


def quiet():
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def child(args, limit, i):
    no_shrinking()
    # Each child its own basetemp: pytest empties basetemp at start, so two children sharing one race.
    args = [*args, "--basetemp=" + os.path.join(state.spec["tmp"], str(i))]
    sys.meta_path.insert(0, Finder)
    sys.dont_write_bytecode = True
    signal.alarm(limit)
    quiet()
    os._exit(int(pytest.main(args)))


def limit_after(control_seconds):
    # A hang is a kill, so the limit follows the machine's speed now (the control's time), not a
    # constant that a busy machine would turn into false kills.
    return max(state.spec["min_limit"], int(state.spec["factor"] * control_seconds) + 1)


def exit_code(status):
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def fork_group(group, out):
    """A child per job of the group, one after the other, the control first (its time sets the mutants'
    limit). Returns (job, index, time limit) in the child; in the parent, None once every child ended
    (their [index, exit code] appended to `out`)."""
    limit = state.spec["limit"]
    for n, i in enumerate(group):
        job = state.spec["jobs"][i]
        state.mutant, state.target = job["source"], os.path.realpath(job["target"])
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            return job, i, limit
        _, status = os.waitpid(pid, 0)
        out.append([i, exit_code(status)])
        if n == 0:
            limit = limit_after(time.monotonic() - started)
    return None


def take(queue):
    """The next group from a family's queue (a pipe filled before its lanes started, read by all of them:
    a 4-byte read of it is whole), or None when the others took the rest. Lanes that pull work end
    together, where lanes dealt in advance waited for the one that got the slow Hypothesis tests."""
    data = os.read(queue, 4)
    return state.groups[struct.unpack("i", data)[0]] if len(data) == 4 else None


def queued(queue):
    return struct.unpack("i", fcntl.ioctl(queue, termios.FIONREAD, b"\0\0\0\0"))[0]


class Forker:
    """pytest configured once per lane (with its family's first test file): at collection, a child is
    forked per job of each group it takes in turn (the group's control first); the child collects only
    its own test file (config.args) and imports its own mutant."""

    def __init__(self, queue, out):
        self.queue, self.out = queue, out

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session):
        loaded = {os.path.realpath(getattr(m, "__file__", None) or "") for m in list(sys.modules.values())}
        done, slow = [], []
        for group in iter(lambda: take(self.queue), None):
            if os.path.realpath(state.spec["jobs"][group[0]]["target"]) in loaded:
                slow.append(group)
                continue
            forked = fork_group(group, done)
            if forked is not None:  # the child: collect and run its own test file with its mutant
                self.become(session, *forked)
                return
        with open(self.out, "w", encoding="utf-8") as fh:
            json.dump({"done": done, "slow": slow}, fh)
        os._exit(0)

    @staticmethod
    def become(session, job, i, limit):
        state.in_child = True
        session.config.args = [job["args"][-1]]
        factory = getattr(session.config, "_tmp_path_factory", None)
        if factory is not None:  # pytest empties basetemp at start: each child its own
            factory._basetemp = None
            factory._given_basetemp = Path(state.spec["tmp"], str(i))
        signal.alarm(limit)


def lane_process(first, queue, k):
    out = os.path.join(state.spec["tmp"], f"lane-{k}.json")
    pid = os.fork()
    if pid == 0:
        no_shrinking()
        sys.meta_path.insert(0, Finder)
        sys.dont_write_bytecode = True
        quiet()
        job = state.spec["jobs"][first[0]]
        rc = int(pytest.main([*job["args"], "--basetemp=" + os.path.join(state.spec["tmp"], f"lane{k}")],
                             plugins=[Forker(queue, out)]))
        if state.in_child:
            os._exit(rc)
        # pytest stopped before collecting (a usage error): no job of the family can run here.
        rest = [[i, rc or 4] for group in iter(lambda: take(queue), None) for i in group]
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"done": rest, "slow": []}, fh)
        os._exit(0)
    return pid, out


def one_by_one(group):
    """A fresh pytest per job (the control first): the way for a target imported at configuration."""
    out = []
    forked = fork_group(group, out)
    if forked is not None:
        job, i, limit = forked
        child(job["args"], limit, i)
    return out


def queues():
    """One queue (a pipe) per family, filled with its groups heaviest first (by the weights given: a
    Hypothesis test runs all its examples on a surviving mutant); (first group, queue) per lane to start."""
    spec, grouped = state.spec, {}
    for i, job in enumerate(spec["jobs"]):
        grouped.setdefault((job["target"], *job["args"]), []).append(i)
    state.groups = list(grouped.values())
    families = {}
    for n, group in enumerate(state.groups):
        job = spec["jobs"][group[0]]
        families.setdefault((*job["args"][:-1], os.path.dirname(job["args"][-1])), []).append(n)
    lanes = []
    for members in families.values():
        queue, fill = os.pipe()
        data = b"".join(struct.pack("i", n) for n in
                        sorted(members, key=lambda n: -sum(spec["jobs"][i]["weight"] for i in state.groups[n])))
        if len(data) > 65536:  # all of it is written before any lane reads: the pipe must hold it
            fcntl.fcntl(fill, F_SETPIPE_SZ, len(data))
        os.write(fill, data)
        os.close(fill)
        lanes += [(state.groups[members[0]], queue)] * min(spec["parallel"], len(members))
    return lanes


def lane_answer(out):
    try:
        with open(out, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None  # the lane's process died: its jobs have no result, so they count as not judged


def run_lanes(pending):
    running, results, started = {}, [], 0
    while pending or running:
        while pending and len(running) < state.spec["parallel"]:
            first, queue = pending.pop(0)
            if not queued(queue):
                continue  # the family's lanes already running took all its groups
            started += 1
            pid, out = lane_process(first, queue, started)
            running[pid] = out
        if not running:
            break
        pid, _ = os.wait()
        answer = lane_answer(running.pop(pid))
        if answer is not None:
            results += answer["done"]
            for group in answer["slow"]:
                results += one_by_one(group)
    return results


def main(args):
    with open(args[0], encoding="utf-8") as fh:
        state.spec = json.load(fh)
    # pytest's plugins and Hypothesis imported once here (already, in a warm sandbox), so each forked
    # child only collects and runs.
    preload(os.getcwd(), ["hypothesis"])
    os.makedirs(state.spec["tmp"], exist_ok=True)  # pytest makes basetemp itself, not its parents
    gc.freeze()  # each child's gc.collect() then skips what is already imported (see warm_server.py)
    print(MARK + json.dumps(run_lanes(queues())))
    return 0
