"""Live coverage's warm interpreter: run BY PATH in the project's interpreter, it imports the test tools and
the third-party modules the project's tests import once, then forks a fresh child for every refresh.

    python live_worker.py '{"root": ..., "preload": ["hypothesis", "numpy", ...]}'

A refresh after a one-file edit re-runs a handful of tests; starting an interpreter and importing pytest,
its plugins and coverage costs more than those tests (0.5-1 s on a 2-CPU machine). Here that is paid once
per workspace. Only the standard library is imported before the preload, and nothing of the project: a
name whose module lives under the project root (outside a virtualenv in it) is skipped, and a project module
a third-party import pulled in anyway is dropped from `sys.modules`, so every child imports (and coverage
measures) the project's code as it is on disk now, exactly as a new process would. The child gets the
request's working folder, environment, argv and `sys.path[0]` as `python -c CODE ...` or `python FILE ...`
would, its output in files; whatever it imports dies with it.

Protocol (JSON lines): in {"id", "argv", "cwd", "env", "out", "err"}, {"kill": id} or {"reparse": true}
(see ParseCache); out {"ready": true, "preloaded": [...], "dropped": [...], "path": sys.path, "cached": n}
once, then {"id", "rc", "cpu"} per finished run. The spec's "measured" lists the files coverage reports.
End of stdin ends the worker (and SIGKILLs the runs still going).

Standard library only (it runs in the project's interpreter, which has nothing of Empathy installed).
"""

