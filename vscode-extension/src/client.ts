// Owns the daemon's lifecycle: resolves and checks the interpreter, starts `python -m empathy_os lsp`
// over stdio with vscode-languageclient, feeds it settings, and restarts it on demand.
import * as vscode from "vscode";
import {
  CloseAction,
  type CloseHandlerResult,
  DidChangeConfigurationNotification,
  ErrorAction,
  type ErrorHandlerResult,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressReport,
  type WorkDoneProgressEnd,
} from "vscode-languageclient/node";
import { ensureDaemonEnv } from "./daemonSetup";
import { checkInterpreter, expandSetting, interpreterProblemMessage, type ResolvedInterpreter } from "./interpreter";
import {
  COVERAGE_NOTIFICATION,
  REPORT_NOTIFICATION,
  SERVER_COMMANDS,
  type CoverageNote,
  type ReleaseReport,
} from "./protocol";
import { createdFiles } from "./results";
import { type EmpathySettings, readSettings } from "./settings";
import type { PythonInterpreter } from "./pythonExtension";
import type { StatusView } from "./status";

export const API_KEY_SECRET = "empathy.anthropicApiKey";
const MAX_RESTARTS = 3;

export type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

export class EmpathyClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private restarts = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly reportEmitter = new vscode.EventEmitter<ReleaseReport>();
  readonly onReport = this.reportEmitter.event;
  private readonly coverageEmitter = new vscode.EventEmitter<CoverageNote>();
  readonly onCoverage = this.coverageEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly status: StatusView,
    private readonly python: PythonInterpreter,
  ) {
    this.disposables.push(
      // The selected interpreter is the project's: the running daemon gets it as project.python. Only a
      // daemon that could not start (e.g. no usable Python was found) is restarted, as ruff-vscode does.
      python.onDidChange(() => {
        if (this.running) {
          void this.pushSettings();
        } else if (this.starting) {
          // A start under way read the settings before the change; send them once it is up.
          void this.starting.then(() => this.pushSettings());
        } else {
          void this.restart("the Python extension's interpreter changed");
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // The daemon's own interpreter cannot change under a running process.
        if (e.affectsConfiguration("empathy.server.pythonPath")) {
          void this.restart("the setting empathy.server.pythonPath changed");
        }
      }),
      // Trust is only ever granted while running; a restart sends it in initializationOptions too.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.pushSettings()),
    );
  }

  /** The `empathy` settings as the daemon receives them. */
  settings(): EmpathySettings {
    return readSettings(vscode.workspace.getConfiguration("empathy"), vscode.workspace.isTrusted, this.python.path);
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.status.setState("starting");
    const settings = this.settings();
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const check = await this.resolveDaemonPython(settings, folders);
    if (!check) {
      return;
    }
    const python = check.python;
    this.log.info(`Daemon interpreter: ${check.executable || python} (${check.version})`);
    this.log.info(`Project interpreter: ${settings.project.python ?? "the daemon's default"}`);

    const env: NodeJS.ProcessEnv = { ...process.env };
    const apiKey = await this.context.secrets.get(API_KEY_SECRET);
    if (apiKey) {
      env.ANTHROPIC_API_KEY = apiKey;
    }
    // Only whether a key is present is ever logged, never the key.
    this.log.info(`Anthropic API key: ${apiKey ? "set (SecretStorage)" : env.ANTHROPIC_API_KEY ? "from the environment" : "not set (static analysis and deterministic generation only)"}`);

    const serverOptions: ServerOptions = {
      command: python,
      args: ["-m", "empathy_os", "lsp"],
      options: { env, cwd: folders[0] },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file", language: "python" }],
      synchronize: { configurationSection: "empathy" },
      initializationOptions: settings,
      outputChannel: this.log,
      errorHandler: {
        error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue }),
        closed: (): CloseHandlerResult => this.onClosed(),
      },
      middleware: {
        workspace: {
          // The library decides when settings changed; the payload always carries `trusted` as well.
          didChangeConfiguration: async () => {
            await this.pushSettings();
          },
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            return params.items.map((item, i) => (item.section === "empathy" ? this.settings() : answer[i]));
          },
        },
        executeCommand: async (command, args, next) => {
          const result = await next(command, args);
          if (command === SERVER_COMMANDS.generateTestsFor || command === SERVER_COMMANDS.testCoverageBoost) {
            await openCreatedFiles(result, this.log);
          }
          return result;
        },
      },
    };
    const client = new LanguageClient("empathy", "Empathy", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.status.setState("ready", check.version);
      } else if (e.newState === State.Starting) {
        this.status.setState("starting");
      }
    });
    client.onNotification(REPORT_NOTIFICATION, (report: ReleaseReport) => this.reportEmitter.fire(report));
    client.onNotification(COVERAGE_NOTIFICATION, (note: CoverageNote) => this.coverageEmitter.fire(note));
    try {
      await client.start();
      this.restarts = 0;
      this.log.info("Empathy daemon ready");
    } catch (err) {
      const message = `Empathy: the daemon failed to start: ${errorText(err)}`;
      this.log.error(message);
      this.status.setState("error", message);
      void this.showStartupProblem(message);
    }
  }

  /**
   * The setting's interpreter as given, else the private environment (built on first start; rebuilt once
   * if it no longer imports empathy_os). Undefined after telling the user what is wrong.
   */
  private async resolveDaemonPython(
    settings: EmpathySettings,
    folders: string[],
  ): Promise<{ python: string; version: string; executable: string } | undefined> {
    const fail = (message: string): undefined => {
      this.log.error(message);
      this.status.setState("error", message);
      void this.showStartupProblem(message);
      return undefined;
    };
    for (const rebuild of [false, true]) {
      let resolved: ResolvedInterpreter;
      if (settings.server.pythonPath) {
        resolved = { command: expandSetting(settings.server.pythonPath, folders), source: "setting" };
      } else {
        const env = await ensureDaemonEnv(this.context, this.log, this.python.path, rebuild);
        if (!env.ok) {
          return fail(env.message);
        }
        resolved = { command: env.python, source: "bundled" };
      }
      this.log.info(`Checking ${resolved.command} (${resolved.source}) for empathy_os`);
      const check = await checkInterpreter(resolved.command);
      if (check.ok) {
        return { python: resolved.command, version: check.version, executable: check.executable };
      }
      if (resolved.source === "setting" || rebuild) {
        return fail(interpreterProblemMessage(resolved, check));
      }
      this.log.warn(`Empathy's environment failed its check (${check.kind}: ${check.detail}); rebuilding it`);
    }
    return undefined;
  }

  private onClosed(): CloseHandlerResult {
    if (this.restarts < MAX_RESTARTS) {
      this.restarts += 1;
      this.log.warn(`The daemon exited; restarting (${this.restarts}/${MAX_RESTARTS})`);
      return { action: CloseAction.Restart, handled: true };
    }
    const message = `Empathy: the daemon exited ${MAX_RESTARTS + 1} times and will not be restarted.`;
    this.status.setState("error", message);
    void this.showStartupProblem(`${message} Use "Empathy: Restart Server" after fixing the cause shown in the logs.`);
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private async showStartupProblem(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Show Logs", "Open Settings");
    if (choice === "Show Logs") {
      this.log.show(true);
    } else if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "empathy.server.pythonPath");
    }
  }

  async pushSettings(): Promise<void> {
    if (this.client?.state !== State.Running) {
      return;
    }
    await this.client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { empathy: this.settings() },
    });
  }

  async restart(reason: string): Promise<void> {
    this.log.info(`Restarting the daemon: ${reason}`);
    await this.stop();
    this.restarts = 0;
    await this.start();
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      try {
        await client.stop(5_000);
      } catch (err) {
        this.log.warn(`Stopping the daemon: ${errorText(err)}`);
      }
    }
    await client?.dispose().catch(() => undefined);
  }

  /**
   * workspace/executeCommand with a client-side work-done token, so the server's progress lands in the
   * caller's progress UI and cancelling it sends $/cancelRequest.
   */
  async execute<T>(
    command: string,
    args: unknown[],
    token?: vscode.CancellationToken,
    onProgress?: (value: ProgressValue) => void,
  ): Promise<T> {
    if (!this.running) {
      await this.start();
    }
    const client = this.client;
    if (!client || client.state !== State.Running) {
      throw new Error(`the daemon is not running. Run "Empathy: Show Logs" to see why.`);
    }
    const workDoneToken = `empathy-${command}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const sub = onProgress ? client.onProgress(WorkDoneProgress.type, workDoneToken, onProgress) : undefined;
    try {
      return (await client.sendRequest(
        ExecuteCommandRequest.type,
        { command, arguments: args, workDoneToken },
        token,
      )) as T;
    } finally {
      sub?.dispose();
    }
  }

  /** A WorkspaceEdit from the daemon (LSP JSON) as VS Code's, change annotations becoming entry metadata. */
  async asWorkspaceEdit(edit: unknown): Promise<vscode.WorkspaceEdit | undefined> {
    const client = this.client;
    if (!client || edit === null || edit === undefined) {
      return undefined;
    }
    return client.protocol2CodeConverter.asWorkspaceEdit(edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0]);
  }

  dispose(): void {
    void this.stop();
    this.reportEmitter.dispose();
    this.coverageEmitter.dispose();
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

export function errorText(err: unknown): string {
  if (err && typeof err === "object" && "message" in err) {
    return String((err as { message: unknown }).message);
  }
  return String(err);
}

async function openCreatedFiles(result: unknown, log: vscode.LogOutputChannel): Promise<void> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  for (const file of createdFiles(result).slice(0, 5)) {
    const uri = file.startsWith("file:")
      ? vscode.Uri.parse(file)
      : file.startsWith("/") || !root
        ? vscode.Uri.file(file)
        : vscode.Uri.joinPath(root, file);
    try {
      await vscode.window.showTextDocument(uri, { preview: false });
    } catch (err) {
      log.warn(`Could not open ${uri.fsPath}: ${errorText(err)}`);
    }
  }
}

