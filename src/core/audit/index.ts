import { createHash } from "node:crypto";
import type { Db, Queryable, Tx } from "../db/index.js";
import { checkpointMessage, NETWORK_SIGNER, publicKeys, verifyCheckpointSignature } from "./signing.js";

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

/*
 * One chain per municipality (named by its id) and one for the network ("network": entries with no
 * municipality), each numbered from 1 with its own head and its own lock, so that municipalities
 * never wait on each other (ADR 0008). "legacy" is the single chain written before chains were
 * split: closed, it verifies as it always did.
 */
export const NETWORK_CHAIN = "network";
export const LEGACY_CHAIN = "legacy";
export const chainOf = (municipalityId: string | null): string => municipalityId ?? NETWORK_CHAIN;
/** Who signs a chain's checkpoints: its municipality, or the network for the network and legacy chains. */
export const signerOf = (chain: string): string => (chain === NETWORK_CHAIN || chain === LEGACY_CHAIN ? NETWORK_SIGNER : chain);

// Advisory locks of audit chains: this fixed class plus 32 bits of the chain's hash. Two chains
// sharing 32 bits (rare) would only wait on each other; they never fork, each reads its own head.
const AUDIT_LOCK_CLASS = 7_316_202;
export const chainLockKey = (chain: string): number => createHash("sha256").update(chain).digest().readInt32BE(0);

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

/**
 * Records one entry; call it inside the transaction that makes the change it records. The entry is
 * appended to its municipality's chain just before that transaction commits, so the chain's lock
 * is held for the commit only, never while the transaction's other work (a PDF, a hash) runs.
 */
export async function recordAudit(tx: Queryable, input: AuditEntryInput): Promise<void> {
  // Taken now: what the caller changes in its object afterwards is not what happened.
  const entry = { ...input, data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown> };
  const transactional = tx as Partial<Pick<Tx, "beforeCommit">> & Partial<Pick<Db, "transaction">>;
  if (transactional.beforeCommit) transactional.beforeCommit(async () => {
      await appendNow(tx, entry);
    });
  // Outside a transaction the lock would be released before the entry is written: open one.
  else if (transactional.transaction) await transactional.transaction((own) => appendNow(own, entry));
  else await appendNow(tx, entry);
}

