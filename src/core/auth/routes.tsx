import type { FastifyInstance, FastifyRequest } from "fastify";
import { FormReader } from "../http/forms.js";
import { clearSessionCookie, setSessionCookie, SESSION_COOKIE_NAME, type AppModule } from "../http/server.js";
import { isLocale } from "../i18n/index.js";
import { sendMessage } from "../notify/index.js";
import { COUNTRY_LABEL_KEYS, findMunicipalitiesByIds, findMunicipalityBySlug } from "../tenancy/index.js";
import type { FormState } from "../views/context.js";
import {
  consumeResetCode,
  createResetCode,
  createSession,
  createUser,
  decoyPasswordHash,
  destroySession,
  findUserByIdentifier,
  grantMunicipalRole,
  RESET_CODE_MINUTES,
  SESSION_DAYS,
  setPassword,
  verifyPassword,
} from "./accounts.js";
import { looksLikeEmail, normalizePhone } from "./phone.js";
import { requireSignedIn } from "./roles.js";
import { AccountPage, ResetConfirmPage, ResetRequestPage, SignInPage, SignUpPage } from "./views.js";
import { translator } from "../i18n/index.js";

const COUNTRIES = Object.keys(COUNTRY_LABEL_KEYS);
const PASSWORD_RULES = { required: true, min: 8, max: 200 };

