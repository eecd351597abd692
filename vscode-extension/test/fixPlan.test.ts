import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  type FindingRef,
  type FixChangeJson,
  type FixResultJson,
  fixRequest,
  pickEntries,
  planEdits,
  renderFixReport,
  selectedFindings,
} from "../src/fixPlan";

const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");

function finding(path: string, tool: string, rule: string, line: number, fixable = false): FindingRef {
  return { path, uri: `file:///ws/${path}`, tool, rule, line, message: `${tool}: m`, fixable };
}

const findings: FindingRef[] = [
  finding("inventory/report.py", "ruff", "F401", 3, true),
  finding("inventory/core.py", "ruff", "F401", 1, true),
  finding("inventory/core.py", "ruff", "E722", 20),
  finding("inventory/storage.py", "bandit", "B602", 38),
  finding("inventory/pricing.py", "coverage", "coverage-gap", 5), // no fix agent: never offered
];

test("pick entries: rules by count, then files; coverage gaps are not fixable findings", () => {
  const entries = pickEntries(findings);
  assert.deepEqual(entries.map((e) => `${e.kind}:${e.key}`), [
    "rule:F401", "rule:B602", "rule:E722",
    "file:inventory/core.py", "file:inventory/report.py", "file:inventory/storage.py",
  ]);
  assert.equal(entries[0].description, "ruff · 2 findings in 2 files · ruff can fix offline");
  assert.equal(entries[1].description, "bandit · 1 finding in 1 file · needs a model");
  assert.equal(entries[3].description, "2 findings: F401, E722 · ruff can fix 1 offline");
});

test("a pick means rules AND files; the request names only the agents those findings need", () => {
  const [f401, b602] = pickEntries(findings);
  const core = pickEntries(findings).find((e) => e.key === "inventory/core.py")!;
  assert.deepEqual(fixRequest("/ws", [f401], findings), { root: "/ws", agents: ["code_reviewer"], edits: true, rules: ["F401"] });
  assert.deepEqual(fixRequest("/ws", [core], findings), {
    root: "/ws", agents: ["code_reviewer"], edits: true, uris: ["file:///ws/inventory/core.py"],
  });
  assert.deepEqual(selectedFindings([f401, core], findings).map((f) => `${f.rule}@${f.path}`), ["F401@inventory/core.py"]);
  assert.deepEqual(fixRequest("/ws", [f401, b602], findings)?.agents, ["code_reviewer", "security_auditor"]);
  assert.equal(fixRequest("/ws", [b602, pickEntries(findings).find((e) => e.key === "inventory/report.py")!], findings), null);
  assert.equal(fixRequest("/ws", [], []), null);
});

const before = "import os\nimport sys\n\nprint(sys.argv)\n";

function verified(id: string, path: string, extra: Partial<FixChangeJson> = {}): FixChangeJson {
  return {
    id, agent: "code_reviewer", description: `fix ${id}`, verified: true, reasons: [],
    measurements: { tests: { passed: true, detail: "12 passed" }, "finding-gone": { passed: true, detail: "1 of 1 gone" } },
    verification_seconds: 4.25,
    edits: [{ uri: `file:///ws/${path}`, path, version: 3, before_sha256: sha(before),
      edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, newText: "" }] }],
    ...extra,
  };
}

