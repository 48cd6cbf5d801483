import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDb } from "../../../test/helpers.js";
import type { Db } from "./index.js";
import { migrate, MigrationStateError, migrationStatus, readMigrationFiles } from "./migrations.js";

function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-migrations-"));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

describe("migrations runner", () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await createTestDb());
  });
  after(() => close());

  it("applies the project's migrations once; a second run applies nothing", async () => {
    const applied = await migrate(db);
    assert.deepEqual(applied, readMigrationFiles().map((file) => file.name));
    assert.deepEqual(await migrate(db), []);
    const status = await migrationStatus(db);
    assert.deepEqual(status.pending, []);
  });

  it("every landed migration is safe to run twice", async () => {
    for (const file of readMigrationFiles()) await db.exec(file.sql);
  });

  it("a failing migration leaves nothing behind: neither its changes nor those of the batch", async () => {
    const dir = folderWith({
      "20990101T000000-test-a.sql": "CREATE TABLE test_first (id int);",
      "20990101T000100-test-b.sql": "CREATE TABLE test_second (id int); SELECT no_such_function();",
    });
    const files = [...readMigrationFiles(), ...readMigrationFiles(dir)];
    await assert.rejects(migrate(db, () => undefined, files));
    const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name IN ('test_first', 'test_second')");
    assert.equal(tables.length, 0);
    assert.deepEqual((await migrationStatus(db, files)).pending, ["20990101T000000-test-a.sql", "20990101T000100-test-b.sql"]);
  });

  it("refuses a database whose applied migration was edited since", async () => {
    const files = readMigrationFiles().map((file, index) => (index === 0 ? { ...file, checksum: "0".repeat(64) } : file));
    await assert.rejects(migrationStatus(db, files), (error: Error) => error instanceof MigrationStateError && /was edited/.test(error.message));
  });

  it("refuses a database that is newer than the code (a migration recorded but not on disk)", async () => {
    await assert.rejects(migrationStatus(db, readMigrationFiles().slice(0, 1)), (error: Error) => error instanceof MigrationStateError && /missing/.test(error.message));
  });

  it("refuses to apply an older migration after a newer one", async () => {
    const dir = folderWith({ "20000101T000000-test-old.sql": "SELECT 1;" });
    const files = [...readMigrationFiles(dir), ...readMigrationFiles()];
    await assert.rejects(migrate(db, () => undefined, files), (error: Error) => error instanceof MigrationStateError && /older than applied/.test(error.message));
  });
});
