import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readMigrationFiles, migrate } from "../src/core/db/migrations.js";
import { codeOf, fieldErrors, fieldReasons, fr, shown } from "./answers.js";
import { Browser, createTestApp, createTestDb, DEMO, idOf, lastCodeSentTo, visibleText, type TestContext } from "./helpers.js";

describe("accounts: sign-up, sign-in, sign-out, password reset", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("a resident of Rufisque signs up with a local phone number, receives a code by SMS and becomes a citizen of Rufisque once it is entered", async () => {
    const browser = new Browser(ctx.app);
    const page = await browser.get("/account/signup?m=rufisque");
    assert.equal(page.statusCode, 200);
    ctx.notifier.sent = [];
    const response = await browser.post("/account/signup", { name: "Mame Diarra", identifier: "77 555 12 34", country: "SN", password: "sunu-dekk-2026", m: "rufisque" });
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/account\/confirm\?/);
    assert.ok(!(response.cookies as { name: string }[]).some((c) => c.name === "sid"), "no session before the number is proven");
    const [user] = await ctx.db.query<{ phone: string; password_hash: string; id: string; confirmed_at: Date | null }>("SELECT * FROM users WHERE name = 'Mame Diarra'");
    assert.equal(user?.phone, "+221775551234");
    assert.match(user!.password_hash, /^\$argon2id\$/);
    assert.equal(user!.confirmed_at, null);
    const roles = await ctx.db.query<{ role: string; slug: string }>(
      "SELECT r.role, m.slug FROM municipal_roles r JOIN municipalities m ON m.id = r.municipality_id WHERE r.user_id = $1",
      [user!.id],
    );
    assert.deepEqual(roles, [{ role: "citizen", slug: "rufisque" }]);
    const sms = ctx.notifier.sent.find((message) => message.recipient === "+221775551234");
    assert.equal(sms?.channel, "sms");
    const confirmPage = await browser.get(String(response.headers.location));
    assert.match(visibleText(confirmPage.body), shown(fr("auth.flash.confirm_sent")));

    const next = new URL(String(response.headers.location), "http://localhost").searchParams.get("next")!;
    assert.match(confirmPage.body, new RegExp(`name="next" value="${next}"`), "the page carries where to go next");
    const confirmed = await browser.post("/account/confirm", { identifier: "77 555 12 34", country: "SN", password: "sunu-dekk-2026", code: lastCodeSentTo(ctx.notifier, "+221775551234"), next });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, "/rufisque/");
    const cookie = (confirmed.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find((c) => c.name === "sid");
    assert.ok(cookie?.httpOnly, "session cookie must be HttpOnly");
    assert.equal(cookie?.sameSite, "Lax");
    const home = await browser.get("/rufisque/");
    assert.match(visibleText(home.body), shown(fr("auth.flash.confirmed")));
    assert.match(visibleText(home.body), shown(fr("nav.signout")));
    assert.equal((await browser.post("/rufisque/services/certificat-residence/start")).statusCode, 303, "a confirmed account files a dossier");
  });

  it("an account whose number is not confirmed signs in but cannot file, support, vote or answer in the person's name, and is shown how to confirm", async () => {
    const browser = new Browser(ctx.app);
    ctx.notifier.sent = [];
    await browser.post("/account/signup", { name: "Pas Encore", identifier: "+221775550001", country: "SN", password: "password-123", m: "rufisque" });
    await browser.signIn("+221775550001", "password-123");
    const processId = await idOf(ctx.db, "SELECT id FROM processes WHERE slug = 'plan-action-local-2027' AND municipality_id = (SELECT id FROM municipalities WHERE slug = 'rufisque')", []);
    const proposalId = await idOf(ctx.db, "SELECT id FROM proposals WHERE process_id = $1 AND hidden_at IS NULL ORDER BY created_at LIMIT 1", [processId]);
    const process = "/rufisque/participation/plan-action-local-2027";
    const refused = [
      await browser.post("/rufisque/services/certificat-residence/start"),
      await browser.post(`${process}/proposals/${proposalId}/support`),
      await browser.post(`${process}/proposals/${proposalId}/comments`, { body: "Je suis pour." }),
      await browser.get(`${process}/proposals/new`),
      await browser.post("/rufisque/participation/verify/code"),
    ];
    for (const response of refused) {
      assert.equal(response.statusCode, 403);
      assert.equal(codeOf(response), "UNCONFIRMED");
      assert.match(visibleText(response.body), shown(fr("error.unconfirmed")));
      assert.match(response.body, /href="\/account\/confirm/);
    }
    const json = await browser.postJson("/rufisque/services/certificat-residence/start", {});
    assert.equal(json.json().code, "UNCONFIRMED");
    assert.equal((await ctx.db.query("SELECT id FROM dossiers WHERE applicant_id = (SELECT id FROM users WHERE phone = '+221775550001')")).length, 0);
    assert.match(visibleText((await browser.get("/account")).body), shown(fr("auth.account.unconfirmed")));

    // Signed in, the person asks for a new code and enters it: the account can act.
    const ask = await browser.post("/account/confirm/code");
    assert.equal(ask.statusCode, 303);
    const code = lastCodeSentTo(ctx.notifier, "+221775550001");
    const done = await browser.post("/account/confirm", { code });
    assert.equal(done.statusCode, 303);
    assert.equal((await browser.post("/rufisque/services/certificat-residence/start")).statusCode, 303);
  });

  it("sign-up answers the same whether or not the number or address already has an account; the owner is told instead", async () => {
    const outcome = async (identifier: string, country = "SN") => {
      const browser = new Browser(ctx.app, { "accept-language": "pt-PT,pt;q=0.9" });
      const response = await browser.post("/account/signup", { name: "Outra Pessoa", identifier, country, password: "password-123" });
      const followed = await browser.get(String(response.headers.location));
      return {
        status: response.statusCode,
        location: String(response.headers.location).replace(encodeURIComponent(identifier), "X"),
        cookies: (response.cookies as { name: string }[]).map((c) => c.name).sort(),
        page: visibleText(followed.body).replaceAll(identifier, "X"),
      };
    };
    const usersBefore = (await ctx.db.query("SELECT id FROM users")).length;
    ctx.notifier.sent = [];
    const taken = await outcome(DEMO.rufisque.citizen);
    const notice = ctx.notifier.sent.find((message) => message.recipient === DEMO.rufisque.citizen);
    assert.ok(notice, "the owner of the number is told");
    assert.doesNotMatch(notice!.body, /\b\d{6}\b/, "the notice carries no code");
    assert.match(notice!.body, /\/account\/reset/);
    const fresh = await outcome("+221775550002");
    assert.deepEqual(taken, fresh);
    assert.equal(taken.status, 303);
    assert.ok(!taken.cookies.includes("sid"));
    assert.equal((await ctx.db.query("SELECT id FROM users")).length, usersBefore + 1, "only the new number got an account");
    await new Browser(ctx.app).signIn(DEMO.rufisque.citizen);

    const takenEmail = await outcome(DEMO.network.volunteer);
    const freshEmail = await outcome("nouvelle@example.org");
    assert.deepEqual(takenEmail, freshEmail);
    assert.ok(ctx.notifier.sent.some((message) => message.recipient === DEMO.network.volunteer && message.channel === "email"));
  });

  it("a confirmation code needs the account's password, and dies after five wrong attempts", async () => {
    const browser = new Browser(ctx.app);
    await browser.post("/account/signup", { name: "Awa", identifier: "+221775550003", country: "SN", password: "password-123" });
    const code = lastCodeSentTo(ctx.notifier, "+221775550003");
    const wrongPassword = await browser.post("/account/confirm", { identifier: "+221775550003", country: "SN", password: "not-mine-123", code });
    assert.equal(wrongPassword.statusCode, 400);
    assert.deepEqual(fieldReasons(wrongPassword.body), { code: "BAD_CONFIRMATION" });
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let attempt = 0; attempt < 5; attempt++) {
      assert.equal((await browser.post("/account/confirm", { identifier: "+221775550003", country: "SN", password: "password-123", code: wrong })).statusCode, 400);
    }
    const right = await browser.post("/account/confirm", { identifier: "+221775550003", country: "SN", password: "password-123", code });
    assert.equal(right.statusCode, 400, "five wrong tries kill the code");
    const [user] = await ctx.db.query<{ confirmed_at: Date | null }>("SELECT confirmed_at FROM users WHERE phone = '+221775550003'");
    assert.equal(user?.confirmed_at, null);
  });

  it("the owner of a number taken by someone else proves it with a reset code and gets the account", async () => {
    await new Browser(ctx.app).post("/account/signup", { name: "Usurpateur", identifier: "+221775550004", country: "SN", password: "stolen-pass-1" });
    const owner = new Browser(ctx.app);
    await owner.post("/account/reset", { identifier: "+221775550004", country: "SN" });
    const reset = await owner.post("/account/reset/confirm", { identifier: "+221775550004", country: "SN", code: lastCodeSentTo(ctx.notifier, "+221775550004"), password: "mine-for-real-1" });
    assert.equal(reset.statusCode, 303);
    await owner.signIn("+221775550004", "mine-for-real-1");
    assert.equal((await owner.post("/rufisque/services/certificat-residence/start")).statusCode, 303, "a reset code proved the number");
  });

  it("an agent who verifies a resident in person at the counter also confirms the number", async () => {
    const resident = new Browser(ctx.app);
    await resident.post("/account/signup", { name: "Khady", identifier: "+221775550005", country: "SN", password: "password-123", m: "rufisque" });
    await resident.signIn("+221775550005", "password-123");
    assert.equal((await resident.post("/rufisque/services/certificat-residence/start")).statusCode, 403);
    const agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    assert.equal((await agent.post("/rufisque/admin/residents", { phone: "77 555 00 05", document_seen: "on" })).statusCode, 303);
    assert.equal((await resident.post("/rufisque/services/certificat-residence/start")).statusCode, 303);
    const [row] = await ctx.db.query<{ confirmed_by: string }>("SELECT a.phone AS confirmed_by FROM users u JOIN users a ON a.id = u.confirmed_by WHERE u.phone = '+221775550005'");
    assert.equal(row?.confirmed_by, DEMO.rufisque.agent);
  });

  it("an invalid phone number, a short password and a missing name are all reported at once", async () => {
    const browser = new Browser(ctx.app);
    const response = await browser.post("/account/signup", { name: "", identifier: "12", country: "GN", password: "court" });
    assert.equal(response.statusCode, 400);
    assert.match(visibleText(response.body), shown(fr("form.error_summary", { count: 3 })));
    assert.deepEqual(fieldErrors(response.body), { name: "form.required", identifier: "auth.error.invalid_phone", password: "form.too_short" });
    assert.match(response.body, /aria-invalid="true"/);
  });

  it("sign-in accepts a number written with the international prefix 00, and sign-out ends the session", async () => {
    const browser = new Browser(ctx.app);
    const response = await browser.post("/account/signin", { identifier: "00224 620 00 07 02", password: "demo-cite-2026", next: "/labe/admin" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/labe/admin");
    assert.equal((await browser.get("/labe/admin")).statusCode, 200);
    const out = await browser.post("/account/signout");
    assert.equal(out.statusCode, 303);
    const again = await browser.get("/labe/admin");
    assert.equal(again.statusCode, 303, "after sign-out the back office asks to sign in");
    assert.match(String(again.headers.location), /^\/account\/signin\?next=/);
  });

  it("a wrong password is refused without saying whether the account exists", async () => {
    const browser = new Browser(ctx.app);
    const wrong = await browser.post("/account/signin", { identifier: DEMO.rufisque.editor, password: "not-the-password" });
    const unknown = await browser.post("/account/signin", { identifier: "+221779999999", password: "not-the-password" });
    assert.equal(wrong.statusCode, 400);
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(fieldReasons(wrong.body), { password: "BAD_CREDENTIALS" });
    assert.deepEqual(fieldReasons(unknown.body), { password: "BAD_CREDENTIALS" });
    // The words themselves, once in French and once in Portuguese, so that the catalogues are known to reach the form.
    assert.match(visibleText(wrong.body), /Identifiant ou mot de passe incorrect\./);
    const inPortuguese = await new Browser(ctx.app, { "accept-language": "pt" }).post("/account/signin", { identifier: "+221779999999", password: "not-the-password" });
    assert.deepEqual(fieldReasons(inPortuguese.body), { password: "BAD_CREDENTIALS" });
    assert.match(visibleText(inPortuguese.body), /Identificador ou palavra-passe incorretos\./);
  });

  it("sign-in never redirects to another site", async () => {
    const browser = new Browser(ctx.app);
    const response = await browser.post("/account/signin", { identifier: DEMO.rufisque.editor, password: "demo-cite-2026", next: "//evil.example/" });
    assert.equal(response.headers.location, "/");
  });

  it("a forgotten password is reset with a one-time code sent by SMS, which works once", async () => {
    const browser = new Browser(ctx.app);
    ctx.notifier.sent = [];
    const request = await browser.post("/account/reset", { identifier: DEMO.labe.agent, country: "GN" });
    assert.equal(request.statusCode, 303);
    const message = ctx.notifier.sent.at(-1);
    assert.equal(message?.channel, "sms");
    assert.equal(message?.recipient, DEMO.labe.agent);
    const code = /(\d{6})/.exec(message!.body)?.[1];
    assert.ok(code, "the SMS carries a six-digit code");
    const [outbox] = await ctx.db.query<{ status: string }>("SELECT status FROM notifications ORDER BY created_at DESC LIMIT 1");
    assert.equal(outbox?.status, "sent");

    const wrongCode = code === "000000" ? "111111" : "000000";
    const bad = await browser.post("/account/reset/confirm", { identifier: DEMO.labe.agent, country: "GN", code: wrongCode, password: "nouveau-mot-2026" });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fieldReasons(bad.body), { code: "BAD_CODE" });

    const good = await browser.post("/account/reset/confirm", { identifier: DEMO.labe.agent, country: "GN", code: code!, password: "nouveau-mot-2026" });
    assert.equal(good.statusCode, 303);
    const reuse = await browser.post("/account/reset/confirm", { identifier: DEMO.labe.agent, country: "GN", code: code!, password: "encore-autre-2026" });
    assert.equal(reuse.statusCode, 400, "a code works only once");
    await new Browser(ctx.app).signIn(DEMO.labe.agent, "nouveau-mot-2026");
  });

  it("a reset code dies after five wrong attempts", async () => {
    const browser = new Browser(ctx.app);
    ctx.notifier.sent = [];
    await browser.post("/account/reset", { identifier: DEMO.rufisque.agent, country: "SN" });
    const code = /(\d{6})/.exec(ctx.notifier.sent.at(-1)!.body)![1]!;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let attempt = 0; attempt < 5; attempt++) {
      await browser.post("/account/reset/confirm", { identifier: DEMO.rufisque.agent, country: "SN", code: wrong, password: "nouveau-mot-2026" });
    }
    const right = await browser.post("/account/reset/confirm", { identifier: DEMO.rufisque.agent, country: "SN", code, password: "nouveau-mot-2026" });
    assert.equal(right.statusCode, 400);
  });

  it("asking a code for an unknown account looks the same and sends nothing", async () => {
    const browser = new Browser(ctx.app);
    ctx.notifier.sent = [];
    const response = await browser.post("/account/reset", { identifier: "+221778888888", country: "SN" });
    assert.equal(response.statusCode, 303);
    assert.equal(ctx.notifier.sent.length, 0);
  });

  it("the account page lists the person's roles and needs a session", async () => {
    const anonymous = await new Browser(ctx.app).get("/account");
    assert.equal(anonymous.statusCode, 303);
    const browser = new Browser(ctx.app);
    await browser.signIn(DEMO.rufisque.administrator);
    const page = await browser.get("/account");
    assert.match(visibleText(page.body), /Administrateur·rice · Rufisque/);
  });
});

