// The Python that runs the daemon, and whether it can: the private environment built from the bundled
// wheels (daemonEnv.ts), or `empathy.server.pythonPath` as an override for people who install Empathy
// themselves. Checked before the language client starts, so a broken interpreter gives a message with a
// fix, not a dead client.
import { execFile } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

export type InterpreterSource = "setting" | "bundled";

export interface ResolvedInterpreter {
  command: string;
  source: InterpreterSource;
}

/** `empathy.server.pythonPath` with `${workspaceFolder}` and `~` expanded. */
export function expandSetting(configured: string, folders: readonly string[], home: string = os.homedir()): string {
  let out = configured.trim();
  if (folders.length > 0) {
    out = out.replace(/\$\{workspaceFolder\}/g, folders[0]);
  }
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(home, out.slice(1));
  }
  return out;
}

export type InterpreterCheck =
  | { ok: true; version: string; executable: string }
  | { ok: false; kind: "missing" | "not-installed" | "broken"; detail: string };

const PROBE =
  "import sys, empathy_os; print(getattr(empathy_os, '__version__', '?'), sys.version.split()[0], sys.executable)";

/** Runs `<python> -c "import empathy_os"` (with a version print) and classifies the failure. */
export function checkInterpreter(python: string, timeoutMs = 20_000): Promise<InterpreterCheck> {
  return new Promise((resolve) => {
    execFile(python, ["-c", PROBE], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      resolve(classifyProbe(error, String(stdout), String(stderr)));
    });
  });
}

export function classifyProbe(
  error: (Error & { code?: unknown; killed?: boolean }) | null,
  stdout: string,
  stderr: string,
): InterpreterCheck {
  if (!error) {
    const [version = "?", pyVersion = "?", executable = ""] = stdout.trim().split(/\s+/);
    return { ok: true, version: `empathy-os ${version} on Python ${pyVersion}`, executable };
  }
  if (error.code === "ENOENT" || error.code === "EACCES" || error.code === "ENOTDIR") {
    return { ok: false, kind: "missing", detail: String(error.code) };
  }
  if (/No module named ['"]?empathy_os['"]?/.test(stderr)) {
    return { ok: false, kind: "not-installed", detail: "No module named 'empathy_os'" };
  }
  const lastLine = stderr.trim().split("\n").pop()?.trim();
  const detail = error.killed ? "timed out" : lastLine || error.message.split("\n")[0];
  return { ok: false, kind: "broken", detail };
}

const SOURCE_TEXT: Record<InterpreterSource, string> = {
  setting: "from the setting empathy.server.pythonPath",
  bundled: "Empathy's own environment",
};

/** One line saying what is wrong and how to fix it. */
export function interpreterProblemMessage(
  resolved: ResolvedInterpreter,
  check: Exclude<InterpreterCheck, { ok: true }>,
): string {
  const who = `"${resolved.command}" (${SOURCE_TEXT[resolved.source]})`;
  if (resolved.source === "bundled") {
    return (
      `Empathy: ${who} cannot run the daemon even after rebuilding it: ${check.detail || check.kind}. ` +
      `Fix: see "Empathy: Show Logs", then "Empathy: Restart Server"; or set "empathy.server.pythonPath" to ` +
      `a Python with empathy-os installed.`
    );
  }
  switch (check.kind) {
    case "missing":
      return (
        `Empathy: the Python interpreter ${who} was not found. Fix: install Python 3.11+ with empathy-os, ` +
        `then set "empathy.server.pythonPath" to its python executable, or clear the setting to use ` +
        `Empathy's own environment.`
      );
    case "not-installed":
      return (
        `Empathy: the daemon is not installed in ${who}. Fix: run "${resolved.command} -m pip install ` +
        `empathy-os" (from a checkout: pip install -e .), or set "empathy.server.pythonPath" to an ` +
        `interpreter that has it.`
      );
    case "broken":
      return (
        `Empathy: ${who} cannot import empathy_os: ${check.detail}. Fix: reinstall empathy-os in that ` +
        `interpreter, or set "empathy.server.pythonPath" to a working one.`
      );
  }
}
