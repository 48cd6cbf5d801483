import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { AppError } from "./errors.js";

/** One counter: at most `max` requests per `windowMs` for each key; no key, not counted. */
export interface LimitRule {
  name: string;
  max: number;
  windowMs: number;
  key: (request: FastifyRequest) => string | undefined;
}

/**
 * A preHandler that counts the request against every rule and refuses it (429) when any of them
 * is exceeded: a person is limited by who they try to be (their normalised identity) and by where
 * they write from (the address, which the proxies named in TRUST_PROXY alone may report), so that
 * neither another spelling of a number nor a forged header opens a fresh counter.
 */
export function limitedBy(app: FastifyInstance, rules: LimitRule[]): preHandlerAsyncHookHandler {
  const limiters = rules.map((rule) => ({
    rule,
    check: app.createRateLimit({ max: rule.max, timeWindow: rule.windowMs, keyGenerator: (request) => `${rule.name}:${rule.key(request)}` }),
  }));
  return async (request) => {
    let exceeded = false;
    for (const { rule, check } of limiters) {
      if (rule.key(request) === undefined) continue;
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) exceeded = true;
    }
    if (exceeded) throw new AppError("RATE_LIMITED");
  };
}

/** The address the request comes from, as the socket or a trusted proxy tells it. */
export const byAddress = (request: FastifyRequest): string => request.ip;
