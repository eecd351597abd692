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
      // pricing.py stays visible beside the test, so its gutters are seen to change with the status item.
      await page.keyboard.press("Control+\\");
      await openFile(page, "inventory/pricing.py", band.first);
      await page.keyboard.press("Control+1"); // back to the test's editor (the first group)
      await page.locator('.tabs-container .tab.active[aria-label*="test_band.py"]').first().waitFor();
      const saved = Date.now();
      await page.keyboard.press("Control+S");
      const live = page.locator(".statusbar-item", { hasText: /% · 1 test re-run · [\d.]+ s/ }).first();
      await waitOrEmpathyError(page, live, 120_000);
      const statusAt = Date.now() - saved;
      const text = await live.innerText();
      const after = Number.parseFloat(text.match(/([\d.]+) %/)[1]);
      const refresh = Number.parseFloat(text.match(/([\d.]+) s/)[1]) * 1000; // the daemon's own timing
      assert.ok(after > before, `coverage rose: ${before} → ${after}`);

      // The gutters follow the same run: polled, not waited for blindly.
      let now = await gutter(page);
      while (linesOf(now, "miss", band) > 0 && Date.now() - saved < statusAt + 10_000) {
        await page.waitForTimeout(50);
        now = await gutter(page);
      }
      const guttersAt = Date.now() - saved;
      await screenshot(page, "31-live-coverage-after-saving-a-test");
      assert.equal(linesOf(now, "miss", band), 0, `price_band covered now: ${JSON.stringify(now)}`);
      assert.ok(linesOf(now, "hit", band) > 0, `price_band's lines are marked covered: ${JSON.stringify(now)}`);
      // The editor adds little to the refresh (issue 29): the status item and the coverage view show it within
      // a second of the daemon's answer. The refresh's own time is the bench's (bench/lsp_bench.py --live).
      console.log(`save → status ${statusAt} ms, → gutters ${guttersAt} ms; the daemon's refresh ${refresh.toFixed(0)} ms`);
      assert.ok(statusAt <= refresh + 1000, `status item ${statusAt} ms after the save, refresh ${refresh} ms`);
      assert.ok(guttersAt <= refresh + 1000, `coverage view ${guttersAt} ms after the save, refresh ${refresh} ms`);
    });
  });
});
