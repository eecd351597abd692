"""One change set: the changes of a run combined and verified together, then written together.

Verifying each change alone proves nothing about writing them all: two changes to one file were each
checked against the original, and `--apply` could write only the first (the file then differs from what
the second was verified against). So the changes are combined — their diffs applied one after another in
the copy, `git apply` finding each hunk by its context — into one change, and that change is verified once
(one copy, one suite run). Only when the set fails is it split in halves and each half verified, down to
the changes that fail alone (a bisect: about 2·log2(n) more runs for one bad change among n); the good ones
are combined and verified again. A change whose diff does not apply on top of the others is verified in a
set of its own; a verified set that cannot be verified together with the main one stays out of it, with
that reason, for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind, Region, Verdict
from empathy_os.changes.patch import PatchError, apply_checked, check_diff, make_diff


class ChangeSet(BaseModel):
    """The verified set: what `--apply` writes, in one go."""

    ids: list[str]
    members: list[Change]
    change: Change  # the combined change
    verdict: Verdict


@dataclass
class SetResult:
    main: ChangeSet | None = None
    rejected: list[tuple[Change, Verdict]] = field(default_factory=list)  # each failed alone
    apart: list[tuple[Change, Verdict, str]] = field(default_factory=list)  # verified, but not with the set
    runs: int = 0  # verifications made (each one suite run at most)


def _read(path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "replace")


async def combine(verifier: Verifier, changes: list[Change]) -> tuple[Change | None, list[Change], list[Change]]:
    """(the changes as one change, those in it, those whose diff does not apply on top of the others)."""
    copy, scratch = verifier.sandbox.copy, verifier.sandbox.base / "data"
    merged: list[Change] = []
    apart: list[Change] = []
    originals: dict[str, bytes | None] = {}
    async with verifier.exclusive():
        try:
            for n, change in enumerate(changes):
                try:
                    checked = await check_diff(copy, change.diff, scratch, name=f"set-{n}.diff")
                    for p in checked.paths:
                        originals.setdefault(p, _read(copy / p))
                    await apply_checked(copy, checked, scratch)
                except PatchError:
                    apart.append(change)
                    continue
                merged.append(change)
            diff = "".join(make_diff(p, _text(originals[p]), _text(_read(copy / p))) for p in sorted(originals))
        finally:
            for p, data in originals.items():
                if data is None:
                    (copy / p).unlink(missing_ok=True)
                else:
                    (copy / p).write_bytes(data)
    if not merged:
        return None, [], apart
    if len(merged) == 1:
        return merged[0], merged, apart
    return _as_one(merged, diff), merged, apart


def _as_one(members: list[Change], diff: str) -> Change:
    kinds = {c.kind for c in members}
    regions: list[Region] | None = []
    for c in members:
        regions = None if regions is None or c.regions is None else regions + c.regions
    files = None if any(c.files is None for c in members) else sorted({p for c in members for p in c.files})
    return Change(
        id=f"set:{len(members)}", agent="change_set", kind=kinds.pop() if len(kinds) == 1 else ChangeKind.FIX,
        diff=diff, findings=[f for c in members for f in c.findings], files=files, regions=regions,
        improves=sorted({p for c in members for p in c.improves}),
        description=f"{len(members)} changes verified together: " + "; ".join(c.id for c in members),
        source="; ".join(dict.fromkeys(c.source for c in members if c.source)),
        cost_usd=sum(c.cost_usd for c in members))


async def _settle(verifier: Verifier, group: list[Change], out: SetResult,
                  verified: list[tuple[Change, list[Change], Verdict]]) -> None:
    """Verify `group` as one change; on failure bisect it. Verified sub-sets go to `verified`."""
    combined, merged, apart = await combine(verifier, group)
    if combined is None:  # not even the first applies to the unchanged copy
        bad = apart.pop(0)
        out.rejected.append((bad, await verifier.verify(bad)))
        out.runs += 1
    else:
        verdict = await verifier.verify(combined)
        out.runs += 1
        if verdict.verified:
            verified.append((combined, merged, verdict))
        elif len(merged) == 1:
            out.rejected.append((merged[0], verdict))
        else:
            half = len(merged) // 2
            await _settle(verifier, merged[:half], out, verified)
            await _settle(verifier, merged[half:], out, verified)
    if apart:
        await _settle(verifier, apart, out, verified)


async def verify_set(verifier: Verifier, changes: list[Change]) -> SetResult:
    out = SetResult()
    if not changes:
        return out
    verified: list[tuple[Change, list[Change], Verdict]] = []
    await _settle(verifier, changes, out, verified)
    while len(verified) > 1:  # parts verified apart: verified together, or the biggest part is the set
        members = [c for _, part, _ in verified for c in part]
        combined, merged, apart = await combine(verifier, members)
        verdict = await verifier.verify(combined) if combined is not None and not apart else None
        out.runs += verdict is not None
        if verdict is not None and verdict.verified:
            verified = [(combined, merged, verdict)]
            break
        verified.sort(key=lambda v: len(v[1]), reverse=True)
        for _, part, v in verified[1:]:
            why = ("its diff does not apply on top of the set's" if apart or combined is None
                   else "verified alone, but the set with it was not: run fix again after applying the set")
            out.apart += [(c, v, why) for c in part]
        verified = verified[:1]
    if verified:
        combined, merged, verdict = verified[0]
        out.main = ChangeSet(ids=[c.id for c in merged], members=merged, change=combined, verdict=verdict)
    return out
