import { createHash, type Hash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Db } from "../db/index.js";
import { CORE_REASONS } from "../reasons.js";
import { AppError } from "./errors.js";
import { claimKey, findOutcome, releaseKey, storeOutcome } from "./idempotency-store.js";
import { csrfCookieOf } from "./plugins/csrf.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,200}$/;
// A key left pending this long belongs to a request that died; it may be taken again.
const PENDING_TIMEOUT_SECONDS = 60;

declare module "fastify" {
  interface FastifyRequest {
    idempotency: { scope: string; key: string } | null;
  }
}

function keyOf(request: FastifyRequest): string | undefined {
  const header = request.headers["idempotency-key"];
  if (typeof header === "string" && header) return header;
  const body = request.body as Record<string, unknown> | undefined;
  return body && typeof body._idem === "string" && body._idem ? body._idem : undefined;
}

// The form's own tokens are not what it asks for: the same form sent again is the same request.
const NOT_CONTENT = new Set(["_csrf", "_idem"]);

/** Feeds a parsed body to the hash in one canonical form: keys sorted, file bytes included. */
function feed(hash: Hash, value: unknown, top = false): void {
  if (Buffer.isBuffer(value)) {
    hash.update(`b${value.length}:`).update(value);
  } else if (Array.isArray(value)) {
    hash.update("[");
    for (const item of value) {
      feed(hash, item);
      hash.update(",");
    }
    hash.update("]");
  } else if (value && typeof value === "object") {
    hash.update("{");
    for (const key of Object.keys(value).sort()) {
      if (top && NOT_CONTENT.has(key)) continue;
      hash.update(`${JSON.stringify(key)}:`);
      feed(hash, (value as Record<string, unknown>)[key]);
      hash.update(",");
    }
    hash.update("}");
  } else {
    hash.update(JSON.stringify(value) ?? "undefined");
  }
}

/** What the request asks for: its method, path (with the query) and body. */
export function requestHash(method: string, path: string, body: unknown): string {
  const hash = createHash("sha256").update(`${method} ${path}\n`);
  feed(hash, body ?? null, true);
  return hash.digest("hex");
}

/**
 * Every state-changing request may carry a key (Idempotency-Key header, or the `_idem` field
 * forms carry). The first successful outcome is stored; the same key again replays it and
 * changes nothing; the same key with another method, path or body is refused (422). Failures are not stored, so a corrected form can be sent with the same key.
 * Keys are scoped to the person (or the browser, before sign-in) so one cannot replay another's.
 */
export async function idempotency(app: FastifyInstance, db: Db): Promise<void> {
  app.decorateRequest("idempotency", null);

  app.addHook("preHandler", async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    const key = keyOf(request);
    if (!key) return;
    if (!KEY_PATTERN.test(key)) throw new AppError("VALIDATION", { _idem: { key: "form.invalid_format" } });
    const scope = request.actor ? `user:${request.actor.id}` : `browser:${csrfCookieOf(request) ?? request.ip}`;
    const path = request.url;
    const hash = requestHash(request.method, path, request.body);
    if (await claimKey(db, { scope, key, method: request.method, path, requestHash: hash }, PENDING_TIMEOUT_SECONDS)) {
      request.idempotency = { scope, key };
      return;
    }
    const stored = await findOutcome(db, scope, key);
    if (!stored) throw new AppError("IDEMPOTENCY_IN_PROGRESS");
    if (stored.method !== request.method || stored.path !== path) throw new AppError("IDEMPOTENCY_MISMATCH");
    // The same key for other content is a client's mistake (or a guess): replaying would tell it
    // that its new request succeeded when nothing of it was done.
    if (stored.request_hash !== null && stored.request_hash !== hash) throw new AppError("IDEMPOTENCY_MISMATCH", {}, {}, CORE_REASONS.IDEMPOTENCY_BODY_MISMATCH);
    if (stored.status === null) throw new AppError("IDEMPOTENCY_IN_PROGRESS");
    reply.header("Idempotent-Replayed", "true");
    if (stored.location) reply.header("Location", stored.location);
    if (stored.content_type) reply.type(stored.content_type);
    return reply.code(stored.status).send(stored.body ?? "");
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 400) {
      await releaseKey(db, claim.scope, claim.key);
      return payload;
    }
    const location = reply.getHeader("location");
    const contentType = reply.getHeader("content-type");
    await storeOutcome(db, claim.scope, claim.key, {
      status: reply.statusCode,
      location: typeof location === "string" ? location : null,
      contentType: typeof contentType === "string" ? contentType : null,
      body: typeof payload === "string" ? payload : null,
    });
    return payload;
  });
}
