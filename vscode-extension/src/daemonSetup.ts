// First start: turns the wheels in the .vsix into the daemon's private environment (daemonEnv.ts), with
// progress in a notification; later starts find it ready. The base Python is any CPython the bundle
// serves: the Python extension's interpreter first (unless it lies inside an untrusted folder: that would
// run project-supplied code), then PATH.
import * as path from "node:path";
import * as vscode from "vscode";
import {
  type Candidate,
  createEnv,
  envPython,
  findBasePython,
  isEnvCurrent,
  noPythonMessage,
  pathCandidates,
  readManifest,
  withEnvLock,
} from "./daemonEnv";

export type DaemonPython = { ok: true; python: string } | { ok: false; message: string };

function insideUntrusted(file: string): boolean {
  if (vscode.workspace.isTrusted) {
    return false;
  }
  return (vscode.workspace.workspaceFolders ?? []).some((f) => {
    const rel = path.relative(f.uri.fsPath, path.resolve(file));
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
  });
}

export async function ensureDaemonEnv(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  selectedInterpreter: string | undefined,
  rebuild = false,
): Promise<DaemonPython> {
  const manifest = readManifest(context.extensionPath);
  if (!manifest) {
    return {
      ok: false,
      message:
        'Empathy: this build of the extension carries no daemon (no daemon/manifest.json). Fix: install a .vsix ' +
        'built with "npm run package", or set "empathy.server.pythonPath" to a Python with empathy-os installed.',
    };
  }
  const version = String(context.extension.packageJSON.version ?? "0");
  const envDir = path.join(context.globalStorageUri.fsPath, "daemon-env");
  if (!rebuild && isEnvCurrent(envDir, version, manifest.id)) {
    return { ok: true, python: envPython(envDir) };
  }
  const candidates: Candidate[] = [];
  if (selectedInterpreter && !insideUntrusted(selectedInterpreter)) {
    candidates.push({ command: selectedInterpreter, from: "the Python extension's interpreter" });
  }
  candidates.push(...pathCandidates());

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Empathy: setting up its daemon (first start)" },
    (progress) =>
      withEnvLock(envDir, async (): Promise<DaemonPython> => {
        // Another window may have finished it while this one waited for the lock.
        if (!rebuild && isEnvCurrent(envDir, version, manifest.id)) {
          return { ok: true, python: envPython(envDir) };
        }
        progress.report({ message: "looking for Python" });
        const search = await findBasePython(candidates, manifest.pythonVersions);
        for (const line of search.tried) {
          log.info(`Passed over ${line}`);
        }
        if (!search.found) {
          return { ok: false, message: noPythonMessage(search, manifest.pythonVersions) };
        }
        try {
          const stamp = await createEnv({
            base: search.found,
            envDir,
            extensionPath: context.extensionPath,
            manifest,
            extensionVersion: version,
            onStep: (message) => progress.report({ message }),
            log: (line) => line && log.info(line),
          });
          log.info(`Daemon environment ready in ${stamp.seconds} s: ${envDir}`);
          return { ok: true, python: envPython(envDir) };
        } catch (err) {
          const detail = err instanceof Error ? err.message : String(err);
          return {
            ok: false,
            message:
              `Empathy: setting up its daemon failed: ${detail}. The log has pip's full output ("Show Logs"). ` +
              'Fix the cause, then run "Empathy: Restart Server"; or set "empathy.server.pythonPath" to a ' +
              "Python with empathy-os installed.",
          };
        }
      }),
  );
}
