import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

/**
 * The house rules of module anatomy that can be read from the files themselves, checked over
 * every file found on disk under src/modules, so that a new module or a new part is held to them
 * without anyone adding it to a list.
 */

const MODULES = path.resolve(import.meta.dirname, "../src/modules");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const relative = (file: string) => path.relative(MODULES, file).split(path.sep).join("/");
const FILES = sourceFiles(MODULES).map(relative).sort();
const read = (file: string) => fs.readFileSync(path.join(MODULES, file), "utf8");

/** Where SQL may be written: a store, and what is not the module's running code (tests, demo data). */
const mayHoldSql = (file: string) => /\.test\.tsx?$/.test(file) || /(^|\/)store(\.ts|\/)/.test(file) || /(^|[/._-])(seed|demo)([/._-]|$)/.test(file);

/** A call of the database's query method, typed or not: `db.query(`, `tx.query<Row>(`. */
const QUERY_CALL = /\.query\s*[<(]/;

/**
 * Files allowed to hold SQL outside a store while it is being moved; empty since issue 11. The
 * test below refuses a file that stays listed after it no longer needs to be.
 */
const NOT_YET_MOVED = new Set<string>([]);

describe("module anatomy", () => {
  it("finds the modules' files on disk, stores with SQL among them", () => {
    assert.ok(FILES.includes("participation/routes.tsx"), "the walk must reach the modules");
    const stores = FILES.filter((file) => /(^|\/)store\.ts$/.test(file));
    assert.ok(stores.length >= 5, `stores found: ${stores.join(", ")}`);
    // The pattern must match the SQL calls stores really make, or the next test proves nothing.
    assert.ok(
      stores.every((file) => QUERY_CALL.test(read(file))),
      "every store calls the database",
    );
  });

  it("has SQL only in store files", () => {
    const offenders = FILES.filter((file) => !mayHoldSql(file) && QUERY_CALL.test(read(file)));
    const unexpected = offenders.filter((file) => !NOT_YET_MOVED.has(file));
    assert.deepEqual(unexpected, [], `SQL outside a store.ts (move it into the module's store): ${unexpected.join(", ")}`);
    const cleared = [...NOT_YET_MOVED].filter((file) => !offenders.includes(file));
    assert.deepEqual(cleared, [], `no longer holding SQL, remove from NOT_YET_MOVED: ${cleared.join(", ")}`);
  });

  it("keeps a module's parts out of each other's files", () => {
    // A part is a sub-folder of a module with its own anatomy; views/ and messages/ are shared,
    // and demo/ is the module's demo data, which fills every part as an outsider would.
    const SHARED_FOLDERS = new Set(["views", "messages", "demo"]);
    const partOf = (file: string) => {
      const [module, folder, ...rest] = file.split("/");
      return rest.length > 0 && !SHARED_FOLDERS.has(folder!) ? `${module}/${folder}` : undefined;
    };
    const crossings: string[] = [];
    for (const file of FILES) {
      const part = partOf(file);
      if (!part) continue;
      for (const [, target] of read(file).matchAll(/from\s+"(\.[^"]+)"/g)) {
        const imported = relative(path.resolve(path.dirname(path.join(MODULES, file)), target!));
        // Outside src/modules (core, tests' helpers) is not another part.
        const other = imported.startsWith("../") ? undefined : partOf(imported);
        if (other && other !== part) crossings.push(`${file} imports ${imported}`);
      }
    }
    assert.deepEqual(crossings, [], "shared helpers go to the module's top level or to core/");
  });
});
