// Fills vscode-extension/daemon/ with the daemon for one VS Code target: Empathy's own wheel, every
// dependency wheel for each supported CPython on that platform, and pip's wheel (which installs them
// offline on the user's machine; Debian's python3 has no ensurepip). The extension turns this folder into
// a private virtualenv on first start (src/daemonEnv.ts).
//
// Called by scripts/package.mjs (`npm run package -- --target linux-x64`).
//
// Downloads come from the package index pip is configured with; nothing is cached outside the checkout:
// pip's cache is .daemon-cache/pip, and .daemon-cache/<target> keeps the dependency wheels between runs,
// keyed on the dependency list, the target and the Python versions.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO = path.resolve(EXT, "..");
const OUT = path.join(EXT, "daemon");

// CPython minor versions the bundle serves: each has its own binary wheels (pydantic-core, orjson, grimp…).
export const PYTHON_VERSIONS = ["3.11", "3.12", "3.13", "3.14"];

// VS Code target → pip platform tags (pip also accepts older compatible tags for each).
export const TARGETS = {
  "linux-x64": ["manylinux2014_x86_64", "manylinux_2_17_x86_64"],
  "linux-arm64": ["manylinux2014_aarch64", "manylinux_2_17_aarch64"],
  "alpine-x64": ["musllinux_1_2_x86_64"],
  "darwin-x64": ["macosx_10_15_x86_64"],
  "darwin-arm64": ["macosx_11_0_arm64"],
  "win32-x64": ["win_amd64"],
};

export function hostTarget() {
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  const os = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform];
  if (!arch || !os) throw new Error(`no VS Code target for ${process.platform}-${process.arch}`);
  return `${os}-${arch}`;
}

function buildPython() {
  if (process.env.EMPATHY_BUNDLE_PYTHON) return process.env.EMPATHY_BUNDLE_PYTHON;
  const venv = path.join(REPO, ".venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
  return existsSync(venv) ? venv : "python3";
}

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

/** Files of Empathy's own package, hashed so its wheel is rebuilt only when they change. */
function sourceHash() {
  const h = createHash("sha256");
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "__pycache__" && !entry.name.endsWith(".egg-info")) walk(file);
      } else {
        h.update(path.relative(REPO, file)).update(readFileSync(file));
      }
    }
  };
  h.update(readFileSync(path.join(REPO, "pyproject.toml"))).update(readFileSync(path.join(REPO, "README.md")));
  walk(path.join(REPO, "server"));
  return h.digest("hex");
}

/** Runs a command; resolves with its stdout. */
function run(cmd, args, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(out);
      // pip's own warnings (e.g. an unreachable extra index) are noise; the error lines say what failed.
      else reject(new Error(`${label} failed (exit ${code}):\n${err.split("\n").filter((l) => !/is ignored/.test(l)).join("\n").slice(-3000)}`));
    });
  });
}

function wheelsIn(dir) {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".whl")) : [];
}

