import fp from "fastify-plugin";
import { loadActor } from "../../auth/accounts.js";
import { formatters, isLocale, negotiateLocale, translator, type Formatters, type Translate } from "../../i18n/index.js";
import { LANG_COOKIE, SESSION_COOKIE } from "../cookies.js";

/**
 * Who is asking and in which language, resolved once per request before any other hook that
 * refuses it, so that every refusal can already speak the person's language.
 * The language is the one chosen (cookie, then the account's), else the browser's.
 */
export const requestContextPlugin = fp(
  async (app) => {
    app.decorateRequest("locale", "fr");
    app.decorateRequest("t", null as unknown as Translate);
    app.decorateRequest("fmt", null as unknown as Formatters);
    app.decorateRequest("actor", null);

    app.addHook("onRequest", async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      request.actor = token ? await loadActor(app.db, token) : null;
      if (token && !request.actor) reply.clearCookie(SESSION_COOKIE, { path: "/" });

      const chosen = request.cookies[LANG_COOKIE] ?? request.actor?.locale;
      request.locale = isLocale(chosen) ? chosen : negotiateLocale(request.headers["accept-language"]);
      request.t = translator(request.locale);
      request.fmt = formatters(request.locale);
      reply.header("Content-Language", request.locale);
      reply.header("Vary", "Accept-Language, Cookie");
    });
  },
  { name: "cite-request-context", fastify: "5.x", dependencies: ["cite-app-context", "@fastify/cookie"] },
);