/** Only same-site paths are followed after sign-in, never another host. */
function safeNext(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

/** Reads "identifier" as an email or a phone number (local numbers use the chosen country). */
function readIdentifier(form: FormReader, fallbackCountry: string | undefined): { phone: string | null; email: string | null } {
  const identifier = form.text("identifier", { required: true, max: 200 });
  const country = form.choice("country", COUNTRIES, { required: false }) ?? fallbackCountry;
  if (!identifier) return { phone: null, email: null };
  if (identifier.includes("@")) {
    if (!looksLikeEmail(identifier)) form.fail("identifier", "auth.error.invalid_email");
    return { phone: null, email: identifier.toLowerCase() };
  }
  const phone = normalizePhone(identifier, country);
  if (!phone) form.fail("identifier", "auth.error.invalid_phone");
  return { phone, email: null };
}

function defaultCountry(request: FastifyRequest): string {
  return request.municipality?.country_code ?? "SN";
}

async function accountRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;
  const signInLimit = {
    max: app.rateLimitSettings.signIn,
    timeWindow: 60_000,
    hook: "preHandler" as const,
    keyGenerator: (request: FastifyRequest) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return `signin:${request.ip}:${String(body.identifier ?? "").trim().toLowerCase()}`;
    },
  };
  const perAddressLimit = (name: string, max: number) => ({
    max,
    timeWindow: 60_000,
    hook: "preHandler" as const,
    keyGenerator: (request: FastifyRequest) => `${name}:${request.ip}`,
  });

  app.get("/account/signup", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const municipality = query.m ? await findMunicipalityBySlug(db, query.m) : undefined;
    const form: FormState = { values: { m: municipality?.slug ?? "", next: safeNext(query.next), country: municipality?.country_code ?? "SN" }, errors: {} };
    return reply.page(<SignUpPage ctx={await request.view()} form={form} />);
  });

  app.post("/account/signup", { config: { rateLimit: perAddressLimit("signup", app.rateLimitSettings.signUp) } }, async (request, reply) => {
    const form = new FormReader(request.body);
    const name = form.text("name", { required: true, max: 120 });
    const { phone, email } = readIdentifier(form, defaultCountry(request));
    const password = form.password("password", PASSWORD_RULES);
    const slug = form.text("m", { max: 80 });
    const next = safeNext(form.text("next"));
    form.text("_idem");
    if (!form.invalid && (await findUserByIdentifier(db, phone, email))) form.fail("identifier", "auth.error.identifier_taken");
    if (form.invalid) return reply.page(<SignUpPage ctx={await request.view()} form={form} />, 400);

    const municipality = slug ? await findMunicipalityBySlug(db, slug) : undefined;
    let user;
    try {
      user = await db.transaction(async (tx) => {
        const created = await createUser(tx, { name, phone, email, password, locale: request.locale });
        if (municipality) await grantMunicipalRole(tx, { municipalityId: municipality.id, userId: created.id, role: "citizen", grantedBy: created.id });
        return created;
      });
    } catch (error) {
      // Two sign-ups with the same number at once: the database's unique index decides.
      if ((error as { code?: string }).code !== "23505") throw error;
      form.fail("identifier", "auth.error.identifier_taken");
      return reply.page(<SignUpPage ctx={await request.view()} form={form} />, 400);
    }
    setSessionCookie(reply, config, await createSession(db, user.id), SESSION_DAYS * 24 * 3600);
    return reply.redirectWithFlash(next !== "/" ? next : municipality ? `/${municipality.slug}/` : "/account", { kind: "success", key: "auth.flash.welcome" });
  });

  app.get("/account/signin", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const form: FormState = { values: { next: safeNext(query.next), country: defaultCountry(request) }, errors: {} };
    return reply.page(<SignInPage ctx={await request.view()} form={form} />);
  });

  app.post("/account/signin", { config: { rateLimit: signInLimit } }, async (request, reply) => {
    const form = new FormReader(request.body);
    const { phone, email } = readIdentifier(form, defaultCountry(request));
    const password = form.password("password", { required: true, max: 200 });
    const next = safeNext(form.text("next"));
    form.text("_idem");
    if (form.invalid) return reply.page(<SignInPage ctx={await request.view()} form={form} />, 400);
    const user = await findUserByIdentifier(db, phone, email);
    const valid = await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), password);
    if (!user || !valid) {
      form.fail("password", "auth.error.bad_credentials");
      return reply.page(<SignInPage ctx={await request.view()} form={form} />, 400);
    }
    const previous = request.cookies[SESSION_COOKIE_NAME];
    if (previous) await destroySession(db, previous);
    setSessionCookie(reply, config, await createSession(db, user.id), SESSION_DAYS * 24 * 3600);
    if (isLocale(user.locale)) reply.setCookie("lang", user.locale, { path: "/", httpOnly: true, sameSite: "lax", secure: config.cookieSecure, maxAge: 365 * 24 * 3600 });
    return reply.redirectWithFlash(next, { kind: "success", key: "auth.flash.signed_in" });
  });

  app.post("/account/signout", async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE_NAME];
    if (token) await destroySession(db, token);
    clearSessionCookie(reply);
    return reply.redirectWithFlash("/", { kind: "success", key: "auth.flash.signed_out" });
  });

  app.get("/account/reset", async (request, reply) => {
    return reply.page(<ResetRequestPage ctx={await request.view()} form={{ values: { country: defaultCountry(request) }, errors: {} }} />);
  });

  app.post("/account/reset", { config: { rateLimit: perAddressLimit("reset", app.rateLimitSettings.signIn) } }, async (request, reply) => {
    const form = new FormReader(request.body);
    const { phone, email } = readIdentifier(form, defaultCountry(request));
    form.text("_idem");
    if (form.invalid) return reply.page(<ResetRequestPage ctx={await request.view()} form={form} />, 400);
    const user = await findUserByIdentifier(db, phone, email);
    // The same answer whether or not the account exists, so the form reveals no one's number.
    if (user) {
      const code = await createResetCode(db, user.id);
      const t = translator(isLocale(user.locale) ? user.locale : request.locale);
      await sendMessage(db, app.notifier, {
        municipalityId: null,
        channel: user.phone ? "sms" : "email",
        recipient: (user.phone ?? user.email)!,
        subject: t("auth.reset.message_subject"),
        body: t("auth.reset.message", { code, minutes: RESET_CODE_MINUTES }),
      });
    }
    const identifier = encodeURIComponent(form.values.identifier ?? "");
    return reply.redirectWithFlash(`/account/reset/confirm?identifier=${identifier}&country=${form.values.country ?? ""}`, { kind: "success", key: "auth.flash.code_sent" });
  });

  app.get("/account/reset/confirm", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const values = { identifier: query.identifier ?? "", country: query.country || defaultCountry(request) };
    return reply.page(<ResetConfirmPage ctx={await request.view()} form={{ values, errors: {} }} />);
  });

  app.post("/account/reset/confirm", { config: { rateLimit: perAddressLimit("reset-confirm", app.rateLimitSettings.signIn) } }, async (request, reply) => {
    const form = new FormReader(request.body);
    const { phone, email } = readIdentifier(form, defaultCountry(request));
    const code = form.text("code", { required: true, pattern: /^\d{6}$/ });
    const password = form.password("password", PASSWORD_RULES);
    form.text("_idem");
    if (form.invalid) return reply.page(<ResetConfirmPage ctx={await request.view()} form={form} />, 400);
    const user = await findUserByIdentifier(db, phone, email);
    const accepted = user ? await db.transaction((tx) => consumeResetCode(tx, user.id, code)) : false;
    if (!user || !accepted) {
      form.fail("code", "auth.error.bad_code");
      return reply.page(<ResetConfirmPage ctx={await request.view()} form={form} />, 400);
    }
    await db.transaction((tx) => setPassword(tx, user.id, password));
    return reply.redirectWithFlash("/account/signin", { kind: "success", key: "auth.flash.password_changed" });
  });

  app.get("/account", async (request, reply) => {
    const actor = requireSignedIn(request.actor);
    const municipalities = await findMunicipalitiesByIds(db, [...new Set(actor.municipalRoles.map((grant) => grant.municipalityId))]);
    return reply.page(<AccountPage ctx={await request.view()} actor={actor} municipalities={municipalities} />);
  });
}

export const accountModule: AppModule = { name: "account", plugin: accountRoutes };
