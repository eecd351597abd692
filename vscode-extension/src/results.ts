// Reads what a daemon command result says it did. No `vscode` import: unit-tested in Node.

/**
 * Files a generate/boost result says the editor created: `applied[]` entries with `applied: true`
 * (server/empathy_os/lsp/edits.py). Prefers the `uri`; else the root-relative `path`.
 */
export function createdFiles(result: unknown): string[] {
  if (!result || typeof result !== "object") {
    return [];
  }
  const applied = (result as { applied?: unknown }).applied;
  if (!Array.isArray(applied)) {
    return [];
  }
  const out: string[] = [];
  for (const entry of applied) {
    if (entry && typeof entry === "object" && (entry as { applied?: unknown }).applied === true) {
      const { uri, path } = entry as { uri?: unknown; path?: unknown };
      const where = typeof uri === "string" && uri ? uri : typeof path === "string" && path ? path : undefined;
      if (where) {
        out.push(where);
      }
    }
  }
  return out;
}
