// The part of ms-python.python's public API that Empathy reads (environments.getActiveEnvironmentPath,
// resolveEnvironment, onDidChangeActiveEnvironmentPath), backed by a palette command instead of
// interpreter discovery. The first selection comes from `python.defaultInterpreterPath`, as in the real one.
const vscode = require("vscode");

function activate(context) {
  let current = vscode.workspace.getConfiguration("python").get("defaultInterpreterPath") || "python";
  const changed = new vscode.EventEmitter();
  context.subscriptions.push(
    changed,
    vscode.commands.registerCommand("e2ePython.selectInterpreter", async () => {
      const picked = await vscode.window.showInputBox({ prompt: "Path to a Python interpreter", ignoreFocusOut: true });
      if (picked) {
        current = picked;
        changed.fire({ id: picked, path: picked, resource: undefined });
      }
    }),
  );
  return {
    environments: {
      getActiveEnvironmentPath: () => ({ id: current, path: current }),
      resolveEnvironment: async (env) => ({ executable: { uri: vscode.Uri.file(typeof env === "string" ? env : env.path) } }),
      onDidChangeActiveEnvironmentPath: changed.event,
    },
  };
}

module.exports = { activate, deactivate() {} };
