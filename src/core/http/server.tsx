import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";
import cookie from "@fastify/cookie";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Config } from "../../config.js";
import type { AppModule } from "../modules.js";
import type { Db } from "../db/index.js";
import { hasMunicipalRole, hasNetworkRole, type Actor } from "../auth/roles.js";
import type { Formatters, Locale, Translate } from "../i18n/index.js";
import { getNetwork, type Municipality, type Network } from "../tenancy/index.js";
import type { ChannelAdapter } from "../notify/index.js";
import type { Flash, ViewContext } from "../views/context.js";
import { SESSION_COOKIE } from "./cookies.js";
import { ERRORS } from "./errors.js";
import { appContextPlugin } from "./plugins/app-context.js";
import { bodyParsingPlugin } from "./plugins/body-parsing.js";
import { cachingPlugin } from "./plugins/caching.js";
import { compressionPlugin } from "./plugins/compression.js";
import { crawlersPlugin } from "./plugins/crawlers.js";
import { csrfPlugin } from "./plugins/csrf.js";
import { answerRouterError, errorHandlingPlugin } from "./plugins/error-handling.js";
import { flashPlugin } from "./plugins/flash.js";
import { hostileInputPlugin } from "./plugins/hostile-input.js";
import { idempotencyPlugin } from "./plugins/idempotency.js";
import { languageChoicePlugin } from "./plugins/language-choice.js";
import { offlinePlugin } from "./plugins/offline.js";
import { openApiPlugin } from "./plugins/openapi.js";
import { rateLimitsPlugin } from "./plugins/rate-limits.js";
import { requestContextPlugin } from "./plugins/request-context.js";
import { securityHeadersPlugin } from "./plugins/security-headers.js";
import { tenancyPlugin } from "./plugins/tenancy.js";

export { clearSessionCookie, setSessionCookie } from "./cookies.js";
export { wantsHtml } from "./negotiation.js";

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

  // Order matters: hooks run in the order their plugins are registered, and every plugin here is
  // wrapped with fastify-plugin so that its hooks and decorators reach the modules registered last.
  await app.register(appContextPlugin, { config, db, notifier: options.notifier });
  await app.register(cookie);
  await app.register(bodyParsingPlugin, { uploadLimitBytes: config.uploadLimitBytes });
  await app.register(idempotencyPlugin);
  // Before compression: the ETag is the hash of what the route produced, not of its gzip.
  await app.register(cachingPlugin);
  await app.register(compressionPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(rateLimitsPlugin, { limits: options.rateLimits });
  await app.register(openApiPlugin);
  // Who is asking and in which language first, so that any refusal after it speaks that language.
  await app.register(requestContextPlugin);
  await app.register(hostileInputPlugin);
  await app.register(tenancyPlugin);
  await app.register(csrfPlugin);
  await app.register(flashPlugin);
  await app.register(errorHandlingPlugin);

  // The page context reads every module's navigation entries, so it is built here, beside them.
  app.decorateRequest("view", async function (this: FastifyRequest): Promise<ViewContext> {
    const municipality = this.municipality;
    const readCsrfToken = () => this.csrfToken;
    return {
      t: this.t,
      locale: this.locale,
      fmt: this.fmt,
      actor: this.actor,
      municipality,
      network: this.municipalityNetwork ?? (await getNetwork(db)) ?? null,
      // Read only by a form: a page without one issues no token and sets no cookie.
      get csrfToken() {
        return readCsrfToken();
      },
      publicUrl: config.publicUrl,
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
  app.decorateReply("page", async function (this: FastifyReply, html: JSX.Element, status = 200) {
    return this.code(status).type("text/html; charset=utf-8").send(await html);
  });

  app.get("/healthz", async () => ({ status: "ok", engine: db.engine }));

  await app.register(offlinePlugin);
  await app.register(languageChoicePlugin);
  await app.register(crawlersPlugin, { modules: options.modules });

  for (const module of options.modules) {
    await app.register(async (scope) => module.plugin(scope), { prefix: "" });
  }

  return app;
}

export const SESSION_COOKIE_NAME = SESSION_COOKIE;

export function hasSuperadmin(actor: Actor | null): boolean {
  return hasNetworkRole(actor, "superadmin");
}

export { ERRORS };
