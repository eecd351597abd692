// The daemon's private environment: a virtualenv in the extension's global storage, created on first
// start from the wheels the .vsix carries (daemon/, see scripts/bundle-daemon.mjs) with no network, and
// reused until the extension or its bundle changes. No `vscode` import: unit-tested in Node.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface BundleManifest {
  target: string;
  /** CPython minor versions the wheels serve, e.g. ["3.11", "3.12"]. */
  pythonVersions: string[];
  /** What pip installs, e.g. "empathy-os==0.1.0". */
  requirement: string;
  /** pip's own wheel in the bundle: it runs straight from the file (`python pip.whl/pip install …`). */
  pipWheel: string;
  /** Per CPython minor version, every wheel to install (the resolution done when the .vsix was built). */
  install?: Record<string, string[]>;
  wheels: number;
  /** Changes whenever any wheel changes. */
  id: string;
}

export function readManifest(extensionPath: string): BundleManifest | undefined {
  try {
    return JSON.parse(readFileSync(path.join(extensionPath, "daemon", "manifest.json"), "utf8")) as BundleManifest;
  } catch {
    return undefined;
  }
}

export function envPython(envDir: string): string {
  return process.platform === "win32" ? path.join(envDir, "Scripts", "python.exe") : path.join(envDir, "bin", "python");
}

/** Written last, so its presence means the environment is complete. */
const STAMP = "empathy-env.json";

export interface EnvStamp {
  extensionVersion: string;
  bundleId: string;
  basePython: string;
  pythonVersion: string;
  seconds: number;
}

export function readStamp(envDir: string): EnvStamp | undefined {
  try {
    return JSON.parse(readFileSync(path.join(envDir, STAMP), "utf8")) as EnvStamp;
  } catch {
    return undefined;
  }
}

export function isEnvCurrent(envDir: string, extensionVersion: string, bundleId: string): boolean {
  const stamp = readStamp(envDir);
  return stamp?.extensionVersion === extensionVersion && stamp.bundleId === bundleId && existsSync(envPython(envDir));
}

export interface Candidate {
  command: string;
  /** Where it came from, for messages: "the Python extension's interpreter", "PATH". */
  from: string;
}

/** PATH names to try after the Python extension's interpreter, newest first. */
export function pathCandidates(platform: NodeJS.Platform = process.platform): Candidate[] {
  const names = platform === "win32" ? ["python", "py"] : ["python3.14", "python3.13", "python3.12", "python3.11", "python3", "python"];
  return names.map((command) => ({ command, from: "PATH" }));
}

export interface Probed {
  command: string;
  from: string;
  /** "3.11" */
  minor: string;
  /** "3.11.7" */
  version: string;
  executable: string;
  implementation: string;
}

const PROBE = "import sys, platform; print(sys.version.split()[0], platform.python_implementation(), sys.executable)";

function exec(cmd: string, args: string[], timeoutMs: number): Promise<{ error: (Error & { code?: unknown }) | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, windowsHide: true, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ error, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

export async function probe(candidate: Candidate): Promise<Probed | string> {
  // `-I`: the probe must not import anything from the current folder (a project's own `platform.py`).
  const { error, stdout, stderr } = await exec(candidate.command, ["-I", "-c", PROBE], 15_000);
  if (error) {
    return error.code === "ENOENT" ? "not found" : (stderr.trim().split("\n").pop() ?? error.message).slice(0, 200);
  }
  const [version = "", implementation = "", ...exe] = stdout.trim().split(" ");
  const minor = version.split(".").slice(0, 2).join(".");
  return { ...candidate, version, minor, implementation, executable: exe.join(" ") };
}

export interface BaseSearch {
  found?: Probed;
  /** One line per candidate passed over, for the log and the error message. */
  tried: string[];
}

/** The first candidate that is CPython in one of the bundle's versions. */
export async function findBasePython(candidates: readonly Candidate[], supported: readonly string[]): Promise<BaseSearch> {
  const tried: string[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.command)) {
      continue;
    }
    seen.add(c.command);
    const p = await probe(c);
    if (typeof p === "string") {
      if (p !== "not found" || c.from !== "PATH") {
        tried.push(`${c.command} (${c.from}): ${p}`);
      }
      continue;
    }
    if (p.implementation !== "CPython" || !supported.includes(p.minor)) {
      tried.push(`${c.command} (${c.from}): ${p.implementation} ${p.version}`);
      continue;
    }
    return { found: p, tried };
  }
  return { tried };
}

