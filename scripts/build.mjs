// Compiles src/ into dist/ once, at install (`npm install` and `npm ci` run it as `prepare`), so
// that a start runs JavaScript instead of compiling TypeScript again (docs/adr/0010).
//
//   npm run build
//
// dist/ keeps src/'s layout, so that what the code finds next to itself (message catalogues, the
// browser's scripts) and above it (migrations/ at the root) is where it looks. The new build is
// made beside the old one and swapped in whole: a start never sees half of each.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUILD_STAMP, newestSourceTime } from "../bin/compiled.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const next = path.join(root, `dist.building-${process.pid}`);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  // An install without devDependencies (npm ci --omit=dev) has no compiler: cite still runs, from the sources.
  console.warn("build: TypeScript is not installed (devDependencies omitted?): cite will run its sources through tsx, more slowly at each start");
  process.exit(0);
}

// Taken before compiling: a source saved while tsc runs makes this build out of date at once.
const sourcesAt = newestSourceTime(root);
fs.rmSync(next, { recursive: true, force: true });
const started = Date.now();
const compiled = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json"), "--outDir", next], { cwd: root, stdio: "inherit" });
if (compiled.status !== 0) {
  fs.rmSync(next, { recursive: true, force: true });
  console.error("build: tsc failed (above); dist/ is unchanged");
  process.exit(compiled.status ?? 1);
}

/** Copies what the code reads at run time beside its modules: everything in src/ but sources, tests and notes. */
function copyAssets(from, to) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copyAssets(source, target);
    } else if (!/\.(tsx?|md)$/.test(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}
copyAssets(path.join(root, "src"), next);

// The empty database a first start copies instead of running initdb (src/core/db/cluster-template.ts).
// Without it a first start is slower, not broken: a failure here is only a warning.
try {
  const { writeEmptyCluster } = await import(pathToFileURL(path.join(next, "core", "db", "index.js")).href);
  await writeEmptyCluster();
} catch (error) {
  console.warn(`build: no empty database prepared (${error.message}): a first start will create it, a few seconds slower`);
}
fs.writeFileSync(path.join(next, BUILD_STAMP), JSON.stringify({ sourcesAt, builtAt: new Date().toISOString() }) + "\n");

fs.rmSync(dist, { recursive: true, force: true });
fs.renameSync(next, dist);
console.log(`build: src/ compiled into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
