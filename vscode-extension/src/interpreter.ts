// Which Python runs the daemon, and whether it can: resolved and checked before the language client
// starts, so a missing interpreter or a missing empathy_os gives a message with a fix, not a dead client.
import { execFile } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

export type InterpreterSource = "setting" | "python-extension" | "default";

export interface ResolvedInterpreter {
  command: string;
  source: InterpreterSource;
  /** Why a candidate was passed over, for the log. */
  note?: string;
}

export const DEFAULT_PYTHON = "python3";

export interface ResolveInput {
  /** empathy.server.pythonPath (VS Code ignores a workspace value of it in untrusted workspaces). */
  configured: string | null | undefined;
  /** The Python extension's active interpreter, when that extension is installed. */
  pythonExtension: string | null | undefined;
  workspaceFolders: readonly string[];
  trusted: boolean;
  home?: string;
}

function expand(p: string, folders: readonly string[], home: string): string {
  let out = p.trim();
  if (folders.length > 0) {
    out = out.replace(/\$\{workspaceFolder\}/g, folders[0]);
  }
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(home, out.slice(1));
  }
  return out;
}

function isInside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

export function resolveInterpreter(input: ResolveInput): ResolvedInterpreter {
  const home = input.home ?? os.homedir();
  if (input.configured && input.configured.trim() !== "") {
    return { command: expand(input.configured, input.workspaceFolders, home), source: "setting" };
  }
  const fromExt = input.pythonExtension?.trim();
  if (fromExt) {
    const resolved = path.resolve(expand(fromExt, input.workspaceFolders, home));
    // A virtualenv inside an untrusted folder is project-supplied code; the daemon must not run in it.
    if (!input.trusted && input.workspaceFolders.some((f) => isInside(resolved, f))) {
      return {
        command: DEFAULT_PYTHON,
        source: "default",
        note: `skipped the Python extension's interpreter ${resolved}: it lies inside the untrusted workspace`,
      };
    }
    return { command: fromExt, source: "python-extension" };
  }
  return { command: DEFAULT_PYTHON, source: "default" };
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
  "python-extension": "the Python extension's selected interpreter",
  default: "the default, found on PATH",
};

/** One line saying what is wrong and how to fix it. */
export function interpreterProblemMessage(
  resolved: ResolvedInterpreter,
  check: Exclude<InterpreterCheck, { ok: true }>,
): string {
  const who = `"${resolved.command}" (${SOURCE_TEXT[resolved.source]})`;
  switch (check.kind) {
    case "missing":
      return (
        `Empathy: the Python interpreter ${who} was not found. Fix: install Python 3.11+ with empathy-os, ` +
        `then set "empathy.server.pythonPath" to its python executable.`
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
