// Wiring only: the pieces live in client.ts, commands.ts and status.ts.
import * as vscode from "vscode";
import { EmpathyClient } from "./client";
import { registerCommands, ReportDocuments } from "./commands";
import { StatusView } from "./status";

let client: EmpathyClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Empathy", { log: true });
  const status = new StatusView();
  const documents = new ReportDocuments();
  client = new EmpathyClient(context, log, status);
  context.subscriptions.push(log, status, documents, client);
  registerCommands(context, client, status, documents);
  void client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
