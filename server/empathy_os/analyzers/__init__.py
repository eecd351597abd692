"""Real analyzers: one module per tool, each registered with its spec (analyzer_spec.py) in `base.REGISTRY`
on import; plug-ins from other distributions join on first use (plugins.py).

`run_analyzer(name, ctx)` is the one entry point the runtime uses: it applies the cache, times the run
and turns any failure into `AnalyzerResult(ran=False, error=...)`; it never raises (except cancellation).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from empathy_os.analyzers.specs import test_running

# Registration order is the order of the derived tables: the fix workflow starts with ruff's offline fixes,
# then security, documentation, complexity (analyzer_spec.fixers()).
# isort: off
from empathy_os.analyzers import ruff, bandit, docstrings, radon  # noqa: F401  (imported to fill REGISTRY)
# isort: on
from empathy_os.analyzers import (  # noqa: F401  (imported to fill REGISTRY)
    cache,
    code_smells,
    coverage,
    failing_tests,
    import_graph,
    plugins,
    test_durations,
)
from empathy_os.analyzers.contract import REGISTRY, AnalyzerResult, ProjectContext
from empathy_os.analyzers.project import load_project
from empathy_os.proc import ToolTimeout

__all__ = ["REGISTRY", "load_project", "run_analyzer", "run_analyzers"]


# How long the other analyzers wait for the test run to start (ProjectContext.tests_first): a bound, so that
# a slow preparation of the test run (a very large project) delays them at most this much.
TESTS_FIRST_WAIT = 2.0


async def run_analyzer(name: str, ctx: ProjectContext) -> AnalyzerResult:
    if ctx.provided is not None and name in ctx.provided:
        return ctx.provided[name]
    gate = ctx.tests_first
    if gate is None or name in test_running():
        return await _run_analyzer(name, ctx)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(gate.wait(), TESTS_FIRST_WAIT)
    return await _run_analyzer(name, ctx)


async def _run_analyzer(name: str, ctx: ProjectContext) -> AnalyzerResult:
    try:
        return await _run_analyzer_timed(name, ctx)
    finally:
        if ctx.tests_first is not None and name in test_running():
            ctx.tests_first.set()  # served from the cache, not run, or done: the others need not wait


async def _run_analyzer_timed(name: str, ctx: ProjectContext) -> AnalyzerResult:
    started = time.perf_counter()
    plugins.load()
    fn = REGISTRY.get(name)
    if fn is None:
        why = plugins.problems().get(name)
        return AnalyzerResult(analyzer=name, tool="none", ran=False,
                              error=f"analyzer plug-in {name!r} skipped: {why}" if why else
                              f"unknown analyzer {name!r} (known: {', '.join(sorted(REGISTRY))})")
    try:
        key = None
        if ctx.use_cache:
            key = await asyncio.to_thread(cache.cache_key, name, ctx)
            hit = await asyncio.to_thread(cache.load, ctx, name, key)
            if hit is not None:
                return hit.model_copy(update={"cached": True,
                                              "duration_seconds": time.perf_counter() - started})
        result = await fn(ctx)
        result = result.model_copy(update={"duration_seconds": time.perf_counter() - started,
                                           "cached": False})
        if key is not None and result.ran:
            await asyncio.to_thread(cache.store, ctx, name, key, result)
        return result
    except asyncio.CancelledError:
        raise
    except ToolTimeout as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001  (an analyzer bug must not take the whole report down)
        error = f"{name} failed: {type(exc).__name__}: {exc}"
    return AnalyzerResult(analyzer=name, tool="unknown", ran=False, error=error,
                          duration_seconds=time.perf_counter() - started)


async def run_analyzers(names: list[str], ctx: ProjectContext) -> dict[str, AnalyzerResult]:
    """Several analyzers concurrently (a convenience; the orchestration runtime has its own)."""
    results = await asyncio.gather(*(run_analyzer(n, ctx) for n in names))
    return dict(zip(names, results))
