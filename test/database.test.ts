import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { Db } from "../src/core/db/index.js";
import { createTestDb } from "./helpers.js";

/*
 * Only a PostgreSQL server closes connections under the platform (a restart, a terminated
 * backend): embedded PGlite has none, so this file has nothing to check there. The server half
 * of CI (`TEST_DATABASE_URL=… npm test`) runs it.
 */
if (process.env.TEST_DATABASE_URL) {
  describe("PostgreSQL server only (TEST_DATABASE_URL): connections the server closes", () => {
    let db: Db;
    let url: string;
    let close: () => Promise<void>;
    before(async () => {
      const created = await createTestDb();
      ({ db, close } = created);
      url = created.url!;
    });
    after(() => close());

    it("idle pooled connections terminated by the server are dropped with a warning; the process lives on and the next query succeeds", async () => {
      // Three transactions held open together make the pool open three connections.
      const holders = 3;
      let arrived = 0;
      let releaseAll!: () => void;
      const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
      const pids = await Promise.all(
        Array.from({ length: holders }, () =>
          db.transaction(async (tx) => {
            const [row] = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
            if (++arrived === holders) releaseAll();
            await allArrived;
            return row!.pid;
          }),
        ),
      );
      assert.equal(new Set(pids).size, holders, "each transaction had a connection of its own");

      // Before the fix, the pool's 'error' event had no listener and the first terminated idle
      // connection threw it as an uncaught exception, ending the process (and this test file).
      const warnings: string[] = [];
      let allWarned!: () => void;
      const warned = new Promise<void>((resolve) => (allWarned = resolve));
      const onWarning = (warning: Error) => {
        if (!warning.message.startsWith("database connection closed by the server")) return;
        warnings.push(warning.message);
        if (warnings.length === holders) allWarned();
      };
      process.on("warning", onWarning);
      try {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        try {
          const terminated = await admin.query<{ done: boolean }>("SELECT pg_terminate_backend(pid) AS done FROM unnest($1::int[]) AS pid", [pids]);
          assert.deepEqual(terminated.rows.map((row) => row.done), [true, true, true]);
        } finally {
          await admin.end();
        }
        await warned;
      } finally {
        process.off("warning", onWarning);
      }
      assert.equal(warnings.length, holders);
      assert.match(warnings[0]!, /terminating connection due to administrator command/);

      const [row] = await db.query<{ answer: number }>("SELECT 41 + 1 AS answer");
      assert.equal(row!.answer, 42);
    });
  });
}
