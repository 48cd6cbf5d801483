import type { Db, Queryable } from "../db/index.js";
import { auditChains, signerOf, walkChain, type AuditProblem, type CheckpointRow } from "./index.js";
import { checkpointKey, checkpointMessage, publicKeys, signCheckpoint, verifyCheckpointSignature } from "./signing.js";

/*
 * Checkpoints (ADR 0008): each day, each chain's head (entry number, hash, time) is signed by its
 * municipality's key (the network's for the network and legacy chains) and published on
 * /{slug}/audit/checkpoints and /audit/checkpoints, where others fetch and keep it. Deleting the
 * last entries and rewriting the head then contradicts a checkpoint already kept elsewhere, and
 * `cite audit verify` reports it from the checkpoints the database holds.
 */

export interface Checkpoint {
  chain: string;
  seq: number;
  hash: string;
  at: Date;
  kid: string;
  signature: string;
}

export interface CheckpointRun {
  made: Checkpoint[];
  /** Chains not checkpointed because they no longer extend their last checkpoint. */
  refused: AuditProblem[];
}

const asCheckpoint = (row: CheckpointRow): Checkpoint => ({ chain: row.chain, seq: row.seq, hash: row.hash, at: new Date(row.at), kid: row.kid, signature: row.signature });

/**
 * Signs and stores a checkpoint of every chain whose head moved since its last checkpoint. The
 * entries since that checkpoint are walked first (a day's entries, not the whole chain): a chain
 * that no longer extends what was published is not checkpointed, so a checkpoint never blesses a
 * truncation. Takes no chain lock: a committed head stays a true checkpoint whatever is appended after.
 */
export async function createCheckpoints(db: Db, now = new Date()): Promise<CheckpointRun> {
  const run: CheckpointRun = { made: [], refused: [] };
  for (const chain of await auditChains(db)) {
    const [head] = await db.query<{ seq: number; hash: string; municipality_id: string | null }>(
      "SELECT h.seq, h.hash, l.municipality_id FROM audit_head h LEFT JOIN audit_log l ON l.chain = h.chain AND l.seq = h.seq WHERE h.chain = $1",
      [chain],
    );
    if (!head) continue;
    const [latest] = await db.query<CheckpointRow>("SELECT * FROM audit_checkpoints WHERE chain = $1 ORDER BY seq DESC LIMIT 1", [chain]);
    if (latest && latest.seq >= head.seq) {
      if (latest.seq > head.seq) run.refused.push({ chain, seq: latest.seq, reason: "truncated", checkpoint: { seq: latest.seq, hash: latest.hash, at: new Date(latest.at) }, endsAt: head.seq });
      continue;
    }
    const walked = await walkChain(db, chain, latest ? { from: latest.seq, expected: new Map([[latest.seq, latest]]) } : {});
    const end = (latest?.seq ?? 1) + walked.checked - 1;
    if (walked.problem || end !== head.seq || walked.last?.hash !== head.hash) {
      run.refused.push(walked.problem ?? { chain, seq: head.seq, reason: "head_mismatch" });
      continue;
    }
    const made = await db.transaction(async (tx) => {
      const key = await checkpointKey(tx, signerOf(chain));
      const checkpoint: Checkpoint = { chain, seq: head.seq, hash: head.hash, at: now, kid: key.kid, signature: signCheckpoint(checkpointMessage({ chain, seq: head.seq, hash: head.hash, at: now }), key) };
      const inserted = await tx.query(
        `INSERT INTO audit_checkpoints (chain, seq, municipality_id, hash, at, kid, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (chain, seq) DO NOTHING RETURNING seq`,
        [chain, checkpoint.seq, head.municipality_id, checkpoint.hash, checkpoint.at, checkpoint.kid, checkpoint.signature],
      );
      return inserted.length ? checkpoint : null;
    });
    if (made) run.made.push(made);
  }
  return run;
}

