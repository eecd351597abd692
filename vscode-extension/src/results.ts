// Reads what a daemon command result says it did. No `vscode` import: unit-tested in Node.

/** Paths of files a generate/boost result says it created (absolute, or relative to the workspace). */
export function createdFiles(result: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, key: string, depth: number): void => {
    if (depth > 4 || value === null || value === undefined) {
      return;
    }
    if (typeof value === "string") {
      if (/(^|_)(path|file|files|created|written|uri|test_file|test_path)s?$/i.test(key) && /\.py$/.test(value)) {
        found.add(value);
      }
    } else if (Array.isArray(value)) {
      value.forEach((v) => visit(v, key, depth + 1));
    } else if (typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        visit(v, k, depth + 1);
      }
    }
  };
  visit(result, "", 0);
  return [...found];
}

