"""Architecture: the project's import graph (grimp), its cycles, fan-in/fan-out and layer violations.

Cycles: for each internal import A -> B, grimp's shortest chain B -> ... -> A closes a cycle; each
distinct set of modules is reported once (rule `import-cycle`, medium). Layers: when `[tool.empathy]`
sets `layers` (highest first; each a module name, or a list of module names: one layer of independent
siblings, which may not import each other, as import-linter's `a | b`), grimp's illegal dependencies are
findings (rule `layer-violation`, medium). Fan-in of a module = internal modules importing it; fan-out = internal
modules it imports.

Score: 10 - 2 x cycles - 1 x layer violations, floored at 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean

from empathy_os.analyzer_spec import AnalyzerSpec, Kind
from empathy_os.analyzers._util import dist_version, load_json, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.project import packages
from empathy_os.proc import isolated_python, neutral_cwd, run_tool

NAME = "import_graph"
SPEC = AnalyzerSpec(name=NAME, distribution="grimp", measures="import cycles and layer violations",
                    kind=Kind.ARCHITECTURE, per_file=False)
# The worker's source, run with `python -I -c`: nothing of the project's folder (a package named
# `empathy_os` or `grimp` there) can shadow the worker or its imports, and since the worker does not import
# empathy_os, a project package of that name is found by grimp as the project's, not ours.
_WORKER = (Path(__file__).parent / "_grimp_worker.py").read_text(encoding="utf-8")


def module_path(ctx: ProjectContext, module: str, bases: dict[str, str]) -> str:
    """Project-relative file of a module, computed from its name (never by importing it)."""
    top = module.split(".")[0]
    base = bases.get(top, "")
    stem = "/".join(module.split("."))
    prefix = f"{base}/" if base else ""
    as_pkg = f"{prefix}{stem}/__init__.py"
    return as_pkg if (ctx.root / as_pkg).is_file() else f"{prefix}{stem}.py"


def _valid_layers(layers: object) -> bool:
    def name(x: object) -> bool:
        return isinstance(x, str) and bool(x.strip())

    return isinstance(layers, list) and all(
        name(layer) or (isinstance(layer, list) and layer and all(map(name, layer))) for layer in layers)


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    tool = dist_version("grimp")
    pkgs = packages(ctx)
    if not pkgs:
        return not_run(NAME, tool, f"no Python package (folder with __init__.py) in {ctx.root}")
    bases = {p.rsplit("/", 1)[-1]: (p.rsplit("/", 1)[0] if "/" in p else "") for p in pkgs}
    paths = sorted({str(ctx.root / b) if b else str(ctx.root) for b in bases.values()})
    layers = setting(ctx, "layers", [])
    if not _valid_layers(layers):
        return not_run(NAME, tool, "[tool.empathy] layers must be a list of module names or lists of module "
                                   f"names (independent siblings), got {layers!r}")
    spec = {"paths": paths, "packages": sorted(bases), "layers": layers}
    run = await run_tool(isolated_python(_WORKER, json.dumps(spec)), neutral_cwd(),
                         timeout=float(setting(ctx, "tool_timeout", 600)))
    if run.returncode != 0:
        return not_run(NAME, tool, f"grimp failed (exit {run.returncode}): {run.stderr.strip()[-300:]}")
    data = load_json(run.stdout, "grimp worker")
    if "error" in data:
        return not_run(NAME, tool, f"grimp could not build the import graph: {data['error']}")

    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        findings=_findings(ctx, data, bases),
        metrics=_metrics(data),
        score=max(0.0, 10.0 - 2 * len(data["cycles"]) - len(data["violations"])),
        score_formula="10 - 2 x import cycles - 1 x layer violations, floored at 0",
        scope=f"packages {', '.join(pkgs)} (internal imports only)",
    )


def _findings(ctx: ProjectContext, data: dict, bases: dict[str, str]) -> list[Finding]:
    """One finding per import cycle and per layer violation, at the line of its first import."""
    line_of = {(a, b): line for a, b, line in data["imports"]}
    findings = []
    for cycle in data["cycles"]:
        first, second = cycle[0], cycle[1]
        findings.append(Finding(
            tool="import_graph", rule="import-cycle", severity=Severity.MEDIUM,
            path=module_path(ctx, first, bases), line=max(1, line_of.get((first, second), 1)),
            symbol=first, message="import cycle: " + " -> ".join(cycle),
            extra={"cycle": cycle},
        ))
    for v in data["violations"]:
        chain = v["chain"]
        findings.append(Finding(
            tool="import_graph", rule="layer-violation", severity=Severity.MEDIUM,
            path=module_path(ctx, chain[0], bases), line=max(1, line_of.get((chain[0], chain[1]), 1)),
            symbol=chain[0], message=f"{v['importer']} (lower or sibling layer) depends on {v['imported']}: "
            + " -> ".join(chain), extra=v,
        ))
    return findings


def _metrics(data: dict) -> dict:
    modules, imports = data["modules"], data["imports"]
    fan_in = {m: 0 for m in modules}
    fan_out = {m: 0 for m in modules}
    for a, b, _ in imports:
        fan_out[a] += 1
        fan_in[b] += 1
    busiest_in = max(fan_in, key=fan_in.get) if modules else None
    busiest_out = max(fan_out, key=fan_out.get) if modules else None
    return {
        "modules": len(modules),
        "internal_imports": len(imports),
        "import_cycles": len(data["cycles"]),
        "layer_violations": len(data["violations"]),
        "max_fan_in": fan_in[busiest_in] if busiest_in else 0,
        "max_fan_in_module": busiest_in,
        "max_fan_out": fan_out[busiest_out] if busiest_out else 0,
        "max_fan_out_module": busiest_out,
        "avg_fan_out": round(mean(fan_out.values()), 3) if modules else 0.0,
    }