async function appendNow(tx: Queryable, input: AuditEntryInput & { data: Record<string, unknown> }): Promise<AuditEntry> {
  const chain = chainOf(input.municipalityId);
  await tx.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [AUDIT_LOCK_CLASS, chainLockKey(chain)]);
  const [head] = await tx.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head WHERE chain = $1", [chain]);
  // Stored with millisecond precision so the timestamp read back hashes the same.
  const unhashed = {
    seq: (head?.seq ?? 0) + 1,
    at: new Date(),
    actorId: input.actorId,
    municipalityId: input.municipalityId,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    data: input.data,
    prevHash: head?.hash ?? GENESIS,
  };
  const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
  await tx.query(
    `INSERT INTO audit_log (chain, seq, at, actor_id, municipality_id, action, subject_type, subject_id, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [chain, entry.seq, entry.at, entry.actorId, entry.municipalityId, entry.action, entry.subjectType, entry.subjectId, JSON.stringify(entry.data), entry.prevHash, entry.hash],
  );
  await tx.query(
    `INSERT INTO audit_head (chain, seq, hash) VALUES ($1, $2, $3)
     ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`,
    [chain, entry.seq, entry.hash],
  );
  return entry;
}

export type AuditProblemReason =
  | "modified"
  | "missing"
  | "chain_broken"
  | "head_mismatch"
  /** The chain ends before a published checkpoint: its last entries were deleted. */
  | "truncated"
  /** The entry at a checkpoint's number is not the one published: history was rewritten behind it. */
  | "checkpoint_mismatch"
  /** A checkpoint whose signature does not verify with its signer's key. */
  | "checkpoint_forged";

export interface AuditProblem {
  chain: string;
  seq: number;
  reason: AuditProblemReason;
  /** The checkpoint that exposed the problem, for the checkpoint reasons. */
  checkpoint?: { seq: number; hash: string; at: Date };
  /** For "truncated": the number of the last entry the chain still has. */
  endsAt?: number;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The first entry found wrong, and why; absent when the chain holds. */
  problem?: AuditProblem;
}

export interface ChainVerification {
  chain: string;
  municipalityId: string | null;
  checked: number;
  checkpoints: number;
  problem?: AuditProblem;
}

interface AuditRow {
  chain: string;
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

export interface CheckpointRow {
  chain: string;
  seq: number;
  municipality_id: string | null;
  hash: string;
  at: Date;
  kid: string;
  signature: string;
}

/** Every chain the database knows of, from its entries, heads or checkpoints: legacy, network, then municipalities. */
export async function auditChains(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ chain: string }>(
    "SELECT DISTINCT chain FROM (SELECT chain FROM audit_head UNION SELECT DISTINCT chain FROM audit_log UNION SELECT DISTINCT chain FROM audit_checkpoints) AS chains",
  );
  const rank = (chain: string) => (chain === LEGACY_CHAIN ? 0 : chain === NETWORK_CHAIN ? 1 : 2);
  return rows.map((row) => row.chain).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Walks one chain from `from` (an entry number) in pages, checking each entry's hash, its link to
 * the one before, that it belongs to this chain, and that the entries at checkpoint numbers are
 * the published ones. Starting past 1 trusts the start entry's link (its hash is still checked).
 */
export async function walkChain(
  db: Queryable,
  chain: string,
  options: { from?: number; expected?: Map<number, CheckpointRow>; pageSize?: number } = {},
): Promise<{ checked: number; last: { seq: number; hash: string } | null; problem?: AuditProblem }> {
  const pageSize = options.pageSize ?? 5000;
  const from = options.from ?? 1;
  let expectedSeq = from;
  let previousHash: string | null = from === 1 ? GENESIS : null;
  let checked = 0;
  let last: { seq: number; hash: string } | null = null;
  const fail = (seq: number, reason: AuditProblemReason, checkpoint?: CheckpointRow) => ({
    checked,
    last,
    problem: { chain, seq, reason, ...(checkpoint ? { checkpoint: { seq: checkpoint.seq, hash: checkpoint.hash, at: new Date(checkpoint.at) } } : {}) },
  });
  for (;;) {
    const rows = await db.query<AuditRow>("SELECT * FROM audit_log WHERE chain = $1 AND seq >= $2 ORDER BY seq LIMIT $3", [chain, expectedSeq, pageSize]);
    for (const row of rows) {
      if (row.seq !== expectedSeq) return fail(expectedSeq, "missing");
      if (previousHash !== null && row.prev_hash !== previousHash) return fail(row.seq, "chain_broken");
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
      // An entry moved to another municipality's chain is as modified as one whose data changed.
      if (recomputed !== row.hash || (chain !== LEGACY_CHAIN && chainOf(row.municipality_id) !== chain)) return fail(row.seq, "modified");
      const checkpoint = options.expected?.get(row.seq);
      if (checkpoint && checkpoint.hash !== row.hash) return fail(row.seq, "checkpoint_mismatch", checkpoint);
      previousHash = row.hash;
      last = { seq: row.seq, hash: row.hash };
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < pageSize) break;
  }
  return { checked, last };
}

/** The checkpoints of a chain whose signature does not verify, the first of them; undefined when all hold. */
async function forgedCheckpoint(db: Queryable, chain: string, checkpoints: CheckpointRow[]): Promise<CheckpointRow | undefined> {
  const keys = new Map((await publicKeys(db, [signerOf(chain)])).map((key) => [key.kid, key.publicKey]));
  return checkpoints.find((checkpoint) => {
    const publicKey = keys.get(checkpoint.kid);
    const message = checkpointMessage({ chain, seq: checkpoint.seq, hash: checkpoint.hash, at: new Date(checkpoint.at) });
    return !publicKey || !verifyCheckpointSignature(message, checkpoint.signature, publicKey);
  });
}

/** Checks one chain: its checkpoints' signatures, every entry, the recorded head, then each checkpoint against the entries. */
export async function verifyChain(db: Queryable, chain: string, pageSize = 5000): Promise<ChainVerification> {
  const checkpoints = await db.query<CheckpointRow>("SELECT * FROM audit_checkpoints WHERE chain = $1 ORDER BY seq", [chain]);
  const result: ChainVerification = { chain, municipalityId: chain === LEGACY_CHAIN || chain === NETWORK_CHAIN ? null : chain, checked: 0, checkpoints: checkpoints.length };
  const forged = await forgedCheckpoint(db, chain, checkpoints);
  if (forged) return { ...result, problem: { chain, seq: forged.seq, reason: "checkpoint_forged", checkpoint: { seq: forged.seq, hash: forged.hash, at: new Date(forged.at) } } };
  const walked = await walkChain(db, chain, { expected: new Map(checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint])), pageSize });
  result.checked = walked.checked;
  if (walked.problem) return { ...result, problem: walked.problem };
  const [head] = await db.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head WHERE chain = $1", [chain]);
  const headSeq = head?.seq ?? 0;
  if (headSeq !== walked.checked || (head && head.hash !== walked.last?.hash)) {
    return { ...result, problem: { chain, seq: Math.max(headSeq, walked.checked), reason: headSeq > walked.checked ? "missing" : "head_mismatch" } };
  }
  // Entries and head agree, but a published checkpoint lies beyond the end: the end was cut off.
  const beyond = checkpoints.find((checkpoint) => checkpoint.seq > walked.checked);
  if (beyond) {
    return {
      ...result,
      problem: { chain, seq: beyond.seq, reason: "truncated", checkpoint: { seq: beyond.seq, hash: beyond.hash, at: new Date(beyond.at) }, endsAt: walked.checked },
    };
  }
  return result;
}

/** Every chain, checked on its own. */
export async function verifyAuditChains(db: Queryable, pageSize = 5000): Promise<ChainVerification[]> {
  const results: ChainVerification[] = [];
  for (const chain of await auditChains(db)) results.push(await verifyChain(db, chain, pageSize));
  return results;
}

/** Every chain, summed up: the entries verified, and the first problem found (legacy, network, then municipalities). */
export async function verifyAudit(db: Queryable, pageSize = 5000): Promise<AuditVerification> {
  const chains = await verifyAuditChains(db, pageSize);
  const checked = chains.reduce((sum, chain) => sum + chain.checked, 0);
  const problem = chains.find((chain) => chain.problem)?.problem;
  return problem ? { ok: false, checked, problem } : { ok: true, checked };
}
