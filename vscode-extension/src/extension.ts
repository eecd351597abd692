// Wiring only: the pieces live in client.ts, commands.ts, fixFindings.ts, releaseReady.ts, status.ts,
// reportDocuments.ts, coverage.ts and pythonExtension.ts.
import * as vscode from "vscode";
import { EmpathyClient } from "./client";
import { registerCommands } from "./commands";
import { CoverageView } from "./coverage";
import { registerFixFindings } from "./fixFindings";
import { PythonInterpreter } from "./pythonExtension";
import { registerReleaseReady } from "./releaseReady";
import { ReportDocuments } from "./reportDocuments";
import { StatusView } from "./status";

let client: EmpathyClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Empathy", { log: true });
  const status = new StatusView();
  const documents = new ReportDocuments();
  const python = new PythonInterpreter(log);
  client = new EmpathyClient(context, log, status, python);
  context.subscriptions.push(log, status, documents, python, client, new CoverageView(client, log));
  registerCommands(context, client, status, documents);
  registerFixFindings(context, client, documents);
  registerReleaseReady(context, client, documents);
  // The project's interpreter is known before the daemon's first settings are sent.
  void python.init().then(() => client?.start());
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
