import { createHash } from "node:crypto";
import type { Queryable } from "../db/index.js";

export interface AuditEntryInput {
  actorId: string | null;
  municipalityId: string | null;
  /** What happened, as `module.subject.verb`: `portal.news.publish`, `auth.role.grant`. */
  action: string;
  subjectType: string;
  subjectId: string;
  data?: Record<string, unknown>;
}

export interface AuditEntry extends Required<AuditEntryInput> {
  seq: number;
  at: Date;
  prevHash: string;
  hash: string;
}

const GENESIS = "0".repeat(64);
// One fixed key serialises appends so that two writers never chain onto the same predecessor.
const AUDIT_LOCK_KEY = 7_316_202;

/** JSON with keys sorted at every depth: jsonb does not keep key order, the hash must not care. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
    .join(",")}}`;
}

function entryHash(entry: Omit<AuditEntry, "hash">): string {
  return createHash("sha256")
    .update(
      canonical([
        entry.prevHash,
        entry.seq,
        entry.at.toISOString(),
        entry.actorId,
        entry.municipalityId,
        entry.action,
        entry.subjectType,
        entry.subjectId,
        entry.data,
      ]),
    )
    .digest("hex");
}

/** Appends one entry; call it inside the transaction that makes the change it records. */
export async function recordAudit(tx: Queryable, input: AuditEntryInput): Promise<AuditEntry> {
  await tx.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK_KEY]);
  const [head] = await tx.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head");
  const at = new Date();
  // Stored with millisecond precision so the timestamp read back hashes the same.
  const unhashed = {
    seq: (head?.seq ?? 0) + 1,
    at,
    actorId: input.actorId,
    municipalityId: input.municipalityId,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>,
    prevHash: head?.hash ?? GENESIS,
  };
  const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor_id, municipality_id, action, subject_type, subject_id, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [entry.seq, entry.at, entry.actorId, entry.municipalityId, entry.action, entry.subjectType, entry.subjectId, JSON.stringify(entry.data), entry.prevHash, entry.hash],
  );
  await tx.query(
    `INSERT INTO audit_head (singleton, seq, hash) VALUES (true, $1, $2)
     ON CONFLICT (singleton) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`,
    [entry.seq, entry.hash],
  );
  return entry;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The first entry found wrong, and why; absent when the chain holds. */
  problem?: { seq: number; reason: "modified" | "missing" | "chain_broken" | "head_mismatch" };
}

interface AuditRow {
  seq: number;
  at: Date;
  actor_id: string | null;
  municipality_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** Walks the whole chain in pages and reports the first modified, missing or re-chained entry. */
export async function verifyAudit(db: Queryable, pageSize = 5000): Promise<AuditVerification> {
  let expectedSeq = 1;
  let previousHash = GENESIS;
  let checked = 0;
  for (;;) {
    const rows = await db.query<AuditRow>("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2", [expectedSeq, pageSize]);
    for (const row of rows) {
      if (row.seq !== expectedSeq) return { ok: false, checked, problem: { seq: expectedSeq, reason: "missing" } };
      if (row.prev_hash !== previousHash) return { ok: false, checked, problem: { seq: row.seq, reason: "chain_broken" } };
      const recomputed = entryHash({
        seq: row.seq,
        at: new Date(row.at),
        actorId: row.actor_id,
        municipalityId: row.municipality_id,
        action: row.action,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        data: row.data,
        prevHash: row.prev_hash,
      });
      if (recomputed !== row.hash) return { ok: false, checked, problem: { seq: row.seq, reason: "modified" } };
      previousHash = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < pageSize) break;
  }
  const [head] = await db.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head");
  const headSeq = head?.seq ?? 0;
  if (headSeq !== checked || (head && head.hash !== previousHash)) {
    return { ok: false, checked, problem: { seq: Math.max(headSeq, checked), reason: headSeq > checked ? "missing" : "head_mismatch" } };
  }
  return { ok: true, checked };
}
