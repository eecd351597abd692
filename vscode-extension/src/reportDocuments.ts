// Read-only Markdown documents (release report, team plan, learned compositions, boost summary), served
// from memory under the empathy-report: scheme and shown in the Markdown preview.
import * as vscode from "vscode";

const SCHEME = "empathy-report";

export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? "";
  }

  async show(name: string, markdown: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name}.md` });
    this.contents.set(uri.path, markdown);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand("markdown.showPreview", uri);
    } catch {
      // Markdown support disabled: the source is readable too.
      await vscode.window.showTextDocument(uri, { preview: false });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

