import type { Queryable } from "../db/index.js";

/** A stored outcome of a write, or a claim whose request has not finished yet (status null). */
export interface StoredOutcome {
  method: string;
  path: string;
  request_hash: string | null;
  status: number | null;
  location: string | null;
  content_type: string | null;
  body: string | null;
}

/**
 * Takes the key for this request: a new key, or one left pending longer than `pendingTimeoutSeconds`
 * by a request that died. False when another request holds it or has finished with it.
 */
export async function claimKey(
  db: Queryable,
  claim: { scope: string; key: string; method: string; path: string; requestHash: string },
  pendingTimeoutSeconds: number,
): Promise<boolean> {
  const claimed = await db.query(
    `INSERT INTO idempotency_keys (scope, key, method, path, request_hash) VALUES ($1, $2, $3, $4, $6)
     ON CONFLICT (scope, key) DO UPDATE SET created_at = now(), method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash
       WHERE idempotency_keys.completed_at IS NULL AND idempotency_keys.created_at < now() - make_interval(secs => $5)
     RETURNING key`,
    [claim.scope, claim.key, claim.method, claim.path, pendingTimeoutSeconds, claim.requestHash],
  );
  return claimed.length > 0;
}

export async function findOutcome(db: Queryable, scope: string, key: string): Promise<StoredOutcome | undefined> {
  const [stored] = await db.query<StoredOutcome>("SELECT method, path, request_hash, status, location, content_type, body FROM idempotency_keys WHERE scope = $1 AND key = $2", [
    scope,
    key,
  ]);
  return stored;
}

/** Gives a claimed key back after a failure, so that a corrected request may use it again. */
export async function releaseKey(db: Queryable, scope: string, key: string): Promise<void> {
  await db.query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND completed_at IS NULL", [scope, key]);
}

export async function storeOutcome(
  db: Queryable,
  scope: string,
  key: string,
  outcome: { status: number; location: string | null; contentType: string | null; body: string | null },
): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET status = $3, location = $4, content_type = $5, body = $6, completed_at = now()
     WHERE scope = $1 AND key = $2`,
    [scope, key, outcome.status, outcome.location, outcome.contentType, outcome.body],
  );
}
