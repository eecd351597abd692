// "Empathy: Make Release-Ready…" end to end in real VS Code (code-server 4.100.3 + Chromium), offline (no
// API key). A copy of the sample whose team accepts its two critical bandit findings
// (empathy.gates.maxCriticalIssues = 2) fails only the coverage gate: the command runs the release-fix plan
// in the daemon, VS Code's Refactor Preview shows the boost's new test files under "Coverage: new tests"
// with nothing applied, the user ticks the group and applies, and the release prep that follows turns the
// status item green. Screenshots go to test-artifacts/e2e/ (30-39).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { copySample, e2ePython, openWorkbench, runCommand, screenshot, tempDir, useCodeServer, waitOrEmpathyError, webviewText } from "./harness.mjs";

const generated = (ws) => readdirSync(path.join(ws, "tests")).filter((f) => f.endsWith("_generated.py"));

describe("Make Release-Ready in real VS Code (offline)", () => {
  const vscode = useCodeServer();

  test("the change set in the Refactor Preview, grouped by gate; Apply turns the status green", async () => {
    const ws = copySample(path.join(tempDir("ws-release-ready"), "sample-project"), {
      "empathy.server.pythonPath": e2ePython(),
      "python.defaultInterpreterPath": e2ePython(),
      "empathy.gates.maxCriticalIssues": 2,
    });
    await vscode.withPage({ failureShot: "39-release-ready-failure" }, async (page) => {
      await openWorkbench(page, vscode.server.url, ws);
      await runCommand(page, "Empathy: Prepare Release");
      const blocked = page.locator(".statusbar-item", { hasText: /Release: blocked/ }).first();
      await waitOrEmpathyError(page, blocked, 180_000);
      await screenshot(page, "30-release-blocked-on-coverage");

      await runCommand(page, "Empathy: Make Release-Ready…");
      const report = await webviewText(page, /With the set: (NOT )?APPROVED/, 900_000);
      assert.match(report, /With the set: APPROVED/);
      assert.match(report, /min_coverage/);
      // The preview groups by gate (a change annotation per gate); its entries need confirmation, so nothing
      // is applied before the user ticks the new files.
      const group = page.locator(".monaco-tl-row", { hasText: "Coverage: new tests" }).first();
      await waitOrEmpathyError(page, group, 60_000);
      const box = "[role=checkbox], .monaco-custom-toggle, input[type=checkbox]";
      const files = page.locator(".monaco-tl-row", { hasText: /_generated\.py/ }).filter({ has: page.locator(box) });
      await files.first().waitFor({ timeout: 30_000 });
      await screenshot(page, "31-release-ready-refactor-preview");
      assert.deepEqual(generated(ws), [], "nothing written before Apply");
      const count = await files.count();
      assert.ok(count > 0, "the boost's test files are offered");
      for (let i = 0; i < count; i++) {
        await files.nth(i).locator(box).first().click();
      }
      await screenshot(page, "32-release-ready-ticked");
      await page.getByRole("button", { name: "Apply", exact: true }).click();

      // The new test files are saved, release prep runs again, and the status item reports the verdict.
      const approved = page.locator(".statusbar-item", { hasText: /Release: approved/ }).first();
      await waitOrEmpathyError(page, approved, 600_000);
      assert.ok(generated(ws).length > 0, "the boost's test files were written by the editor");
      await screenshot(page, "33-release-ready-approved");
    });
  });
});
