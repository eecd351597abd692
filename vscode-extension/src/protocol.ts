// The wire contract with the daemon, defined once on the TypeScript side.
// Python twin: server/empathy_os/lsp/command_ids.py; tests/unit/test_command_ids.py checks both against
// package.json. Server ids must differ from palette ids: vscode-languageclient registers every server
// command itself, and a clash with a contributed command fails activation.

/** workspace/executeCommand ids served by the daemon. */
export const SERVER_COMMANDS = {
  releasePrep: "empathy.server.releasePrep",
  testCoverageBoost: "empathy.server.testCoverageBoost",
  composeTeam: "empathy.server.composeTeam",
  listTemplates: "empathy.server.listTemplates",
  storeBest: "empathy.server.storeBest",
  generateTestsFor: "empathy.server.generateTestsFor",
  explainFinding: "empathy.server.explainFinding",
  fix: "empathy.server.fix",
  verify: "empathy.server.verify",
  coverage: "empathy.server.coverage",
  releaseFix: "empathy.server.releaseFix",
} as const;

/** Palette commands contributed by the extension (package.json contributes.commands). */
export const PALETTE_COMMANDS = {
  prepareRelease: "empathy.prepareRelease",
  boostCoverage: "empathy.boostCoverage",
  composeTeam: "empathy.composeTeam",
  showLearned: "empathy.showLearned",
  setApiKey: "empathy.setApiKey",
  restartServer: "empathy.restartServer",
  showReport: "empathy.showReport",
  showLogs: "empathy.showLogs",
  fixFindings: "empathy.fixFindings",
  makeReleaseReady: "empathy.makeReleaseReady",
} as const;

/** Custom notification carrying the release-prep summary. */
export const REPORT_NOTIFICATION = "empathy/report";

/** Custom notification after each coverage measurement (release prep, or the affected tests on save). */
export const COVERAGE_NOTIFICATION = "empathy/coverage";

/** One quality gate as the CLI's --json reports it; fields beyond `name`/`passed` are optional. */
export interface GateResult {
  name: string;
  passed: boolean;
  actual?: number | string | null;
  threshold?: number | string | null;
  message?: string;
  source?: string;
  [key: string]: unknown;
}

export interface FindingJson {
  tool: string;
  rule: string;
  severity: string;
  path: string;
  line: number;
  message: string;
  symbol?: string | null;
  url?: string | null;
  [key: string]: unknown;
}

/** The release-prep summary: the same JSON as `empathy orchestrate release-prep --json`. */
export interface ReleaseReport {
  approved: boolean;
  confidence?: string | number | null;
  gates?: GateResult[];
  metrics?: {
    coverage_percent?: number | null;
    quality_score?: number | null;
    doc_coverage_percent?: number | null;
    critical_issues?: number | null;
    [key: string]: unknown;
  };
  findings?: FindingJson[];
  agents?: unknown;
  duration_seconds?: number | null;
  [key: string]: unknown;
}

/** One file of `empathy.server.coverage`: coverage.py's own JSON report for it (lines are 1-based). */
export interface CoverageFile {
  path: string;
  uri: string;
  statements: { covered: number; total: number };
  branches: { covered: number; total: number } | null;
  executed_lines: number[];
  missing_lines: number[];
  executed_branches: [number, number][];
  missing_branches: [number, number][];
}

/** The `empathy/coverage` notification: the figure and how it was obtained. */
export interface CoverageNote {
  root: string;
  root_uri: string;
  ran: boolean;
  run?: string | null; // "affected" | "full" | "unchanged" | "release prep"
  coverage_percent?: number | null;
  tests_rerun?: number | null;
  tests_reused?: number | null;
  tests_failed?: number | null;
  how?: string | null;
  error?: string | null;
  seconds?: number | null;
}

/** The `empathy.server.coverage` answer. */
export interface CoverageAnswer {
  root: string;
  root_uri: string;
  measured: boolean;
  reason?: string;
  branch?: boolean;
  coverage_percent?: number | null;
  tests?: number;
  files?: CoverageFile[];
  last?: Partial<CoverageNote>;
}
