// The palette commands. Each one is a thin call into the daemon; rendering lives in report.ts.
import * as vscode from "vscode";
import { API_KEY_SECRET, type EmpathyClient, errorText, type ProgressValue } from "./client";
import { PALETTE_COMMANDS, type ReleaseReport, SERVER_COMMANDS } from "./protocol";
import { renderBoost, renderLearned, renderReleaseReport, renderTeamPlan, verdictText } from "./report";
import type { ReportDocuments } from "./reportDocuments";
import type { StatusView } from "./status";

const REQUEST_CANCELLED = -32800;
const MAKE_READY = "Make Release-Ready…";

export function workspaceRoot(): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders || folders.length === 0) {
    void vscode.window.showErrorMessage("Empathy: open a folder with a Python project first.");
    return undefined;
  }
  return folders[0];
}

function isCancelled(err: unknown): boolean {
  return !!err && typeof err === "object" && (err as { code?: unknown }).code === REQUEST_CANCELLED;
}

/** Runs a long daemon command under a cancellable notification that mirrors the server's progress. */
export function runWithProgress<T>(
  client: EmpathyClient,
  title: string,
  command: string,
  args: unknown[],
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        let last = 0;
        const onProgress = (value: ProgressValue): void => {
          if (value.kind === "end") {
            return;
          }
          const pct = typeof value.percentage === "number" ? value.percentage : undefined;
          const increment = pct !== undefined && pct > last ? pct - last : undefined;
          if (pct !== undefined) {
            last = Math.max(last, pct);
          }
          progress.report({ message: value.message, increment });
        };
        return client.execute<T>(command, args, token, onProgress);
      },
    ),
  );
}

export async function explainFailure(what: string, err: unknown, client: EmpathyClient): Promise<void> {
  if (isCancelled(err)) {
    void vscode.window.showInformationMessage(`Empathy: ${what} cancelled.`);
    return;
  }
  client.log.error(`${what} failed: ${errorText(err)}`);
  const choice = await vscode.window.showErrorMessage(`Empathy: ${what} failed: ${errorText(err)}`, "Show Logs");
  if (choice === "Show Logs") {
    client.log.show(true);
  }
}

export async function explainUntrusted(feature: string): Promise<void> {
  const choice = await vscode.window.showWarningMessage(
    `Empathy: ${feature} runs the project's code, so it is unavailable in an untrusted workspace. ` +
      "Trust the folder to enable it; static findings still work.",
    "Manage Workspace Trust",
  );
  if (choice) {
    await vscode.commands.executeCommand("workbench.trust.manage");
  }
}

export function registerCommands(
  context: vscode.ExtensionContext,
  client: EmpathyClient,
  status: StatusView,
  documents: ReportDocuments,
): void {
  let lastReport: ReleaseReport | undefined;
  const showReport = async (): Promise<void> => {
    if (!lastReport) {
      void vscode.window.showInformationMessage('Empathy: no release report yet. Run "Empathy: Prepare Release".');
      return;
    }
    await documents.show("Release Report", renderReleaseReport(lastReport));
  };
  const acceptReport = (report: ReleaseReport): void => {
    lastReport = report;
    status.setReport(report);
  };
  context.subscriptions.push(client.onReport(acceptReport));

  const register = (id: string, fn: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  register(PALETTE_COMMANDS.prepareRelease, async () => {
    const folder = workspaceRoot();
    if (!folder) {
      return;
    }
    status.setRunning("Release prep running…");
    try {
      const report = await runWithProgress<ReleaseReport>(
        client,
        "Empathy: preparing release",
        SERVER_COMMANDS.releasePrep,
        [{ root: folder.uri.fsPath }],
      );
      acceptReport(report);
      const note = vscode.workspace.isTrusted ? "" : " (untrusted workspace: no project code was run)";
      const actions = report.approved || !vscode.workspace.isTrusted ? ["Show Report"] : ["Show Report", MAKE_READY];
      const choice = await (report.approved ? vscode.window.showInformationMessage : vscode.window.showWarningMessage)(
        `Empathy: ${verdictText(report)}${note}`,
        ...actions,
      );
      if (choice === "Show Report") {
        await showReport();
      } else if (choice === MAKE_READY) {
        await vscode.commands.executeCommand(PALETTE_COMMANDS.makeReleaseReady);
      }
    } catch (err) {
      status.clearRunning(lastReport);
      await explainFailure("release prep", err, client);
    }
  });

  register(PALETTE_COMMANDS.boostCoverage, async () => {
    const folder = workspaceRoot();
    if (!folder) {
      return;
    }
    if (!vscode.workspace.isTrusted) {
      await explainUntrusted("Boost Test Coverage");
      return;
    }
    const { target } = client.settings().coverage;
    try {
      const result = await runWithProgress<Record<string, unknown>>(
        client,
        "Empathy: boosting test coverage",
        SERVER_COMMANDS.testCoverageBoost,
        [{ root: folder.uri.fsPath, target }],
      );
      await documents.show("Coverage Boost", renderBoost(result));
    } catch (err) {
      await explainFailure("coverage boost", err, client);
    }
  });

  register(PALETTE_COMMANDS.composeTeam, async () => {
    const task = await vscode.window.showInputBox({
      title: "Empathy: Compose Agent Team",
      prompt: "Describe the task; the daemon picks agents and a strategy for it.",
      placeHolder: "e.g. Prepare the 2.0 release: security audit, coverage and docs",
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === "" ? "Describe the task in a few words." : undefined),
    });
    if (!task) {
      return;
    }
    try {
      const plan = await client.execute<Record<string, unknown>>(SERVER_COMMANDS.composeTeam, [{ task: task.trim() }]);
      await documents.show("Agent Team", renderTeamPlan(task.trim(), plan ?? {}));
    } catch (err) {
      await explainFailure("composing a team", err, client);
    }
  });

  register(PALETTE_COMMANDS.showLearned, async () => {
    const taskPattern = await vscode.window.showInputBox({
      title: "Empathy: Show Learned Compositions",
      prompt: "Task pattern to look up (release_preparation is what Prepare Release records).",
      value: "release_preparation",
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === "" ? "Enter a task pattern." : undefined),
    });
    if (!taskPattern) {
      return;
    }
    try {
      const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const result = await client.execute<unknown>(SERVER_COMMANDS.storeBest, [{ taskPattern: taskPattern.trim(), root }]);
      await documents.show("Learned Compositions", renderLearned(result));
    } catch (err) {
      await explainFailure("looking up learned compositions", err, client);
    }
  });

  register(PALETTE_COMMANDS.setApiKey, async () => {
    const key = await vscode.window.showInputBox({
      title: "Empathy: Anthropic API Key",
      prompt: "Stored in VS Code's secret storage and given to the daemon only. Leave empty to remove it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) {
      return;
    }
    if (key.trim() === "") {
      await context.secrets.delete(API_KEY_SECRET);
      void vscode.window.showInformationMessage("Empathy: API key removed.");
    } else {
      await context.secrets.store(API_KEY_SECRET, key.trim());
      void vscode.window.showInformationMessage("Empathy: API key stored; restarting the daemon to use it.");
    }
    await client.restart("the API key changed");
  });

  register(PALETTE_COMMANDS.restartServer, () => client.restart("requested from the palette"));
  register(PALETTE_COMMANDS.showReport, showReport);
  register(PALETTE_COMMANDS.showLogs, () => client.log.show(true));
}
