// Verified fixes end to end in real VS Code (code-server 4.100.3 + Chromium), offline (no API key): ruff's
// F401 (`import os` unused in inventory/report.py of a copy of the sample) is fixed through the daemon's
// code action, and through "Empathy: Fix Findings…" with VS Code's Refactor Preview; after save its
// Problems row is gone. Screenshots go to test-artifacts/e2e/ (20-29).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  chooseCodeAction, copySample, e2ePython, openFile, openWorkbench, runCommand, screenshot, showCodeAction,
  tempDir, useCodeServer, waitForToast, waitOrEmpathyError, webviewText,
} from "./harness.mjs";

const REPORT = "inventory/report.py";

function workspace(name) {
  // No key: the daemon's environment has none (the harness's code-server inherits none from CI either).
  return copySample(path.join(tempDir(name), "sample-project"), {
    "empathy.server.pythonPath": e2ePython(),
    "python.defaultInterpreterPath": e2ePython(),
  });
}

function lineOf(file, needle) {
  const index = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} in ${file}`);
  return index + 1;
}

/** The Problems panel filtered to `text`; returns the panel locator. */
async function problems(page, text) {
  await page.keyboard.press("Control+Shift+M");
  const panel = page.locator(".markers-panel");
  await panel.waitFor({ timeout: 20_000 });
  await page.locator(".viewpane-filter input, .markers-panel-action-filter input").first().fill(text);
  return panel;
}

async function editorText(page) {
  // Monaco renders spaces as U+00A0.
  return (await page.locator(".editor-instance .monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
}

async function waitFor(predicate, timeout, what) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
}

async function saveAndExpectF401Gone(page, ws, name) {
  await page.keyboard.press("Control+S");
  await waitFor(() => !readFileSync(path.join(ws, REPORT), "utf8").includes("import os\n"), 20_000, "the saved file");
  const panel = await problems(page, "F401");
  await waitFor(async () => (await panel.locator(".monaco-list-row", { hasText: "F401" }).count()) === 0, 60_000,
    "the F401 row to disappear from Problems");
  await screenshot(page, name);
}

describe("Verified fixes in real VS Code (offline)", () => {
  const vscode = useCodeServer();

  test("Fix `F401` (verified) from the code action; after save the Problems row is gone", async () => {
    const ws = workspace("ws-fix-action");
    const line = lineOf(path.join(ws, REPORT), "import os");
    await vscode.withPage({ failureShot: "28-fix-action-failure" }, async (page) => {
      await openWorkbench(page, vscode.server.url, ws);
      await openFile(page, REPORT, line);
      const panel = await problems(page, "F401");
      await waitOrEmpathyError(page, panel.locator(".monaco-list-row", { hasText: "F401" }).first(), 120_000);
      await screenshot(page, "20-fix-f401-in-problems");

      await openFile(page, REPORT, line);
      await showCodeAction(page, "Fix `F401` (verified)");
      await screenshot(page, "21-fix-code-action");
      await chooseCodeAction(page, "Fix `F401` (verified)");

      // Verification (a private copy, the sample's tests) runs, then the edit arrives bound to the version.
      // VS Code applies it in the editor (and, with its default files.refactoring.autoSave, saves it).
      const fixed = page.locator(".editor-instance .monaco-editor .view-lines").first().filter({ hasNotText: /import\s+os/ });
      await waitOrEmpathyError(page, fixed, 240_000);
      await screenshot(page, "22-fix-applied");

      await saveAndExpectF401Gone(page, ws, "23-fix-saved-problem-gone");
    });
  });

  test("Fix Findings…: pick a rule, the verified change in the Refactor Preview, applied and saved", async () => {
    const ws = workspace("ws-fix-findings");
    await vscode.withPage({ failureShot: "29-fix-findings-failure" }, async (page) => {
      await openWorkbench(page, vscode.server.url, ws);
      await openFile(page, REPORT, 1);
      const panel = await problems(page, "F401");
      await waitOrEmpathyError(page, panel.locator(".monaco-list-row", { hasText: "F401" }).first(), 120_000);

      await runCommand(page, "Empathy: Fix Findings…");
      const input = page.locator(".quick-input-widget input.input, .quick-input-widget .quick-input-filter input").first();
      await page.locator(".quick-input-widget .quick-input-title", { hasText: "Empathy: Fix Findings" }).waitFor({ timeout: 30_000 });
      await input.fill("F401");
      const rule = page.locator(".quick-input-list .monaco-list-row", { hasText: "ruff · 1 finding in 1 file" }).first();
      await rule.waitFor({ timeout: 10_000 });
      // VS Code 1.100 draws the row's checkbox as a custom toggle (role=checkbox); the count badge confirms.
      await rule.locator("[role=checkbox], .monaco-custom-toggle").first().click();
      await page.locator(".quick-input-widget .quick-input-count", { hasText: "1 Selected" }).waitFor({ timeout: 10_000 });
      await screenshot(page, "24-fix-findings-pick");
      await page.keyboard.press("Enter");

      // The report (with the measured verification) and VS Code's own Refactor Preview of the change.
      const report = await webviewText(page, /Fix Findings: 1 verified change to preview/, 240_000);
      assert.match(report, /tests: /);
      // Entries that need confirmation start unticked: nothing is applied until the user ticks and applies.
      const fileRow = page.locator(".monaco-tl-row", { hasText: "report.py" }).filter({ has: page.locator("[role=checkbox], .monaco-custom-toggle, input[type=checkbox]") }).first();
      await waitOrEmpathyError(page, fileRow, 30_000);
      await screenshot(page, "25-fix-findings-refactor-preview");
      assert.ok(readFileSync(path.join(ws, REPORT), "utf8").includes("import os\n"), "nothing applied before the user confirms");
      await fileRow.locator("[role=checkbox], .monaco-custom-toggle, input[type=checkbox]").first().click();
      await screenshot(page, "25b-fix-findings-ticked");
      await page.getByRole("button", { name: "Apply", exact: true }).click();
      await waitForToast(page, /applied 1 verified change/, 60_000);
      await openFile(page, REPORT, 1);
      assert.ok(!(await editorText(page)).includes("import os"), "the previewed change was applied in the editor");
      await screenshot(page, "26-fix-findings-applied");

      await saveAndExpectF401Gone(page, ws, "27-fix-findings-saved-problem-gone");
    });
  });
});
