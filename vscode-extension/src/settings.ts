// Reads the `empathy.*` configuration into the object the daemon receives, both as initializationOptions
// and as `settings.empathy` in workspace/didChangeConfiguration. No `vscode` import: unit-tested in Node.

export interface EmpathySettings {
  server: { pythonPath: string | null };
  /** One threshold per `gates.*` number setting, camelCase (`minCoverage`); the daemon maps them to its
   * gate table (empathy_os/gate_specs.py), so a new gate needs only its NUMBER_SETTINGS line here. */
  gates: Record<string, number>;
  coverage: { target: number };
  project: { python: string | null };
  models: { cheap: string | null; capable: string | null; premium: string | null };
  maxCostUsd: number;
  /** false → the daemon must not run project code (coverage, test generation). */
  trusted: boolean;
}

/** The subset of vscode.WorkspaceConfiguration used here, so tests can pass a plain object. */
export interface ConfigReader {
  get<T>(section: string): T | undefined;
}

export interface NumberSpec {
  key: string;
  fallback: number;
  min: number;
  max: number;
  integer?: boolean;
  /** A gate's line: the report metric it judges, shown as `label: value unit` in the report's Metrics. */
  gate?: { metric: string; label: string; unit: string };
}

// Same defaults and bounds as package.json contributes.configuration (a unit test keeps them equal); the
// `gates.*` lines match the daemon's gate table (tests/unit/test_gate_specs_extension.py).
export const NUMBER_SETTINGS: readonly NumberSpec[] = [
  { key: "gates.minCoverage", fallback: 80, min: 0, max: 100, gate: { metric: "coverage_percent", label: "Test coverage", unit: "%" } },
  { key: "gates.minQualityScore", fallback: 7, min: 0, max: 10, gate: { metric: "quality_score", label: "Code quality", unit: "/10" } },
  { key: "gates.maxCriticalIssues", fallback: 0, min: 0, max: 1_000_000, integer: true, gate: { metric: "critical_issues", label: "Security", unit: " critical issue(s)" } },
  { key: "gates.minDocCoverage", fallback: 100, min: 0, max: 100, gate: { metric: "doc_coverage_percent", label: "Documentation", unit: "%" } },
  { key: "coverage.target", fallback: 80, min: 0, max: 100 },
  { key: "maxCostUsd", fallback: 1, min: 0, max: 1_000 },
];

const GATE_PREFIX = "gates.";

/** The gates' lines of NUMBER_SETTINGS, in table order (each has its `gate`: the Python test checks it). */
export const GATE_SETTINGS: readonly NumberSpec[] = NUMBER_SETTINGS.filter((spec) => spec.key.startsWith(GATE_PREFIX));

export const STRING_SETTINGS: readonly string[] = [
  "server.pythonPath",
  "project.python",
  "models.cheap",
  "models.capable",
  "models.premium",
];

function readNumber(config: ConfigReader, spec: NumberSpec): number {
  const raw = config.get<unknown>(spec.key);
  // Hand-edited settings.json can hold strings or junk; the daemon should still get a usable number.
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return spec.fallback;
  }
  const clamped = Math.min(spec.max, Math.max(spec.min, value));
  return spec.integer ? Math.round(clamped) : clamped;
}

/** Empty or whitespace means "not set": the daemon then uses its own default. */
function readString(config: ConfigReader, key: string): string | null {
  const raw = config.get<unknown>(key);
  return typeof raw === "string" && raw.trim() !== "" ? raw.trim() : null;
}

/**
 * `selectedInterpreter` is the Python extension's selected interpreter: the project's interpreter when
 * `empathy.project.python` is empty (the daemon's own environment is never the project's).
 */
export function readSettings(config: ConfigReader, trusted: boolean, selectedInterpreter?: string): EmpathySettings {
  const n = Object.fromEntries(NUMBER_SETTINGS.map((s) => [s.key, readNumber(config, s)]));
  const s = Object.fromEntries(STRING_SETTINGS.map((k) => [k, readString(config, k)]));
  return {
    server: { pythonPath: s["server.pythonPath"] },
    gates: Object.fromEntries(GATE_SETTINGS.map((spec) => [spec.key.slice(GATE_PREFIX.length), n[spec.key]])),
    coverage: { target: n["coverage.target"] },
    project: { python: s["project.python"] ?? (selectedInterpreter?.trim() || null) },
    models: { cheap: s["models.cheap"], capable: s["models.capable"], premium: s["models.premium"] },
    maxCostUsd: n["maxCostUsd"],
    trusted,
  };
}
