// "Empathy: Fix Findings…": a quick pick by rule/file over the daemon's current findings, verification by
// the daemon (empathy.server.fix, nothing written), then VS Code's own Refactor Preview of the verified
// changes: every entry carries `needsConfirmation`, so it starts unticked and nothing is applied until
// the user has seen the diff, ticked it and pressed Apply. The decisions (what to offer, what to refuse)
// live in fixPlan.ts.
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";
import type { EmpathyClient } from "./client";
import { explainFailure, explainUntrusted, runWithProgress, workspaceRoot } from "./commands";
import {
  type DocState,
  type EditPlan,
  type FindingRef,
  type FixResultJson,
  fixRequest,
  pickEntries,
  type PickEntry,
  planEdits,
  renderFixReport,
  selectedFindings,
  verificationSummary,
} from "./fixPlan";
import { PALETTE_COMMANDS, SERVER_COMMANDS } from "./protocol";
import type { ReportDocuments } from "./reportDocuments";

const SOURCE = "empathy"; // the daemon's diagnostic source (server/empathy_os/lsp/diagnostics.py)

/** The daemon's findings in `folder`, from the diagnostics it published (Problems). */
function currentFindings(folder: vscode.WorkspaceFolder): FindingRef[] {
  const out: FindingRef[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    const rel = path.relative(folder.uri.fsPath, uri.fsPath);
    if (uri.scheme !== "file" || rel.startsWith("..") || path.isAbsolute(rel)) {
      continue;
    }
    for (const d of diagnostics) {
      if (d.source !== SOURCE) {
        continue;
      }
      // vscode-languageclient keeps the LSP diagnostic's `data` on the object it hands to VS Code.
      const data = ((d as { data?: unknown }).data ?? {}) as { tool?: unknown; line?: unknown; fixable?: unknown };
      const code = typeof d.code === "object" ? d.code.value : d.code;
      out.push({
        path: rel.split(path.sep).join("/"),
        uri: uri.toString(),
        tool: typeof data.tool === "string" ? data.tool : d.message.split(":")[0],
        rule: String(code ?? ""),
        line: typeof data.line === "number" ? data.line : d.range.start.line + 1,
        message: d.message,
        fixable: data.fixable === true,
      });
    }
  }
  return out;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Verification copies the files as saved, so unsaved edits would not be what gets verified. */
async function savedFirst(uris: string[]): Promise<boolean> {
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && uris.includes(d.uri.toString()));
  if (dirty.length === 0) {
    return true;
  }
  const names = dirty.map((d) => path.basename(d.uri.fsPath)).join(", ");
  const choice = await vscode.window.showWarningMessage(
    `Empathy: ${names} has unsaved changes; verification runs on the files as saved.`,
    "Save and Continue",
  );
  return choice === "Save and Continue" && (await Promise.all(dirty.map((d) => d.save()))).every(Boolean);
}

async function editorState(root: string, result: FixResultJson): Promise<Map<string, DocState>> {
  const state = new Map<string, DocState>();
  for (const change of result.changes ?? []) {
    for (const file of change.edits ?? []) {
      if (state.has(file.path)) {
        continue;
      }
      try {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(root, file.path)));
        state.set(file.path, { version: doc.version, sha256: sha256(doc.getText()) });
      } catch {
        // planEdits refuses a file it has no state for
      }
    }
  }
  return state;
}

function workspaceEdit(root: string, plan: EditPlan): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const { change, files } of plan.offered) {
    // One label per change: the Refactor Preview groups its entries and lets the user untick it.
    const metadata: vscode.WorkspaceEditEntryMetadata = {
      needsConfirmation: true,
      label: change.description,
      description: verificationSummary(change),
    };
    for (const file of files) {
      const uri = vscode.Uri.file(path.join(root, file.path));
      for (const e of file.edits) {
        const range = new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character);
        edit.replace(uri, range, e.newText, metadata);
      }
    }
  }
  return edit;
}

export function registerFixFindings(
  context: vscode.ExtensionContext,
  client: EmpathyClient,
  documents: ReportDocuments,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(PALETTE_COMMANDS.fixFindings, async () => {
      const folder = workspaceRoot();
      if (!folder) {
        return;
      }
      if (!vscode.workspace.isTrusted) {
        await explainUntrusted("Fix Findings"); // verification runs the project's tests
        return;
      }
      const findings = currentFindings(folder);
      const entries = pickEntries(findings);
      if (entries.length === 0) {
        void vscode.window.showInformationMessage(
          'Empathy: no findings to fix. Open a Python file or run "Empathy: Prepare Release" first.',
        );
        return;
      }
      type Item = vscode.QuickPickItem & { entry?: PickEntry };
      const items: Item[] = [];
      for (const kind of ["rule", "file"] as const) {
        items.push({ label: kind === "rule" ? "By rule" : "By file", kind: vscode.QuickPickItemKind.Separator });
        items.push(...entries.filter((e) => e.kind === kind).map((entry) => ({ label: entry.label, description: entry.description, entry })));
      }
      const picked = await vscode.window.showQuickPick(items, {
        title: "Empathy: Fix Findings",
        placeHolder: "Pick rules and/or files (findings matching both); each change is verified in a private copy first",
        canPickMany: true,
        matchOnDescription: true,
        ignoreFocusOut: true,
      });
      const chosen = (picked ?? []).flatMap((i) => (i.entry ? [i.entry] : []));
      const root = folder.uri.fsPath;
      const request = fixRequest(root, chosen, findings);
      if (!request) {
        return;
      }
      const uris = [...new Set(selectedFindings(chosen, findings).map((f) => f.uri))];
      if (!(await savedFirst(uris))) {
        return;
      }
      // Opened documents are known to the daemon, which then checks their text and version (fix_actions.py).
      await Promise.all(uris.map((u) => vscode.workspace.openTextDocument(vscode.Uri.parse(u)).then(undefined, () => undefined)));
      let result: FixResultJson;
      try {
        result = await runWithProgress<FixResultJson>(client, "Empathy: verifying fixes", SERVER_COMMANDS.fix, [request]);
      } catch (err) {
        await explainFailure("Fix Findings", err, client);
        return;
      }
      const state = await editorState(root, result);
      const plan = planEdits(result, (p) => state.get(p));
      await documents.show("Fix Findings", renderFixReport(result, plan));
      if (plan.offered.length === 0) {
        void vscode.window.showWarningMessage("Empathy: no verified change to apply; the report says why.");
        return;
      }
      // VS Code binds each edit to the document's current version: a file edited while the preview is
      // open is refused by the editor itself.
      const applied = await vscode.workspace.applyEdit(workspaceEdit(root, plan), { isRefactoring: true });
      if (applied) {
        void vscode.window.showInformationMessage(
          `Empathy: applied ${plan.offered.length} verified change(s); save to re-check the findings.`,
        );
      }
    }),
  );
}
