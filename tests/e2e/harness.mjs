// Real VS Code for the end-to-end test: code-server 4.100.3 on loopback with the packaged .vsix, driven by
// Debian's Chromium through playwright-core. Facts behind each choice: shared/notes/real-vscode-e2e.md.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ARTIFACTS = path.join(REPO, "test-artifacts", "e2e");
const TARGET = `${{ linux: "linux", darwin: "darwin", win32: "win32" }[process.platform]}-${process.arch}`;
export const VSIX = path.join(REPO, "vscode-extension", `empathy-vscode-${TARGET}.vsix`);
export const BUNDLED_WHEELS = path.join(REPO, "vscode-extension", "daemon", "wheels");
// The harness is its own npm package (tests/e2e/package.json): the root `npm ci` never installs code-server.
const CODE_SERVER = path.join(REPO, "tests", "e2e", "node_modules", ".bin", "code-server");
const CHROMIUM = process.env.EMPATHY_E2E_CHROMIUM ?? "/usr/bin/chromium";

export function e2ePython() {
  return process.env.EMPATHY_E2E_PYTHON ?? path.join(REPO, ".venv", "bin", "python");
}

export function preflight() {
  const missing = [];
  if (!existsSync(CODE_SERVER)) missing.push(`${CODE_SERVER} (run scripts/e2e-setup.sh)`);
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (run scripts/e2e-setup.sh)`);
  if (!existsSync(e2ePython())) missing.push(`${e2ePython()} (set EMPATHY_E2E_PYTHON)`);
  if (missing.length) {
    throw new Error(`e2e prerequisites missing: ${missing.join("; ")}`);
  }
}

let packaged = false; // once a test file (one process under node --test): its suites share the .vsix

/**
 * Packages the extension as CI would, so the test never runs a stale .vsix (scripts/test.sh has just
 * packaged it and says so with EMPATHY_E2E_PACKAGED=1: zipping the bundled wheels takes a while).
 */
export function packageExtension() {
  if (packaged) return;
  if (process.env.EMPATHY_E2E_PACKAGED !== "1" || !existsSync(VSIX)) {
    execFileSync("npm", ["run", "package", "--silent"], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
  }
  if (!existsSync(VSIX)) throw new Error(`npm run package did not produce ${VSIX}`);
  packaged = true;
}

/**
 * The stand-in for ms-python.python (tests/e2e/fake-python-extension: its environments API and a palette
 * command "E2E Python: Select Interpreter"), packaged with the root's vsce.
 */
export function packageFakePythonExtension() {
  const out = path.join(tempDir("fake-python"), "ms-python.python.vsix");
  execFileSync(path.join(REPO, "node_modules", ".bin", "vsce"),
    ["package", "--allow-missing-repository", "--skip-license", "--no-dependencies", "--out", out],
    { cwd: path.join(REPO, "tests", "e2e", "fake-python-extension"), stdio: ["ignore", "ignore", "inherit"] });
  return out;
}

/** A project virtualenv with pytest and coverage (from the .vsix's bundled wheels, offline) and no Empathy. */
export function projectInterpreter() {
  const venv = path.join(tempDir("project-env"), "venv");
  execFileSync("python3", ["-I", "-m", "venv", "--without-pip", venv]);
  const python = path.join(venv, "bin", "python");
  const pip = readdirSync(BUNDLED_WHEELS).find((w) => /^pip-.*\.whl$/.test(w));
  execFileSync(python, [path.join(BUNDLED_WHEELS, pip, "pip"), "install", "--isolated", "--no-index", "--find-links",
    BUNDLED_WHEELS, "--no-compile", "--disable-pip-version-check", "-q", "pytest", "coverage"], { stdio: ["ignore", "ignore", "inherit"] });
  return python;
}

export function tempDir(prefix) {
  return mkdtempSync(path.join(tmpdir(), `empathy-e2e-${prefix}-`));
}

/** A copy of the bundled sample project: the test writes into it (.empathy, .coverage, generated tests). */
export function copySample(dest, settings) {
  const src = path.join(REPO, "examples", "sample-project");
  const skip = new Set([".empathy", ".coverage", ".hypothesis", ".pytest_cache", "__pycache__"]);
  cpSync(src, dest, { recursive: true, filter: (p) => !skip.has(path.basename(p)) });
  if (settings) {
    mkdirSync(path.join(dest, ".vscode"), { recursive: true });
    writeFileSync(path.join(dest, ".vscode", "settings.json"), JSON.stringify(settings, null, 2));
  }
  return dest;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/**
 * Starts code-server with a fresh user-data-dir and extensions-dir, the .vsix installed and quiet user
 * settings. It runs in its own session/process group (detached = setsid) so stop() ends the extension
 * hosts and language servers each page load leaves behind.
 */
export async function startCodeServer({ userSettings = {}, workspaceTrust = false, extraVsix = [] } = {}) {
  const root = tempDir("vscode");
  const userDataDir = path.join(root, "user-data");
  const extensionsDir = path.join(root, "extensions");
  mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    path.join(userDataDir, "User", "settings.json"),
    JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "update.mode": "none",
        "security.workspace.trust.enabled": workspaceTrust,
        // With trust on, open folders in restricted mode without the modal trust prompt.
        "security.workspace.trust.startupPrompt": "never",
        "workbench.tips.enabled": false,
        ...userSettings,
      },
      null,
      2,
    ),
  );
  for (const vsix of [VSIX, ...extraVsix]) {
    execFileSync(CODE_SERVER, ["--install-extension", vsix, "--extensions-dir", extensionsDir, "--user-data-dir", userDataDir], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const port = await freePort();
  const logPath = path.join(root, "code-server.log");
  const { openSync } = await import("node:fs");
  const logFd = openSync(logPath, "a");
  const child = spawn(
    CODE_SERVER,
    [
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      ...(workspaceTrust ? [] : ["--disable-workspace-trust"]),
      "--user-data-dir", userDataDir,
      "--extensions-dir", extensionsDir,
    ],
    { detached: true, stdio: ["ignore", logFd, logFd], env: { ...process.env, XDG_CONFIG_HOME: path.join(root, "xdg") } },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 3000);
    await exited;
    clearTimeout(timer);
    // Stragglers in the group (extension host, daemon) get the same end.
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // the group is empty
    }
  };
  try {
    await waitHealthy(url, child, 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${err.message}\n${readFileSync(logPath, "utf8").slice(-2000)}`);
  }
  return { url, root, userDataDir, extensionsDir, logPath, pgid: child.pid, stop, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export async function launchBrowser() {
  const xdg = tempDir("chromium-xdg");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    env: { ...process.env, XDG_CONFIG_HOME: xdg },
  });
  const close = async () => {
    await browser.close().catch(() => undefined);
    rmSync(xdg, { recursive: true, force: true });
  };
  return { browser, close };
}