export async function bundleDaemon(target) {
  const platforms = TARGETS[target];
  if (!platforms) throw new Error(`unknown target ${target}; known: ${Object.keys(TARGETS).join(", ")}`);
  const python = buildPython();
  const started = Date.now();

  const cache = path.join(EXT, ".daemon-cache", target);
  const ownDir = path.join(EXT, ".daemon-cache", "empathy");
  mkdirSync(cache, { recursive: true });

  // 1. Empathy's own wheel (pure Python, the same for every target).
  const srcKey = sourceHash();
  const ownStamp = path.join(ownDir, "stamp");
  if (!existsSync(ownStamp) || readFileSync(ownStamp, "utf8") !== srcKey || wheelsIn(ownDir).length !== 1) {
    rmSync(ownDir, { recursive: true, force: true });
    mkdirSync(ownDir, { recursive: true });
    console.log("bundle-daemon: building Empathy's wheel");
    await run(python, ["-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", ownDir, REPO], "pip wheel");
    writeFileSync(ownStamp, srcKey);
  }
  const [ownWheel] = wheelsIn(ownDir);
  const ownPath = path.join(ownDir, ownWheel);

  // 2. Dependency wheels per Python version, one after the other into one folder: pure-Python wheels are
  //    then downloaded once, and the index pages come from pip's cache (measured: parallel runs were slower).
  const pyproject = readFileSync(path.join(REPO, "pyproject.toml"), "utf8");
  const deps = pyproject.slice(pyproject.indexOf("dependencies = ["), pyproject.indexOf("]", pyproject.indexOf("dependencies = [")));
  const depKey = sha256(JSON.stringify({ layout: 3, deps, platforms, PYTHON_VERSIONS }));
  const depStamp = path.join(cache, "stamp");
  // The wheels pip chose for each Python version: the extension installs exactly these with --no-deps,
  // which skips pip's resolver reading every bundled wheel (measured: half the CPU of a first start).
  const chosenFile = path.join(cache, "chosen.json");
  if (!existsSync(depStamp) || readFileSync(depStamp, "utf8") !== depKey) {
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    console.log(`bundle-daemon: downloading wheels for ${target}, CPython ${PYTHON_VERSIONS.join(", ")}`);
    const chosen = {};
    for (const v of PYTHON_VERSIONS) {
      const t0 = Date.now();
      const args = ["-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:",
        "--cache-dir", path.join(EXT, ".daemon-cache", "pip"), ...platforms.flatMap((p) => ["--platform", p]),
        "--python-version", v, "--implementation", "cp", "-d", path.join(cache, "wheels"), ownPath, "pip"];
      const out = await run(python, args, `pip download for CPython ${v} on ${target}`);
      const files = [...out.matchAll(/(?:Saved|File was already downloaded) (\S+\.whl)/g)].map((m) => path.basename(m[1]));
      chosen[v] = [...new Set(files)].filter((w) => !/^(pip|empathy_os)-/.test(w)).sort();
      if (chosen[v].length === 0) throw new Error(`could not read which wheels pip chose for CPython ${v}`);
      console.log(`bundle-daemon:   CPython ${v}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    writeFileSync(chosenFile, JSON.stringify(chosen, null, 2));
    writeFileSync(depStamp, depKey);
  }
  const chosen = JSON.parse(readFileSync(chosenFile, "utf8"));

  // 3. daemon/ = the union of the wheels + a manifest the extension reads.
  rmSync(OUT, { recursive: true, force: true });
  const wheelDir = path.join(OUT, "wheels");
  mkdirSync(wheelDir, { recursive: true });
  for (const w of wheelsIn(path.join(cache, "wheels"))) {
    if (!w.startsWith("empathy_os-")) copyFileSync(path.join(cache, "wheels", w), path.join(wheelDir, w));
  }
  copyFileSync(ownPath, path.join(wheelDir, ownWheel));
  const wheels = wheelsIn(wheelDir).sort();
  const pip = wheels.find((w) => /^pip-[\d.]+-py3-none-any\.whl$/.test(w));
  if (!pip) throw new Error("pip's wheel is missing from the bundle");
  const bytes = wheels.reduce((n, w) => n + statSync(path.join(wheelDir, w)).size, 0);
  const manifest = {
    target,
    pythonVersions: PYTHON_VERSIONS,
    requirement: ownWheel.split("-").slice(0, 2).join("==").replace("empathy_os", "empathy-os"),
    pipWheel: pip,
    // Per CPython minor version: the complete set of wheels to install, Empathy's own included.
    install: Object.fromEntries(PYTHON_VERSIONS.map((v) => [v, [...chosen[v], ownWheel]])),
    wheels: wheels.length,
    // Changes whenever any wheel does: the extension rebuilds its environment when this differs.
    id: sha256(wheels.join("\n") + srcKey),
  };
  writeFileSync(path.join(OUT, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  console.log(
    `bundle-daemon: ${wheels.length} wheels, ${(bytes / 1e6).toFixed(1)} MB for ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

