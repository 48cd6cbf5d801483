import { randomBytes } from "node:crypto";
import fp from "fastify-plugin";
import { AppError } from "../errors.js";
import { CSRF_COOKIE, SESSION_COOKIE } from "../cookies.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;

/**
 * Double-submit CSRF check (ADR 0002): a form must echo the token of its HttpOnly cookie. JSON
 * requests made with a session cookie must send it as a header, which a cross-site form cannot
 * do; JSON requests without one carry no ambient authority, so they need no token.
 */
export const csrfPlugin = fp(
  async (app) => {
    app.decorateRequest("csrfToken", "");

    app.addHook("onRequest", async (request, reply) => {
      let csrf = request.cookies[CSRF_COOKIE];
      if (!csrf || !TOKEN_PATTERN.test(csrf)) {
        csrf = randomBytes(24).toString("base64url");
        reply.setCookie(CSRF_COOKIE, csrf, { path: "/", httpOnly: true, sameSite: "lax", secure: app.config.cookieSecure });
      }
      request.csrfToken = csrf;
    });

    // A preValidation hook: the body (where a form carries `_csrf`) is parsed by then.
    app.addHook("preValidation", async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      const type = request.headers["content-type"] ?? "";
      const isJson = type.startsWith("application/json");
      if (isJson && !request.cookies[SESSION_COOKIE]) return;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const sent = (request.headers["x-csrf-token"] as string | undefined) ?? (typeof body._csrf === "string" ? body._csrf : undefined);
      if (!sent || sent !== request.cookies[CSRF_COOKIE]) throw new AppError("CSRF");
    });
  },
  { name: "cite-csrf", fastify: "5.x", dependencies: ["cite-app-context", "@fastify/cookie"] },
);