describe("rate limits on sign-in and sign-up, behind a proxy the operator named", () => {
  let ctx: TestContext;
  before(async () => {
    // The requests come from 127.0.0.1, named as the proxy: its X-Forwarded-For is believed.
    ctx = await createTestApp({ rateLimits: { signIn: 3, signUp: 2 }, trustProxy: "127.0.0.1" });
  });
  after(() => ctx.close());
  const from = (address: string) => new Browser(ctx.app, { "x-forwarded-for": address });
  const SPELLINGS = ["+221770000112", "770000112", "77 000 01 12", "00221770000112"];

  it("a fourth sign-in attempt within a minute on one account is refused with 429", async () => {
    const browser = new Browser(ctx.app);
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal((await browser.post("/account/signin", { identifier: DEMO.rufisque.editor, password: "guess" })).statusCode, 400);
    }
    const blocked = await browser.post("/account/signin", { identifier: DEMO.rufisque.editor, password: "demo-cite-2026" });
    assert.equal(blocked.statusCode, 429);
    assert.equal(codeOf(blocked), "RATE_LIMITED");
    assert.match(visibleText(blocked.body), shown(fr("error.rate_limited")));
  });

  it("the sign-in limit counts one person however the number is written and wherever the attempts come from", async () => {
    const statuses = [];
    for (const [index, identifier] of SPELLINGS.entries()) {
      statuses.push((await from(`198.51.100.${index + 1}`).post("/account/signin", { identifier, country: "SN", password: "guess-123" })).statusCode);
    }
    assert.deepEqual(statuses, [400, 400, 400, 429]);
  });

  it("the e-mail address counts whatever its case", async () => {
    const statuses = [];
    for (const [index, identifier] of ["Volontaire@log.example", "VOLONTAIRE@LOG.EXAMPLE", " volontaire@log.example", "volontaire@Log.Example"].entries()) {
      statuses.push((await from(`198.51.101.${index + 1}`).post("/account/signin", { identifier, password: "guess-123" })).statusCode);
    }
    assert.deepEqual(statuses, [400, 400, 400, 429]);
  });

  it("many accounts tried from one address are limited too", async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      statuses.push((await from("203.0.113.9").post("/account/signin", { identifier: `+2217700009${String(attempt).padStart(2, "0")}`, password: "guess-123" })).statusCode);
    }
    assert.ok(statuses.includes(429), "one address cannot try account after account");
    assert.equal(statuses[0], 400);
  });

  it("sign-ups from one address are limited", async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      statuses.push((await from("203.0.113.10").post("/account/signup", { name: "X", identifier: `+22177000090${attempt}`, country: "SN", password: "password-123" })).statusCode);
    }
    assert.deepEqual(statuses, [303, 303, 429]);
  });

  it("sign-ups, reset codes and confirmation codes for one number are limited however it is written", async () => {
    const statuses = async (url: string, fields: Record<string, string>, subnet: number) => {
      const result = [];
      for (const [index, identifier] of SPELLINGS.entries()) result.push((await from(`192.0.${subnet}.${index + 1}`).post(url, { ...fields, identifier, country: "SN" })).statusCode);
      return result;
    };
    assert.deepEqual((await statuses("/account/signup", { name: "Y", password: "password-123" }, 2)).slice(0, 3), [303, 303, 429]);
    assert.deepEqual(await statuses("/account/reset", {}, 3), [303, 303, 303, 429]);
    assert.deepEqual(await statuses("/account/reset/confirm", { code: "123456", password: "password-123" }, 4), [400, 400, 400, 429]);
    assert.deepEqual(await statuses("/account/confirm", { code: "123456", password: "password-123" }, 5), [400, 400, 400, 429]);
  });
});

