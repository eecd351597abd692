// The "Release Fix" document: per gate before → after (measured by release prep on a copy holding the
// change set) and every change under its gate with its evidence or its rejection reasons. No `vscode`
// import: unit-tested in Node. The command lives in releaseReady.ts.

interface GateJson {
  name: string;
  passed: boolean;
  critical?: boolean;
  actual?: number | null;
  threshold?: number | null;
}

interface ChangeJson {
  id: string;
  gate?: string | null;
  description: string;
  verified: boolean;
  reasons?: string[];
  measurements?: Record<string, { passed?: boolean; detail?: string }>;
}

export interface ReleaseFixResult {
  report?: { gates?: GateJson[]; approved?: boolean };
  fix?: {
    agents?: string[];
    changes?: ChangeJson[];
    skipped?: { rule: string; path: string; line: number; reason: string }[];
    gates_after?: { approved: boolean; gates: GateJson[]; applied_in_copy: string[] } | null;
    notes?: string[];
    learning?: string | null;
  };
  not_offered?: Record<string, string>;
  edit?: unknown;
}

/** What a reviewer asks of a change, in that order: the finding is gone, the tests pass, coverage rose. */
const EVIDENCE = ["finding-gone", "docstrings", "coverage-gain", "tests"];

function evidence(change: ChangeJson): string {
  const m = change.measurements ?? {};
  return EVIDENCE.filter((k) => m[k]?.passed && m[k]?.detail)
    .map((k) => `${k}: ${(m[k].detail ?? "").split("\n")[0]}`)
    .join("; ");
}

function figure(value: number | null | undefined): string {
  return typeof value === "number" ? String(Math.round(value * 100) / 100) : "n/a";
}

export function renderReleaseFix(result: ReleaseFixResult): string {
  const fix = result.fix ?? {};
  const out = ["# Make Release-Ready", ""];
  if (fix.agents?.length) {
    out.push(`Team: ${fix.agents.join(", ")}. Each change was verified alone in a private copy, then the whole set was measured together.`, "");
  }
  const after = fix.gates_after;
  if (after) {
    const before = new Map((result.report?.gates ?? []).map((g) => [g.name, g]));
    out.push("## Gates with the change set (release prep on a copy)", "", "| Gate | Before | After | Threshold | Result |", "|---|---|---|---|---|");
    for (const g of after.gates) {
      const mark = g.passed ? "✓ pass" : g.critical === false ? "⚠ warning" : "✗ fail";
      out.push(`| ${g.name} | ${figure(before.get(g.name)?.actual)} | ${figure(g.actual)} | ${figure(g.threshold)} | ${mark} |`);
    }
    out.push("", `With the set: **${after.approved ? "APPROVED" : "NOT APPROVED"}**`, "");
  }
  const changes = fix.changes ?? [];
  for (const gate of [...new Set(changes.map((c) => c.gate ?? "other"))]) {
    out.push(`## ${gate}`, "");
    for (const c of changes.filter((x) => (x.gate ?? "other") === gate)) {
      const why = c.verified ? evidence(c) : (c.reasons ?? []).join("; ");
      const offered = result.not_offered?.[c.id];
      const head = c.verified ? (offered ? "not offered" : "verified") : "rejected";
      out.push(`- **${head}** ${c.description}${why ? ` — ${why}` : ""}${offered ? ` (${offered})` : ""}`);
    }
    out.push("");
  }
  const skipped = fix.skipped ?? [];
  if (skipped.length) {
    const rules = [...new Set(skipped.map((s) => s.rule))].sort();
    out.push(`## Needs a model`, "", `${skipped.length} finding(s) (${rules.join(", ")}): set an API key ("Empathy: Set Anthropic API Key").`, "");
  }
  for (const note of fix.notes ?? []) {
    out.push(`- note: ${note}`);
  }
  if (fix.learning) {
    out.push(`- learning: ${fix.learning}`);
  }
  return out.join("\n") + "\n";
}
