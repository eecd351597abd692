import assert from "node:assert/strict";
import { test } from "node:test";
import { renderReleaseFix } from "../src/releaseFixReport";

const result = {
  report: { gates: [{ name: "min_coverage", passed: false, actual: 42.857, threshold: 80 }] },
  fix: {
    agents: ["test_coverage_analyzer", "security_auditor"],
    changes: [
      {
        id: "boost:tests/test_a_generated.py",
        gate: "min_coverage",
        description: "new tests tests/test_a_generated.py for f in a.py",
        verified: true,
        measurements: {
          applies: { passed: true, detail: "git apply -p1: 1 file(s) changed" },
          "coverage-gain": { passed: true, detail: "a.py: 12 → 2 statements unrun" },
          tests: { passed: true, detail: "7 passed" },
        },
      },
      { id: "x", gate: "max_critical_issues", description: "fix B602", verified: false, reasons: ["tests: 1 failed"] },
    ],
    skipped: [{ rule: "B324", path: "a.py", line: 3, reason: "needs a model" }],
    gates_after: { approved: false, applied_in_copy: ["boost:tests/test_a_generated.py"], gates: [{ name: "min_coverage", passed: true, actual: 92.857, threshold: 80 }] },
    notes: ["one note"],
  },
  not_offered: {},
};

test("release fix report: gates before → after, changes by gate with evidence, what needs a model", () => {
  const md = renderReleaseFix(result);
  assert.match(md, /\| min_coverage \| 42\.86 \| 92\.86 \| 80 \| ✓ pass \|/);
  assert.match(md, /## min_coverage\n\n- \*\*verified\*\* new tests .* — coverage-gain: a\.py: 12 → 2 statements unrun; tests: 7 passed/);
  assert.ok(!md.includes("git apply"), "plumbing checks are not evidence");
  assert.match(md, /## max_critical_issues\n\n- \*\*rejected\*\* fix B602 — tests: 1 failed/);
  assert.match(md, /## Needs a model\n\n1 finding\(s\) \(B324\)/);
  assert.match(md, /With the set: \*\*NOT APPROVED\*\*/);
});

test("release fix report: a verified change the editor cannot take is marked, with why", () => {
  const md = renderReleaseFix({ ...result, not_offered: { "boost:tests/test_a_generated.py": "tests/test_a_generated.py exists now; not overwritten" } });
  assert.match(md, /\*\*not offered\*\* new tests .*\(tests\/test_a_generated\.py exists now; not overwritten\)/);
});
