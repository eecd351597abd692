// Bundles the extension (vscode is provided by the host) and, with --tests, the unit tests for Node.
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const common = { bundle: true, platform: "node", target: "node20", sourcemap: true, logLevel: "warning" };

if (process.argv.includes("--tests")) {
  const entries = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => `test/${f}`);
  // Tests cover the vscode-free modules only; bundling `vscode` here would be a mistake, so it fails.
  await build({ ...common, entryPoints: entries, outdir: "out-test", format: "cjs" });
} else {
  await build({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    format: "cjs",
    external: ["vscode"],
    minify: process.argv.includes("--minify"),
  });
}
