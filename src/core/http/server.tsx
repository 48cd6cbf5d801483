import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import helmet from "@fastify/helmet";
import compress from "@fastify/compress";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Config } from "../../config.js";
import type { AppModule } from "../modules.js";
import type { Db } from "../db/index.js";
import { loadActor } from "../auth/accounts.js";
import { hasMunicipalRole, hasNetworkRole, type Actor } from "../auth/roles.js";
import { formatters, isLocale, negotiateLocale, translator, type Formatters, type Locale, type Translate } from "../i18n/index.js";
import { findMunicipalityWithNetwork, getNetwork, type Municipality, type Network } from "../tenancy/index.js";
import { logAdapter, type ChannelAdapter } from "../notify/index.js";
import type { Flash, ViewContext } from "../views/context.js";
import { ErrorPage, OfflinePage } from "../views/layout.js";
import { CRITICAL_CSS_HASH } from "../views/styles.js";
import { AppError, ERRORS } from "./errors.js";
import { isMalformedMultipart, markBodyRead, markBodyReading, normaliseBody, parseForm, rejectHostileBody, rejectHostileUrl, rejectMalformedMultipart } from "./hostile.js";
import { idempotency } from "./idempotency.js";
import { safeNext } from "./redirects.js";

declare module "fastify" {
  interface FastifyInstance {
    db: Db;
    config: Config;
    notifier: ChannelAdapter;
    rateLimitSettings: { signIn: number; signUp: number };
    /** Every route registered, for the access-control test that covers each one. */
    routeTable: { method: string; url: string }[];
  }
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
    fmt: Formatters;
    actor: Actor | null;
    municipality: Municipality | null;
    /** The network of the request's municipality, read with it. */
    municipalityNetwork: Network | null;
    csrfToken: string;
    flash: Flash | null;
    /** Builds what a page needs to render; one query for the network's identity. */
    view(): Promise<ViewContext>;
    /** The municipality of a `/:slug/…` route; 404 when the slug names none. */
    requireMunicipality(): Municipality;
  }
  interface FastifyReply {
    /** Sends a rendered page as HTML with the given status (200 by default). */
    page(html: JSX.Element, status?: number): Promise<FastifyReply>;
    /** Redirects after a successful POST, with a message for the next page. */
    redirectWithFlash(url: string, flash: Flash): FastifyReply;
  }
}

export type { AppModule, ModuleAdminNav, ModuleNav } from "../modules.js";

export interface BuildOptions {
  config: Config;
  db: Db;
  modules: AppModule[];
  notifier?: ChannelAdapter;
  logger?: FastifyServerOptions["logger"];
  /** Attempts allowed per minute on sign-in (per person and address) and sign-up (per address). */
  rateLimits?: { signIn: number; signUp: number };
}

const SESSION_COOKIE = "sid";
const CSRF_COOKIE = "csrf";
const LANG_COOKIE = "lang";
const FLASH_COOKIE = "flash";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith("/api/")) return false;
  const accept = request.headers.accept ?? "";
  const type = request.headers["content-type"] ?? "";
  return accept.includes("text/html") || type.includes("application/x-www-form-urlencoded") || (!accept.includes("json") && request.method === "GET");
}

const clientScript = (name: string) => fileURLToPath(new URL(`../../client/${name}`, import.meta.url));

/** A dossier may carry several documents (a building permit: plans, title deed…). */
const MAX_FILES_PER_FORM = 10;

/**
 * What the router refuses before any hook runs (an escape that is not UTF-8 in the path, a
 * parameter longer than any id) is answered in the person's language, as plainly as it can be:
 * no page context exists yet.
 */
