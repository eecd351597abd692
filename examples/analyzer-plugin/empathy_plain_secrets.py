"""plain_secrets: a literal string assigned to a name that says password, secret or token.

A complete Empathy analyzer plug-in: this module and one entry-point line in its pyproject.toml.
"""

import ast
from importlib.metadata import version

from empathy_os.analyzer_spec import SECURITY_LEVELS, AnalyzerSpec, Kind
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.project import rel, source_files

SPEC = AnalyzerSpec(
    name="plain_secrets",  # the entry point's name, and `Finding.tool` of its findings
    distribution="empathy-plain-secrets",  # its version names the tool and keys Empathy's cache
    measures="literal secrets assigned in the sources",
    kind=Kind.SECURITY,  # a critical security finding vetoes a debate
    on_save=True,  # the editor re-runs it on a file when opened or saved
    prior_seconds=0.2,  # for the planner's time estimate
    joins=("security_auditor",),  # the agent whose runs include it: release prep, plans
    counts_critical=True,  # its CRITICAL findings count in the max_critical_issues gate
    fixer="security_auditor",  # the agent that proposes verified fixes for its findings
    fix_title="Move the `{rule}` secret out of the code (verified)",  # the editor's code action
    levels=SECURITY_LEVELS,  # critical → Error in the Problems panel, the rest Warning
)
WORDS = ("password", "secret", "token")


def _secrets(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name) and any(w in target.id.lower() for w in WORDS):
                    yield node, target.id


def _parse(path) -> ast.AST:
    try:
        return ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return ast.Module(body=[], type_ignores=[])  # ruff reports the syntax error; nothing to say here


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    files = source_files(ctx)  # the project's sources (tests excluded); one file on save
    findings = [
        Finding(tool="plain_secrets", rule="PS001", severity=Severity.CRITICAL, path=rel(ctx, path),
                line=node.lineno, column=node.col_offset + 1, message=f"{name} holds a literal secret")
        for path in files for node, name in _secrets(_parse(path))
    ]
    return AnalyzerResult(
        analyzer="plain_secrets", tool=f"empathy-plain-secrets {version('empathy-plain-secrets')}", ran=True,
        findings=findings, metrics={"secrets": len(findings), "files_scanned": len(files)},
        scope=f"{len(files)} source file(s)")
