import type { Queryable } from "../db/index.js";

/** The entries a page of the audit log shows at most. */
export const AUDIT_PAGE_SIZE = 50;

export interface AuditLogFilters {
  /** An action or the start of one at a dot: `portal` or `portal.news` or `portal.news.publish`. */
  action?: string;
  actorId?: string;
  subjectType?: string;
  /** Calendar days (YYYY-MM-DD) in `timeZone`, both included. */
  from?: string;
  to?: string;
  timeZone: string;
}

export interface AuditLogRow {
  seq: number;
  at: Date;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown>;
}

/** A page of one chain, newest first, by keyset on the entry number: `before` for older pages, `after` for newer ones. */
export interface AuditLogPage {
  rows: AuditLogRow[];
  /** Whether entries older than the last row match the filters. */
  hasOlder: boolean;
  /** Whether entries newer than the first row match the filters. */
  hasNewer: boolean;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * Reads one page of a chain. Keyset on (chain, seq), never OFFSET: a chain grows to millions of
 * entries and page 2,000 costs what page 1 does. Filters on actor and subject type use their
 * own (chain, …, seq) indexes (migration 20261210T100000).
 */
export async function listAuditEntries(
  db: Queryable,
  chain: string,
  filters: AuditLogFilters,
  cursor: { before?: number; after?: number } = {},
  pageSize = AUDIT_PAGE_SIZE,
): Promise<AuditLogPage> {
  const where = ["chain = $1"];
  const params: unknown[] = [chain];
  const add = (sql: (n: number) => string, ...values: unknown[]) => {
    const first = params.length + 1;
    params.push(...values);
    where.push(sql(first));
  };
  if (filters.action) add((n) => `(action = $${n} OR action LIKE $${n + 1} ESCAPE '\\')`, filters.action, `${escapeLike(filters.action)}.%`);
  if (filters.actorId) add((n) => `actor_id = $${n}`, filters.actorId);
  if (filters.subjectType) add((n) => `subject_type = $${n}`, filters.subjectType);
  // Days are the municipality's: midnight there, not in UTC.
  if (filters.from) add((n) => `at >= ($${n}::date::timestamp AT TIME ZONE $${n + 1})`, filters.from, filters.timeZone);
  if (filters.to) add((n) => `at < (($${n}::date + 1)::timestamp AT TIME ZONE $${n + 1})`, filters.to, filters.timeZone);
  const base = [...where];
  const baseParams = [...params];
  const newerFirst = cursor.after === undefined;
  if (cursor.before !== undefined) add((n) => `seq < $${n}`, cursor.before);
  if (cursor.after !== undefined) add((n) => `seq > $${n}`, cursor.after);
  params.push(pageSize + 1);
  const rows = await db.query<AuditLogRow>(
    `SELECT seq, at, actor_id, action, subject_type, subject_id, data FROM audit_log WHERE ${where.join(" AND ")}
     ORDER BY seq ${newerFirst ? "DESC" : "ASC"} LIMIT $${params.length}`,
    params,
  );
  const more = rows.length > pageSize;
  const page = rows.slice(0, pageSize).map((row) => ({ ...row, seq: Number(row.seq) }));
  if (!newerFirst) page.reverse();
  if (page.length === 0) return { rows: [], hasOlder: false, hasNewer: false };
  // One look past each end of the page: is there anything beyond it that matches?
  const beyond = async (op: "<" | ">", seq: number) =>
    (await db.query(`SELECT 1 FROM audit_log WHERE ${base.join(" AND ")} AND seq ${op} $${baseParams.length + 1} LIMIT 1`, [...baseParams, seq])).length > 0;
  return {
    rows: page,
    hasOlder: newerFirst ? more : await beyond("<", page.at(-1)!.seq),
    hasNewer: newerFirst ? cursor.before !== undefined && (await beyond(">", page[0]!.seq)) : more,
  };
}

export interface AuditActor {
  id: string;
  name: string;
  /** Holds a staff role where the chain is kept (or any network role): named on the page. */
  staff: boolean;
}

/**
 * The people behind some entries: their name and whether they act as staff of the chain's
 * municipality (agent, editor, administrator there, or any network role). Nothing else about
 * them is read: no phone number, no address.
 */
export async function auditActors(db: Queryable, ids: string[], municipalityId: string | null): Promise<Map<string, AuditActor>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<AuditActor>(
    `SELECT u.id, u.name,
       (EXISTS (SELECT 1 FROM network_roles n WHERE n.user_id = u.id)
        OR EXISTS (SELECT 1 FROM municipal_roles r WHERE r.user_id = u.id AND r.role <> 'citizen' AND ($2::uuid IS NULL OR r.municipality_id = $2))) AS staff
     FROM users u WHERE u.id = ANY($1::uuid[])`,
    [ids, municipalityId],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** The staff a chain's entries may be filtered by: the municipality's staff and the network's, or the network's alone. */
export async function auditStaff(db: Queryable, municipalityId: string | null): Promise<{ id: string; name: string }[]> {
  return db.query<{ id: string; name: string }>(
    `SELECT DISTINCT u.id, u.name FROM users u
     WHERE EXISTS (SELECT 1 FROM network_roles n WHERE n.user_id = u.id)
        OR ($1::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM municipal_roles r WHERE r.user_id = u.id AND r.municipality_id = $1 AND r.role <> 'citizen'))
     ORDER BY u.name`,
    [municipalityId],
  );
}
