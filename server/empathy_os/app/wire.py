"""Verdicts and fix reports with the bytes they write, as JSON: a verdict's `after_content` is kept out of its
dumps on purpose (reports and logs never carry file contents), but an editor's edit is made from it, so a
result that crosses a process (the daemon's worker) carries it here, base64."""

from __future__ import annotations

import base64
from typing import Any


def verdict_wire(verdict: Any) -> dict[str, Any]:
    return {**verdict.model_dump(mode="json"), "after_content": {
        path: None if data is None else base64.b64encode(data).decode("ascii")
        for path, data in verdict.after_content.items()}}


def verdict_from_wire(data: dict[str, Any]) -> Any:
    from empathy_os.changes.model import Verdict

    return Verdict.model_validate({**data, "after_content": {
        path: None if text is None else base64.b64decode(text) for path, text in data["after_content"].items()}})


def fix_report_wire(report: Any) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    for wire, result in zip(data["results"], report.results, strict=True):
        wire["verdict"] = verdict_wire(result.verdict)
    if report.change_set is not None:
        data["change_set"]["verdict"] = verdict_wire(report.change_set.verdict)
    return data


def fix_report_from_wire(data: dict[str, Any]) -> Any:
    from empathy_os.changes.workflow import FixReport

    results = [{**r, "verdict": verdict_from_wire(r["verdict"])} for r in data["results"]]
    whole = data.get("change_set")
    whole = whole and {**whole, "verdict": verdict_from_wire(whole["verdict"])}
    return FixReport.model_validate({**data, "results": results, "change_set": whole})
