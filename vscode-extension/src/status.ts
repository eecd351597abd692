// The daemon's state as a LanguageStatus item (starting / ready / error) and the last release verdict
// as a status-bar item whose click opens the report.
import * as vscode from "vscode";
import { PALETTE_COMMANDS, type ReleaseReport } from "./protocol";
import { gatesSummary, verdictText } from "./report";

export type DaemonState = "starting" | "ready" | "error";

export class StatusView implements vscode.Disposable {
  private readonly language: vscode.LanguageStatusItem;
  private readonly verdict: vscode.StatusBarItem;

  constructor() {
    this.language = vscode.languages.createLanguageStatusItem("empathy.daemon", { language: "python" });
    this.language.name = "Empathy";
    this.verdict = vscode.window.createStatusBarItem("empathy.verdict", vscode.StatusBarAlignment.Left, 50);
    this.verdict.name = "Empathy Release Verdict";
    this.verdict.command = PALETTE_COMMANDS.showReport;
    this.setState("starting");
  }

  setState(state: DaemonState, detail?: string): void {
    const item = this.language;
    item.busy = state === "starting";
    switch (state) {
      case "starting":
        item.text = "Empathy: starting";
        item.severity = vscode.LanguageStatusSeverity.Information;
        item.detail = "launching the daemon";
        item.command = { title: "Show Logs", command: PALETTE_COMMANDS.showLogs };
        break;
      case "ready":
        item.text = "Empathy: ready";
        item.severity = vscode.LanguageStatusSeverity.Information;
        item.detail = detail;
        item.command = { title: "Prepare Release", command: PALETTE_COMMANDS.prepareRelease };
        break;
      case "error":
        item.text = "Empathy: error";
        item.severity = vscode.LanguageStatusSeverity.Error;
        item.detail = detail;
        item.command = { title: "Show Logs", command: PALETTE_COMMANDS.showLogs };
        break;
    }
  }

  setRunning(title: string): void {
    this.verdict.text = `$(sync~spin) ${title}`;
    this.verdict.tooltip = title;
    this.verdict.backgroundColor = undefined;
    this.verdict.show();
  }

  setReport(report: ReleaseReport): void {
    this.verdict.text = `${report.approved ? "$(pass-filled)" : "$(error)"} ${verdictText(report)}`;
    const lines = [`**${verdictText(report)}**`, "", ...gatesSummary(report).map((l) => `- ${l}`), "", "Click for the report."];
    if (!report.approved) {
      lines.push("", `[Make Release-Ready…](command:${PALETTE_COMMANDS.makeReleaseReady})`);
    }
    const tooltip = new vscode.MarkdownString(lines.join("\n"));
    tooltip.isTrusted = { enabledCommands: [PALETTE_COMMANDS.makeReleaseReady] };
    this.verdict.tooltip = tooltip;
    this.verdict.backgroundColor = report.approved
      ? undefined
      : new vscode.ThemeColor("statusBarItem.errorBackground");
    this.verdict.show();
  }

  clearRunning(previous: ReleaseReport | undefined): void {
    if (previous) {
      this.setReport(previous);
    } else {
      this.verdict.hide();
    }
  }

  dispose(): void {
    this.language.dispose();
    this.verdict.dispose();
  }
}
