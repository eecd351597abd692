"""`empathy verify PATCH_FILE`: would this change pass? The same verification as `fix`, for any diff."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from empathy_os.cli import common


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verify", help="verify a patch in a private copy of the project (writes nothing)",
        description="Applies PATCH_FILE (a unified diff; '-' reads standard input) to a private copy of the "
                    "project and measures it: parses, no new bandit/ruff findings on the touched files, "
                    "the tests pass (a failing test is re-run to tell flaky from broken), coverage of the "
                    "touched files not lower. The project's tests judge the patch as they were before it: a patch "
                    "that edits or deletes an existing test, a conftest.py, the pytest/coverage configuration, "
                    "or adds skip/xfail markers is rejected; new tests it adds must pass and are reported as "
                    "additions. Exit 0 verified, 1 rejected (reasons printed), 2 bad input (a patch that does "
                    "not apply, a binary patch, a patch over the size limit).")
    p.add_argument("patch_file", metavar="PATCH_FILE")
    p.add_argument("--max-patch-bytes", type=_positive_int, metavar="BYTES",
                   help="refuse larger patches (default: max_patch_bytes in [tool.empathy], else 1000000)")
    common.add_project_options(p, max_cost=False, json_of="verdict")
    p.set_defaults(handler=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def _read_patch(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    path = Path(name).expanduser()
    if not path.is_file():
        raise common.UsageError(f"patch file {name!r} does not exist" if not path.exists()
                                else f"{name!r} is not a file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise common.UsageError(f"patch file {name!r} is not UTF-8 text") from None
    except OSError as exc:
        raise common.UsageError(f"cannot read patch file {name!r}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from empathy_os.app.requests import VerifyRequest

    root = common.project_root_arg(args.project_root)
    request = common.request(VerifyRequest, root=root, patch=_read_patch(args.patch_file), python=args.python,
                             trusted=True, max_patch_bytes=args.max_patch_bytes)
    result = common.execute(request)
    if result.usage_error:
        raise common.UsageError(f"{args.patch_file}: {result.usage_error}")
    verdict = result.verdict
    if args.json:
        common.print_json({"patch": args.patch_file, **verdict})
    else:
        print(f"{'VERIFIED' if verdict['verified'] else 'REJECTED'}: {args.patch_file} "
              f"({', '.join(verdict['touched']) or 'no file changed'})")
        for c in result.wire["checks"]:
            print(f"  {c['name']}: {'ok' if c['passed'] else 'FAILED'} — {c['detail']}")
    return result.exit_code
