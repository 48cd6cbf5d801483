import fp from "fastify-plugin";
import type { FastifyRequest } from "fastify";
import { loadActor, setPreferredLocale } from "../../auth/accounts.js";
import type { Actor } from "../../auth/roles.js";
import { formatters, isLocale, negotiateLocale, translator, type Formatters, type Locale, type Translate } from "../../i18n/index.js";
import { LANG_COOKIE, SESSION_COOKIE } from "../cookies.js";
import { usageOf } from "../usage.js";

interface Resolved {
  locale: Locale;
  t: Translate;
  fmt: Formatters;
  actor: Actor | null;
}

const resolved = new WeakMap<FastifyRequest, Resolved>();

function resolvedOf(request: FastifyRequest): Resolved {
  let found = resolved.get(request);
  if (!found) {
    // Before onRequest ran (a refusal of the body parser): nothing is known yet.
    found = { locale: "fr", t: undefined as unknown as Translate, fmt: undefined as unknown as Formatters, actor: null };
    resolved.set(request, found);
  }
  return found;
}

/** The language the URL asks for (`?lang=pt`), which wins over every other source for that request. */
export function languageOfUrl(request: FastifyRequest): Locale | undefined {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  return isLocale(lang) ? lang : undefined;
}

/** The language the request speaks, read without counting it as used (for headers). */
export function localeOf(request: FastifyRequest): Locale {
  return resolvedOf(request).locale;
}

/** The signed-in person, read without counting it as used (for the caching headers). */
export function actorOf(request: FastifyRequest): Actor | null {
  return resolvedOf(request).actor;
}

/**
 * Who is asking and in which language, resolved once per request before any other hook that
 * refuses it, so that every refusal can already speak the person's language.
 * The language is the URL's (`?lang=`), else the one chosen (cookie, then the account's), else the
 * browser's. Reading the language or the person is recorded (usage.ts): an answer that used
 * neither is the same for everyone, and caches may share it.
 */
export const requestContextPlugin = fp(
  async (app) => {
    const language = (read: (state: Resolved) => unknown, write: (state: Resolved, value: never) => void) => ({
      getter(this: FastifyRequest) {
        usageOf(this).language = true;
        return read(resolvedOf(this));
      },
      setter(this: FastifyRequest, value: never) {
        write(resolvedOf(this), value);
      },
    });
    app.decorateRequest("locale", language((s) => s.locale, (s, v) => (s.locale = v)) as never);
    app.decorateRequest("t", language((s) => s.t, (s, v) => (s.t = v)) as never);
    app.decorateRequest("fmt", language((s) => s.fmt, (s, v) => (s.fmt = v)) as never);
    app.decorateRequest("actor", {
      getter(this: FastifyRequest) {
        usageOf(this).actor = true;
        return resolvedOf(this).actor;
      },
      setter(this: FastifyRequest, value: Actor | null) {
        resolvedOf(this).actor = value;
      },
    } as never);

    app.addHook("onRequest", async (request, reply) => {
      const state = resolvedOf(request);
      const token = request.cookies[SESSION_COOKIE];
      state.actor = token ? await loadActor(app.db, token) : null;
      if (token && !state.actor) reply.clearCookie(SESSION_COOKIE, { path: "/" });

      const fromUrl = languageOfUrl(request);
      const chosen = fromUrl ?? request.cookies[LANG_COOKIE] ?? state.actor?.locale;
      state.locale = isLocale(chosen) ? chosen : negotiateLocale(request.headers["accept-language"]);
      state.t = translator(state.locale);
      state.fmt = formatters(state.locale);
      usageOf(request).languageFromUrl = fromUrl !== undefined;

      // A person who picked a language in the footer (a navigation they started, from this site)
      // keeps it on the next pages. A crawler or a link from elsewhere sends no such request, so
      // the languages' own URLs stay free of cookies and can be cached.
      if (fromUrl && request.method === "GET" && request.headers["sec-fetch-site"] === "same-origin" && request.headers["sec-fetch-user"] === "?1") {
        if (request.cookies[LANG_COOKIE] !== fromUrl) {
          reply.setCookie(LANG_COOKIE, fromUrl, { path: "/", httpOnly: true, sameSite: "lax", secure: app.config.cookieSecure, maxAge: 365 * 24 * 3600 });
        }
        if (state.actor && state.actor.locale !== fromUrl) await setPreferredLocale(app.db, state.actor.id, fromUrl);
      }
    });
  },
  { name: "cite-request-context", fastify: "5.x", dependencies: ["cite-app-context", "@fastify/cookie"] },
);
