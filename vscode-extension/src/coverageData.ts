// Pure helpers for the coverage view (no vscode import, so node:test can check them): per-line details of
// one file from coverage.py's report, and the status text.
import type { CoverageFile, CoverageNote } from "./protocol";

export interface BranchDetail {
  executed: boolean;
  label: string;
}

export interface LineDetail {
  line: number; // 1-based, as coverage.py reports it
  executed: boolean;
  branches: BranchDetail[];
}

/** Every measured statement of the file, with the branches (arcs) that leave it when branch coverage ran.
 * coverage.py writes an arc's target as a negative number when it leaves the function. */
export function lineDetails(file: CoverageFile): LineDetail[] {
  const byLine = new Map<number, LineDetail>();
  for (const line of file.executed_lines) byLine.set(line, { line, executed: true, branches: [] });
  for (const line of file.missing_lines) byLine.set(line, { line, executed: false, branches: [] });
  const arcs: [[number, number][], boolean][] = [
    [file.executed_branches ?? [], true],
    [file.missing_branches ?? [], false],
  ];
  for (const [list, executed] of arcs) {
    for (const [from, to] of list) {
      const detail = byLine.get(from);
      if (detail) detail.branches.push({ executed, label: to < 0 ? "exit" : `to line ${to}` });
    }
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}

/** "71.2 % · 14 tests re-run · 1.3 s", the live figure and how it was obtained. */
export function coverageStatusText(note: Partial<CoverageNote>): string {
  if (!note.ran || typeof note.coverage_percent !== "number") {
    return "coverage: not measured";
  }
  const parts = [`${note.coverage_percent.toFixed(1)} %`];
  if (note.run === "release prep") {
    parts.push("release prep");
  } else if (note.run === "unchanged") {
    parts.push("unchanged");
  } else if (typeof note.tests_rerun === "number") {
    parts.push(`${note.tests_rerun} ${note.tests_rerun === 1 ? "test" : "tests"} re-run${note.run === "full" ? " (all)" : ""}`);
  }
  if (typeof note.seconds === "number") parts.push(`${note.seconds.toFixed(1)} s`);
  return parts.join(" · ");
}
