import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser, createTestApp, DEMO, visibleText, type TestContext } from "./helpers.js";

describe("accounts: sign-up, sign-in, sign-out, password reset", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("a resident of Rufisque signs up with a local phone number and becomes a citizen of Rufisque", async () => {
    const browser = new Browser(ctx.app);
    const page = await browser.get("/account/signup?m=rufisque");
    assert.equal(page.statusCode, 200);
    const response = await browser.post("/account/signup", { name: "Mame Diarra", identifier: "77 555 12 34", country: "SN", password: "sunu-dekk-2026", m: "rufisque" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/rufisque/");
    const [user] = await ctx.db.query<{ phone: string; password_hash: string; id: string }>("SELECT * FROM users WHERE name = 'Mame Diarra'");
    assert.equal(user?.phone, "+221775551234");
    assert.match(user!.password_hash, /^\$argon2id\$/);
    const roles = await ctx.db.query<{ role: string; slug: string }>(
      "SELECT r.role, m.slug FROM municipal_roles r JOIN municipalities m ON m.id = r.municipality_id WHERE r.user_id = $1",
      [user!.id],
    );
    assert.deepEqual(roles, [{ role: "citizen", slug: "rufisque" }]);
    const cookie = (response.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find((c) => c.name === "sid");
    assert.ok(cookie?.httpOnly, "session cookie must be HttpOnly");
    assert.equal(cookie?.sameSite, "Lax");
    const home = await browser.get("/rufisque/");
    assert.match(visibleText(home.body), /Bienvenue ! Votre compte est créé\./);
    assert.match(visibleText(home.body), /Se déconnecter/);
  });

  it("signing up with a number already used keeps what was typed and says why, in the user's language", async () => {
    const browser = new Browser(ctx.app, { "accept-language": "pt-PT,pt;q=0.9" });
    const response = await browser.post("/account/signup", { name: "Outra Pessoa", identifier: DEMO.rufisque.citizen, country: "SN", password: "password-123" });
    assert.equal(response.statusCode, 400);
    const text = visibleText(response.body);
    assert.match(text, /Já existe uma conta com este número ou endereço\./);
    assert.match(response.body, /value="Outra Pessoa"/);
    assert.ok(!response.body.includes("password-123"), "the password must never be echoed back");
  });

  it("an invalid phone number, a short password and a missing name are all reported at once", async () => {
    const browser = new Browser(ctx.app);
    const response = await browser.post("/account/signup", { name: "", identifier: "12", country: "GN", password: "court" });
    assert.equal(response.statusCode, 400);
    const text = visibleText(response.body);
    assert.match(text, /3 erreurs sont à corriger/);
    assert.match(text, /Ce champ est obligatoire\./);
    assert.match(text, /Ce numéro de téléphone n'est pas valide pour ce pays\./);
    assert.match(text, /Au moins 8 caractères\./);
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
    assert.match(visibleText(wrong.body), /Identifiant ou mot de passe incorrect\./);
    assert.match(visibleText(unknown.body), /Identifiant ou mot de passe incorrect\./);
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
    assert.match(visibleText(bad.body), /Ce code est incorrect ou a expiré/);

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

describe("rate limits on sign-in and sign-up", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ rateLimits: { signIn: 3, signUp: 2 } });
  });
  after(() => ctx.close());

  it("a fourth sign-in attempt within a minute on one account is refused with 429", async () => {
    const browser = new Browser(ctx.app);
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal((await browser.post("/account/signin", { identifier: DEMO.rufisque.editor, password: "guess" })).statusCode, 400);
    }
    const blocked = await browser.post("/account/signin", { identifier: DEMO.rufisque.editor, password: "demo-cite-2026" });
    assert.equal(blocked.statusCode, 429);
    assert.match(visibleText(blocked.body), /Trop de tentatives/);
  });

  it("sign-ups from one address are limited too", async () => {
    const browser = new Browser(ctx.app);
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      statuses.push((await browser.post("/account/signup", { name: "X", identifier: `+22177000090${attempt}`, country: "SN", password: "password-123" })).statusCode);
    }
    assert.deepEqual(statuses, [303, 303, 429]);
  });
});

describe("sign-up race", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false });
  });
  after(() => ctx.close());

  it("two sign-ups with the same number at the same moment create one account; the other is told why", async () => {
    const fields = { name: "Binta", identifier: "+221776543210", country: "SN", password: "password-123" };
    const responses = await Promise.all([new Browser(ctx.app).post("/account/signup", fields), new Browser(ctx.app).post("/account/signup", fields)]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [303, 400]);
    const refused = responses.find((r) => r.statusCode === 400)!;
    assert.match(visibleText(refused.body), /Un compte existe déjà avec ce numéro ou cette adresse\./);
    assert.equal((await ctx.db.query("SELECT id FROM users WHERE phone = '+221776543210'")).length, 1);
  });
});