describe("sign-up race", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false });
  });
  after(() => ctx.close());

  it("two sign-ups with the same number at the same moment create one account and answer alike", async () => {
    const fields = { name: "Binta", identifier: "+221776543210", country: "SN", password: "password-123" };
    const responses = await Promise.all([new Browser(ctx.app).post("/account/signup", fields), new Browser(ctx.app).post("/account/signup", fields)]);
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [303, 303],
    );
    assert.equal(responses[0]!.headers.location, responses[1]!.headers.location);
    assert.equal((await ctx.db.query("SELECT id FROM users WHERE phone = '+221776543210'")).length, 1);
  });
});

describe("migration: which existing accounts count as confirmed", () => {
  it("confirms the accounts with proof (staff and network roles, a verified resident, a completed reset) and leaves self-made ones to confirm", async () => {
    const { db, close } = await createTestDb();
    try {
      const files = readMigrationFiles();
      const confirmation = files.findIndex((file) => file.name.includes("auth-phone-confirmation"));
      assert.ok(confirmation > 0, "the migration exists");
      await migrate(db, undefined, files.slice(0, confirmation));
      await db.query("INSERT INTO countries (code, calling_code, currency) VALUES ('SN', '221', 'XOF')");
      const town = await idOf(db, "INSERT INTO municipalities (slug, reference_code, name, country_code, region, time_zone, currency) VALUES ('ville', 'VIL', 'Ville', 'SN', 'Dakar', 'Africa/Dakar', 'XOF') RETURNING id", []);
      const user = (name: string, phone: string | null, email: string | null = null) =>
        idOf(db, "INSERT INTO users (name, phone, email, password_hash) VALUES ($1, $2, $3, 'x') RETURNING id", [name, phone, email]);
      const citizen = await user("citoyen", "+221770000001");
      const agent = await user("agent", "+221770000002");
      const coordinator = await user("coordination", null, "coord@example.org");
      const resident = await user("habitant", "+221770000003");
      const resetter = await user("reset", "+221770000004");
      const emailOnly = await user("mail", null, "mail@example.org");
      await db.query("INSERT INTO municipal_roles (municipality_id, user_id, role, granted_by) VALUES ($1, $2, 'citizen', $2), ($1, $3, 'agent', NULL), ($1, $4, 'citizen', $4)", [town, citizen, agent, resident]);
      await db.query("INSERT INTO network_roles (user_id, role) VALUES ($1, 'coordinator')", [coordinator]);
      await db.query("INSERT INTO resident_verifications (municipality_id, user_id, method) VALUES ($1, $2, 'sms_code')", [town, resident]);
      await db.query("INSERT INTO password_resets (user_id, code_hash, expires_at, used_at) VALUES ($1, 'h', now(), now()), ($2, 'h', now(), NULL)", [resetter, citizen]);
      await migrate(db);
      const rows = await db.query<{ id: string; confirmed: boolean }>("SELECT id, confirmed_at IS NOT NULL AS confirmed FROM users");
      const confirmed = new Map(rows.map((row) => [row.id, row.confirmed]));
      assert.deepEqual(
        [citizen, agent, coordinator, resident, resetter, emailOnly].map((id) => confirmed.get(id)),
        [false, true, true, true, true, false],
      );
    } finally {
      await close();
    }
  });
});
