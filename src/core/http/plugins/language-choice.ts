import fp from "fastify-plugin";
import { setPreferredLocale } from "../../auth/accounts.js";
import { isLocale } from "../../i18n/index.js";
import { LANG_COOKIE } from "../cookies.js";
import { AppError } from "../errors.js";
import { safeNext } from "../redirects.js";

/**
 * Keeps a language choice in a cookie and on the account, for a form or a client that posts it.
 * The footer's picker is plain `?lang=` links (request-context.ts), which need no token.
 */
export const languageChoicePlugin = fp(
  async (app) => {
    app.post("/lang", async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const lang = body.lang;
      if (!isLocale(lang)) throw new AppError("VALIDATION", { lang: { key: "form.invalid_choice" } });
      reply.setCookie(LANG_COOKIE, lang, { path: "/", httpOnly: true, sameSite: "lax", secure: app.config.cookieSecure, maxAge: 365 * 24 * 3600 });
      if (request.actor) await setPreferredLocale(app.db, request.actor.id, lang);
      return reply.redirect(safeNext(body.next), 303);
    });
  },
  { name: "cite-language-choice", fastify: "5.x", dependencies: ["cite-app-context", "cite-request-context"] },
);
