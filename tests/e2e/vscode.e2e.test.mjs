// End to end in real VS Code (code-server 4.100.3 + Chromium): the packaged extension against the real
// daemon on a copy of examples/sample-project. Screenshots of each step go to test-artifacts/e2e/.
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  ARTIFACTS, chooseCodeAction, copySample, e2ePython, openFile, packageFakePythonExtension, projectInterpreter,
  openWorkbench, runCommand, screenshot, showCodeAction, tempDir, toasts, daemonsInGroup, useCodeServer,
  waitForToast, waitOrEmpathyError, webviewText,
} from "./harness.mjs";

rmSync(ARTIFACTS, { recursive: true, force: true }); // screenshots of this run only

/** Files under `dir` whose bytes contain `needle`. */
function filesContaining(dir, needle) {
  const hits = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    try {
      if (readFileSync(file).includes(needle)) hits.push(file);
    } catch {
      // unreadable (socket, vanished)
    }
  }
  return hits;
}

function lineOf(file, needle) {
  const lines = readFileSync(file, "utf8").split("\n");
  const index = lines.findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} in ${file}`);
  return index + 1;
}

describe("Empathy in real VS Code", () => {
  // With a stand-in for the Python extension, whose selected interpreter is the project's.
  const vscode = useCodeServer(() => ({ extraVsix: [packageFakePythonExtension()] }));

  test("a Python without empathy_os gets a clear message that says how to fix it", async () => {
    const dir = tempDir("bare-python");
    // A real interpreter that cannot see any site-packages, so empathy_os is not importable in it.
    const bare = path.join(dir, "python-without-empathy");
    writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/env python3 -I -S "$@"\n');
    chmodSync(bare, 0o755);
    const workspace = copySample(path.join(tempDir("ws-bare"), "sample-project"), {
      "empathy.server.pythonPath": bare,
    });
    await vscode.withPage({}, async (page) => {
      await openWorkbench(page, vscode.server.url, workspace);
      const text = await waitForToast(page, /not installed/, 60_000);
      await screenshot(page, "00-daemon-not-installed");
      assert.match(text, /Empathy: the daemon is not installed in/);
      assert.ok(text.includes(`${bare} -m pip install empathy-os`), text);
      assert.match(text, /empathy\.server\.pythonPath/);
    });
  });

  test("the project's interpreter follows the Python extension's selection, without a daemon restart", async () => {
    // First selection: a Python that cannot see pytest or coverage; then a virtualenv that has both.
    const bare = path.join(tempDir("bare-project-python"), "python");
    writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/env python3 -I -S "$@"\n');
    chmodSync(bare, 0o755);
    const good = projectInterpreter();
    const workspace = copySample(path.join(tempDir("ws-interp"), "sample-project"), {
      "empathy.server.pythonPath": e2ePython(),
      "python.defaultInterpreterPath": bare,
    });
    const known = new Set(daemonsInGroup(vscode.server.pgid).map((d) => d.pid));
    await vscode.withPage({ failureShot: "98-interpreter-failure" }, async (page) => {
      await openWorkbench(page, vscode.server.url, workspace);
      await runCommand(page, "Empathy: Prepare Release");
      const verdict = page.locator(".statusbar-item", { hasText: /Release: (approved|blocked)/ }).first();
      await waitOrEmpathyError(page, verdict, 180_000);
      await verdict.click();
      const first = await webviewText(page, /Test coverage: /, 30_000);
      await screenshot(page, "13-interpreter-without-pytest");
      assert.match(first, /Test coverage: not measured/);
      const daemons = daemonsInGroup(vscode.server.pgid).filter((d) => !known.has(d.pid)).map((d) => d.pid);
      assert.equal(daemons.length, 1, "one daemon for this window");

      await runCommand(page, "E2E Python: Select Interpreter");
      await page.locator(".quick-input-widget", { hasText: "Path to a Python interpreter" }).waitFor({ timeout: 10_000 });
      await page.locator(".quick-input-widget input").fill(good);
      await page.keyboard.press("Enter");
      await page.waitForTimeout(1_000);
      await runCommand(page, "Empathy: Prepare Release");
      await page.locator(".statusbar-item", { hasText: /Release prep running/ }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
      await waitOrEmpathyError(page, verdict, 180_000);
      await verdict.click();
      const second = await webviewText(page, /Test coverage: \d+(\.\d+)?%/, 180_000);
      await screenshot(page, "14-interpreter-switched");
      assert.match(second, /Test coverage: \d+(\.\d+)?%/);
      assert.deepEqual(daemonsInGroup(vscode.server.pgid).filter((d) => !known.has(d.pid)).map((d) => d.pid), daemons, "same daemon");
    });
  });

  test("the API key reaches the daemon's environment and never settings, files or logs", async () => {
    const workspace = copySample(path.join(tempDir("ws-key"), "sample-project"), {
      "empathy.server.pythonPath": e2ePython(),
    });
    const key = `sk-ant-e2e-${Math.random().toString(36).slice(2)}${Date.now()}`;
    await vscode.withPage({}, async (page) => {
      await openWorkbench(page, vscode.server.url, workspace);
      await runCommand(page, "Empathy: Set Anthropic API Key");
      const input = page.locator(".quick-input-widget input");
      await page.locator(".quick-input-widget", { hasText: "secret storage" }).waitFor({ timeout: 10_000 });
      assert.equal(await input.getAttribute("type"), "password");
      await input.fill(key);
      await page.keyboard.press("Enter");
      await waitForToast(page, /API key stored/, 20_000);
      const deadline = Date.now() + 60_000;
      let withKey = [];
      while (Date.now() < deadline && withKey.length === 0) {
        withKey = daemonsInGroup(vscode.server.pgid).filter((d) => d.env.includes(`ANTHROPIC_API_KEY=${key}`));
        if (withKey.length === 0) await page.waitForTimeout(500);
      }
      await screenshot(page, "08-api-key-set");
      assert.equal(withKey.length, 1, "one restarted daemon has the key in its environment");
      const logs = filesContaining(vscode.server.userDataDir, "Anthropic API key: set (SecretStorage)");
      assert.ok(logs.length > 0, "the Empathy log was found (so the next check looks at it)");
      assert.deepEqual(filesContaining(vscode.server.userDataDir, key), [], "key not in user data (settings, logs)");
      assert.deepEqual(filesContaining(workspace, key), [], "key not in the workspace");
    });
  });

  test("Prepare Release shows a bandit finding and the verdict; Generate tests opens the new test file", async () => {
    // The selected interpreter (the project's) is the one with pytest and coverage.
    const workspace = copySample(path.join(tempDir("ws-full"), "sample-project"), {
      "empathy.server.pythonPath": e2ePython(),
      "python.defaultInterpreterPath": e2ePython(),
    });
    const shellLine = lineOf(path.join(workspace, "inventory", "storage.py"), "shell=True");
    const taxLine = lineOf(path.join(workspace, "inventory", "pricing.py"), "def tax_amount");
    await vscode.withPage({ failureShot: "99-failure" }, async (page) => {
      await openWorkbench(page, vscode.server.url, workspace);
      await screenshot(page, "01-workspace-open");

      // Step 1: Prepare Release from the palette, wait for the status-bar verdict.
      await runCommand(page, "Empathy: Prepare Release");
      const progress = toasts(page).filter({ hasText: /release prep|preparing release/i }).first();
      await progress.waitFor({ timeout: 30_000 }).then(() => screenshot(page, "02a-release-progress")).catch(() => undefined);
      const verdict = page.locator(".statusbar-item", { hasText: /Release: (approved|blocked)/ }).first();
      await waitOrEmpathyError(page, verdict, 180_000);
      const verdictText = (await verdict.innerText()).trim();
      await screenshot(page, "02-release-verdict");
      assert.match(verdictText, /Release: (approved|blocked) \(\d+\/\d+ gates\)/);
      // The sample has a critical-free but shell=True-bearing storage module and partial coverage: blocked.
      assert.match(verdictText, /blocked/);

      // The verdict's click opens the report as a readable document.
      await verdict.click();
      const reportTab = page.locator('.tabs-container .tab[aria-label*="Release Report"]').first();
      await reportTab.waitFor({ timeout: 20_000 });
      const heading = await webviewText(page, /Release readiness/, 30_000);
      await screenshot(page, "02b-release-report");
      assert.match(heading, /Release readiness: ✗ not approved/);
      assert.match(heading, /B602/);

      // Step 2: the bandit finding in Problems, at storage.py and the shell=True line.
      await page.keyboard.press("Control+Shift+M");
      const panel = page.locator(".markers-panel");
      await panel.waitFor({ timeout: 20_000 });
      const filter = page.locator(".viewpane-filter input, .markers-panel-action-filter input").first();
      await filter.fill("B602");
      await page.locator(".viewpane-filter .visible-count, .markers-panel-action-filter .visible-count", { hasText: /Showing/ }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
      const marker = panel.locator(".monaco-list-row", { hasText: "B602" }).first();
      await marker.waitFor({ timeout: 20_000 });
      const markerText = (await marker.innerText()).replace(/\s+/g, " ");
      const markerLabel = (await marker.getAttribute("aria-label")) ?? "";
      await screenshot(page, "03-problems-bandit");
      assert.match(markerText, /empathy/);
      assert.match(`${markerText} ${markerLabel}`, new RegExp(`Ln ${shellLine}\\b|line ${shellLine}\\b`, "i"));
      const fileRow = panel.locator(".monaco-list-row", { hasText: "storage.py" }).first();
      await fileRow.waitFor({ timeout: 5_000 });
      assert.match((await fileRow.innerText()).replace(/\s+/g, " "), /storage\.py.*inventory/);

      // Step 3: "Generate tests for `tax_amount`" from the coverage-gap diagnostic's code actions.
      await openFile(page, "inventory/pricing.py", taxLine);
      const action = await showCodeAction(page, "Generate tests for");
      await screenshot(page, "04-code-action");
      assert.match(await action.innerText(), /Generate tests for .?(tax_amount|price_band)/);
      await chooseCodeAction(page, "Generate tests for");

      const tab = page.locator('.tabs-container .tab[aria-label*="test_pricing_generated.py"]').first();
      await waitOrEmpathyError(page, tab, 180_000);
      await page.locator('.tabs-container .tab.active[aria-label*="test_pricing_generated.py"]').waitFor({ timeout: 10_000 });
      await screenshot(page, "05-generated-test-open");
      // Monaco renders spaces as U+00A0.
      const editorText = (await page.locator(".editor-instance .monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
      assert.match(editorText, /def test_\w*tax_amount/);
      assert.ok(existsSync(path.join(workspace, "tests", "test_pricing_generated.py")), "created through the edit");

      // Step 4: a changed gate reaches the running daemon (no restart): with minCoverage 40 the
      // coverage gate of the next run passes, and the report shows the new threshold.
      writeFileSync(
        path.join(workspace, ".vscode", "settings.json"),
        JSON.stringify({ "empathy.server.pythonPath": e2ePython(), "python.defaultInterpreterPath": e2ePython(), "empathy.gates.minCoverage": 40 }, null, 2),
      );
      await page.waitForTimeout(1_500); // VS Code notices the settings file change
      await runCommand(page, "Empathy: Prepare Release");
      await page.locator(".statusbar-item", { hasText: /Release prep running/ }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
      await waitOrEmpathyError(page, verdict, 180_000);
      await verdict.click();
      const rerun = await webviewText(page, /min_coverage\s+✓ pass\s+[\d.]+\s+40\b/, 180_000);
      await screenshot(page, "06-gate-setting-applied");
      assert.match(rerun, /min_coverage\s+✓ pass/);

      // Step 5: what the store learned from these runs.
      await runCommand(page, "Empathy: Show Learned Compositions");
      await page.locator(".quick-input-widget", { hasText: "Task pattern" }).waitFor({ timeout: 10_000 });
      await page.keyboard.press("Enter"); // the proposed release_preparation
      const learned = await webviewText(page, /Learned composition for release_preparation/, 30_000);
      await screenshot(page, "07-learned-compositions");
      assert.match(learned, /Usage count|Nothing learned yet/);
    });
  });
});

describe("Empathy in an untrusted workspace", () => {
  // pythonPath is a restricted setting: an untrusted folder's own value is ignored, so it is a user setting.
  const vscode = useCodeServer(() => ({ workspaceTrust: true, userSettings: { "empathy.server.pythonPath": e2ePython() } }));

  test("static findings still show; coverage and test generation say why they are unavailable", async () => {
    const workspace = copySample(path.join(tempDir("ws-untrusted"), "sample-project"));
    await vscode.withPage({ failureShot: "19-untrusted-failure" }, async (page) => {
      await openWorkbench(page, vscode.server.url, workspace);
      await runCommand(page, "Empathy: Boost Test Coverage");
      const refusal = await waitForToast(page, /untrusted workspace/, 30_000);
      await screenshot(page, "10-untrusted-boost-refused");
      assert.match(refusal, /runs the project's code, so it is unavailable in an untrusted workspace/);

      await runCommand(page, "Empathy: Prepare Release");
      const verdict = page.locator(".statusbar-item", { hasText: /Release: (approved|blocked)/ }).first();
      await waitOrEmpathyError(page, verdict, 180_000);
      const note = await waitForToast(page, /no project code was run/, 30_000);
      await screenshot(page, "11-untrusted-release");
      assert.match(note, /Release: blocked/);
      // bandit is static: its findings are there even though nothing of the project ran.
      await page.keyboard.press("Control+Shift+M");
      const panel = page.locator(".markers-panel");
      await panel.waitFor({ timeout: 20_000 });
      await page.locator(".viewpane-filter input, .markers-panel-action-filter input").first().fill("B602");
      await panel.locator(".monaco-list-row", { hasText: "B602" }).first().waitFor({ timeout: 20_000 });
      assert.equal(existsSync(path.join(workspace, ".coverage")), false, "no coverage run in an untrusted folder");

      // Composing a team runs no project code: available here, shown as a readable plan.
      await runCommand(page, "Empathy: Compose Agent Team for a Task…");
      const taskInput = page.locator(".quick-input-widget input");
      await page.locator(".quick-input-widget", { hasText: "Describe the task" }).waitFor({ timeout: 10_000 });
      await taskInput.fill("Audit the authentication module for security vulnerabilities");
      await page.keyboard.press("Enter");
      const plan = await webviewText(page, /Agent team for: Audit the authentication/, 60_000);
      await screenshot(page, "12-team-plan");
      assert.match(plan, /Strategy:/);
      assert.match(plan, /Agents/);
    });
  });
});
