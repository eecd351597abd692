"""Builds a grimp import graph in a separate process and prints it as JSON.

Separate because grimp locates packages through sys.path: the project's folders must come first on it,
and that must not leak into (or be shadowed by) the process running the analyzers. grimp parses source
files; it does not import or run the project's code.

Run as `python -I -B -c <this file's source> '<json: {"paths": [...], "packages": [...], "layers": [...]}>'`
(see import_graph): it must not import empathy_os, so that a project package of that name is the one grimp
finds.
"""

from __future__ import annotations

import json
import sys

import grimp

MAX_CYCLES = 200


def main() -> None:
    spec = json.loads(sys.argv[1])
    for p in reversed(spec["paths"]):
        sys.path.insert(0, p)
    try:
        graph = grimp.build_graph(*spec["packages"], cache_dir=None)
    except Exception as exc:  # noqa: BLE001  (grimp errors: syntax errors, missing packages)
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return
    modules = sorted(graph.modules)
    imports = []
    for m in modules:
        for imported in sorted(graph.find_modules_directly_imported_by(m)):
            details = graph.get_import_details(importer=m, imported=imported)
            line = min((d["line_number"] for d in details), default=1)
            imports.append([m, imported, line])
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for importer, imported, _ in imports:
        if len(cycles) >= MAX_CYCLES:
            break
        chain = graph.find_shortest_chain(importer=imported, imported=importer)
        if chain:
            key = frozenset(chain)
            if key not in seen:
                seen.add(key)
                cycles.append([importer, *chain])
    violations = []
    if spec.get("layers"):
        # A list is one layer of independent siblings (grimp's set).
        layers = tuple(set(layer) if isinstance(layer, list) else layer for layer in spec["layers"])
        for dep in graph.find_illegal_dependencies_for_layers(layers=layers, containers=set()):
            for route in dep.routes:
                chain = [min(route.heads), *route.middle, min(route.tails)]
                violations.append({"importer": dep.importer, "imported": dep.imported, "chain": chain})
    print(json.dumps({"modules": modules, "imports": imports, "cycles": cycles, "violations": violations}))


if __name__ == "__main__":
    main()
