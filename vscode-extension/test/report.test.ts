import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReleaseReport } from "../src/protocol";
import { gatesSummary, renderBoost, renderLearned, renderReleaseReport, renderTeamPlan, verdictText } from "../src/report";
import { createdFiles } from "../src/results";
import { GATE_SETTINGS } from "../src/settings";

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
  assert.match(md, /- Test coverage: 61\.5%/);
  assert.match(md, /- Security: 0 critical issue\(s\)\n/);
  assert.match(md, /- Documentation: not measured\n/);
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
  assert.match(md, /- Code quality: not measured\n/);
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
  const none = renderLearned({ found: false, task_pattern: "release_preparation", reason: "no learned compositions stored in this workspace yet", store: "/ws/.empathy/store.json" });
  assert.match(none, /# Learned composition for `release_preparation`/);
  assert.match(none, /Nothing learned yet: no learned compositions stored in this workspace yet\./);
  assert.match(none, /Store: `\/ws\/.empathy\/store.json`/);
  const found = renderLearned({
    found: true,
    task_pattern: "release_preparation",
    configuration: { strategy: "parallel", usage_count: 3, success_rate: 0.67, agents: [{ id: "security_auditor", tier: "premium" }] },
  });
  assert.match(found, /- \*\*Usage count\*\*: 3/);
  assert.match(found, /## Agents\n\n\| Id \| Tier \|/);
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

test("a coverage boost result shows before/after, kept tests and the files created", () => {
  const md = renderBoost({
    target: 80, target_reached: false, coverage_before: 42.86, coverage_after: 45.92, candidates_tried: 4,
    candidates_kept: 1, coverage_source: "coverage.py 7.17", notes: ["price_band: no candidate passed"],
    applied: [{ path: "tests/test_pricing_generated.py", applied: true, reason: null }],
  });
  assert.match(md, /# Coverage boost: ✗ target not reached/);
  assert.match(md, /- Coverage before: 42\.9 %, after: 45\.9 %/);
  assert.match(md, /tried: 4, kept: 1/);
  assert.match(md, /\| tests\/test_pricing_generated\.py \| yes \| — \|/);
  assert.match(md, /- price_band: no candidate passed/);
  assert.match(renderBoost({ skipped: true, reason: "workspace is not trusted" }), /skipped\n\nworkspace is not trusted/);
});

test("the metrics are the gates of the settings table, one line each, in its order", () => {
  const metrics = Object.fromEntries(GATE_SETTINGS.map((spec, i) => [spec.gate?.metric, i + 1]));
  const md = renderReleaseReport({ approved: true, metrics });
  const section = md.slice(md.indexOf("## Metrics"), md.indexOf("## Findings"));
  const lines = section.split("\n").filter((l) => l.startsWith("- "));
  assert.equal(lines.length, GATE_SETTINGS.length);
  GATE_SETTINGS.forEach((spec, i) => {
    assert.ok(spec.gate, `${spec.key} names its metric, label and unit`);
    const value = spec.integer ? String(i + 1) : (i + 1).toFixed(1);
    assert.equal(lines[i], `- ${spec.gate.label}: ${value}${spec.gate.unit}`);
  });
});
