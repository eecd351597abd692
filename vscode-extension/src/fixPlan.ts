// "Empathy: Fix Findings…" without VS Code: which findings can be picked, the daemon request for a pick,
// which verified changes may go into the preview, and the report of everything else with its measured
// reasons. No `vscode` import: unit-tested in Node. The glue is fixFindings.ts.

/** Tools whose findings an agent can propose a verified change for (server: changes/workflow.py AGENTS). */
export const AGENT_OF_TOOL: Readonly<Record<string, string>> = {
  ruff: "code_reviewer",
  bandit: "security_auditor",
  docstrings: "documentation_writer",
  radon: "refactoring_specialist",
};

/** One current finding, as the daemon published it (a diagnostic with source "empathy"). */
export interface FindingRef {
  path: string; // relative to the workspace folder, "/"-separated
  uri: string;
  tool: string;
  rule: string;
  line: number;
  message: string;
  fixable: boolean; // ruff says it can fix it (offline, no model needed)
}

export interface PickEntry {
  kind: "rule" | "file";
  key: string; // the rule, or the relative path
  label: string;
  description: string;
}

export interface FixRequest {
  root: string;
  rules?: string[];
  uris?: string[];
  agents: string[];
  edits: true;
}

interface Position {
  line: number;
  character: number;
}

export interface TextEditJson {
  range: { start: Position; end: Position };
  newText: string;
}

/** Per file of a verified change: the edits, and the editor state they were checked against. */
export interface FileEditsJson {
  uri: string;
  path: string;
  version: number | null; // the open document's version the daemon checked; null: not open then
  before_sha256: string | null;
  edits: TextEditJson[];
}

export interface FixChangeJson {
  id: string;
  agent: string;
  kind?: string;
  tier?: string | null;
  description: string;
  source?: string;
  diff?: string;
  verified: boolean;
  reasons: string[];
  measurements?: Record<string, { passed?: boolean; detail?: string }>;
  verification_seconds?: number;
  cost_usd?: number;
  rejected_attempts?: { tier?: string | null; reasons: string[] }[];
  edits?: FileEditsJson[];
  stale?: string;
  /** Verified inside the change set: offered through the set's own entry (agent "change_set"). */
  in_set?: boolean;
}

export interface FixResultJson {
  findings_targeted?: number;
  changes?: FixChangeJson[];
  skipped?: { rule: string; path: string; line: number; message?: string; reason: string }[];
  notes?: string[];
  cost_usd?: number;
  duration_seconds?: number;
}

/** What the editor holds now for a file: its version and the sha256 of its text. */
export interface DocState {
  version: number;
  sha256: string;
}

export interface OfferedChange {
  change: FixChangeJson;
  files: FileEditsJson[];
}