test("only verified changes whose files are still the verified version and text are offered", () => {
  const result: FixResultJson = {
    findings_targeted: 6,
    changes: [
      verified("a", "a.py"),
      verified("typed", "typed.py"), // the user typed since: version moved on
      verified("edited-elsewhere", "other.py"), // same version number, other text (e.g. changed on disk)
      verified("second-on-a", "a.py"), // was verified alone, not together with "a"
      verified("stale", "s.py", { stale: "s.py changed since it was verified", edits: undefined }),
      { id: "bad", agent: "code_reviewer", description: "fix bad", verified: false, reasons: ["tests: 1 failed: test_x"] },
    ],
  };
  const state = new Map([
    ["a.py", { version: 3, sha256: sha(before) }],
    ["typed.py", { version: 5, sha256: sha(before) }],
    ["other.py", { version: 3, sha256: sha("something else") }],
  ]);
  const plan = planEdits(result, (p) => state.get(p));
  assert.deepEqual(plan.offered.map((o) => o.change.id), ["a"]);
  const refused = Object.fromEntries(plan.notOffered.map((n) => [n.change.id, n.reason]));
  assert.match(refused.typed, /typed\.py changed since it was verified \(version 3 → 5\)/);
  assert.match(refused["edited-elsewhere"], /not the text that was verified/);
  assert.match(refused["second-on-a"], /also changed by another verified change/);
  assert.equal(refused.stale, "s.py changed since it was verified");
  assert.equal(refused.bad, undefined, "a rejected change is never a candidate");
});

test("a file the daemon did not have open is checked by its text alone", () => {
  const change = verified("closed", "c.py");
  change.edits![0].version = null;
  const plan = planEdits({ changes: [change] }, () => ({ version: 1, sha256: sha(before) }));
  assert.deepEqual(plan.offered.map((o) => o.change.id), ["closed"]);
  assert.deepEqual(planEdits({ changes: [change] }, () => undefined).notOffered[0].reason, "c.py could not be opened");
});

test("the report shows the measured reasons of rejected changes, attempts, skipped findings and cost", () => {
  const result: FixResultJson = {
    findings_targeted: 3,
    changes: [
      verified("a", "a.py"),
      { id: "r", agent: "code_reviewer", tier: "PREMIUM", description: "E722 at x.py:3", verified: false,
        reasons: ["tests: 1 newly failing test: test_to_int_rejects_words\nmore"],
        rejected_attempts: [{ tier: "CHEAP", reasons: ["finding-gone: 0 of 1 claimed finding(s) gone"] }] },
    ],
    skipped: [{ rule: "B602", path: "s.py", line: 38, reason: "security_auditor needs a model for this finding (set ANTHROPIC_API_KEY)" }],
    notes: ["max cost $0.0100 reached"],
    cost_usd: 0.0123,
    duration_seconds: 9.87,
  };
  const plan = planEdits(result, () => ({ version: 3, sha256: sha(before) }));
  const md = renderFixReport(result, plan);
  assert.match(md, /^# Fix Findings: 1 verified change to preview/);
  assert.match(md, /## In the preview \(verified\)\n\n- \*\*fix a\*\* — code_reviewer; verified in 4\.3 s: tests ✓, finding-gone ✓; `a\.py`/);
  assert.match(md, /  - tests: 12 passed/);
  assert.match(md, /## Rejected by verification\n\n- \*\*E722 at x\.py:3\*\* — code_reviewer \(PREMIUM\)\n  - tests: 1 newly failing test: test_to_int_rejects_words\n/);
  assert.match(md, /- E722 at x\.py:3 \(CHEAP\): finding-gone: 0 of 1 claimed finding\(s\) gone/);
  assert.match(md, /- B602 `s\.py:38`: security_auditor needs a model/);
  assert.match(md, /> max cost \$0\.0100 reached/);
  assert.match(md, /Model cost \$0\.0123; took 9\.9 s\.$/);
});

test("the change set is offered as one entry; its members are not offered twice", () => {
  const set = verified("set:2", "a.py");
  set.agent = "change_set";
  const result: FixResultJson = {
    changes: [
      { ...verified("m1", "a.py"), in_set: true },
      { ...verified("m2", "a.py"), in_set: true },
      set,
    ],
  };
  const plan = planEdits(result, () => ({ version: 3, sha256: sha(before) }));
  assert.deepEqual(plan.offered.map((o) => o.change.id), ["set:2"]);
  assert.deepEqual(plan.notOffered, []);
});