export function noPythonMessage(search: BaseSearch, supported: readonly string[]): string {
  const tried = search.tried.length ? ` Tried: ${search.tried.join("; ")}.` : " No python3 or python on PATH.";
  return (
    `Empathy: no Python ${supported.join(", ")} found to run its daemon.${tried} Fix: install CPython ` +
    `${supported[0]} or newer (python.org, or your system's package manager) and select it with "Python: ` +
    `Select Interpreter" or put it on PATH, then run "Empathy: Restart Server". Or set ` +
    `"empathy.server.pythonPath" to a Python that has empathy-os installed.`
  );
}

export type Step = (message: string) => void;

export interface CreateInput {
  base: Probed;
  envDir: string;
  extensionPath: string;
  manifest: BundleManifest;
  extensionVersion: string;
  onStep: Step;
  log: (line: string) => void;
}

export class EnvError extends Error {}

/**
 * Creates the environment: `venv --without-pip` (Debian's python3 has no ensurepip), then pip from its
 * bundled wheel installs the requirement from the bundled wheels only (`--no-index --find-links`).
 * A partial environment (no stamp) is removed first; the stamp is written last.
 */
export async function createEnv(input: CreateInput): Promise<EnvStamp> {
  const { base, envDir, manifest } = input;
  const started = Date.now();
  const wheels = path.join(input.extensionPath, "daemon", "wheels");
  rmSync(envDir, { recursive: true, force: true });
  mkdirSync(path.dirname(envDir), { recursive: true });
  input.onStep(`creating a Python ${base.version} environment`);
  input.log(`Creating ${envDir} with ${base.executable} (${base.from}, Python ${base.version})`);
  const venv = await exec(base.executable, ["-I", "-m", "venv", "--without-pip", envDir], 120_000);
  if (venv.error) {
    throw new EnvError(`"${base.executable} -m venv" failed: ${lastLine(venv.stderr, venv.error)}`);
  }
  input.onStep(`installing ${manifest.requirement} from the bundled wheels`);
  // The wheels chosen for this Python when the .vsix was built, installed as they are (--no-deps: pip's
  // resolver would read every bundled wheel again); else pip resolves the requirement among them.
  const chosen = manifest.install?.[base.minor];
  const what = chosen ? ["--no-deps", ...chosen.map((w) => path.join(wheels, w))] : ["--find-links", wheels, manifest.requirement];
  const pip = [path.join(wheels, manifest.pipWheel, "pip"), "install", "--no-index", "--no-compile",
    "--disable-pip-version-check", "--no-input", "--isolated", ...what];
  input.log(`Running ${envPython(envDir)} ${pip.join(" ")}`);
  const install = await exec(envPython(envDir), pip, 600_000);
  input.log(install.stdout.trim());
  if (install.error) {
    input.log(install.stderr.trim());
    rmSync(envDir, { recursive: true, force: true });
    throw new EnvError(`installing the daemon's packages failed: ${lastLine(install.stderr, install.error)}`);
  }
  const stamp: EnvStamp = {
    extensionVersion: input.extensionVersion,
    bundleId: manifest.id,
    basePython: base.executable,
    pythonVersion: base.version,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  writeFileSync(path.join(envDir, STAMP), JSON.stringify(stamp, null, 2));
  return stamp;
}

function lastLine(stderr: string, error: Error): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !/is ignored: it is neither/.test(l));
  return (lines.pop() ?? error.message.split("\n")[0]).slice(0, 300);
}

/**
 * One creator at a time across windows: a lock folder beside the environment (mkdir is atomic). A lock
 * older than `staleMs` is from a crashed window and is taken over.
 */
export async function withEnvLock<T>(envDir: string, fn: () => Promise<T>, staleMs = 10 * 60_000): Promise<T> {
  const lock = `${envDir}.lock`;
  mkdirSync(path.dirname(envDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") {
        throw err;
      }
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > staleMs) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
