// The Python extension's selected interpreter (ms-python.python's `environments` API), followed as it
// changes. It is the PROJECT's interpreter: the daemon receives it as `project.python` and runs only the
// project's tests with it. Like ruff-vscode (src/common/python.ts, onDidChangeActiveEnvironmentPath), a
// change is announced through an event; here it reaches the running daemon as a settings change.
import * as vscode from "vscode";

/** The part of the Python extension's public API used here. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<{ path: string; resource?: unknown }>;
  };
}

export class PythonInterpreter implements vscode.Disposable {
  private current: string | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with the new interpreter path when the user selects another one. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The selected interpreter as last seen (undefined: no Python extension, or none selected). */
  get path(): string | undefined {
    return this.current;
  }

  /** Asks the Python extension once and subscribes to its changes. Never throws. */
  async init(): Promise<void> {
    const api = await this.api();
    const envs = api?.environments;
    if (!envs) {
      return;
    }
    this.current = await this.resolve(api);
    this.log.info(`Project interpreter (Python extension): ${this.current ?? "none selected"}`);
    this.disposables.push(
      envs.onDidChangeActiveEnvironmentPath(async () => {
        const next = await this.resolve(api);
        if (next !== this.current) {
          this.current = next;
          this.log.info(`The Python extension's interpreter changed to ${next ?? "none"}`);
          this.changed.fire(next);
        }
      }),
    );
  }

  private async api(): Promise<PythonExtensionApi | undefined> {
    const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
    if (!ext) {
      return undefined;
    }
    try {
      return ext.isActive ? ext.exports : await ext.activate();
    } catch (err) {
      this.log.warn(`Could not activate the Python extension: ${String(err)}`);
      return undefined;
    }
  }

  private async resolve(api: PythonExtensionApi | undefined): Promise<string | undefined> {
    try {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const active = api?.environments?.getActiveEnvironmentPath(folder);
      if (!active) {
        return undefined;
      }
      const env = await api?.environments?.resolveEnvironment(active);
      return env?.executable?.uri?.fsPath ?? active.path;
    } catch (err) {
      this.log.warn(`Could not ask the Python extension for its interpreter: ${String(err)}`);
      return undefined;
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