/**
 * One code-server and one Chromium for the suite (`describe`) it is called in: registers node:test `before`
 * (prerequisites, the packaged .vsix, startCodeServer(options), launchBrowser()) and `after` (close, stop,
 * remove), and returns the object whose `server` and `browser` that `before` fills in. `options` may be a
 * function, called inside `before`, so slow or failing set-up (packaging a .vsix, building a virtualenv)
 * runs as part of the suite and not when the file is imported.
 */
export function useCodeServer(options = {}) {
  const vscode = {
    server: undefined,
    browser: undefined,
    /**
     * Runs `body(page)` in a new page, closed afterwards; if it throws, a screenshot `failureShot` (when
     * given) is saved first, so CI keeps the picture of what went wrong.
     * @template T
     * @param {{ viewport?: { width: number, height: number }, failureShot?: string }} options
     * @param {(page: import("playwright-core").Page) => Promise<T>} body
     * @returns {Promise<T>}
     */
    async withPage({ viewport = { width: 1400, height: 900 }, failureShot } = {}, body) {
      const page = await vscode.browser.browser.newPage({ viewport });
      try {
        return await body(page);
      } catch (err) {
        if (failureShot) await screenshot(page, failureShot).catch(() => undefined);
        throw err;
      } finally {
        await page.close();
      }
    },
  };
  before(async () => {
    preflight();
    packageExtension();
    vscode.server = await startCodeServer(typeof options === "function" ? options() : options);
    vscode.browser = await launchBrowser();
  });
  after(async () => {
    await vscode.browser?.close();
    await vscode.server?.stop();
    vscode.server?.cleanup();
  });
  return vscode;
}

