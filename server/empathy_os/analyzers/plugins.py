"""Third-party analyzers: distributions declaring an entry point in the group `empathy_os.analyzers`.

    [project.entry-points."empathy_os.analyzers"]
    profiler = "empathy_profiler"          # a module whose import registers the analyzer `profiler`

The entry point's name is the analyzer's name; loading it imports the module, whose `@register(SPEC)`
adds the analyzer and its spec like a built-in's. Loaded once per process, on first need (not at start-up).
A plug-in that cannot be imported, registers nothing under its name, or would replace a built-in analyzer
is skipped and named in `problems()` with the reason; it never stops the others or the run.
"""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint, entry_points

from empathy_os.analyzer_spec import SPECS

GROUP = "empathy_os.analyzers"

_lock = threading.Lock()
_loaded: dict[str, str] = {}  # analyzer name -> "dist version" of the plug-in that provides it
_problems: dict[str, str] = {}  # entry-point name -> why it was skipped
_done = False


def load() -> None:
    """Import every plug-in once (thread-safe; later calls return at once)."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        import empathy_os.analyzers  # noqa: F401  (the built-ins first: a plug-in may not take their names)
        from empathy_os.analyzers.contract import REGISTRY

        builtins = set(REGISTRY)
        for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
            why = _load_one(ep, builtins, REGISTRY)
            if why is not None:
                _problems[ep.name] = why
        _done = True


def _load_one(ep: EntryPoint, builtins: set[str], registry: dict) -> str | None:
    dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "an unknown distribution"
    if ep.name in builtins:
        return f"from {dist}: would replace the built-in analyzer {ep.name!r}"
    before = dict(registry), dict(SPECS)
    try:
        ep.load()
    except Exception as exc:  # noqa: BLE001  (a broken plug-in is skipped and named, never fatal)
        _forget(registry, before)
        return f"from {dist}: cannot be loaded: {type(exc).__name__}: {exc}"
    replaced = sorted(n for n in before[0] if registry.get(n) is not before[0][n])
    if replaced:
        _forget(registry, before)
        return f"from {dist}: would replace the analyzer(s) {', '.join(replaced)}"
    if ep.name not in registry:
        _forget(registry, before)
        return f"from {dist}: {ep.value!r} registered no analyzer named {ep.name!r}"
    _loaded[ep.name] = dist
    return None


def _forget(registry: dict, before: tuple[dict, dict]) -> None:
    """Undo what a skipped plug-in registered (it is all or nothing)."""
    for now, then in ((registry, before[0]), (SPECS, before[1])):
        now.clear()
        now.update(then)


def problems() -> dict[str, str]:
    """Plug-ins skipped, by entry-point name: why."""
    load()
    return dict(_problems)


def loaded() -> dict[str, str]:
    """Analyzer name → the plug-in distribution that provides it."""
    load()
    return dict(_loaded)
