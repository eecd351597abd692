"""`empathy.server.explainFinding`: what a rule means and how to fix it.

With an API key, the cheap tier explains the finding in its context (its source line); without one, or when
the model call fails, the answer is the tool's own rule documentation (bandit's plugin/blacklist docs,
`ruff rule`). The answer always says which of the two it is.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from empathy_os.lsp import command_ids as ids
from empathy_os.lsp.arguments import ExplainFindingArgs
from empathy_os.lsp.diagnostics import uri_to_path
from empathy_os.lsp.progress import guarded, link_request_cancel

if TYPE_CHECKING:
    from empathy_os.lsp.server import EmpathyServer

_BANDIT_RULE = re.compile(r"^B\d{3}$")
_DOC_END = re.compile(r"^\s*(:Example:|\*\*Config Options|\.\. seealso|\.\. versionadded|\.\. code-block)", re.MULTILINE)


def bandit_doc(rule: str) -> dict[str, Any] | None:
    from bandit.core import docs_utils, extension_loader

    manager = extension_loader.MANAGER
    if rule in manager.plugins_by_id:
        plugin = manager.plugins_by_id[rule]
        text = inspect.cleandoc(plugin.plugin.__doc__ or "")
        text = _DOC_END.split(text, maxsplit=1)[0].strip()
        title = plugin.name
    elif rule in manager.blacklist_by_id:
        entry = manager.blacklist_by_id[rule]
        title, text = entry["name"], entry["message"]
        if entry.get("qualnames"):
            text += "\n\nFlagged calls/imports: " + ", ".join(entry["qualnames"])
    else:
        return None
    return {"title": f"{rule} {title}", "text": text, "url": docs_utils.get_url(rule),
            "source": "bandit rule documentation"}


async def ruff_doc(rule: str) -> dict[str, Any] | None:
    from empathy_os.proc import run_tool, tool_bin

    try:
        run = await run_tool([tool_bin("ruff"), "rule", rule, "--output-format", "json"], cwd=Path.cwd(), timeout=10)
        data = json.loads(run.stdout) if run.returncode == 0 else None
    except (OSError, ValueError, RuntimeError):
        return None
    if not isinstance(data, dict):
        return None
    return {"title": f"{rule} {data.get('name', '')}".strip(), "text": data.get("explanation") or
            data.get("summary", ""), "url": f"https://docs.astral.sh/ruff/rules/{data.get('name', '')}/",
            "source": "ruff rule documentation"}


async def rule_documentation(rule: str) -> dict[str, Any]:
    if _BANDIT_RULE.match(rule):
        found = bandit_doc(rule)
        if found:
            return found
    found = await ruff_doc(rule)
    if found:
        return found
    return {"title": rule, "text": f"No documentation found for rule {rule}.", "url": None,
            "source": "none (unknown rule)"}


def _context(ls: EmpathyServer, uri: str | None, line: int | None) -> str:
    if not uri or not line:
        return ""
    path = uri_to_path(uri)
    if path is None:
        return ""
    try:
        lines = ls.workspace.get_text_document(uri).lines
    except (OSError, UnicodeDecodeError):
        return ""
    lo, hi = max(0, line - 4), min(len(lines), line + 3)
    return "".join(f"{n + 1:>5} {'>' if n + 1 == line else ' '} {lines[n]}" for n in range(lo, hi))


async def explain(ls, args: ExplainFindingArgs) -> dict[str, Any]:
    link_request_cancel(ls, asyncio.current_task())  # type: ignore[arg-type]
    doc = await rule_documentation(args.rule)
    result: dict[str, Any] = {"rule": args.rule, "message": args.message, **doc, "model": None,
                              "cost_usd": 0.0}
    from empathy_os.llm import ModelClient, ModelError, Tier

    client = ModelClient()
    if client.configured:
        snippet = _context(ls, args.uri, args.line)
        prompt = (f"Rule {args.rule}: {args.message or doc['title']}\n\nRule documentation:\n{doc['text'][:2000]}\n"
                  + (f"\nCode (the flagged line is marked >):\n{snippet}\n" if snippet else "")
                  + "\nExplain in under 150 words why this is a problem here and how to fix it.")
        try:
            reply = await client.complete(Tier.CHEAP, "You explain static-analysis findings to a Python developer.",
                                          prompt, max_tokens=400)
            result.update(text=reply.text, source=f"model {reply.model} (cheap tier)", model=reply.model,
                          cost_usd=reply.cost_usd)
        except ModelError as exc:
            result["model_error"] = exc.reason
    else:
        result["model_error"] = "no ANTHROPIC_API_KEY configured; showing the rule documentation"
    first = result["text"].strip().split("\n\n")[0]
    ls.show(f"{result['title']}: {first[:400]}" + (f" ({result['url']})" if result.get("url") else "")
            + f" [{result['source']}]", types.MessageType.Info)
    return result


def register(ls: EmpathyServer) -> None:
    @ls.command(ids.EXPLAIN_FINDING)
    @guarded
    async def explain_finding(ls, args: ExplainFindingArgs) -> dict[str, Any]:
        return await explain(ls, args)
