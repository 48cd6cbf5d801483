import fp from "fastify-plugin";
import rateLimit from "@fastify/rate-limit";
import { AppError } from "../errors.js";

export interface RateLimitsOptions {
  /** Attempts allowed per minute on sign-in (per person and address) and sign-up (per address). */
  limits?: { signIn: number; signUp: number };
}

/**
 * The rate-limit engine, applied to no route by default: the routes that need it count by the
 * rules of `../rate-limits.ts`. A refusal is our RATE_LIMITED error, answered like any other.
 */
export const rateLimitsPlugin = fp<RateLimitsOptions>(
  async (app, options) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: () => new AppError("RATE_LIMITED"),
    });
    app.decorate("rateLimitSettings", options.limits ?? { signIn: 10, signUp: 10 });
  },
  { name: "cite-rate-limits", fastify: "5.x" },
);