// ---- page helpers -------------------------------------------------------------------------------

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export async function openWorkbench(page, url, folder) {
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  // The explorer shows the folder once the workbench has restored.
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 60_000 });
}

/**
 * Runs a palette command by its title: F1, type, wait for the row, Enter. The palette lists the commands
 * known when it opens, and extension contributions arrive a little after the workbench shows, so a miss
 * closes and reopens it until `timeout`.
 */
export async function runCommand(page, title, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  const input = page.locator(".quick-input-widget input");
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  for (;;) {
    await page.keyboard.press("F1");
    await input.waitFor({ state: "visible" });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 3_000 });
      break;
    } catch (err) {
      await page.keyboard.press("Escape");
      if (Date.now() > deadline) throw err;
      await page.waitForTimeout(500);
    }
  }
  await page.keyboard.press("Enter");
}

/** Opens a workspace file at a line (1-based) through Quick Open ("path:line"). */
export async function openFile(page, relPath, line) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(line ? `${relPath}:${line}` : relPath);
  await page.locator(".quick-input-list .monaco-list-row").first().waitFor({ timeout: 20_000 });
  await page.keyboard.press("Enter");
  const name = path.basename(relPath);
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ timeout: 20_000 });
  await page.locator(".monaco-editor .view-lines").first().waitFor();
}

/** Opens the code actions at the cursor (Ctrl+.) and waits for the row whose text holds `title`; returns it. */
export async function showCodeAction(page, title, timeout = 30_000) {
  await page.keyboard.press("Control+.");
  const row = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ timeout });
  return row;
}

/** Runs the shown code action whose text holds `title`, by keyboard from the focused row, as users do: the
 * widget's rows do not take pointer clicks reliably in headless Chromium. */
export async function chooseCodeAction(page, title) {
  const rows = page.locator(".action-widget .monaco-list-row.action");
  const index = await rows.evaluateAll((els, t) => els.findIndex((e) => e.textContent.includes(t)), title);
  if (index < 0) throw new Error(`no code action "${title}" is shown`);
  const focused = await rows.evaluateAll((els) => els.findIndex((e) => e.classList.contains("focused")));
  for (let i = focused; i < index; i++) await page.keyboard.press("ArrowDown");
  for (let i = focused; i > index; i--) await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Enter");
}

export function toasts(page) {
  return page.locator(".notifications-toasts .notification-list-item-message");
}

export async function waitForToast(page, pattern, timeout = 60_000) {
  const loc = toasts(page).filter({ hasText: pattern }).first();
  await loc.waitFor({ timeout });
  return (await loc.innerText()).trim();
}

const EMPATHY_ERROR = /^Empathy: .*(failed|not installed|not found|no Python|cannot import|exited|not running)/;

/** Waits for `locator`, failing early with the text of an Empathy error toast if one appears first. */
export async function waitOrEmpathyError(page, locator, timeout) {
  const error = toasts(page).filter({ hasText: EMPATHY_ERROR }).first();
  const winner = await Promise.race([
    locator.waitFor({ timeout }).then(() => "ok"),
    error.waitFor({ timeout }).then(() => "error"),
  ]);
  if (winner === "error") {
    throw new Error(`the extension reported: ${(await error.innerText()).trim()}`);
  }
}

/** Text of the first webview frame (e.g. the Markdown preview) whose body matches `pattern`. */
export async function webviewText(page, pattern, timeout) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const text = await frame.evaluate(() => document.body?.innerText ?? "").catch(() => "");
      if (pattern.test(text)) return text;
    }
    await page.waitForTimeout(300);
  }
  throw new Error(`no webview showed ${pattern} within ${timeout} ms`);
}

/** Daemon processes (`python -m empathy_os lsp`) in a process group, with their environment. */
export function daemonsInGroup(pgid) {
  const out = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (!(cmd.includes("empathy_os") && cmd.includes("lsp"))) continue;
      // Field 5 of /proc/PID/stat is the process group; the command (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== pgid) continue;
      out.push({ pid: Number(pid), cmd, env: readFileSync(`/proc/${pid}/environ`, "utf8").split("\0") });
    } catch {
      // the process ended while being read
    }
  }
  return out;
}
