import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import {
  type BundleManifest,
  createEnv,
  EnvError,
  envPython,
  findBasePython,
  isEnvCurrent,
  noPythonMessage,
  probe,
  readManifest,
  withEnvLock,
} from "../src/daemonEnv";

const EXT = path.resolve(__dirname, "..");
const BUNDLE = readManifest(EXT); // present after `npm run package`

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `empathy-env-${prefix}-`));
}

function fakePython(output: string): string {
  const file = path.join(tmp("fake"), "python");
  writeFileSync(file, `#!/bin/sh\necho "${output}"\n`);
  chmodSync(file, 0o755);
  return file;
}

test("the first candidate in a supported CPython version is chosen; others are listed as passed over", async () => {
  const old = fakePython("3.10.4 CPython /opt/py310/bin/python3");
  const pypy = fakePython("3.11.9 PyPy /opt/pypy/bin/python");
  const real = await probe({ command: "python3", from: "PATH" });
  assert.equal(typeof real, "object", `python3 runs: ${String(real)}`);
  const minor = typeof real === "object" ? real.minor : "";
  const search = await findBasePython(
    [
      { command: "/nonexistent/python", from: "the Python extension's interpreter" },
      { command: old, from: "the Python extension's interpreter" },
      { command: pypy, from: "PATH" },
      { command: "python3", from: "PATH" },
    ],
    [minor],
  );
  assert.equal(search.found?.command, "python3");
  assert.equal(search.found?.implementation, "CPython");
  assert.ok(search.found?.executable && existsSync(search.found.executable));
  assert.deepEqual(search.tried, [
    "/nonexistent/python (the Python extension's interpreter): not found",
    `${old} (the Python extension's interpreter): CPython 3.10.4`,
    `${pypy} (PATH): PyPy 3.11.9`,
  ]);
});

test("no supported Python: the message lists what was tried and how to fix it", async () => {
  const search = await findBasePython([{ command: "python3", from: "PATH" }, { command: "python-nope", from: "PATH" }], ["3.99"]);
  assert.equal(search.found, undefined);
  assert.equal(search.tried.length, 1, "a name missing from PATH is not noise in the message");
  const msg = noPythonMessage(search, ["3.99"]);
  assert.match(msg, /^Empathy: no Python 3\.99 found to run its daemon\. Tried: python3 \(PATH\): CPython 3\./);
  assert.match(msg, /Python: Select Interpreter/);
  assert.match(msg, /Restart Server/);
  assert.match(msg, /empathy\.server\.pythonPath/);
});

test("an environment is current only with a complete stamp for this extension version and bundle", () => {
  const dir = tmp("stamp");
  assert.equal(isEnvCurrent(dir, "0.1.0", "b1"), false);
  mkdirSync(path.dirname(envPython(dir)), { recursive: true });
  writeFileSync(envPython(dir), "");
  assert.equal(isEnvCurrent(dir, "0.1.0", "b1"), false, "no stamp: a partial environment");
  writeFileSync(path.join(dir, "empathy-env.json"), JSON.stringify({ extensionVersion: "0.1.0", bundleId: "b1" }));
  assert.equal(isEnvCurrent(dir, "0.1.0", "b1"), true);
  assert.equal(isEnvCurrent(dir, "0.2.0", "b1"), false, "a new extension version rebuilds");
  assert.equal(isEnvCurrent(dir, "0.1.0", "b2"), false, "a new bundle rebuilds");
});

test("the environment lock serialises creators and takes over a stale lock", async () => {
  const env = path.join(tmp("lock"), "daemon-env");
  const order: string[] = [];
  const slow = (name: string) => async () => {
    order.push(`${name}:in`);
    await new Promise((r) => setTimeout(r, 300));
    order.push(`${name}:out`);
  };
  await Promise.all([withEnvLock(env, slow("a")), withEnvLock(env, slow("b"))]);
  assert.deepEqual(order, ["a:in", "a:out", "b:in", "b:out"]);
  mkdirSync(`${env}.lock`); // left by a crashed window
  const started = Date.now();
  assert.equal(await withEnvLock(env, async () => "ran", 0), "ran");
  assert.ok(Date.now() - started < 2_000);
  assert.equal(existsSync(`${env}.lock`), false, "released");
});

