import type { FastifyInstance, FastifyRequest } from "fastify";
import { FormReader } from "../http/forms.js";
import { CORE_REASONS } from "../reasons.js";
import { byAddress, limitedBy, type LimitRule } from "../http/rate-limits.js";
import { safeNext } from "../http/redirects.js";
import { clearSessionCookie, setSessionCookie, SESSION_COOKIE_NAME, type AppModule } from "../http/server.js";
import { isLocale } from "../i18n/index.js";
import { sendMessage } from "../notify/index.js";
import { accountLinkGroups } from "../modules.js";
import { COUNTRY_LABEL_KEYS, findMunicipalityBySlug, listMunicipalities } from "../tenancy/index.js";
import type { FormState } from "../views/context.js";
import {
  changePassword,
  CONFIRMATION_CODE_MINUTES,
  consumeConfirmationCode,
  consumeResetCode,
  createConfirmationCode,
  createResetCode,
  createSession,
  createUser,
  decoyPasswordHash,
  destroySession,
  findUserById,
  findUserByIdentifier,
  grantMunicipalRole,
  hashPassword,
  reachOf,
  RESET_CODE_MINUTES,
  SESSION_DAYS,
  setPassword,
  verifyPassword,
  type UserRow,
} from "./accounts.js";
import { looksLikeEmail, normalizedIdentity, normalizePhone } from "./phone.js";
import { requireAccount, type Actor } from "./roles.js";
import { AccountPage, ConfirmPage, ResetConfirmPage, ResetRequestPage, SignInPage, SignUpPage } from "./views.js";
import { translator } from "../i18n/index.js";

const COUNTRIES = Object.keys(COUNTRY_LABEL_KEYS);
const PASSWORD_RULES = { required: true, min: 8, max: 200 };
const MINUTE = 60_000;
/**
 * One address may try this many times more than one identity: a whole quarter may share one
 * mobile connection, but one address cannot try account after account.
 */
const PEOPLE_PER_ADDRESS = 5;

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

const actorIdentity = (actor: Actor | null) => (actor ? (actor.phone ?? actor.email ?? actor.id) : undefined);

/**
 * Who a request tries to be, in one spelling: the identifier of the form (E.164 or lower-cased
 * e-mail, read with the same country as the form) or else the signed-in account's.
 */
function identityOf(request: FastifyRequest): string | undefined {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const identifier = typeof body.identifier === "string" ? body.identifier : "";
  if (!identifier.trim()) return actorIdentity(request.actor);
  const country = typeof body.country === "string" && COUNTRIES.includes(body.country) ? body.country : defaultCountry(request);
  return normalizedIdentity(identifier, country);
}

