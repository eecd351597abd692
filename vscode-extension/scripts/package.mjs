// Builds the .vsix for one VS Code target, with the daemon inside (scripts/bundle-daemon.mjs):
//
//   npm run package                      → empathy-vscode-<this machine's target>.vsix
//   npm run package -- linux-arm64       → empathy-vscode-linux-arm64.vsix (any target in TARGETS)
//   node scripts/package.mjs --target linux-arm64   (the same, called directly)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleDaemon, hostTarget, TARGETS } from "./bundle-daemon.mjs";

const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Through the root's `npm run package --workspace …`, npm takes a `--target` flag for itself, so a bare
// target name is accepted too.
const argv = process.argv.slice(2);
const i = argv.indexOf("--target");
const target = i >= 0 ? argv[i + 1] : (argv.find((a) => !a.startsWith("-")) ?? hostTarget());

try {
  if (!TARGETS[target]) throw new Error(`unknown target ${target}; known: ${Object.keys(TARGETS).join(", ")}`);
  await bundleDaemon(target);
  // npm workspaces hoist binaries to the root's node_modules.
  const local = (name) =>
    [path.join(EXT, "node_modules", ".bin", name), path.join(EXT, "..", "node_modules", ".bin", name)].find(
      (p) => existsSync(p),
    ) ?? name;
  execFileSync(process.execPath, ["esbuild.mjs", "--minify"], { cwd: EXT, stdio: "inherit" });
  const out = `empathy-vscode-${target}.vsix`;
  execFileSync(local("vsce"), ["package", "--no-dependencies", "--allow-missing-repository", "--skip-license",
    "--target", target, "--out", out], { cwd: EXT, stdio: ["ignore", "ignore", "inherit"] });
  console.log(`package: ${path.join(EXT, out)}`);
} catch (err) {
  console.error(`package: ${err.message}`);
  process.exit(1);
}
