import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { checkInterpreter, expandSetting, interpreterProblemMessage } from "../src/interpreter";

const REPO = path.resolve(__dirname, "..", "..");
const VENV_PYTHON = process.env.EMPATHY_E2E_PYTHON ?? path.join(REPO, ".venv", "bin", "python");

test("${workspaceFolder} and ~ in empathy.server.pythonPath expand", () => {
  assert.equal(expandSetting(" ${workspaceFolder}/.venv/bin/python ", ["/ws/proj"]), "/ws/proj/.venv/bin/python");
  assert.equal(expandSetting("~/venvs/e/bin/python", [], "/home/u"), "/home/u/venvs/e/bin/python");
  assert.equal(expandSetting("python3", [], "/home/u"), "python3");
});

test("a real interpreter with empathy_os installed passes the check", { skip: !existsSync(VENV_PYTHON) && `no ${VENV_PYTHON}` }, async () => {
  const check = await checkInterpreter(VENV_PYTHON);
  assert.equal(check.ok, true, JSON.stringify(check));
  if (check.ok) {
    assert.match(check.version, /^empathy-os \S+ on Python 3\.\d+/);
  }
});

test("a missing interpreter is reported as missing, with the setting to fix", async () => {
  const resolved = { command: "/nonexistent/bin/python", source: "setting" as const };
  const check = await checkInterpreter(resolved.command);
  assert.equal(check.ok, false);
  if (!check.ok) {
    assert.equal(check.kind, "missing");
    const msg = interpreterProblemMessage(resolved, check);
    assert.match(msg, /was not found/);
    assert.match(msg, /empathy\.server\.pythonPath/);
  }
});

test("a Python without empathy_os is reported as not installed, with the pip command", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "empathy-py-"));
  // A real interpreter, isolated from site-packages (-I ignores PYTHONPATH and user site), so empathy_os
  // cannot be importable whatever the machine has installed.
  const bare = path.join(dir, "bare-python");
  writeFileSync(bare, `#!/bin/sh\nexec /usr/bin/env python3 -I -S "$@"\n`);
  chmodSync(bare, 0o755);
  const check = await checkInterpreter(bare);
  assert.equal(check.ok, false);
  if (!check.ok) {
    assert.equal(check.kind, "not-installed");
    const msg = interpreterProblemMessage({ command: bare, source: "setting" }, check);
    assert.match(msg, /not installed/);
    assert.ok(msg.includes(`${bare} -m pip install empathy-os`));
  }
});

test("an interpreter that crashes is reported as broken with its last error line", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "empathy-py-"));
  const broken = path.join(dir, "python");
  writeFileSync(broken, `#!/bin/sh\necho "Traceback (most recent call last):" >&2\necho "ImportError: libfoo.so: cannot open shared object file" >&2\nexit 1\n`);
  chmodSync(broken, 0o755);
  const check = await checkInterpreter(broken);
  assert.equal(check.ok, false);
  if (!check.ok) {
    assert.equal(check.kind, "broken");
    assert.equal(check.detail, "ImportError: libfoo.so: cannot open shared object file");
    assert.match(interpreterProblemMessage({ command: broken, source: "setting" }, check), /cannot import empathy_os/);
  }
});

test("the private environment failing after a rebuild points to the logs and the override", () => {
  const msg = interpreterProblemMessage({ command: "/g/daemon-env/bin/python", source: "bundled" }, { ok: false, kind: "broken", detail: "ImportError: x" });
  assert.match(msg, /Empathy's own environment/);
  assert.match(msg, /Show Logs/);
  assert.match(msg, /empathy\.server\.pythonPath/);
});
