"""The one door through which project code is started: project tests, the project's interpreter (which a
`[tool.empathy] python` setting may point at a script of the project), test-generation scripts.

Two rules live here, and only here, so no caller can forget them:

- trust: `run_project_code` refuses (raises `UntrustedProject`) unless the context says `trusted is True`;
  anything else (False, None, a string) is untrusted. Callers may check `ctx.trusted` first to give a nicer
  message, but the guard does not depend on them doing so.
- environment: project code never sees our secrets. Every `ANTHROPIC_*` variable (the API key, the base
  URL, ...) and variables that would let the caller's shell steer the run (`PYTEST_ADDOPTS`,
  `COVERAGE_PROCESS_START`) are removed; the environment is built from scratch, not merged over ours.

Everything else about the run (its own process group, kill on timeout/cancel/signal) is `run_tool`'s.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Protocol

from empathy_os.proc import ToolRun, run_tool

# Prefixes of variables project code must never receive.
SECRET_PREFIXES = ("ANTHROPIC_",)
# Variables of the caller's shell that would change what the project's run does or writes.
STEERING = ("PYTEST_ADDOPTS", "COVERAGE_PROCESS_START", "COVERAGE_FILE", "COVERAGE_RCFILE", "PYTHONSTARTUP",
            "PYTHONINSPECT",
            # Set by a pytest (an xdist worker) that Empathy itself runs under; the project's run is not one.
            "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID")

# Keeps a project's test run from writing into the project (bytecode; the coverage driver may send it to a
# cache folder outside); pytest's own cache is disabled on the command line.
TEST_ENV = {"PYTHONDONTWRITEBYTECODE": "1"}

UNTRUSTED_MESSAGE = "workspace not trusted: project code is not run"


class UntrustedProject(RuntimeError):  # not an OSError: no "cannot start" handler may swallow it
    """Raised instead of starting project code in a context that is not explicitly trusted."""


class _HasTrust(Protocol):
    trusted: object


def is_trusted(ctx: _HasTrust) -> bool:
    """Only an explicit True trusts; a missing, null or malformed value fails closed."""
    return getattr(ctx, "trusted", False) is True


def project_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Our environment minus secrets and steering variables, plus `extra` (whose values win)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(SECRET_PREFIXES) and k not in STEERING}
    for key, value in (extra or {}).items():
        if key.startswith(SECRET_PREFIXES):
            continue  # not even a caller may hand project code a secret
        env[key] = value
    return env


def check_trusted(ctx: _HasTrust) -> None:
    if not is_trusted(ctx):
        raise UntrustedProject(UNTRUSTED_MESSAGE)


async def run_project_code(
    ctx: _HasTrust,
    cmd: list[str],
    cwd: Path,
    *,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> ToolRun:
    """Start project code (`cmd` in `cwd`) if and only if `ctx` is trusted, with a scrubbed environment."""
    check_trusted(ctx)
    return await run_tool(cmd, cwd, timeout=timeout, env=project_env(env), inherit_env=False)


def start_project_process(ctx: _HasTrust, cmd: list[str], cwd: Path, env: dict[str, str] | None = None
                          ) -> subprocess.Popen:
    """Start project code that talks over pipes (stdin, stdout, stderr), in its own process group, if and
    only if `ctx` is trusted, with the same scrubbed environment as run_project_code. The caller owns it."""
    check_trusted(ctx)
    return subprocess.Popen(cmd, cwd=str(cwd), env=project_env(env), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

