import type { FastifyBaseLogger } from "fastify";
import type { Db, Queryable } from "../db/index.js";
import { NOTIFICATION_RETENTION_DAYS } from "../notify/index.js";

export type JobHandler = (db: Db, payload: Record<string, unknown>) => Promise<void>;

export async function enqueueJob(db: Queryable, kind: string, payload: Record<string, unknown> = {}, runAt = new Date()): Promise<string> {
  const [row] = await db.query<{ id: string }>("INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, $3) RETURNING id", [kind, JSON.stringify(payload), runAt]);
  return row!.id;
}

/**
 * Claims and runs due jobs one at a time until none is left. The claim is a lease
 * (locked_until), so a job whose process died is taken again once the lease runs out, and
 * SKIP LOCKED lets several app processes share one queue on a server database.
 */
export async function runDueJobs(db: Db, handlers: Record<string, JobHandler>, log: FastifyBaseLogger): Promise<number> {
  let ran = 0;
  for (;;) {
    const [job] = await db.query<{ id: string; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(
      `UPDATE jobs SET locked_until = now() + interval '5 minutes', attempts = attempts + 1
       WHERE id = (
         SELECT id FROM jobs
         WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, payload, attempts, max_attempts`,
    );
    if (!job) return ran;
    ran += 1;
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(db, job.payload);
      await db.query("UPDATE jobs SET done_at = now(), locked_until = NULL WHERE id = $1", [job.id]);
    } catch (error) {
      log.error({ err: error, job: job.id, kind: job.kind }, "job failed");
      // Retries back off exponentially: 30 s, 1 min, 2 min, …
      await db.query(
        `UPDATE jobs SET last_error = $2, locked_until = NULL,
           run_at = now() + make_interval(secs => 30 * power(2, attempts - 1)),
           failed_at = CASE WHEN attempts >= max_attempts THEN now() END
         WHERE id = $1`,
        [job.id, String(error)],
      );
    }
  }
}

/**
 * Housekeeping every deployment needs: expired sessions, reset codes, idempotency records, and
 * messages sent (their recipients and texts are personal data) once NOTIFICATION_RETENTION_DAYS old.
 */
export const purgeExpired: JobHandler = async (db) => {
  await db.query("DELETE FROM notifications WHERE created_at < now() - make_interval(days => $1)", [NOTIFICATION_RETENTION_DAYS]);
  await db.query("DELETE FROM sessions WHERE expires_at < now()");
  await db.query("DELETE FROM password_resets WHERE expires_at < now() - interval '1 day'");
  await db.query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '7 days'");
};

/** Work done once a day: the purge, and the signed checkpoint of each audit chain (ADR 0008). */
export const DAILY_JOBS = ["maintenance.purge", "audit.checkpoint"];

/** Polls the queue until stopped; schedules each daily job that has a handler when none is pending. */
export function startWorker(db: Db, handlers: Record<string, JobHandler>, log: FastifyBaseLogger, intervalMs = 5000): () => Promise<void> {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    for (const kind of DAILY_JOBS.filter((name) => handlers[name])) {
      const [pending] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE kind = $1 AND done_at IS NULL AND failed_at IS NULL", [kind]);
      if (pending && pending.n === 0) await enqueueJob(db, kind, {}, new Date(Date.now() + 24 * 3600 * 1000));
    }
    await runDueJobs(db, handlers, log);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    current = current.then(tick).catch((error: unknown) => log.error({ err: error }, "job worker tick failed"));
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await current;
  };
}
