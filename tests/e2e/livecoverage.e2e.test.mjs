// Live coverage in real VS Code (code-server 4.100.3 + Chromium): after Prepare Release the editor shows the
// uncovered lines (VS Code's own coverage gutters, fed by empathy.server.coverage); adding a test for one
// function and saving it covers them without another Prepare Release. Screenshots: test-artifacts/e2e/.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  copySample, e2ePython, openFile, openWorkbench, runCommand, screenshot, tempDir, useCodeServer,
  waitOrEmpathyError,
} from "./harness.mjs";

const BAND_TEST = `from inventory.pricing import price_band


def test_every_band():
    assert [price_band(p) for p in (0.5, 5, 50, 500, 5000)] == ["penny", "cheap", "standard", "premium", "luxury"]
`;

/** The 1-based lines of `price_band`'s body in the sample's pricing.py. */
function bandLines(file) {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith("def price_band"));
  assert.ok(start >= 0);
  let end = start + 1;
  while (end < lines.length && (lines[end].startsWith(" ") || lines[end] === "")) end++;
  return { first: start + 2, last: end };
}

/** Gutter coverage decorations of the visible editor lines: {line (1-based) → "hit" | "miss"}. Each row of
 * the margin holds the line number and the decorations of that line. */
async function gutter(page) {
  return page.evaluate(() => {
    const out = {};
    for (const row of document.querySelectorAll(".monaco-editor .margin-view-overlays > div")) {
      const number = Number.parseInt(row.querySelector(".line-numbers")?.textContent ?? "", 10);
      const deco = row.querySelector(".coverage-deco-gutter");
      if (!number || !deco) continue;
      out[number] = deco.classList.contains("coverage-deco-miss") ? "miss" : deco.classList.contains("coverage-deco-hit") ? "hit" : "other";
    }
    return out;
  });
}

function linesOf(shown, kind, band) {
  return Object.entries(shown).filter(([line, k]) => k === kind && Number(line) >= band.first && Number(line) <= band.last).length;
}

describe("Live coverage in real VS Code", () => {
  const vscode = useCodeServer();

  test("uncovered lines after Prepare Release; a new test, saved, covers them", async () => {
    const workspace = copySample(path.join(tempDir("ws-live"), "sample-project"), {
      "empathy.server.pythonPath": e2ePython(),
      "empathy.project.python": e2ePython(),
    });
    const pricing = path.join(workspace, "inventory", "pricing.py");
    const band = bandLines(pricing);
    await vscode.withPage({ viewport: { width: 1400, height: 1000 } }, async (page) => {
      await openWorkbench(page, vscode.server.url, workspace);
      await runCommand(page, "Empathy: Prepare Release");
      const status = page.locator(".statusbar-item", { hasText: /% · release prep/ }).first();
      await waitOrEmpathyError(page, status, 240_000);
      const before = Number.parseFloat((await status.innerText()).match(/([\d.]+) %/)[1]);

      // The coverage the daemon measured is VS Code's own: gutters on the editor, missed lines marked.
      await openFile(page, "inventory/pricing.py", band.first);
      await page.locator(".coverage-deco-gutter").first().waitFor({ timeout: 60_000 });
      await page.waitForTimeout(500);
      const shown = await gutter(page);
      await screenshot(page, "30-live-coverage-after-release-prep");
      assert.ok(linesOf(shown, "miss", band) > 0, `price_band's lines are missed: ${JSON.stringify(shown)}`);

      // A test for price_band, written and saved in the editor: only it runs, and the lines turn covered.
      writeFileSync(path.join(workspace, "tests", "test_band.py"), BAND_TEST);
      await openFile(page, "tests/test_band.py");
      await page.keyboard.press("Control+End");
      await page.keyboard.type("# saved from the editor\n");
      await page.keyboard.press("Control+S");
      const live = page.locator(".statusbar-item", { hasText: /% · 1 test re-run · [\d.]+ s/ }).first();
      await waitOrEmpathyError(page, live, 120_000);
      const after = Number.parseFloat((await live.innerText()).match(/([\d.]+) %/)[1]);
      assert.ok(after > before, `coverage rose: ${before} → ${after}`);

      await openFile(page, "inventory/pricing.py", band.first);
      await page.waitForTimeout(1500); // the gutters follow the new coverage run
      const now = await gutter(page);
      await screenshot(page, "31-live-coverage-after-saving-a-test");
      assert.equal(linesOf(now, "miss", band), 0, `price_band covered now: ${JSON.stringify(now)}`);
      assert.ok(linesOf(now, "hit", band) > 0, `price_band's lines are marked covered: ${JSON.stringify(now)}`);
    });
  });
});
