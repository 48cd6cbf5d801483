import { randomBytes } from "node:crypto";
import fp from "fastify-plugin";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.js";
import { CSRF_COOKIE, SESSION_COOKIE } from "../cookies.js";
import { usageOf } from "../usage.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;

/** The CSRF token of the browser's cookie when it is well formed, without issuing one. */
export function csrfCookieOf(request: FastifyRequest): string | undefined {
  const sent = request.cookies[CSRF_COOKIE];
  return sent && TOKEN_PATTERN.test(sent) ? sent : undefined;
}

const replies = new WeakMap<FastifyRequest, { reply: FastifyReply; token: string | undefined }>();

/**
 * Double-submit CSRF check (ADR 0002): a form must echo the token of its HttpOnly cookie. JSON
 * requests made with a session cookie must send it as a header, which a cross-site form cannot
 * do; JSON requests without one carry no ambient authority, so they need no token.
 *
 * The token is issued when a page asks for it (`request.csrfToken`, read by the form components),
 * not on every answer: a page without a form sets no cookie, so caches can share it.
 */
export const csrfPlugin = fp(
  async (app) => {
    app.decorateRequest("csrfToken", {
      getter(this: FastifyRequest): string {
        usageOf(this).csrf = true;
        const state = replies.get(this);
        if (!state) return "";
        if (!state.token) {
          state.token = randomBytes(24).toString("base64url");
          state.reply.setCookie(CSRF_COOKIE, state.token, { path: "/", httpOnly: true, sameSite: "lax", secure: app.config.cookieSecure });
        }
        return state.token;
      },
    } as never);

    app.addHook("onRequest", async (request, reply) => {
      replies.set(request, { reply, token: csrfCookieOf(request) });
    });

    // A preValidation hook: the body (where a form carries `_csrf`) is parsed by then.
    app.addHook("preValidation", async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      const type = request.headers["content-type"] ?? "";
      const isJson = type.startsWith("application/json");
      if (isJson && !request.cookies[SESSION_COOKIE]) return;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const sent = (request.headers["x-csrf-token"] as string | undefined) ?? (typeof body._csrf === "string" ? body._csrf : undefined);
      const expected = request.cookies[CSRF_COOKIE];
      if (!sent || !expected || sent !== expected) throw new AppError("CSRF");
    });
  },
  { name: "cite-csrf", fastify: "5.x", dependencies: ["cite-app-context", "@fastify/cookie"] },
);
