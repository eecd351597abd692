"""Applying a unified diff in the private copy, and writing one.

Applying is `git apply`, used as a replacement for GNU patch (no repository needed): it is the reference
implementation of the format (exact context, creations, deletions, renames), applies all files or none,
refuses paths outside the working folder or through a symlink, and says which hunk failed. We do not parse
the diff ourselves (no `unidiff`): what a change did is measured afterwards, by comparing the copy's
files before and after, so a parser that disagreed with git could only add a second truth.

Strip level: `-p1` (`a/x.py`, what `git diff` writes) is tried first, then `-p0` (`x.py`, what
`diff -u` and `ruff --diff` write); the first that applies cleanly wins.

Writing: `difflib.unified_diff`, with git's `\\ No newline at end of file` marker that difflib omits.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from empathy_os.proc import run_tool


class PatchError(Exception):
    """The diff is unusable: malformed, or it does not apply to the project as it is."""


DEFAULT_MAX_PATCH_BYTES = 1_000_000


def max_patch_bytes(settings: dict) -> int:
    """`max_patch_bytes` of `[tool.empathy]` (a positive integer), else 1 MB."""
    value = settings.get("max_patch_bytes")
    if value is None:
        return DEFAULT_MAX_PATCH_BYTES
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"max_patch_bytes in [tool.empathy] must be a positive integer, not {value!r}")
    return value


def screen(diff: str, limit: int) -> None:
    """Refuse, before any copy or run, what no text check can judge: binary patches (git's base85
    `GIT binary patch`, NUL bytes, "Binary files differ") and patches over `limit` bytes (a 10 MB
    generated module took 27 s and 1.8 GB to verify)."""
    size = len(diff.encode("utf-8", "surrogateescape"))
    if size > limit:
        raise PatchError(f"the patch is {_size(size)}, over the {_size(limit)} limit "
                         "(max_patch_bytes in [tool.empathy], or --max-patch-bytes)")
    if "\0" in diff:
        raise PatchError("binary patch (NUL bytes): only text diffs can be verified")
    for line in diff.splitlines():
        if line.startswith("GIT binary patch") or (line.startswith("Binary files ") and line.endswith(" differ")):
            raise PatchError(f"binary patch ({line.strip()[:40]}): only text diffs can be verified")


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


@dataclass
class Applied:
    strip: int
    paths: list[str]  # what git says the diff touches (new names for renames)
    patch_file: Path


def sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _env(scratch: Path, copy: Path) -> dict[str, str]:
    # No repository discovery above the copy (a parent repo would make git apply skip "outside" paths),
    # and no user or system git config (an alias or apply.whitespace=fix would change the result).
    return {
        "GIT_CEILING_DIRECTORIES": str(copy.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "HOME": str(scratch),
        "LC_ALL": "C",
    }


async def _git_apply(copy: Path, patch_file: Path, scratch: Path, *args: str) -> tuple[int, str, str]:
    run = await run_tool(["git", "apply", "--whitespace=nowarn", "--recount", *args, str(patch_file)], copy, timeout=60,
                         env=_env(scratch, copy))
    return run.returncode, run.stdout, run.stderr


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("error:", "fatal:"))] or lines
    return "; ".join(e.removeprefix("error: ").removeprefix("fatal: ") for e in errors[:3]) or "git apply failed"


async def check_diff(copy: Path, diff: str, scratch: Path, name: str = "change.diff") -> Applied:
    """Check that `diff` applies cleanly to the folder `copy`, without changing it.

    Returns the strip level that works and the paths git says it touches; raises PatchError with git's
    reason otherwise.
    """
    if not diff.strip():
        raise PatchError("the diff is empty")
    patch_file = scratch / name
    patch_file.write_text(diff if diff.endswith("\n") else diff + "\n", encoding="utf-8")
    errors: list[str] = []
    for strip in (1, 0):
        code, _, err = await _git_apply(copy, patch_file, scratch, "--check", f"-p{strip}")
        if code == 0:
            code, out, err = await _git_apply(copy, patch_file, scratch, "--numstat", f"-p{strip}")
            if code == 0:
                paths = [line.split("\t", 2)[2] for line in out.splitlines() if line.count("\t") >= 2]
                return Applied(strip, paths, patch_file)
        errors.append(_first_error(err))
        if "No valid patches" in err or "corrupt patch" in err:
            break  # the same with either strip level
    raise PatchError(f"the diff does not apply: {errors[0]}")


async def apply_checked(copy: Path, checked: Applied, scratch: Path) -> None:
    code, _, err = await _git_apply(copy, checked.patch_file, scratch, f"-p{checked.strip}")
    if code != 0:
        raise PatchError(f"the diff does not apply: {_first_error(err)}")


def make_diff(path: str, before: str | None, after: str | None) -> str:
    """A git-style unified diff of one file (`None` = the file does not exist on that side)."""
    old = (before or "").splitlines(keepends=True)
    new = (after or "").splitlines(keepends=True)
    head_a = f"a/{path}" if before is not None else "/dev/null"
    head_b = f"b/{path}" if after is not None else "/dev/null"
    out: list[str] = []
    for line in difflib.unified_diff(old, new, head_a, head_b, n=3):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
        elif line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    if not out:
        return ""
    # git apply needs the mode line to read /dev/null as "no file" rather than as a path.
    mode = "new file mode 100644\n" if before is None else "deleted file mode 100644\n" if after is None else ""
    return f"diff --git a/{path} b/{path}\n{mode}" + "".join(out)


def changed_lines(before: str, after: str) -> list[tuple[int, int, bool]]:
    """What an edit did to `before`: (first, last, inserted) per edit, 1-based lines of `before`.

    A replacement or deletion of lines a..b gives (a, b, False); an insertion after line k gives
    (k, k, True) (k = 0: at the top of the file).
    """
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    ranges = []
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:
            ranges.append((i1, i1, True))
        else:
            ranges.append((i1 + 1, i2, False))
    return ranges
