import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReleaseReport } from "../src/protocol";
import { gatesSummary, renderLearned, renderReleaseReport, renderTeamPlan, verdictText } from "../src/report";
import { createdFiles } from "../src/results";

const report: ReleaseReport = {
  approved: false,
  confidence: 0.82,
  gates: [
    { name: "coverage", passed: false, actual: 61.5, threshold: 80 },
    { name: "critical_issues", passed: true, actual: 0, threshold: 0 },
    { name: "quality", passed: true, actual: 8.1, threshold: 7, message: "ruff | radon" },
  ],
  metrics: { coverage_percent: 61.5, quality_score: 8.1, doc_coverage_percent: null, critical_issues: 0 },
  findings: [
    { tool: "ruff", rule: "F401", severity: "low", path: "inventory/report.py", line: 3, message: "unused import" },
    { tool: "bandit", rule: "B602", severity: "high", path: "inventory/storage.py", line: 38, message: "shell=True" },
  ],
  agents: [{ id: "security_auditor", tier: "premium", ran: true }],
  duration_seconds: 4.25,
};

test("verdict text counts passed gates", () => {
  assert.equal(verdictText(report), "Release: blocked (2/3 gates)");
  assert.equal(verdictText({ approved: true }), "Release: approved");
  assert.equal(verdictText({ approved: true, gates: [{ name: "x", passed: true }] }), "Release: approved (1/1 gates)");
});

test("gate summary lines show measured value and threshold", () => {
  assert.deepEqual(gatesSummary(report), [
    "✗ coverage: 61.5 (needs 80)",
    "✓ critical_issues: 0 (needs 0)",
    "✓ quality: 8.1 (needs 7)",
  ]);
});

test("the report renders gates, metrics, findings by severity and agents", () => {
  const md = renderReleaseReport(report);
  assert.match(md, /^# Release readiness: ✗ not approved/);
  assert.match(md, /Confidence: 82 % · Duration: 4\.3 s/);
  assert.match(md, /\| coverage \| ✗ fail \| 61\.5 \| 80 \|/);
  // Pipes inside a cell are escaped so the table stays a table.
  assert.match(md, /ruff \\\| radon/);
  assert.match(md, /- Test coverage: 61\.5 %/);
  assert.match(md, /- Docstring coverage: not measured\n/);
  assert.match(md, /## Findings \(2\)/);
  const bandit = md.indexOf("B602");
  const ruff = md.indexOf("F401");
  assert.ok(bandit > 0 && ruff > bandit, "high severity listed before low");
  assert.ok(md.includes("`inventory/storage.py:38`"));
  assert.match(renderReleaseReport({ approved: true, confidence: "high" }), /Confidence: high/);
  assert.match(md, /\| Id \| Tier \| Ran \|/);
  assert.match(md, /\| security_auditor \| premium \| true \|/);
});

test("a report with nothing measured says so instead of inventing numbers", () => {
  const md = renderReleaseReport({ approved: false });
  assert.match(md, /No gates were reported\./);
  assert.match(md, /- Quality score: not measured\n/);
  assert.match(md, /## Findings \(0\)\n\nNone\./);
});

test("team plan and learned compositions render as readable markdown", () => {
  const md = renderTeamPlan("audit auth", {
    strategy: "parallel",
    agents: [{ role: "security_auditor", tier: "premium" }],
    estimated_cost: 0.125,
    rationale: "security keywords",
    complexity: "moderate",
  });
  assert.match(md, /# Agent team for: audit auth/);
  assert.match(md, /\*\*Strategy:\*\* parallel/);
  assert.match(md, /\*\*Estimated cost:\*\* \$0\.13/);
  assert.match(md, /\| security_auditor \| premium \|/);
  assert.match(md, /## Rationale\n\nsecurity keywords/);
  assert.match(md, /- \*\*Complexity\*\*: moderate/);
  assert.match(renderLearned([]), /Nothing learned yet/);
  assert.match(renderLearned({ compositions: [{ task_pattern: "release", usage_count: 3 }] }), /\| release \| 3 \|/);
});

test("created files are the applied entries of a command result", () => {
  const result = {
    applied: [
      { path: "tests/test_pricing_generated.py", uri: "file:///ws/tests/test_pricing_generated.py", applied: true, reason: null },
      { path: "tests/test_stock_generated.py", applied: false, reason: "file already exists; not overwritten" },
      { path: "tests/test_report_generated.py", applied: true },
    ],
    findings: [{ path: "inventory/pricing.py" }],
  };
  assert.deepEqual(createdFiles(result), ["file:///ws/tests/test_pricing_generated.py", "tests/test_report_generated.py"]);
  assert.deepEqual(createdFiles({ skipped: true, applied: [] }), []);
  assert.deepEqual(createdFiles(null), []);
  assert.deepEqual(createdFiles({ applied: "yes" }), []);
});

test("a summary without the findings list points to Problems instead of claiming none", () => {
  const md = renderReleaseReport({ approved: true, findings_total: 7 });
  assert.match(md, /## Findings \(7\)\n\nThe full list is in the Problems panel/);
});
