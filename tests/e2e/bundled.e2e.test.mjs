// Install the .vsix and it works: a fresh code-server with only the packaged extension (no
// empathy.server.pythonPath) and a project whose interpreter has pytest and coverage but no Empathy. The
// first start builds the daemon's private environment from the wheels inside the .vsix, offline; Prepare
// Release then runs the project's tests with the project's interpreter and shows the findings in Problems.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  copySample, daemonsInGroup, openWorkbench, projectInterpreter, runCommand, screenshot, tempDir, toasts,
  useCodeServer, waitOrEmpathyError, webviewText,
} from "./harness.mjs";

const EXTENSION_ID = "empathy-os.empathy-vscode";

describe("Install the .vsix and it works", () => {
  const vscode = useCodeServer(); // no Empathy user settings at all

  test("first start builds the daemon from the .vsix; Prepare Release shows the findings", async () => {
    const projectPython = projectInterpreter();
    const probe = spawnSync(projectPython, ["-c", "import empathy_os"], { encoding: "utf8" });
    assert.notEqual(probe.status, 0, "the project's interpreter has no Empathy");
    assert.equal(spawnSync(projectPython, ["-c", "import pytest, coverage"]).status, 0);
    const workspace = copySample(path.join(tempDir("ws-vsix"), "sample-project"), { "empathy.project.python": projectPython });
    const storage = path.join(vscode.server.userDataDir, "User", "globalStorage", EXTENSION_ID);
    await vscode.withPage({ failureShot: "29-vsix-failure" }, async (page) => {
      const opened = Date.now();
      await openWorkbench(page, vscode.server.url, workspace);
      const setup = toasts(page).filter({ hasText: /setting up its daemon/ }).first();
      // Progress is shown while the environment is built (several seconds even on an idle machine).
      await setup.waitFor({ timeout: 60_000 });
      await page.waitForTimeout(800); // the toast slides in
      await screenshot(page, "20-first-start-setup");
      assert.match(await setup.innerText(), /Empathy: setting up its daemon \(first start\)/);

      await runCommand(page, "Empathy: Prepare Release");
      const verdict = page.locator(".statusbar-item", { hasText: /Release: (approved|blocked)/ }).first();
      await waitOrEmpathyError(page, verdict, 300_000);
      const firstRun = (Date.now() - opened) / 1000;
      await screenshot(page, "21-vsix-release-verdict");

      // The environment was built in the extension's global storage, from the bundle, and is complete.
      const stamp = JSON.parse(readFileSync(path.join(storage, "daemon-env", "empathy-env.json"), "utf8"));
      console.log(`first start: environment built in ${stamp.seconds} s (Python ${stamp.pythonVersion}); workbench open → verdict ${firstRun.toFixed(1)} s`);
      assert.equal(stamp.extensionVersion, JSON.parse(readFileSync(path.join(vscode.server.extensionsDir, readdirSync(vscode.server.extensionsDir).find((d) => d.startsWith(EXTENSION_ID)), "package.json"), "utf8")).version);
      // The daemon runs from that environment, not from the project's interpreter.
      const daemons = daemonsInGroup(vscode.server.pgid);
      assert.ok(daemons.length >= 1, "a daemon is running");
      for (const d of daemons) {
        assert.ok(d.cmd[0].startsWith(path.join(storage, "daemon-env")), `daemon runs from its own environment: ${d.cmd[0]}`);
      }

      // Findings in Problems: bandit's B602 at storage.py.
      await page.keyboard.press("Control+Shift+M");
      const panel = page.locator(".markers-panel");
      await panel.waitFor({ timeout: 20_000 });
      await page.locator(".viewpane-filter input, .markers-panel-action-filter input").first().fill("B602");
      const marker = panel.locator(".monaco-list-row", { hasText: "B602" }).first();
      await marker.waitFor({ timeout: 20_000 });
      assert.match((await marker.innerText()).replace(/\s+/g, " "), /empathy/);
      await screenshot(page, "22-vsix-problems");

      // The project's tests ran in the project's interpreter: coverage was measured (a number, not "not measured").
      await verdict.click();
      const report = await webviewText(page, /Release readiness/, 30_000);
      await screenshot(page, "23-vsix-report");
      assert.match(report, /Test coverage: \d+(\.\d+)?%/);
      assert.ok(existsSync(path.join(workspace, "inventory", "storage.py")));
    });
  });
});
