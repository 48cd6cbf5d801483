import type { FastifyBaseLogger } from "fastify";
import { createCheckpoints } from "../audit/checkpoints.js";
import type { Db, Queryable } from "../db/index.js";
import { purgeAbandonedUploads } from "../files/index.js";
import { NOTIFICATION_RETENTION_DAYS, type ChannelAdapter } from "../notify/index.js";

export type JobHandler = (db: Db, payload: Record<string, unknown>) => Promise<void>;

/** When a declared job is put on the queue without anyone asking: once a day, or every N minutes. */
export type JobSchedule = "daily" | { everyMinutes: number };

/** What a declared job is given besides its payload: the queue's database and the platform's reach. */
export interface JobContext {
  db: Db;
  log: FastifyBaseLogger;
  filesDir: string;
  publicUrl: string;
  notifier: ChannelAdapter;
}

/** A kind of background work, as core or a module's manifest declares it. */
export interface DeclaredJob {
  /** The queue's `kind`, led by its owner's name (`eservices.erase_expired`), unique on the platform. */
  kind: string;
  handler: (context: JobContext, payload: Record<string, unknown>) => Promise<void>;
  schedule?: JobSchedule;
}

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
  // Scheduled jobs leave a row each time they run (every ten minutes for some); a week is kept to look back on.
  await db.query("DELETE FROM jobs WHERE done_at < now() - interval '7 days'");
};

/** Core's own work, done once a day: the purge, and the signed checkpoint of each audit chain (ADR 0008). */
export const CORE_JOBS: DeclaredJob[] = [
  {
    kind: "maintenance.purge",
    schedule: "daily",
    handler: async ({ db, filesDir }, payload) => {
      await purgeExpired(db, payload);
      // Files kept for forms that came back with an error and were never sent again.
      await purgeAbandonedUploads(db, filesDir);
    },
  },
  {
    kind: "audit.checkpoint",
    schedule: "daily",
    // Each chain's head, signed and published; a chain that no longer extends its last checkpoint is refused loudly.
    handler: async ({ db, log }) => {
      const run = await createCheckpoints(db);
      for (const problem of run.refused) log.error({ audit: problem }, "audit chain not checkpointed: it no longer extends its last checkpoint");
    },
  },
];

/** The queue's handlers and schedules for declared jobs, each handler given the platform's reach. */
export function bindJobs(jobs: DeclaredJob[], reach: Omit<JobContext, "db">): { handlers: Record<string, JobHandler>; schedules: Record<string, JobSchedule> } {
  const handlers: Record<string, JobHandler> = {};
  const schedules: Record<string, JobSchedule> = {};
  for (const job of jobs) {
    // Two owners of one kind would each run the other's jobs.
    if (handlers[job.kind]) throw new Error(`job kind ${job.kind} is declared twice`);
    handlers[job.kind] = (db, payload) => job.handler({ ...reach, db }, payload);
    if (job.schedule) schedules[job.kind] = job.schedule;
  }
  return { handlers, schedules };
}

/** Any key will do as long as nothing else locks it: it serialises the schedulers of all app processes. */
const SCHEDULE_LOCK_KEY = 7_316_202;

/**
 * Puts each scheduled job on the queue when its time has come: a daily job a day ahead whenever
 * none is pending; a job every N minutes once in each period of N minutes (counted from the
 * epoch), at once, unless one is still pending. Several app processes may call this at the same
 * moment: the advisory lock makes the second see what the first enqueued. Returns the kinds enqueued.
 */
export async function scheduleJobs(db: Db, schedules: Record<string, JobSchedule>, now = new Date()): Promise<string[]> {
  const kinds = Object.keys(schedules);
  if (kinds.length === 0) return [];
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [SCHEDULE_LOCK_KEY]);
    const enqueued: string[] = [];
    for (const kind of kinds) {
      const schedule = schedules[kind]!;
      const [pending] = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE kind = $1 AND done_at IS NULL AND failed_at IS NULL", [kind]);
      if (!pending || pending.n > 0) continue;
      if (schedule === "daily") {
        await enqueueJob(tx, kind, {}, new Date(now.getTime() + 24 * 3600 * 1000));
      } else {
        const periodMs = schedule.everyMinutes * 60_000;
        const periodStart = new Date(Math.floor(now.getTime() / periodMs) * periodMs);
        const [thisPeriod] = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE kind = $1 AND run_at >= $2", [kind, periodStart]);
        if (!thisPeriod || thisPeriod.n > 0) continue;
        await enqueueJob(tx, kind, {}, now);
      }
      enqueued.push(kind);
    }
    return enqueued;
  });
}

/** Polls the queue until stopped, first putting on it the scheduled jobs whose time has come. */
export function startWorker(
  db: Db,
  handlers: Record<string, JobHandler>,
  log: FastifyBaseLogger,
  options: { schedules?: Record<string, JobSchedule>; intervalMs?: number } = {},
): () => Promise<void> {
  const schedules = Object.fromEntries(Object.entries(options.schedules ?? {}).filter(([kind]) => handlers[kind]));
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    await scheduleJobs(db, schedules);
    await runDueJobs(db, handlers, log);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    current = current.then(tick).catch((error: unknown) => log.error({ err: error }, "job worker tick failed"));
  }, options.intervalMs ?? 5000);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await current;
  };
}
