// Turns the daemon's JSON (release-prep summary, team plan, learned compositions) into readable Markdown
// and short status texts. No `vscode` import: unit-tested in Node.
import type { FindingJson, GateResult, ReleaseReport } from "./protocol";
import { GATE_SETTINGS } from "./settings";

function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // A pipe or newline would break the table row.
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function measured(value: unknown, unit: string, digits = 1): string {
  return typeof value === "number" && Number.isFinite(value) ? `${value.toFixed(digits)}${unit}` : "not measured";
}

function titleCase(key: string): string {
  return key.replace(/[_-]+/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

export function gatesOf(report: ReleaseReport): GateResult[] {
  return Array.isArray(report.gates) ? report.gates.filter((g) => g && typeof g.name === "string") : [];
}

/** "Release: approved (4/4 gates)" / "Release: blocked (2/4 gates)", for the status bar. */
export function verdictText(report: ReleaseReport): string {
  const gates = gatesOf(report);
  const passed = gates.filter((g) => g.passed).length;
  const verdict = report.approved ? "approved" : "blocked";
  return gates.length > 0 ? `Release: ${verdict} (${passed}/${gates.length} gates)` : `Release: ${verdict}`;
}

function gateValue(g: GateResult): string {
  if (g.actual === undefined && g.threshold === undefined) {
    return g.message ?? "";
  }
  return `${cell(g.actual)} (needs ${cell(g.threshold)})`;
}

/** One line per gate, for the status bar tooltip. */
export function gatesSummary(report: ReleaseReport): string[] {
  return gatesOf(report).map((g) => `${g.passed ? "✓" : "✗"} ${g.name}: ${gateValue(g)}`.trim());
}

function findingWhere(f: FindingJson): string {
  // Plain text: the Markdown preview refuses file: links, and Problems already links each finding.
  return `\`${f.path}:${f.line}\``;
}

const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"];

function severityRank(s: string): number {
  const i = SEVERITY_ORDER.indexOf(String(s).toLowerCase());
  return i === -1 ? SEVERITY_ORDER.length : i;
}

export function renderReleaseReport(report: ReleaseReport): string {
  const out: string[] = [];
  out.push(`# Release readiness: ${report.approved ? "✓ approved" : "✗ not approved"}`, "");
  if (!report.approved) {
    out.push("Run **Empathy: Make Release-Ready…** to compose the agents for the failed gates and preview one verified change set.", "");
  }
  const facts: string[] = [];
  if (typeof report.confidence === "number") {
    facts.push(`Confidence: ${(report.confidence * (report.confidence <= 1 ? 100 : 1)).toFixed(0)} %`);
  } else if (typeof report.confidence === "string" && report.confidence) {
    facts.push(`Confidence: ${report.confidence}`);
  }
  if (typeof report.duration_seconds === "number") {
    facts.push(`Duration: ${report.duration_seconds.toFixed(1)} s`);
  }
  if (facts.length) {
    out.push(facts.join(" · "), "");
  }

  const gates = gatesOf(report);
  out.push("## Quality gates", "");
  if (gates.length === 0) {
    out.push("No gates were reported.", "");
  } else {
    out.push("| Gate | Result | Measured | Threshold | Note |", "|---|---|---|---|---|");
    for (const g of gates) {
      out.push(
        `| ${cell(g.name)} | ${g.passed ? "✓ pass" : "✗ fail"} | ${cell(g.actual)} | ${cell(g.threshold)} | ${cell(g.message)} |`,
      );
    }
    out.push("");
  }

  const m: Record<string, unknown> = report.metrics ?? {};
  out.push("## Metrics", "");
  // One line per gate of the settings table: a gate added there shows here without a change.
  for (const spec of GATE_SETTINGS) {
    if (spec.gate !== undefined) {
      out.push(`- ${spec.gate.label}: ${measured(m[spec.gate.metric], spec.gate.unit, spec.integer ? 0 : 1)}`);
    }
  }
  out.push("");

  const findings = Array.isArray(report.findings) ? [...report.findings] : [];
  const countOnly = !Array.isArray(report.findings) && typeof report.findings_total === "number";
  if (countOnly) {
    // The empathy/report notification carries counts only; the findings themselves are diagnostics.
    out.push(`## Findings (${report.findings_total})`, "", "The full list is in the Problems panel (source: empathy).", "");
  } else if (findings.length === 0) {
    out.push("## Findings (0)", "", "None.", "");
  } else {
    findings.sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        String(a.path).localeCompare(String(b.path)) ||
        a.line - b.line,
    );
    out.push(`## Findings (${findings.length})`, "", "| Severity | Tool | Rule | Where | Message |", "|---|---|---|---|---|");
    for (const f of findings) {
      out.push(
        `| ${cell(f.severity)} | ${cell(f.tool)} | ${cell(f.rule)} | ${findingWhere(f)} | ${cell(f.message)} |`,
      );
    }
    out.push("");
  }

  if (report.agents !== undefined && report.agents !== null) {
    out.push("## Agents", "", renderValue(report.agents), "");
  }
  return out.join("\n");
}

/** Arrays of objects become tables, objects become bullet lists, the rest plain text. */
export function renderValue(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return "None.";
    }
    if (value.every((v) => v && typeof v === "object" && !Array.isArray(v))) {
      const keys = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
      const rows = value.map((v) => `| ${keys.map((k) => cell((v as Record<string, unknown>)[k])).join(" | ")} |`);
      return [`| ${keys.map(titleCase).join(" | ")} |`, `|${keys.map(() => "---").join("|")}|`, ...rows].join("\n");
    }
    return value.map((v) => `- ${cell(v)}`).join("\n");
  }
  if (value && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `- **${titleCase(k)}**: ${cell(v)}`)
      .join("\n");
  }
  return cell(value);
}