function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError = new AppError(error.code === "FST_ERR_BAD_URL" ? "INVALID_CHARACTERS" : "NOT_FOUND");
  const t = translator(negotiateLocale(request.headers["accept-language"]));
  reply.code(appError.status).header("x-content-type-options", "nosniff");
  if (wantsHtml(request)) {
    void reply.type("text/plain; charset=utf-8").send(t(appError.messageKey));
    return;
  }
  void reply
    .type("application/problem+json")
    .send({ type: `https://cite-ouverte.org/problems/${appError.code.toLowerCase()}`, title: t(appError.messageKey), status: appError.status, code: appError.code, errors: {} });
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    // Forwarding headers count only from the proxies the operator named (TRUST_PROXY).
    trustProxy: config.trustProxy,
    // Never let the framework's error text or a stack reach a user; our handler answers.
    return503OnClosing: true,
    frameworkErrors: answerRouterError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routeTable: { method: string; url: string }[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) if (method !== "HEAD") routeTable.push({ method, url: route.url });
  });
  app.decorate("routeTable", routeTable);
  app.decorate("db", db);
  app.decorate("config", config);
  app.decorate("notifier", options.notifier ?? logAdapter(app.log));

  await app.register(cookie);
  await app.register(formbody, { parser: parseForm });
  // Forms with a file arrive as plain fields plus { filename, data } for the file, so that the
  // CSRF and idempotency checks read them like any other form. The size limit answers 413.
  await app.register(multipart, {
    attachFieldsToBody: "keyValues",
    limits: { fileSize: config.uploadLimitBytes, files: MAX_FILES_PER_FORM, fields: 200, parts: 220, fieldSize: 1024 * 1024 },
    async onFile(part) {
      const data = await part.toBuffer();
      (part as unknown as { value: unknown }).value = { filename: part.filename, data };
    },
  });
  // A multipart body that says it is larger than a file plus its form can be is refused before a
  // byte of it is read: on a slow link, nobody should wait to send 2 GB to hear it is too large.
  const largestMultipart = config.uploadLimitBytes * MAX_FILES_PER_FORM + 1024 * 1024;
  app.addHook("onRequest", async (request) => {
    const length = Number(request.headers["content-length"] ?? 0);
    if (length > largestMultipart && request.headers["content-type"]?.startsWith("multipart/")) throw new AppError("PAYLOAD_TOO_LARGE");
  });
  // Before compression, so that the stored outcome is the plain body.
  await idempotency(app, db);
  await app.register(compress, { global: true, threshold: 1024 });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: [CRITICAL_CSS_HASH],
        imgSrc: ["'self'", "data:"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        workerSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  const limits = options.rateLimits ?? { signIn: 10, signUp: 10 };
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new AppError("RATE_LIMITED"),
  });
  app.decorate("rateLimitSettings", limits);
  await app.register(swagger, {
    openapi: {
      info: { title: "Cité Ouverte API", version: "1" },
    },
  });

  app.decorateRequest("locale", "fr");
  app.decorateRequest("t", null as unknown as Translate);
  app.decorateRequest("fmt", null as unknown as Formatters);
  app.decorateRequest("actor", null);
  app.decorateRequest("municipality", null);
  app.decorateRequest("municipalityNetwork", null);
  app.decorateRequest("csrfToken", "");
  app.decorateRequest("flash", null);
  app.decorateRequest("view", async function (this: FastifyRequest): Promise<ViewContext> {
    const municipality = this.municipality;
    return {
      t: this.t,
      locale: this.locale,
      fmt: this.fmt,
      actor: this.actor,
      municipality,
      network: this.municipalityNetwork ?? (await getNetwork(db)) ?? null,
      csrfToken: this.csrfToken,
      path: this.url,
      flash: this.flash,
      nav: municipality
        ? options.modules.flatMap((module) => (module.nav ?? []).map((entry) => ({ href: entry.href(municipality), labelKey: entry.labelKey })))
        : [],
      adminNav: municipality
        ? options.modules.flatMap((module) =>
            (module.adminNav ?? []).filter((entry) => entry.allowed(this.actor, municipality)).map((entry) => ({ href: entry.href(municipality), labelKey: entry.labelKey })),
          )
        : [],
      canAdminister: !!municipality && hasMunicipalRole(this.actor, municipality.id, "agent", "editor", "administrator"),
      canAdministerNetwork: hasNetworkRole(this.actor, "superadmin"),
      uploadLimitBytes: config.uploadLimitBytes,
    };
  });
  app.decorateRequest("requireMunicipality", function (this: FastifyRequest): Municipality {
    if (!this.municipality) throw new AppError("NOT_FOUND");
    return this.municipality;
  });

  app.decorateReply("page", async function (this: FastifyReply, html: JSX.Element, status = 200) {
    return this.code(status).type("text/html; charset=utf-8").send(await html);
  });
  app.decorateReply("redirectWithFlash", function (this: FastifyReply, url: string, flash: Flash) {
    this.setCookie(FLASH_COOKIE, [flash.kind, flash.key, ...(flash.reason ? [flash.reason] : [])].join(":"), { path: "/", httpOnly: true, sameSite: "lax", secure: config.cookieSecure, maxAge: 60 });
    return this.redirect(url, 303);
  });

  // Who is asking, in which language, for which municipality: resolved once per request.
  app.addHook("onRequest", async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    request.actor = token ? await loadActor(db, token) : null;
    if (token && !request.actor) reply.clearCookie(SESSION_COOKIE, { path: "/" });

    const chosen = request.cookies[LANG_COOKIE] ?? request.actor?.locale;
    request.locale = isLocale(chosen) ? chosen : negotiateLocale(request.headers["accept-language"]);
    request.t = translator(request.locale);
    request.fmt = formatters(request.locale);
    reply.header("Content-Language", request.locale);
    reply.header("Vary", "Accept-Language, Cookie");
    // Refused here, in the person's language, before the address reaches the database.
    rejectHostileUrl(request.raw.url ?? request.url);
    rejectMalformedMultipart(request);

    // `/{slug}/…` for pages, `/api/v1/{slug}/…` for the JSON API.
    const segments = request.url.split("?")[0]!.split("/");
    const slug = (segments[1] === "api" && segments[2] === "v1" ? segments[3] : segments[1]) ?? "";
    let decoded = "";
    try {
      decoded = decodeURIComponent(slug);
    } catch {
      // A malformed escape cannot name a municipality; the route answers 404.
    }
    const found = decoded ? await findMunicipalityWithNetwork(db, decoded) : undefined;
    request.municipality = found?.municipality ?? null;
    request.municipalityNetwork = found?.network ?? null;

    let csrf = request.cookies[CSRF_COOKIE];
    if (!csrf || !/^[A-Za-z0-9_-]{32,64}$/.test(csrf)) {
      csrf = randomBytes(24).toString("base64url");
      reply.setCookie(CSRF_COOKIE, csrf, { path: "/", httpOnly: true, sameSite: "lax", secure: config.cookieSecure });
    }
    request.csrfToken = csrf;

    const flash = request.cookies[FLASH_COOKIE];
    if (flash && request.method === "GET") {
      const [kind, key, reason] = flash.split(":");
      if ((kind === "success" || kind === "error") && key) request.flash = reason && /^[A-Z][A-Z0-9_]*$/.test(reason) ? { kind, key, reason } : { kind, key };
      reply.clearCookie(FLASH_COOKIE, { path: "/" });
    }
  });

  // Before anything reads the body: no handler ever meets a NUL or a lone surrogate.
  app.addHook("preParsing", async (request) => markBodyReading(request));
  app.addHook("preValidation", async (request) => {
    markBodyRead(request);
    rejectHostileBody(request.body);
    normaliseBody(request);
  });

  // Double-submit CSRF check: a form must echo the token of its HttpOnly cookie. JSON requests
  // made with a session cookie must send it as a header, which a cross-site form cannot do.
  app.addHook("preValidation", async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const type = request.headers["content-type"] ?? "";
    const isJson = type.startsWith("application/json");
    if (isJson && !request.cookies[SESSION_COOKIE]) return;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const sent = (request.headers["x-csrf-token"] as string | undefined) ?? (typeof body._csrf === "string" ? body._csrf : undefined);
    if (!sent || sent !== request.cookies[CSRF_COOKIE]) throw new AppError("CSRF");
  });

  app.setNotFoundHandler(async () => {
    throw new AppError("NOT_FOUND");
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    let appError: AppError;
    if (error instanceof AppError) appError = error;
    else if (error.validation) appError = new AppError("VALIDATION");
    else if (isMalformedMultipart(request, error)) appError = new AppError("MALFORMED_BODY");
    else if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || error.code === "FST_REQ_FILE_TOO_LARGE" || error.statusCode === 413) appError = new AppError("PAYLOAD_TOO_LARGE");
    else if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || error.statusCode === 415) appError = new AppError("UNSUPPORTED_MEDIA_TYPE");
    else if (error.statusCode === 429) appError = new AppError("RATE_LIMITED");
    // A unique key the database refused: two people saved the same thing at once (a check made
    // before the insert cannot see the other's transaction). It is a conflict, never a fault.
    else if (error.code === "23505") appError = new AppError("CONFLICT");
    else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) appError = new AppError("VALIDATION");
    else {
      request.log.error({ err: error }, "unhandled error");
      appError = new AppError("INTERNAL");
    }
    // The rest of a refused body is not read: the connection closes after the answer.
    if (appError.code === "PAYLOAD_TOO_LARGE") reply.header("connection", "close");
    if (!request.t) {
      request.t = translator(negotiateLocale(request.headers["accept-language"]));
      request.fmt = formatters(request.locale);
    }
    const t = request.t;
    if (appError.code === "UNAUTHENTICATED" && wantsHtml(request) && request.method === "GET") {
      return reply.redirect(`/account/signin?next=${encodeURIComponent(request.url)}`, 303);
    }
    if (wantsHtml(request)) {
      const ctx = await request.view();
      const message = appError.detailKey ? t(appError.detailKey, appError.params) : t(appError.messageKey, appError.params);
      return reply.page(<ErrorPage ctx={ctx} status={appError.status} message={message} code={appError.code} reason={appError.reason?.code} />, appError.status);
    }
    const fields = Object.fromEntries(Object.entries(appError.fields).map(([name, field]) => [name, t(field.key, field.params)]));
    const validationFields =
      error.validation && Array.isArray(error.validation)
        ? Object.fromEntries(
            (error.validation as { instancePath?: string; params?: { missingProperty?: string } }[]).map((item) => [
              (item.params?.missingProperty ?? item.instancePath?.replace(/^\//, "")) || "body",
              t(item.params?.missingProperty ? "form.required" : "form.invalid_format"),
            ]),
          )
        : {};
    return reply
      .code(appError.status)
      .type("application/problem+json")
      .send({
        type: `https://cite-ouverte.org/problems/${appError.code.toLowerCase()}`,
        title: t(appError.messageKey, appError.params),
        ...(appError.detailKey ? { detail: t(appError.detailKey, appError.params) } : {}),
        status: appError.status,
        code: appError.code,
        ...(appError.reason ? { reason: appError.reason.code } : {}),
        errors: { ...validationFields, ...fields },
      });
  });

  app.get("/healthz", async () => ({ status: "ok", engine: db.engine }));

  // Offline reach (ARCHITECTURE §6): the service worker, the script registering it, and the page
  // it shows without a connection, rendered in the person's language when it is installed.
  app.get("/sw.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").header("service-worker-allowed", "/").send(fs.readFileSync(clientScript("sw.js"))),
  );
  app.get("/assets/offline.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(fs.readFileSync(clientScript("offline.js"))),
  );
  app.get("/offline", async (request, reply) => {
    const query = request.query as { queued?: string; outbox?: string };
    return reply.page(<OfflinePage ctx={await request.view()} queued={query.queued === "1"} outbox={query.outbox === "1"} />);
  });

  // The language picker posts here; the choice is kept in a cookie and on the account.
  app.post("/lang", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const lang = body.lang;
    if (!isLocale(lang)) throw new AppError("VALIDATION", { lang: { key: "form.invalid_choice" } });
    reply.setCookie(LANG_COOKIE, lang, { path: "/", httpOnly: true, sameSite: "lax", secure: config.cookieSecure, maxAge: 365 * 24 * 3600 });
    if (request.actor) await db.query("UPDATE users SET locale = $2 WHERE id = $1", [request.actor.id, lang]);
    return reply.redirect(safeNext(body.next), 303);
  });

  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  for (const module of options.modules) {
    await app.register(async (scope) => module.plugin(scope), { prefix: "" });
  }

  return app;
}

export const SESSION_COOKIE_NAME = SESSION_COOKIE;

export function setSessionCookie(reply: FastifyReply, config: Config, token: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, token, { path: "/", httpOnly: true, sameSite: "lax", secure: config.cookieSecure, maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
}

export function hasSuperadmin(actor: Actor | null): boolean {
  return hasNetworkRole(actor, "superadmin");
}

export { ERRORS };