import atexit
import builtins
import gc
import json
import os
import runpy
import select
import signal
import sys
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def _under(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _environment_dirs():
    """Folders of installed code: under the project root they are a virtualenv, not project code."""
    import sysconfig

    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    for key in ("purelib", "platlib", "stdlib", "platstdlib"):
        dirs.add(sysconfig.get_path(key))
    return [os.path.realpath(d) for d in dirs if d]


def _is_project_file(path, root, env_dirs):
    real = os.path.realpath(path)
    return _under(real, root) and not any(_under(real, d) for d in env_dirs if not _under(root, d))


def _project_modules(root, env_dirs):
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and _is_project_file(path, root, env_dirs):
            found.append(name)
    return found


def _top_level_is_project(name, root, env_dirs):
    import importlib.util

    try:
        spec = importlib.util.find_spec(name.split(".")[0])
    except (ImportError, ValueError):
        return True  # unknown: leave it to the child
    if spec is None:
        return True
    places = [spec.origin] if spec.origin and spec.origin not in ("built-in", "frozen") else []
    places += list(spec.submodule_search_locations or [])
    return any(_is_project_file(p, root, env_dirs) for p in places)


def _tool_modules():
    """What pytest and coverage import lazily in every run: pytest's built-in plugins (imported when its
    config is made) and coverage's data and report modules."""
    names = ["sqlite3", "coverage.sqldata", "coverage.numbits", "coverage.jsonreport", "coverage.results",
             "coverage.parser", "coverage.regions", "coverage.python", "coverage.data"]
    try:
        from _pytest.config import default_plugins

        names += ["_pytest." + name for name in default_plugins]
    except Exception:  # noqa: BLE001, S110 - another pytest: the child imports what it needs itself
        pass
    for name in names:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001, S110 - an older coverage or pytest without it: nothing to preload
            pass
    _our_runners()


def _our_runners():
    """This folder as launch.py makes it (the package `_empathy_runners`) with the coverage driver imported:
    a child started as `launch.py coverage_driver SPEC` finds them loaded."""
    import importlib.util

    try:
        spec = importlib.util.spec_from_file_location("_empathy_launch", os.path.join(HERE, "launch.py"))
        launch = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(launch)
        package = launch.package(HERE)
        for name in ("recorder", "coverage_driver"):
            __import__(package.__name__ + "." + name)
    except Exception:  # noqa: BLE001, S110 - the child imports them itself, as a cold run does
        pass


def preload(root, names):
    """Import coverage, pytest, pytest's plugins and `names` (never project code); (imported, dropped)."""
    env_dirs = _environment_dirs()
    done = []
    for name in ["coverage", "pytest", *names]:
        if name in sys.modules or _top_level_is_project(name, root, env_dirs):
            continue
        try:
            __import__(name)
            done.append(name)
        except BaseException:  # noqa: BLE001, S110 - it fails in the test run too, where it is reported
            pass
    _tool_modules()
    try:
        from importlib.metadata import entry_points

        for entry in entry_points(group="pytest11"):
            try:
                entry.load()
            except BaseException:  # noqa: BLE001, S110 - pytest loads it again in the run and reports it
                pass
    except Exception:  # noqa: BLE001, S110 - broken metadata: the child loads the plugins itself
        pass
    dropped = _project_modules(root, env_dirs)
    for name in dropped:  # a plugin or library imported the project: the child imports it afresh
        del sys.modules[name]
    return done, dropped


def quiet_rewrite_warning(preloaded):
    """pytest warns that a module imported before it started cannot have its asserts rewritten (a plugin
    marked for rewriting); for what the preload imported that is our doing, not the project's, and a
    `filterwarnings = error` would make it fatal."""
    try:
        from _pytest.assertion.rewrite import AssertionRewritingHook as Hook
    except Exception:  # noqa: BLE001 - another pytest: its warning stays as it is
        return
    warn = Hook._warn_already_imported
    Hook._warn_already_imported = lambda self, name: None if name in preloaded else warn(self, name)


class ParseCache:
    """coverage.py's analysis of each measured file (its PythonParser, statements and arcs, and the code
    regions of the JSON report), made here between refreshes and inherited by every child: a refresh's
    report then parses only the files whose text changed since (on a project of many modules, the report
    parsed them all again, each time). A child uses an entry only when the file's text and the exclusion
    rules are exactly those it was made from, so its report is the one coverage.py would make anyway.
    Reading source files is all this does: no project code runs."""

    def __init__(self, files):
        import coverage
        from coverage.files import canonical_filename
        from coverage.python import PythonFileReporter

        parser = PythonFileReporter.__dict__.get("parser")
        if not isinstance(parser, property) or not hasattr(PythonFileReporter, "code_regions"):
            raise TypeError("another coverage.py: nothing cached")
        self.exclude = coverage.Coverage(config_file=True)._exclude_regex("exclude")
        self.files = sorted({canonical_filename(os.path.abspath(f)) for f in files})
        self.parsers, self.regions = {}, {}
        self._install(PythonFileReporter, parser.fget, PythonFileReporter.code_regions)

    def _install(self, reporter, parser, code_regions):
        cache = self

        def cached_parser(fr):
            if fr._parser is None:
                hit = cache.parsers.get(fr.filename)
                if hit is not None and hit.exclude == fr.coverage._exclude_regex("exclude") and hit.text == fr.source():
                    fr._parser = hit
            return parser(fr)

        def cached_regions(fr):
            hit = cache.regions.get(fr.filename)
            return hit[1] if hit is not None and hit[0] == fr.source() else code_regions(fr)

        reporter.parser = property(cached_parser)
        reporter.code_regions = cached_regions

    def refresh(self):
        """(Re)analyse the files whose text changed since their entry was made."""
        from coverage.parser import PythonParser
        from coverage.python import get_python_source
        from coverage.regions import code_regions

        for name in self.files:
            try:
                text = get_python_source(name)
                old = self.parsers.get(name)
                if old is not None and old.text == text:
                    continue
                made = PythonParser(text=text, filename=name, exclude=self.exclude)
                made.parse_source()
                made.arcs()
                self.parsers[name], self.regions[name] = made, (text, list(code_regions(text)))
            except Exception:  # noqa: BLE001 - not cached: the child's report analyses it (and says why)
                self.parsers.pop(name, None)
                self.regions.pop(name, None)


def child(req, null, prepare=None):
    """In the forked child: become `python -c CODE ...` (or `python -m MODULE ...`, `python FILE ...`) with the
    request's setting; `prepare(req)` first, once the child has the request's environment and files."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    os.dup2(null, 0)
    for fd, path in ((1, req["out"]), (2, req["err"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    atexit._clear()
    if prepare is not None:
        prepare(req)
    first, *args = req["argv"]
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    code = 0
    try:
        if first == "-c":
            sys.argv = ["-c", *args[1:]]
            sys.path.insert(0, "")
            exec(compile(args[0], "<string>", "exec"), main.__dict__)  # noqa: S102 - what `python -c` does
        elif first == "-m":
            sys.argv = [args[0], *args[1:]]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(args[0], run_name="__main__", alter_sys=True)
        else:
            sys.argv = [first, *args]
            sys.path.insert(0, os.path.dirname(os.path.abspath(first)))
            runpy.run_path(first, run_name="__main__")
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException:  # noqa: BLE001 - the interpreter's own last resort: print it, exit 1
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code & 0xFF)


def _exit_code(value):
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    print(value, file=sys.stderr)
    return 1


def _exit_status(status):
    """os.waitstatus_to_exitcode (Python 3.9+; the project's interpreter may be 3.8)."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


class Server:
    def __init__(self, reply_to, null, cache=None, prepare=None):
        self.out, self.null, self.cache, self.prepare = reply_to, null, cache, prepare
        self.running = {}  # pid -> request id
        self.buf = b""

    def reply(self, obj):
        self.out.write(json.dumps(obj) + "\n")
        self.out.flush()

    def serve(self):
        while True:
            ready, _, _ = select.select([0], [], [], 0.005 if self.running else 1.0)
            if ready:
                chunk = os.read(0, 1 << 16)
                if not chunk:
                    break
                self.buf += chunk
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    self.handle(json.loads(line))
            self.reap()
        for pid in list(self.running):
            self.kill(pid)

    def handle(self, req):
        if "reparse" in req:  # after a refresh, before the next one: the files edited meanwhile
            if self.cache is not None:
                self.cache.refresh()
            return
        if "kill" in req:
            for pid, rid in list(self.running.items()):
                if rid == req["kill"]:
                    self.kill(pid)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self.out.close()  # Empathy's pipe: the run must not reach it
            child(req, self.null, self.prepare)
        self.running[pid] = req["id"]

    @staticmethod
    def kill(pid):
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def reap(self):
        while self.running:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if pid == 0:
                return
            rid = self.running.pop(pid, None)
            if rid is None:
                continue
            try:
                os.killpg(pid, signal.SIGKILL)  # whatever the run left behind in its group
            except OSError:
                pass
            self.reply({"id": rid, "rc": _exit_status(status),
                        "cpu": usage.ru_utime + usage.ru_stime})


def serve(ready, cache=None, prepare=None):
    """Answer {"ready": true, **ready}, then fork a child per request until stdin ends (`prepare`: see child)."""
    reply_to = os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)  # nothing but replies may reach Empathy's pipe
    # What the preload imported is never garbage: frozen, a child's collections (pytest runs gc.collect()
    # several times) skip it, and its pages stay shared with the worker instead of being copied.
    gc.collect()
    gc.freeze()
    server = Server(reply_to, null, cache, prepare)
    server.reply({"ready": True, **ready})
    server.serve()


def main(args=None):
    """Run by path (`python live_worker.py SPEC`) or by runners/launch.py (`main([SPEC])`)."""
    spec = json.loads((sys.argv[1:] if args is None else args)[0])
    # Python put this folder (Empathy's) first on sys.path, or the launcher the working folder (the project):
    # neither is there while the tools are imported; a child puts the working folder back, as `python -c`.
    if sys.path and os.path.realpath(sys.path[0] or ".") in (os.path.realpath(HERE), os.getcwd()):
        sys.path.pop(0)
    root = os.path.realpath(spec["root"])
    done, dropped = preload(root, spec.get("preload") or [])
    cache = None
    try:
        cache = ParseCache(spec.get("measured") or [])
        cache.refresh()
    except Exception:  # noqa: BLE001, S110 - no coverage.py or another one: children analyse every file
        pass
    quiet_rewrite_warning(set(sys.modules))
    serve({"preloaded": done, "dropped": dropped, "path": list(sys.path),
           "cached": len(cache.parsers) if cache is not None else 0}, cache)


if __name__ == "__main__":
    main()
