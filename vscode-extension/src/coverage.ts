// Live coverage in VS Code's native Test Coverage view (gutters, the coverage tree, per-file figures): a
// test controller with one Coverage run profile, fed by the daemon's `empathy.server.coverage`. It is
// refreshed after each release prep and each affected-tests run (the `empathy/coverage` notification),
// and when the user runs the profile. A status-bar item shows the live figure and how it was obtained.
import * as vscode from "vscode";
import type { EmpathyClient } from "./client";
import { coverageStatusText, lineDetails } from "./coverageData";
import { SERVER_COMMANDS, type CoverageAnswer, type CoverageFile, type CoverageNote } from "./protocol";

export class CoverageView implements vscode.Disposable {
  private readonly controller: vscode.TestController;
  private readonly profile: vscode.TestRunProfile;
  private readonly item: vscode.StatusBarItem;
  // The daemon's data of each FileCoverage handed to VS Code, for loadDetailedCoverage.
  private readonly files = new WeakMap<vscode.FileCoverage, CoverageFile>();
  private readonly disposables: vscode.Disposable[] = [];
  private lastRoot: string | undefined;

  constructor(
    private readonly client: EmpathyClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller = vscode.tests.createTestController("empathy.coverage", "Empathy Coverage");
    this.profile = this.controller.createRunProfile(
      "Empathy live coverage",
      vscode.TestRunProfileKind.Coverage,
      (request, token) => this.show(request, token),
      true,
    );
    this.profile.loadDetailedCoverage = async (_run, fileCoverage) => details(this.files.get(fileCoverage));
    this.item = vscode.window.createStatusBarItem("empathy.coverage", vscode.StatusBarAlignment.Left, 49);
    this.item.name = "Empathy Live Coverage";
    this.disposables.push(client.onCoverage((note) => void this.accept(note)));
  }

  private async accept(note: CoverageNote): Promise<void> {
    this.lastRoot = note.root;
    this.item.text = `$(beaker) ${coverageStatusText(note)}`;
    this.item.tooltip = note.ran ? `Empathy coverage (coverage.py): ${note.how ?? note.run ?? ""}` : note.error ?? "";
    this.item.show();
    if (note.ran) {
      await this.show(new vscode.TestRunRequest(undefined, undefined, this.profile));
    }
  }

  /** One test run carrying the daemon's current per-file coverage (the view shows the latest run). */
  private async show(request: vscode.TestRunRequest, token?: vscode.CancellationToken): Promise<void> {
    let answer: CoverageAnswer;
    try {
      answer = await this.client.execute<CoverageAnswer>(SERVER_COMMANDS.coverage, [{ root: this.lastRoot }], token);
    } catch (err) {
      this.log.warn(`coverage: ${String(err)}`);
      return;
    }
    if (!answer.measured) {
      this.log.info(`coverage: ${answer.reason ?? "not measured"}`);
      return;
    }
    const run = this.controller.createTestRun(request, "Empathy coverage", false);
    for (const file of answer.files ?? []) {
      const branches = file.branches ? new vscode.TestCoverageCount(file.branches.covered, file.branches.total) : undefined;
      const coverage = new vscode.FileCoverage(
        vscode.Uri.parse(file.uri),
        new vscode.TestCoverageCount(file.statements.covered, file.statements.total),
        branches,
      );
      this.files.set(coverage, file);
      run.addCoverage(coverage);
    }
    run.end();
  }

  dispose(): void {
    vscode.Disposable.from(this.controller, this.item, ...this.disposables).dispose();
  }
}

function details(file: CoverageFile | undefined): vscode.FileCoverageDetail[] {
  if (!file) {
    return [];
  }
  return lineDetails(file).map((d) => {
    const at = new vscode.Position(d.line - 1, 0);
    const branches = d.branches.map((b) => new vscode.BranchCoverage(b.executed, undefined, b.label));
    return new vscode.StatementCoverage(d.executed, at, branches);
  });
}
