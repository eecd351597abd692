// "Empathy: Make Release-Ready…": the daemon runs the release-fix plan (the agents for the failed gates,
// each change verified in a private copy, the whole set measured on another) and answers with one
// WorkspaceEdit whose entries are grouped by gate and all need confirmation, so VS Code's Refactor Preview
// opens with nothing applied until the user has looked. After Apply the touched files are saved and the
// release prep runs again: report, diagnostics and status then show the verdict measured on the project.
import * as vscode from "vscode";
import type { EmpathyClient } from "./client";
import { explainFailure, explainUntrusted, runWithProgress, workspaceRoot } from "./commands";
import { PALETTE_COMMANDS, SERVER_COMMANDS } from "./protocol";
import { type ReleaseFixResult, renderReleaseFix } from "./releaseFixReport";
import type { ReportDocuments } from "./reportDocuments";

async function saveTouched(edit: vscode.WorkspaceEdit): Promise<void> {
  const touched = new Set(edit.entries().map(([uri]) => uri.toString()));
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && touched.has(d.uri.toString()));
  await Promise.all(dirty.map((d) => d.save()));
}

/**
 * The Refactor Preview groups by file unless told otherwise; grouped "by type" its groups are the edit's
 * change annotations, here one per gate. VS Code's command acts only once the preview holds the edit (and
 * then remembers the choice), so it is asked a few times while the preview opens; once grouped, it is a no-op.
 */
async function groupByGate(applying: Thenable<boolean>): Promise<void> {
  let open = true;
  applying.then(
    () => (open = false),
    () => (open = false),
  );
  for (let i = 0; i < 20 && open; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await vscode.commands.executeCommand("refactorPreview.groupByType").then(undefined, () => undefined);
  }
}

export function registerReleaseReady(
  context: vscode.ExtensionContext,
  client: EmpathyClient,
  documents: ReportDocuments,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(PALETTE_COMMANDS.makeReleaseReady, async () => {
      const folder = workspaceRoot();
      if (!folder) {
        return;
      }
      if (!vscode.workspace.isTrusted) {
        await explainUntrusted("Make Release-Ready"); // verification runs the project's tests
        return;
      }
      let result: ReleaseFixResult;
      try {
        result = await runWithProgress<ReleaseFixResult>(client, "Empathy: making the release ready", SERVER_COMMANDS.releaseFix, [
          { root: folder.uri.fsPath },
        ]);
      } catch (err) {
        await explainFailure("Make Release-Ready", err, client);
        return;
      }
      await documents.show("Release Fix", renderReleaseFix(result));
      const edit = await client.asWorkspaceEdit(result.edit);
      if (!edit || edit.size === 0) {
        void vscode.window.showWarningMessage("Empathy: no verified change to offer; the Release Fix report says why.");
        return;
      }
      const applying = vscode.workspace.applyEdit(edit, { isRefactoring: true });
      void groupByGate(applying);
      if (!(await applying)) {
        return; // discarded in the preview
      }
      await saveTouched(edit);
      await vscode.commands.executeCommand(PALETTE_COMMANDS.prepareRelease);
    }),
  );
}
