#!/usr/bin/env node
// Runs the JavaScript that `npm install` compiled into dist/, which starts in a fraction of the
// time tsx takes to compile the sources at each start. When dist/ is missing or older than a
// source (a developer edited src/), runs the sources through tsx instead: what runs is always
// what src/ says. See docs/adr/0010-compiled-at-install.md.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compiledEntry } from "./compiled.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const compiled = compiledEntry(root);
if (compiled.entry) {
  await import(pathToFileURL(compiled.entry).href);
} else {
  // Said once, so that a slower start has its reason in the log.
  console.error(compiled.reason === "outdated" ? "cite: src/ changed since dist/ was built: running the sources through tsx (npm run build compiles them again)" : "cite: no build in dist/: running the sources through tsx (npm run build compiles them)");
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli.ts");
}
