// Whether dist/ (what `npm install` compiles, scripts/build.mjs) still says what src/ says.
// Shared by the build, which records the sources it compiled, and bin/cite.js, which runs dist/
// only when no source changed since: see docs/adr/0010-compiled-at-install.md.
import fs from "node:fs";
import path from "node:path";

/** Written last by the build: dist/ without it is an interrupted or foreign build. */
export const BUILD_STAMP = ".build.json";

/** The files whose change makes a build out of date, besides everything under src/. */
const BUILD_INPUTS = ["tsconfig.json", "tsconfig.build.json"];

/** The newest modification time (ms) among the build's inputs. */
export function newestSourceTime(root) {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  visit(path.join(root, "src"));
  for (const file of BUILD_INPUTS) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * dist/cli.js when dist/ was built from the sources as they are now; otherwise why not: no build
 * (or an interrupted one), or a source edited (or checked out) since the build.
 */
export function compiledEntry(root) {
  const entry = path.join(root, "dist", "cli.js");
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(root, "dist", BUILD_STAMP), "utf8"));
  } catch {
    return { entry: null, reason: "missing" };
  }
  if (typeof stamp?.sourcesAt !== "number" || !fs.existsSync(entry)) return { entry: null, reason: "missing" };
  return newestSourceTime(root) <= stamp.sourcesAt ? { entry, reason: null } : { entry: null, reason: "outdated" };
}