/** The checkpoints of some chains, newest first, and the public keys that verify them: what is published. */
export async function publishedCheckpoints(db: Queryable, chains: string[], limit?: number): Promise<{ checkpoints: Checkpoint[]; keys: { kid: string; publicKey: string; createdAt: Date }[] }> {
  const rows = await db.query<CheckpointRow>(
    `SELECT * FROM audit_checkpoints WHERE chain = ANY($1) ORDER BY at DESC, chain, seq DESC${limit ? " LIMIT $2" : ""}`,
    limit ? [chains, limit] : [chains],
  );
  const keys = await publicKeys(db, [...new Set(chains.map(signerOf))]);
  return { checkpoints: rows.map(asCheckpoint), keys: keys.map(({ kid, publicKey, createdAt }) => ({ kid, publicKey, createdAt })) };
}

/** What is published and what others keep: the checkpoints, the public keys, and how a signature is checked. */
/** How many checkpoints the chains have, all of them, for the pages that show only the latest. */
export async function countCheckpoints(db: Queryable, chains: string[]): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_checkpoints WHERE chain = ANY($1)", [chains]);
  return row!.n;
}

export interface CheckpointsDocument {
  chains: string[];
  signature: { algorithm: "Ed25519"; message: string; encoding: string };
  keys: { kid: string; publicKey: string; createdAt: string }[];
  checkpoints: (Omit<Checkpoint, "at"> & { at: string })[];
}

export function checkpointsDocument(chains: string[], published: Awaited<ReturnType<typeof publishedCheckpoints>>): CheckpointsDocument {
  return {
    chains,
    signature: {
      algorithm: "Ed25519",
      message: 'UTF-8 JSON array ["cite-audit-checkpoint-v1", chain, seq, hash, at]; at as in this document (ISO 8601, UTC, milliseconds)',
      encoding: "base64url (raw 32-byte public keys, 64-byte signatures)",
    },
    keys: published.keys.map((key) => ({ kid: key.kid, publicKey: key.publicKey, createdAt: key.createdAt.toISOString() })),
    checkpoints: published.checkpoints.map((checkpoint) => ({ ...checkpoint, at: checkpoint.at.toISOString() })),
  };
}

/**
 * Checks the database against checkpoints kept elsewhere (a saved checkpoints.json): each kept
 * checkpoint must verify with the kept keys, and its chain must still hold that entry with that
 * hash. This catches what the database's own checkpoints cannot: a truncation whose author also
 * deleted or re-signed the checkpoints stored beside it.
 */
export async function verifyKeptCheckpoints(db: Queryable, kept: CheckpointsDocument): Promise<AuditProblem[]> {
  const keys = new Map(kept.keys.map((key) => [key.kid, key.publicKey]));
  const problems: AuditProblem[] = [];
  for (const checkpoint of kept.checkpoints) {
    const at = new Date(checkpoint.at);
    const about = { chain: checkpoint.chain, seq: checkpoint.seq, checkpoint: { seq: checkpoint.seq, hash: checkpoint.hash, at } };
    const publicKey = keys.get(checkpoint.kid);
    if (!publicKey || !verifyCheckpointSignature(checkpointMessage({ chain: checkpoint.chain, seq: checkpoint.seq, hash: checkpoint.hash, at }), checkpoint.signature, publicKey)) {
      problems.push({ ...about, reason: "checkpoint_forged" });
      continue;
    }
    const [entry] = await db.query<{ hash: string }>("SELECT hash FROM audit_log WHERE chain = $1 AND seq = $2", [checkpoint.chain, checkpoint.seq]);
    if (!entry) {
      const [end] = await db.query<{ seq: number | null }>("SELECT max(seq)::int AS seq FROM audit_log WHERE chain = $1", [checkpoint.chain]);
      problems.push({ ...about, reason: "truncated", endsAt: end?.seq ?? 0 });
    } else if (entry.hash !== checkpoint.hash) problems.push({ ...about, reason: "checkpoint_mismatch" });
  }
  return problems;
}
