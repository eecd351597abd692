"""The .vsix with the daemon inside: its size, and the first start on this machine.

    .venv/bin/python bench/extension_bundle_bench.py [--runs 3] [--python python3]

Needs `npm run package` first (vscode-extension/daemon/ and the .vsix). Each run does what the extension
does on first start (vscode-extension/src/daemonEnv.ts), with real processes: `python -m venv
--without-pip`, then pip from the bundled pip wheel installs the wheels chosen for this Python when the
.vsix was built (`--no-index --no-deps`); then the daemon's import check the extension runs on every start (the "later
start" cost). Goal: first start ≤ 30 s. Prints a table (best and median of the runs, and the load
average, since the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXT = REPO / "vscode-extension"
PROBE = "import sys, empathy_os; print(getattr(empathy_os, '__version__', '?'), sys.version.split()[0])"


CPU: list[float] = []  # user + system seconds of each timed command (what an idle machine would need)


def _timed(cmd: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default="python3", help="base interpreter, as the extension finds it on PATH")
    args = parser.parse_args()
    manifest_file = EXT / "daemon" / "manifest.json"
    if not manifest_file.is_file():
        print("no vscode-extension/daemon/ bundle: run `npm run package` first", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_file.read_text())
    wheels = EXT / "daemon" / "wheels"
    vsix = EXT / f"empathy-vscode-{manifest['target']}.vsix"
    base = shutil.which(args.python) or args.python

    venv_s, install_s, probe_s, env_mb = [], [], [], 0.0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="empathy-env-bench-") as tmp:
            env = Path(tmp) / "daemon-env"
            venv_s.append(_timed([base, "-I", "-m", "venv", "--without-pip", str(env)]))
            python = str(env / "bin" / "python")
            minor = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                   check=True, capture_output=True, text=True).stdout.strip()
            # As the extension does: the wheels chosen at build time for this Python, with --no-deps.
            files = [str(wheels / w) for w in manifest["install"][minor]]
            install_s.append(_timed([python, str(wheels / manifest["pipWheel"] / "pip"), "install", "--no-index",
                                     "--no-deps", "--no-compile", "--disable-pip-version-check", "--no-input",
                                     "--isolated", *files]))
            probe_s.append(min(_timed([python, "-c", PROBE]) for _ in range(3)))
            env_mb = _size(env) / 1e6

    # CPU seconds per run (timed commands per run: venv, install, three import checks).
    start_cpu = [v + i + p for v, i, p in zip(CPU[0::5], CPU[1::5], CPU[2::5], strict=True)]

    def row(name: str, values: list[float]) -> str:
        return f"| {name:<38} | {min(values):>7.1f} s | {statistics.median(values):>7.1f} s |"

    total = [a + b + c for a, b, c in zip(venv_s, install_s, probe_s, strict=True)]
    print(f"Bundle for {manifest['target']}: {manifest['wheels']} wheels, CPython {', '.join(manifest['pythonVersions'])}")
    print(f"| {'figure':<38} | {'value':>9} |")
    print(f"|{'-' * 40}|{'-' * 11}|")
    print(f"| {'.vsix size':<38} | {vsix.stat().st_size / 1e6:>6.1f} MB |" if vsix.is_file() else "| .vsix missing |")
    print(f"| {'bundled wheels':<38} | {_size(wheels) / 1e6:>6.1f} MB |")
    print(f"| {'environment on disk after install':<38} | {env_mb:>6.1f} MB |")
    print()
    print(f"| {'first start, ' + str(args.runs) + ' runs (base ' + Path(base).name + ')':<38} | {'best':>9} | {'median':>9} |")
    print(f"|{'-' * 40}|{'-' * 11}|{'-' * 11}|")
    print(row("venv --without-pip", venv_s))
    print(row("pip install from bundled wheels", install_s))
    print(row("import check (every start)", probe_s))
    print(row("total first start (goal ≤ 30 s)", total))
    print(row("  its CPU time (user + system)", start_cpu))
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