async function accountRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;
  const { signIn, signUp } = app.rateLimitSettings;
  /** Counted per identity (however written) and per address (as a trusted proxy reports it). */
  const limits = (name: string, max: number, perAddress = max * PEOPLE_PER_ADDRESS) =>
    limitedBy(app, [
      { name: `${name}:identity`, max, windowMs: MINUTE, key: identityOf },
      { name: `${name}:address`, max: perAddress, windowMs: MINUTE, key: byAddress },
    ] satisfies LimitRule[]);

  /** Sends a confirmation code to where the account's number (or address) reaches the person. */
  async function sendConfirmationCode(user: Pick<UserRow, "id" | "phone" | "email" | "locale">, fallbackLocale: string) {
    const code = await createConfirmationCode(db, user);
    const t = translator(isLocale(user.locale) ? user.locale : isLocale(fallbackLocale) ? fallbackLocale : "fr");
    await sendMessage(db, app.notifier, {
      municipalityId: null,
      ...reachOf(user),
      subject: t("auth.confirm.message_subject"),
      body: t("auth.confirm.message", { code, minutes: CONFIRMATION_CODE_MINUTES }),
    });
  }

  app.get("/account/signup", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const municipality = query.m ? await findMunicipalityBySlug(db, query.m) : undefined;
    const form: FormState = { values: { m: municipality?.slug ?? "", next: safeNext(query.next), country: municipality?.country_code ?? "SN" }, errors: {} };
    return reply.page(<SignUpPage ctx={await request.view()} form={form} />);
  });

  /**
   * Sign-up answers the same whether or not the number (or address) has an account — "we sent a
   * code" — so that the form tells nobody who is registered. A new account gets a code and stays
   * unconfirmed, without a session, until the code comes back with its password; an existing one
   * is left as it was, and its owner is told that someone tried.
   */
  app.post("/account/signup", { preHandler: limits("signup", signUp, signUp) }, async (request, reply) => {
    const form = new FormReader(request.body);
    const name = form.text("name", { required: true, max: 120 });
    const { phone, email } = readIdentifier(form, defaultCountry(request));
    const password = form.password("password", PASSWORD_RULES);
    const slug = form.text("m", { max: 80 });
    const next = safeNext(form.text("next"));
    form.text("_idem");
    if (form.invalid) return reply.page(<SignUpPage ctx={await request.view()} form={form} />, 400);

    const municipality = slug ? await findMunicipalityBySlug(db, slug) : undefined;
    // Hashed in both cases, so that an existing account does not answer sooner.
    const passwordHash = await hashPassword(password);
    const existing = await findUserByIdentifier(db, phone, email);
    let created: UserRow | undefined;
    if (!existing) {
      try {
        created = await db.transaction(async (tx) => {
          const user = await createUser(tx, { name, phone, email, passwordHash, locale: request.locale });
          if (municipality) await grantMunicipalRole(tx, { municipalityId: municipality.id, userId: user.id, role: "citizen", grantedBy: user.id });
          return user;
        });
      } catch (error) {
        // Two sign-ups with the same number at once: the database's unique index decides, and
        // the other one is answered like any sign-up with a number already taken.
        if ((error as { code?: string }).code !== "23505") throw error;
      }
    }
    if (created) {
      await sendConfirmationCode(created, request.locale);
    } else if (existing) {
      const t = translator(isLocale(existing.locale) ? existing.locale : request.locale);
      await sendMessage(db, app.notifier, {
        municipalityId: null,
        ...reachOf(existing),
        subject: t("auth.signup.exists_subject"),
        body: t("auth.signup.exists_message", { url: `${config.publicUrl}/account/reset` }),
      });
    }
    const destination = next !== "/" ? next : municipality ? `/${municipality.slug}/` : "/account";
    const query = new URLSearchParams({ identifier: form.values.identifier ?? "", country: form.values.country || defaultCountry(request), next: destination });
    return reply.redirectWithFlash(`/account/confirm?${query}`, { kind: "success", key: "auth.flash.confirm_sent" });
  });

  /** The account's own code (signed in), or an identifier's with its password (after sign-up). */
  async function confirmPage(request: FastifyRequest, form: FormState) {
    const forAccount = !!request.actor && !form.values.identifier;
    return <ConfirmPage ctx={await request.view()} form={form} forAccount={forAccount} />;
  }

  app.get("/account/confirm", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const values = { identifier: query.identifier ?? "", country: query.country || defaultCountry(request), next: safeNext(query.next) };
    return reply.page(await confirmPage(request, { values, errors: {} }));
  });

  /**
   * The code sent to the number (or address) confirms the account. Signed in, the code alone;
   * otherwise with the identifier and the password chosen at sign-up, so that a code entered by
   * the number's owner cannot hand a confirmed account to whoever opened it in their name.
   */
  app.post("/account/confirm", { preHandler: limits("confirm", signIn) }, async (request, reply) => {
    const form = new FormReader(request.body);
    const next = safeNext(form.text("next"));
    const destination = next === "/" ? "/account" : next;
    // Signed in and naming no other account: the code of the account signed in.
    const actor = form.text("identifier", { max: 200 }) ? null : request.actor;
    let user: UserRow | undefined;
    let password = "";
    if (actor) {
      if (actor.confirmed) return reply.redirectWithFlash(destination, { kind: "success", key: "auth.flash.already_confirmed" });
      user = await findUserByIdentifier(db, actor.phone, actor.email);
    } else {
      const identity = readIdentifier(form, defaultCountry(request));
      password = form.password("password", { required: true, max: 200 });
      if (!form.invalid) user = await findUserByIdentifier(db, identity.phone, identity.email);
    }
    const code = form.text("code", { required: true, pattern: /^\d{6}$/ });
    form.text("_idem");
    if (form.invalid) return reply.page(await confirmPage(request, form), 400);
    const passwordValid = actor ? true : await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), password);
    const accepted = user && passwordValid ? await db.transaction((tx) => consumeConfirmationCode(tx, user, code)) : false;
    if (!user || !accepted) {
      form.refuse("code", CORE_REASONS.BAD_CONFIRMATION);
      return reply.page(await confirmPage(request, form), 400);
    }
    if (!actor) {
      const previous = request.cookies[SESSION_COOKIE_NAME];
      if (previous) await destroySession(db, previous);
      setSessionCookie(reply, config, await createSession(db, user.id), SESSION_DAYS * 24 * 3600);
    }
    return reply.redirectWithFlash(destination, { kind: "success", key: "auth.flash.confirmed" });
  });

  /** A new code for the signed-in account, when the first never came or has expired. */
  app.post("/account/confirm/code", { preHandler: limits("confirm-code", signIn) }, async (request, reply) => {
    const actor = requireAccount(request.actor);
    const form = new FormReader(request.body);
    const next = safeNext(form.text("next"));
    form.text("_idem");
    const back = `/account/confirm?${new URLSearchParams({ next })}`;
    if (actor.confirmed) return reply.redirectWithFlash(back, { kind: "success", key: "auth.flash.already_confirmed" });
    const user = await findUserByIdentifier(db, actor.phone, actor.email);
    if (user) await sendConfirmationCode(user, request.locale);
    return reply.redirectWithFlash(back, { kind: "success", key: "auth.flash.new_code_sent" });
  });

  app.get("/account/signin", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const form: FormState = { values: { next: safeNext(query.next), country: defaultCountry(request) }, errors: {} };
    return reply.page(<SignInPage ctx={await request.view()} form={form} />);
  });

  app.post("/account/signin", { preHandler: limits("signin", signIn) }, async (request, reply) => {
    const form = new FormReader(request.body);
    const { phone, email } = readIdentifier(form, defaultCountry(request));
    const password = form.password("password", { required: true, max: 200 });
    const next = safeNext(form.text("next"));
    form.text("_idem");
    if (form.invalid) return reply.page(<SignInPage ctx={await request.view()} form={form} />, 400);
    const user = await findUserByIdentifier(db, phone, email);
    const valid = await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), password);
    if (!user || !valid) {
      form.refuse("password", CORE_REASONS.BAD_CREDENTIALS);
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

  app.post("/account/reset", { preHandler: limits("reset", signIn) }, async (request, reply) => {
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
        ...reachOf(user),
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

  app.post("/account/reset/confirm", { preHandler: limits("reset-confirm", signIn) }, async (request, reply) => {
    const form = new FormReader(request.body);
    const { phone, email } = readIdentifier(form, defaultCountry(request));
    const code = form.text("code", { required: true, pattern: /^\d{6}$/ });
    const password = form.password("password", PASSWORD_RULES);
    form.text("_idem");
    if (form.invalid) return reply.page(<ResetConfirmPage ctx={await request.view()} form={form} />, 400);
    const user = await findUserByIdentifier(db, phone, email);
    const accepted = user ? await db.transaction((tx) => consumeResetCode(tx, user.id, code)) : false;
    if (!user || !accepted) {
      form.refuse("code", CORE_REASONS.BAD_CODE);
      return reply.page(<ResetConfirmPage ctx={await request.view()} form={form} />, 400);
    }
    // The code went to the number (or address), so the reset also confirmed the account.
    await db.transaction((tx) => setPassword(tx, user.id, password));
    return reply.redirectWithFlash("/account/signin", { kind: "success", key: "auth.flash.password_changed" });
  });

  /** The account page: who the person is, links to their own things from every module, the password form, staff roles if any. */
  async function accountPage(request: FastifyRequest, actor: Actor, passwordForm: FormState) {
    const municipalities = await listMunicipalities(db);
    const groups = await accountLinkGroups({ db, actor, municipalities, t: request.t });
    return <AccountPage ctx={await request.view()} actor={actor} municipalities={municipalities} groups={groups} passwordForm={passwordForm} />;
  }

  app.get("/account", async (request, reply) => {
    const actor = requireAccount(request.actor);
    return reply.page(await accountPage(request, actor, { values: {}, errors: {} }));
  });

  /**
   * The signed-in person changes their password, giving the current one: limited like sign-in,
   * since it also tests a password. Every other session of the account ends; this one stays.
   * Confirmed or not: it is the account's own setting.
   */
  app.post("/account/password", { preHandler: limits("password", signIn) }, async (request, reply) => {
    const actor = requireAccount(request.actor);
    const form = new FormReader(request.body);
    const current = form.password("current_password", { required: true, max: 200 });
    const password = form.password("password", PASSWORD_RULES);
    const confirmation = form.password("password_confirmation", { required: true, max: 200 });
    form.text("_idem");
    if (password && confirmation && password !== confirmation) form.refuse("password_confirmation", CORE_REASONS.PASSWORD_MISMATCH);
    if (form.invalid) return reply.page(await accountPage(request, actor, form), 400);
    const user = await findUserById(db, actor.id);
    // Every account has a password (sign-up asks for one); a forgotten one is reset by code.
    if (!user || !(await verifyPassword(user.password_hash, current))) {
      form.refuse("current_password", CORE_REASONS.BAD_CURRENT_PASSWORD);
      return reply.page(await accountPage(request, actor, form), 400);
    }
    const token = request.cookies[SESSION_COOKIE_NAME]!;
    await db.transaction((tx) => changePassword(tx, user.id, password, token));
    return reply.redirectWithFlash("/account", { kind: "success", key: "auth.flash.password_changed_here" });
  });
}

/** Message keys of the actions core's accounts and the platform itself record, listed literally so the catalogue test sees them. */
const AUTH_AUDIT_ACTIONS: Record<string, string> = {
  "auth.role.grant": "audit.action.auth.role.grant",
  "auth.role.revoke": "audit.action.auth.role.revoke",
  "auth.network_role.grant": "audit.action.auth.network_role.grant",
  "auth.account.confirm": "audit.action.auth.account.confirm",
  "auth.password.change": "audit.action.auth.password.change",
  // Written by the platform itself when it loads the demo network.
  "system.seed.demo": "audit.action.system.seed.demo",
};

export const accountModule: AppModule = { name: "account", plugin: accountRoutes, audit: { actions: AUTH_AUDIT_ACTIONS } };
