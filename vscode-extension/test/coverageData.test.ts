import assert from "node:assert/strict";
import { test } from "node:test";
import { coverageStatusText, lineDetails } from "../src/coverageData";
import type { CoverageFile } from "../src/protocol";

const file: CoverageFile = {
  path: "livecov/text.py",
  uri: "file:///p/livecov/text.py",
  statements: { covered: 3, total: 5 },
  branches: { covered: 1, total: 2 },
  executed_lines: [4, 9, 11],
  missing_lines: [12, 13],
  executed_branches: [[11, 13]],
  missing_branches: [[11, 12], [13, -8]],
};

test("line details: every statement, executed or not, with the arcs leaving it", () => {
  const details = lineDetails(file);
  assert.deepEqual(details.map((d) => [d.line, d.executed]), [[4, true], [9, true], [11, true], [12, false], [13, false]]);
  assert.deepEqual(details.find((d) => d.line === 11)?.branches, [
    { executed: true, label: "to line 13" },
    { executed: false, label: "to line 12" },
  ]);
  assert.deepEqual(details.find((d) => d.line === 13)?.branches, [{ executed: false, label: "exit" }]);
});

test("status text says the figure and how it was obtained", () => {
  const note = { ran: true, run: "affected", coverage_percent: 71.234, tests_rerun: 14, seconds: 1.26 };
  assert.equal(coverageStatusText(note), "71.2 % · 14 tests re-run · 1.3 s");
  assert.equal(coverageStatusText({ ...note, run: "full", tests_rerun: 1 }), "71.2 % · 1 test re-run (all) · 1.3 s");
  assert.equal(coverageStatusText({ ...note, run: "release prep", seconds: 12 }), "71.2 % · release prep · 12.0 s");
  assert.equal(coverageStatusText({ ran: false }), "coverage: not measured");
});