test("a real environment from the bundled wheels, offline", { skip: !BUNDLE && "no daemon/ bundle (run npm run package)" }, async () => {
  const manifest = BUNDLE as BundleManifest;
  const search = await findBasePython([{ command: "python3", from: "PATH" }], manifest.pythonVersions);
  assert.ok(search.found, "a supported python3 on this machine");
  // tinydb has no dependencies: the same path as the daemon's install, in seconds.
  const envDir = path.join(tmp("real"), "daemon-env");
  const steps: string[] = [];
  const stamp = await createEnv({
    base: search.found, envDir, extensionPath: EXT, manifest: { ...manifest, requirement: "tinydb", install: undefined },
    extensionVersion: "9.9.9", onStep: (m) => steps.push(m), log: () => undefined,
  });
  assert.equal(isEnvCurrent(envDir, "9.9.9", manifest.id), true);
  assert.equal(stamp.pythonVersion, search.found.version);
  assert.match(steps.join("\n"), /creating a Python .* environment\ninstalling tinydb from the bundled wheels/);
  const site = readdirSync(path.join(envDir, "lib"))[0];
  assert.ok(readdirSync(path.join(envDir, "lib", site, "site-packages")).some((d) => d.startsWith("tinydb")));
  assert.equal(existsSync(path.join(envDir, "lib", site, "site-packages", "pip")), false, "pip is not installed, only used");

  // A requirement the bundle lacks fails with pip's reason, never a network fetch, and leaves nothing.
  const broken = path.join(tmp("fail"), "daemon-env");
  await assert.rejects(
    createEnv({
      base: search.found, envDir: broken, extensionPath: EXT, manifest: { ...manifest, requirement: "no-such-package-xyz", install: undefined },
      extensionVersion: "9.9.9", onStep: () => undefined, log: () => undefined,
    }),
    (err: unknown) => err instanceof EnvError && /No matching distribution found for no-such-package-xyz/.test(err.message),
  );
  assert.equal(existsSync(broken), false);
  assert.match(readFileSync(path.join(EXT, "daemon", "manifest.json"), "utf8"), /"requirement": "empathy-os==/);

  // With the wheels chosen at build time, exactly those are installed (no resolver).
  const tinydb = readdirSync(path.join(EXT, "daemon", "wheels")).find((w) => w.startsWith("tinydb-"));
  assert.ok(tinydb);
  const chosenDir = path.join(tmp("chosen"), "daemon-env");
  await createEnv({
    base: search.found, envDir: chosenDir, extensionPath: EXT,
    manifest: { ...manifest, install: { [search.found.minor]: [tinydb] } },
    extensionVersion: "9.9.9", onStep: () => undefined, log: () => undefined,
  });
  const sp = path.join(chosenDir, "lib", readdirSync(path.join(chosenDir, "lib"))[0], "site-packages");
  assert.deepEqual(readdirSync(sp).filter((d) => !d.startsWith("_") && !d.endsWith(".pth")).sort(), [tinydb.split("-").slice(0, 2).join("-") + ".dist-info", "tinydb"].sort());
});

test("the bundle lists, per Python version, a complete set of wheels that exist", { skip: !BUNDLE && "no daemon/ bundle" }, () => {
  const manifest = BUNDLE as BundleManifest;
  const files = new Set(readdirSync(path.join(EXT, "daemon", "wheels")));
  assert.deepEqual(Object.keys(manifest.install ?? {}), manifest.pythonVersions);
  for (const [minor, wheels] of Object.entries(manifest.install ?? {})) {
    const tag = `cp${minor.replace(".", "")}`;
    for (const w of wheels) assert.ok(files.has(w), `${w} is bundled`);
    assert.equal(wheels.filter((w) => w.startsWith("empathy_os-")).length, 1, `Empathy's wheel for ${minor}`);
    for (const binary of ["pydantic_core-", "orjson-", "grimp-"]) {
      const w = wheels.find((x) => x.startsWith(binary));
      assert.ok(w && w.includes(`-${tag}-`), `${binary} for ${tag}: ${w}`);
    }
    assert.ok(wheels.some((w) => w.startsWith("ruff-")) && wheels.some((w) => w.startsWith("pygls-")));
    assert.ok(!wheels.some((w) => w.startsWith("pip-")), "pip is used, not installed");
  }
});