const PLAN_KNOWN = ["task", "strategy", "agents", "estimated_cost", "estimated_duration", "rationale"];

export function renderTeamPlan(task: string, plan: Record<string, unknown>): string {
  const out = [`# Agent team for: ${task}`, ""];
  if (plan.strategy !== undefined) {
    out.push(`**Strategy:** ${cell(plan.strategy)}`, "");
  }
  if (typeof plan.estimated_cost === "number") {
    out.push(`**Estimated cost:** $${plan.estimated_cost.toFixed(2)}`, "");
  }
  if (typeof plan.estimated_duration === "number") {
    out.push(`**Estimated duration:** ${plan.estimated_duration.toFixed(0)} s`, "");
  }
  if (plan.agents !== undefined) {
    out.push("## Agents", "", renderValue(plan.agents), "");
  }
  if (plan.rationale !== undefined) {
    out.push("## Rationale", "", typeof plan.rationale === "string" ? plan.rationale : renderValue(plan.rationale), "");
  }
  const rest = Object.fromEntries(Object.entries(plan).filter(([k]) => !PLAN_KNOWN.includes(k)));
  if (Object.keys(rest).length > 0) {
    out.push("## Details", "", renderValue(rest), "");
  }
  return out.join("\n");
}

/** The `empathy.server.storeBest` answer: the best stored composition for a task pattern, or why none. */
export function renderLearned(result: unknown): string {
  const r = (result && typeof result === "object" ? result : {}) as Record<string, unknown>;
  const pattern = typeof r.task_pattern === "string" ? r.task_pattern : "?";
  const out = [`# Learned composition for \`${pattern}\``, ""];
  if (r.found !== true || !r.configuration || typeof r.configuration !== "object") {
    out.push(`Nothing learned yet: ${cell(r.reason ?? "no stored composition")}.`, "");
    out.push("Compositions are stored after a workflow runs (for example **Empathy: Prepare Release**).", "");
  } else {
    const config = { ...(r.configuration as Record<string, unknown>) };
    const agents = config.agents;
    delete config.agents;
    out.push(renderValue(config), "");
    if (agents !== undefined) {
      out.push("## Agents", "", renderValue(agents), "");
    }
  }
  if (typeof r.store === "string") {
    out.push(`Store: \`${r.store}\``, "");
  }
  return out.join("\n");
}

/** The `empathy.server.testCoverageBoost` answer (the CLI's --json plus `applied`). */
export function renderBoost(result: unknown): string {
  const r = (result && typeof result === "object" ? result : {}) as Record<string, unknown>;
  if (r.skipped === true) {
    return ["# Coverage boost: skipped", "", cell(r.reason), ""].join("\n");
  }
  const reached = r.target_reached === true;
  const out = [`# Coverage boost: ${reached ? "✓ target reached" : "✗ target not reached"}`, ""];
  out.push(`- Target: ${measured(r.target, " %")}`);
  out.push(`- Coverage before: ${measured(r.coverage_before, " %")}, after: ${measured(r.coverage_after, " %")}`);
  out.push(`- Candidate tests tried: ${cell(r.candidates_tried)}, kept: ${cell(r.candidates_kept)}`);
  if (typeof r.coverage_source === "string") {
    out.push(`- Measured with: ${r.coverage_source}`);
  }
  out.push("");
  const applied = Array.isArray(r.applied) ? r.applied : [];
  out.push("## Test files", "");
  out.push(applied.length ? renderValue(applied.map((a) => {
    const e = (a ?? {}) as Record<string, unknown>;
    return { path: e.path, created: e.applied === true ? "yes" : "no", reason: e.reason ?? "" };
  })) : "None created.", "");
  if (Array.isArray(r.notes) && r.notes.length) {
    out.push("## Notes", "", renderValue(r.notes), "");
  }
  return out.join("\n");
}
