"""`empathy orchestrate release-prep`: run the release gates on a project and report."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from empathy_os.cli import common
from empathy_os.gate_specs import GATE_SPECS

# Only the standard library and the light modules above are imported before an unchanged re-run is answered
# (app/replay.py); pydantic, asyncio and the workflows are imported when the use case really runs.


def register(subparsers) -> None:
    p = subparsers.add_parser("release-prep", help="run the release quality gates on a project",
                              description="Security, coverage, quality and docs agents in parallel, "
                                          "then quality gates. Exit 0 approved, 1 not approved, 2 bad usage.")
    common.add_project_options(p, untrusted="skips coverage")
    add_gate_options(p)
    p.add_argument("--shard", metavar="K/N", help="run only the K-th of N shards of the tests (shard 1 also runs "
                   "the static analyzers) and keep its raw results in --shard-dir for `orchestrate merge`")
    p.add_argument("--shard-dir", metavar="DIR", help="with --shard: a new folder for the shard's results")
    p.add_argument("--sarif", metavar="FILE", help="also write findings as SARIF 2.1.0 to FILE")
    p.add_argument("--no-cache", action="store_true", help="re-run every analyzer")
    p.add_argument("--fix", action="store_true", help="compose the agents that can move the failed gates, "
                   "verify their changes and show the gates with the whole set applied (measured on a copy; "
                   "writes nothing without --apply)")
    p.add_argument("--apply", action="store_true", help="with --fix: write the verified change set, then "
                   "re-measure the project; the exit code is that verdict")
    p.set_defaults(handler=run)


def add_gate_options(p: argparse.ArgumentParser) -> None:
    for gate in GATE_SPECS:
        p.add_argument(gate.flag, dest=gate.name, metavar="N", help=gate.help,
                       type=common.non_negative_int if gate.whole
                       else common.bounded_float(gate.low, gate.high))


def run(args: argparse.Namespace) -> int:
    if args.shard is not None or args.shard_dir is not None:
        from empathy_os.cli.merge import run_shard

        return run_shard(args)
    started = time.perf_counter()
    root = common.project_root_arg(args.project_root)
    sarif = sarif_target(args.sarif) if args.sarif else None
    if args.apply and not args.fix:
        raise common.UsageError("--apply writes the change set of --fix: use --fix --apply")
    gates = {gate.name: getattr(args, gate.name) for gate in GATE_SPECS if getattr(args, gate.name) is not None}
    if not (args.no_cache or args.fix or sarif) and (code := replayed(root, gates, args, started)) is not None:
        return code
    from empathy_os.app.requests import ReleaseFixRequest, ReleasePrepRequest

    fields = {"root": root, "python": args.python, "trusted": not args.untrusted, "max_cost": args.max_cost,
              "gates": gates, "use_cache": not args.no_cache, "sarif": sarif is not None}
    request = (common.request(ReleaseFixRequest, **fields, apply=args.apply) if args.fix
               else common.request(ReleasePrepRequest, **fields))
    result = common.execute(request)
    # The report is printed first: a SARIF file that cannot be written must not cost the user the run.
    code = common.show(result, as_json=args.json)
    sys.stdout.flush()
    if sarif is not None:
        try:
            write_sarif(sarif, result.sarif)
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise common.UsageError(f"--sarif: cannot write {sarif}: {why}") from None
    return code


def replayed(root: Path, gates: dict, args: argparse.Namespace, started: float) -> int | None:
    """An unchanged re-run answered before pydantic, asyncio and the workflows are imported (0.05 s instead
    of 0.15 s: the imports are most of it). The use case makes the same lookup with the same key
    (app/release_prep.py), so every front end gets the replay; this is only the CLI's early door to it."""
    from empathy_os.app import replay

    run_key = replay.key(root, replay.options(root, python=args.python, gates=gates, max_cost=args.max_cost,
                                              trusted=not args.untrusted))
    stored = replay.lookup(root, run_key, started=started) if run_key is not None else None
    if stored is None:
        return None
    if args.json:
        common.print_json(stored["report"])
    else:
        print(stored["text"])
    return 0 if stored["approved"] else 1


def sarif_target(value: str) -> Path:
    """Check --sarif before the run: a writable place, and never a file that is not a SARIF report."""
    path = Path(value).expanduser()
    if path.is_dir():
        raise common.UsageError(f"--sarif: {path} is a folder")
    if not path.parent.is_dir():
        raise common.UsageError(f"--sarif: folder {path.parent} does not exist")
    if path.exists() and not is_sarif(path):
        raise common.UsageError(f"--sarif: {path} exists and is not a SARIF report; refusing to overwrite it")
    import tempfile

    try:  # really try (permission bits say little to root, a read-only mount, /proc, ...)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".empathy-sarif-"):
            pass
    except OSError as exc:
        raise common.UsageError(f"--sarif: cannot write in {path.parent}: {exc.strerror or exc}") from None
    return path


def is_sarif(path: Path) -> bool:
    """An empty file, or JSON with SARIF's `version` and `runs`: what we may replace."""
    try:
        if not path.is_file():
            return False
        if path.stat().st_size == 0:
            return True
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("version", "")).startswith("2.") and "runs" in data


def write_sarif(path: Path, document: dict) -> None:
    """Atomically (temp file + rename): a failed write never leaves half a report."""
    import tempfile

    if path.exists() and not is_sarif(path):  # it changed during the run
        raise ValueError(f"{path} is no longer a SARIF report; not overwritten")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".empathy-sarif-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
