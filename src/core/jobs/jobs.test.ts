import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import { createTestDb } from "../../../test/helpers.js";
import type { Db } from "../db/index.js";
import { migrate } from "../db/migrations.js";
import { NOTIFICATION_RETENTION_DAYS } from "../notify/index.js";
import { bindJobs, enqueueJob, purgeExpired, runDueJobs, scheduleJobs, type JobContext } from "./index.js";

const silent = Fastify({ logger: { level: "silent" } }).log;
const reach: Omit<JobContext, "db"> = { log: silent, filesDir: "/nonexistent", publicUrl: "https://example.org", notifier: { send: async () => ({ ok: true }) } as unknown as JobContext["notifier"] };

describe("background jobs", () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await createTestDb());
    await migrate(db);
  });
  after(() => close());

  it("runs a due job once with its payload, and leaves jobs that are not due yet", async () => {
    const seen: unknown[] = [];
    await enqueueJob(db, "test.echo", { n: 1 });
    const later = await enqueueJob(db, "test.echo", { n: 2 }, new Date(Date.now() + 3600_000));
    assert.equal(await runDueJobs(db, { "test.echo": async (_db, payload) => void seen.push(payload) }, silent), 1);
    assert.deepEqual(seen, [{ n: 1 }]);
    assert.equal(await runDueJobs(db, { "test.echo": async () => assert.fail("ran twice") }, silent), 0);
    const [pending] = await db.query<{ done_at: Date | null }>("SELECT done_at FROM jobs WHERE id = $1", [later]);
    assert.equal(pending?.done_at, null);
  });

  it("a failing job is retried later with its error kept, then given up after its last attempt", async () => {
    const id = await enqueueJob(db, "test.fail");
    await db.query("UPDATE jobs SET max_attempts = 2 WHERE id = $1", [id]);
    const failing = { "test.fail": async () => Promise.reject(new Error("gateway unreachable")) };
    await runDueJobs(db, failing, silent);
    let [job] = await db.query<{ attempts: number; last_error: string; failed_at: Date | null; run_at: Date }>("SELECT * FROM jobs WHERE id = $1", [id]);
    assert.equal(job?.attempts, 1);
    assert.match(job!.last_error, /gateway unreachable/);
    assert.equal(job?.failed_at, null);
    assert.ok(job!.run_at.getTime() > Date.now(), "retried later, not at once");
    await db.query("UPDATE jobs SET run_at = now() WHERE id = $1", [id]);
    await runDueJobs(db, failing, silent);
    [job] = await db.query("SELECT * FROM jobs WHERE id = $1", [id]);
    assert.equal(job?.attempts, 2);
    assert.ok(job?.failed_at, "given up after max_attempts");
  });

  it("the daily purge removes messages older than the outbox's retention, with their recipients and texts", async () => {
    await db.query(
      `INSERT INTO notifications (channel, recipient, body, created_at) VALUES
         ('sms', '+221770000001', 'old', now() - make_interval(days => $1 + 1)), ('sms', '+221770000002', 'recent', now() - make_interval(days => $1 - 1))`,
      [NOTIFICATION_RETENTION_DAYS],
    );
    await purgeExpired(db, {});
    assert.deepEqual((await db.query<{ body: string }>("SELECT body FROM notifications ORDER BY body")).map((row) => row.body), ["recent"]);
  });

  it("the daily purge removes expired sessions and old idempotency records, and keeps live ones", async () => {
    const [user] = await db.query<{ id: string }>("INSERT INTO users (name, email, password_hash) VALUES ('A', 'a@example.org', 'x') RETURNING id");
    await db.query("INSERT INTO sessions (id, user_id, expires_at) VALUES ('expired', $1, now() - interval '1 day'), ('live', $1, now() + interval '1 day')", [user!.id]);
    await db.query("INSERT INTO idempotency_keys (scope, key, method, path, created_at) VALUES ('s', 'old-key-1', 'POST', '/', now() - interval '8 days'), ('s', 'new-key-1', 'POST', '/', now())");
    await purgeExpired(db, {});
    assert.deepEqual((await db.query<{ id: string }>("SELECT id FROM sessions")).map((row) => row.id), ["live"]);
    assert.deepEqual((await db.query<{ key: string }>("SELECT key FROM idempotency_keys")).map((row) => row.key), ["new-key-1"]);
  });

  it("a job declared every ten minutes is enqueued once per period, not twice when two workers schedule it at once", async () => {
    const schedules = { "test.every": { everyMinutes: 10 } } as const;
    const now = new Date();
    const enqueued = await Promise.all([scheduleJobs(db, schedules, now), scheduleJobs(db, schedules, now)]);
    assert.deepEqual(enqueued.flat(), ["test.every"], "one worker enqueues it, the other sees it");
    let runs = 0;
    const { handlers } = bindJobs([{ kind: "test.every", schedule: { everyMinutes: 10 }, handler: async () => void (runs += 1) }], reach);
    await runDueJobs(db, handlers, silent);
    assert.equal(runs, 1);
    assert.deepEqual(await scheduleJobs(db, schedules, now), [], "it already ran in this period");
    const nextPeriod = new Date(now.getTime() + 10 * 60_000);
    assert.deepEqual((await Promise.all([scheduleJobs(db, schedules, nextPeriod), scheduleJobs(db, schedules, nextPeriod)])).flat(), ["test.every"]);
    const [count] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.every'");
    assert.equal(count?.n, 2);
  });

  it("a job of a period still pending is not enqueued again when the next period comes", async () => {
    const schedules = { "test.slow": { everyMinutes: 5 } } as const;
    const now = new Date();
    assert.deepEqual(await scheduleJobs(db, schedules, now), ["test.slow"]);
    assert.deepEqual(await scheduleJobs(db, schedules, new Date(now.getTime() + 5 * 60_000)), []);
  });

  it("a daily job is enqueued a day ahead, once, however many workers schedule it", async () => {
    const now = new Date();
    const schedules = { "test.daily": "daily" } as const;
    assert.deepEqual((await Promise.all([scheduleJobs(db, schedules, now), scheduleJobs(db, schedules, now)])).flat(), ["test.daily"]);
    const rows = await db.query<{ run_at: Date }>("SELECT run_at FROM jobs WHERE kind = 'test.daily'");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.run_at.getTime(), now.getTime() + 24 * 3600 * 1000);
  });

  it("a declared job's handler is given the platform's reach, and a kind declared twice is refused", async () => {
    let seen: Omit<JobContext, "db" | "log" | "notifier"> | undefined;
    const { handlers, schedules } = bindJobs([{ kind: "test.reach", handler: async ({ filesDir, publicUrl }) => void (seen = { filesDir, publicUrl }) }], reach);
    assert.deepEqual(schedules, {}, "no schedule, never enqueued by itself");
    await handlers["test.reach"]!(db, {});
    assert.deepEqual(seen, { filesDir: "/nonexistent", publicUrl: "https://example.org" });
    assert.throws(() => bindJobs([{ kind: "test.twice", handler: async () => {} }, { kind: "test.twice", handler: async () => {} }], reach), /declared twice/);
  });

  it("the daily purge forgets jobs done more than a week ago, and keeps recent and pending ones", async () => {
    await db.query("INSERT INTO jobs (kind, done_at) VALUES ('test.old', now() - interval '8 days'), ('test.recent', now() - interval '1 day')");
    await db.query("INSERT INTO jobs (kind, run_at) VALUES ('test.pending', now() - interval '30 days')");
    await purgeExpired(db, {});
    assert.deepEqual((await db.query<{ kind: string }>("SELECT kind FROM jobs WHERE kind IN ('test.old', 'test.recent', 'test.pending') ORDER BY kind")).map((row) => row.kind), ["test.pending", "test.recent"]);
  });
});
