import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { BUILD_STAMP, compiledEntry, newestSourceTime } from "../bin/compiled.js";

/*
 * `cite` runs dist/ (compiled by `npm install`) only while it says what src/ says: a developer
 * who edits a source, or checks out another branch, runs the sources through tsx until the next
 * build, never yesterday's JavaScript. Checked on a checkout laid out like this one, in a
 * temporary folder.
 */

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, seconds));

/** A checkout with two sources (the newest at 10 s) and, unless told otherwise, a build of them. */
function checkout(options: { built?: boolean } = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cite-compiled-"));
  roots.push(root);
  for (const [file, seconds] of [
    ["src/cli.ts", 5],
    ["src/core/i18n/messages/fr.json", 10],
    ["tsconfig.json", 1],
  ] as const) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), "");
    fs.utimesSync(path.join(root, file), at(seconds), at(seconds));
  }
  if (options.built !== false) build(root);
  return root;
}

/** What scripts/build.mjs leaves: dist/cli.js and the stamp naming the sources it compiled. */
function build(root: string): void {
  fs.mkdirSync(path.join(root, "dist"), { recursive: true });
  fs.writeFileSync(path.join(root, "dist", "cli.js"), "");
  fs.writeFileSync(path.join(root, "dist", BUILD_STAMP), JSON.stringify({ sourcesAt: newestSourceTime(root) }));
}

function edit(root: string, file: string, seconds: number): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), "// edited\n");
  fs.utimesSync(path.join(root, file), at(seconds), at(seconds));
}

describe("cite runs the compiled JavaScript only while it matches the sources", () => {
  it("runs dist/cli.js after a build", () => {
    const root = checkout();
    assert.deepEqual(compiledEntry(root), { entry: path.join(root, "dist", "cli.js"), reason: null });
  });

  it("runs the sources when there is no build, or only an interrupted one (no stamp)", () => {
    const root = checkout({ built: false });
    assert.deepEqual(compiledEntry(root), { entry: null, reason: "missing" });
    fs.mkdirSync(path.join(root, "dist"));
    fs.writeFileSync(path.join(root, "dist", "cli.js"), "");
    assert.deepEqual(compiledEntry(root), { entry: null, reason: "missing" });
  });

  it("runs the sources once any of them, a catalogue or the compiler settings changed after the build, until the next build", () => {
    for (const file of ["src/modules/portal/views/home.tsx", "src/core/i18n/messages/fr.json", "tsconfig.json"]) {
      const root = checkout();
      edit(root, file, 20);
      assert.deepEqual(compiledEntry(root), { entry: null, reason: "outdated" }, `${file} edited after the build`);
      build(root);
      assert.equal(compiledEntry(root).entry, path.join(root, "dist", "cli.js"), `${file}: rebuilt`);
    }
  });

  it("does not count a stamp it cannot read as a build", () => {
    const root = checkout();
    fs.writeFileSync(path.join(root, "dist", BUILD_STAMP), "{ not json");
    assert.deepEqual(compiledEntry(root), { entry: null, reason: "missing" });
  });
});
