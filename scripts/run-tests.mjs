// Runs every *.test.ts(x) under src/ and test/ with Node's test runner (Node 20 has no globs).
// Migrating and seeding the demo is done once, into templates every test file copies
// (test/templates.ts); on a server (TEST_DATABASE_URL) the templates are dropped at the end.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { register } from "tsx/esm/api";

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : find(full);
    return /\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...find("src"), ...find("test")].sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

register();
const { buildTemplates, dropStaleTemplates, dropTemplates, TEMPLATES_ENV } = await import("../test/templates.ts");
const serverUrl = process.env.TEST_DATABASE_URL || undefined;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-test-templates-"));
let templates;

async function cleanUp() {
  if (templates) await dropTemplates(templates).catch((error) => console.error(`could not drop the test templates: ${error.message}`));
  templates = undefined;
  fs.rmSync(workDir, { recursive: true, force: true });
}

let status = 1;
try {
  const started = performance.now();
  if (serverUrl) {
    const stale = await dropStaleTemplates(serverUrl);
    if (stale.length > 0) console.error(`dropped ${stale.length} test template(s) left by an interrupted run`);
  }
  templates = await buildTemplates(workDir, serverUrl);
  console.error(`test templates (migrated, demo) built in ${((performance.now() - started) / 1000).toFixed(1)} s on ${serverUrl ? "the PostgreSQL server" : "PGlite"}`);

  const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
    stdio: "inherit",
    env: { ...process.env, [TEMPLATES_ENV]: JSON.stringify(templates) },
  });
  // Interrupted, the runner still drops its templates once the tests it started have stopped.
  const forward = (signal) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  status = await new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
} finally {
  await cleanUp();
}
process.exit(status);
