import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { NUMBER_SETTINGS, readSettings, STRING_SETTINGS } from "../src/settings";

const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
const properties: Record<string, { default: unknown; minimum?: number; maximum?: number; markdownDescription?: string }> =
  manifest.contributes.configuration.properties;

function reader(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test("defaults when nothing is configured match package.json", () => {
  const s = readSettings(reader({}), true);
  assert.deepEqual(s.gates, { minCoverage: 80, minQualityScore: 7, maxCriticalIssues: 0, minDocCoverage: 100 });
  assert.equal(s.coverage.target, 80);
  assert.equal(s.maxCostUsd, 1);
  assert.equal(s.server.pythonPath, null);
  assert.equal(s.project.python, null);
  assert.deepEqual(s.models, { cheap: null, capable: null, premium: null });
  assert.equal(s.trusted, true);
  for (const spec of NUMBER_SETTINGS) {
    const prop = properties[`empathy.${spec.key}`];
    assert.ok(prop, `empathy.${spec.key} is contributed`);
    assert.equal(prop.default, spec.fallback, `default of empathy.${spec.key}`);
    assert.equal(prop.minimum, spec.min, `minimum of empathy.${spec.key}`);
    assert.equal(prop.maximum, spec.max, `maximum of empathy.${spec.key}`);
  }
});

test("every contributed setting is read and has a description", () => {
  const read = new Set([...NUMBER_SETTINGS.map((s) => s.key), ...STRING_SETTINGS]);
  for (const [key, prop] of Object.entries(properties)) {
    assert.ok(read.has(key.replace(/^empathy\./, "")), `${key} is read by readSettings`);
    assert.ok((prop.markdownDescription ?? "").length > 20, `${key} has a description`);
  }
  assert.equal(Object.keys(properties).length, read.size);
});

test("configured values pass through; strings are trimmed and empty means unset", () => {
  const s = readSettings(
    reader({
      "gates.minCoverage": 90,
      "gates.minQualityScore": 8.5,
      "server.pythonPath": "  /opt/py/bin/python ",
      "project.python": "   ",
      "models.premium": "claude-opus-4-1",
      maxCostUsd: 0.25,
    }),
    false,
  );
  assert.equal(s.gates.minCoverage, 90);
  assert.equal(s.gates.minQualityScore, 8.5);
  assert.equal(s.server.pythonPath, "/opt/py/bin/python");
  assert.equal(s.project.python, null);
  assert.equal(s.models.premium, "claude-opus-4-1");
  assert.equal(s.maxCostUsd, 0.25);
  assert.equal(s.trusted, false);
});

test("hand-edited junk is coerced or replaced by the default, never sent as is", () => {
  const s = readSettings(
    reader({
      "gates.minCoverage": 250,
      "gates.minQualityScore": "9",
      "gates.maxCriticalIssues": 2.6,
      "gates.minDocCoverage": "lots",
      "coverage.target": -5,
      maxCostUsd: Number.NaN,
      "models.cheap": 42,
    }),
    true,
  );
  assert.equal(s.gates.minCoverage, 100);
  assert.equal(s.gates.minQualityScore, 9);
  assert.equal(s.gates.maxCriticalIssues, 3);
  assert.equal(s.gates.minDocCoverage, 100);
  assert.equal(s.coverage.target, 0);
  assert.equal(s.maxCostUsd, 1);
  assert.equal(s.models.cheap, null);
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s, "JSON-serialisable for initializationOptions");
});

test("the project's interpreter: empathy.project.python, else the Python extension's selection", () => {
  assert.equal(readSettings(reader({}), true, "/home/u/proj/.venv/bin/python").project.python, "/home/u/proj/.venv/bin/python");
  assert.equal(readSettings(reader({ "project.python": "/opt/py/bin/python" }), true, "/x/bin/python").project.python, "/opt/py/bin/python");
  assert.equal(readSettings(reader({}), true, undefined).project.python, null);
  assert.equal(readSettings(reader({}), true, "  ").project.python, null);
  // The daemon's own interpreter is never sent as the project's.
  assert.equal(readSettings(reader({ "server.pythonPath": "/d/bin/python" }), true).project.python, null);
});
