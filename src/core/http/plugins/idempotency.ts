import fp from "fastify-plugin";
import { idempotency } from "../idempotency.js";

/**
 * Replays the stored outcome of a write sent again with the same key (ADR 0002). Registered
 * before compression, so that the stored outcome is the plain body.
 */
export const idempotencyPlugin = fp(async (app) => idempotency(app, app.db), { name: "cite-idempotency", fastify: "5.x", dependencies: ["cite-app-context"] });
