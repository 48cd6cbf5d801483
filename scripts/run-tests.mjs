// Runs every *.test.ts(x) under src/ and test/ with Node's test runner (Node 20 has no globs).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

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
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