export interface EditPlan {
  offered: OfferedChange[];
  notOffered: { change: FixChangeJson; reason: string }[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Findings that an agent can work on (coverage gaps and other tools have no fix agent). */
export function fixableFindings(findings: FindingRef[]): FindingRef[] {
  return findings.filter((f) => f.tool in AGENT_OF_TOOL && f.rule !== "");
}

/** Quick-pick entries: one per rule (most findings first), then one per file. */
export function pickEntries(findings: FindingRef[]): PickEntry[] {
  const usable = fixableFindings(findings);
  const byRule = new Map<string, FindingRef[]>();
  const byFile = new Map<string, FindingRef[]>();
  for (const f of usable) {
    byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    byFile.set(f.path, [...(byFile.get(f.path) ?? []), f]);
  }
  const offline = (items: FindingRef[]): string => {
    const n = items.filter((f) => f.tool === "ruff" && f.fixable).length;
    return n === items.length ? "ruff can fix offline" : n > 0 ? `ruff can fix ${n} offline` : "needs a model";
  };
  const rules = [...byRule.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const files = [...byFile.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  return [
    ...rules.map(([rule, items]): PickEntry => ({
      kind: "rule",
      key: rule,
      label: rule,
      description: `${items[0].tool} · ${plural(items.length, "finding")} in ${plural(new Set(items.map((f) => f.path)).size, "file")} · ${offline(items)}`,
    })),
    ...files.map(([file, items]): PickEntry => ({
      kind: "file",
      key: file,
      label: file,
      description: `${plural(items.length, "finding")}: ${[...new Set(items.map((f) => f.rule))].join(", ")} · ${offline(items)}`,
    })),
  ];
}

/** The findings a pick means: any picked rule (or all, if none) in any picked file (or all, if none). */
export function selectedFindings(picked: PickEntry[], findings: FindingRef[]): FindingRef[] {
  const rules = new Set(picked.filter((p) => p.kind === "rule").map((p) => p.key));
  const files = new Set(picked.filter((p) => p.kind === "file").map((p) => p.key));
  return fixableFindings(findings).filter((f) => (rules.size === 0 || rules.has(f.rule)) && (files.size === 0 || files.has(f.path)));
}

/** The `empathy.server.fix` arguments for a pick (null when it matches nothing). */
export function fixRequest(root: string, picked: PickEntry[], findings: FindingRef[]): FixRequest | null {
  const chosen = selectedFindings(picked, findings);
  if (chosen.length === 0) {
    return null;
  }
  const request: FixRequest = {
    root,
    agents: [...new Set(chosen.map((f) => AGENT_OF_TOOL[f.tool]))].sort(),
    edits: true,
  };
  const rules = picked.filter((p) => p.kind === "rule").map((p) => p.key);
  if (rules.length > 0) {
    request.rules = rules;
  }
  if (picked.some((p) => p.kind === "file")) {
    request.uris = [...new Set(chosen.map((f) => f.uri))];
  }
  return request;
}

/**
 * Which verified changes go into the preview. A change is offered only if every file it touches is, in the
 * editor, exactly what was verified: the same version the daemon checked (when the file was open then)
 * and the same text (sha256). The daemon verifies every change of a run together as one change set and
 * sends the set as one entry (its members say `in_set` and are offered through it); two entries that still
 * touch one file were verified apart, so only the first is offered; the other waits for the next run.
 */
export function planEdits(result: FixResultJson, current: (path: string) => DocState | undefined): EditPlan {
  const plan: EditPlan = { offered: [], notOffered: [] };
  const claimed = new Set<string>();
  for (const change of result.changes ?? []) {
    if (!change.verified || change.in_set) {
      continue;
    }
    if (change.stale) {
      plan.notOffered.push({ change, reason: change.stale });
      continue;
    }
    const files = change.edits ?? [];
    if (files.length === 0) {
      plan.notOffered.push({ change, reason: "the daemon sent no edits for it" });
      continue;
    }
    const why = files.map((f) => refusal(f, current(f.path), claimed)).find((r) => r !== undefined);
    if (why) {
      plan.notOffered.push({ change, reason: why });
      continue;
    }
    files.forEach((f) => claimed.add(f.path));
    plan.offered.push({ change, files });
  }
  return plan;
}

function refusal(file: FileEditsJson, now: DocState | undefined, claimed: Set<string>): string | undefined {
  if (!now) {
    return `${file.path} could not be opened`;
  }
  if (file.version !== null && now.version !== file.version) {
    return `${file.path} changed since it was verified (version ${file.version} → ${now.version}); run Fix Findings again`;
  }
  if (file.before_sha256 !== now.sha256) {
    return `${file.path} is not the text that was verified; run Fix Findings again`;
  }
  if (claimed.has(file.path)) {
    return `${file.path} is also changed by another verified change in this preview; each was verified alone, so run Fix Findings again after applying`;
  }
  return undefined;
}

/** One line on how a change was verified, e.g. "verified in 4.2 s: tests ✓, finding-gone ✓, coverage ✓". */
export function verificationSummary(change: FixChangeJson): string {
  const checks = Object.entries(change.measurements ?? {}).map(([name, m]) => `${name} ${m.passed ? "✓" : "✗"}`);
  const time = typeof change.verification_seconds === "number" ? ` in ${change.verification_seconds.toFixed(1)} s` : "";
  return `verified${time}${checks.length ? `: ${checks.join(", ")}` : ""}`;
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split(/\r?\n/)[0];
}

/** The Markdown report shown beside the preview: offered, not offered, rejected (with the measured reasons), skipped. */
export function renderFixReport(result: FixResultJson, plan: EditPlan): string {
  const changes = result.changes ?? [];
  const rejected = changes.filter((c) => !c.verified);
  const out: string[] = [
    `# Fix Findings: ${plural(plan.offered.length, "verified change")} to preview`,
    "",
    `${plural(result.findings_targeted ?? 0, "finding")} targeted; every change was applied in a private copy of the project and measured there before it is offered.`,
    "",
  ];
  if (plan.offered.length > 0) {
    out.push("## In the preview (verified)", "");
    for (const { change, files } of plan.offered) {
      out.push(`- **${change.description}** — ${change.agent}${change.tier ? ` (${change.tier})` : ""}; ${verificationSummary(change)}; ${files.map((f) => `\`${f.path}\``).join(", ")}`);
      for (const [name, m] of Object.entries(change.measurements ?? {})) {
        out.push(`  - ${name}: ${firstLine(m.detail)}`);
      }
    }
    out.push("");
  }
  if (plan.notOffered.length > 0) {
    out.push("## Verified, not offered now", "");
    for (const { change, reason } of plan.notOffered) {
      out.push(`- **${change.description}**: ${reason}`);
    }
    out.push("");
  }
  if (rejected.length > 0) {
    out.push("## Rejected by verification", "");
    for (const change of rejected) {
      out.push(`- **${change.description}** — ${change.agent}${change.tier ? ` (${change.tier})` : ""}`);
      for (const reason of change.reasons) {
        out.push(`  - ${firstLine(reason)}`);
      }
    }
    out.push("");
  }
  const attempts = changes.flatMap((c) => (c.rejected_attempts ?? []).map((a) => ({ c, a })));
  if (attempts.length > 0) {
    out.push("## Earlier attempts rejected", "");
    for (const { c, a } of attempts) {
      out.push(`- ${c.description} (${a.tier ?? "no model"}): ${a.reasons.map(firstLine).join("; ")}`);
    }
    out.push("");
  }
  if ((result.skipped ?? []).length > 0) {
    out.push("## Skipped", "");
    for (const s of result.skipped ?? []) {
      out.push(`- ${s.rule} \`${s.path}:${s.line}\`: ${s.reason}`);
    }
    out.push("");
  }
  for (const note of result.notes ?? []) {
    out.push(`> ${note}`, "");
  }
  const cost = typeof result.cost_usd === "number" ? `$${result.cost_usd.toFixed(4)}` : "—";
  const time = typeof result.duration_seconds === "number" ? `${result.duration_seconds.toFixed(1)} s` : "—";
  out.push(`Model cost ${cost}; took ${time}.`);
  return out.join("\n");
}
