import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../src/config.js";
import type { AppModule } from "../src/core/http/server.js";
import { MODULES } from "../src/modules/index.js";
import { createMunicipality, createResident, createStaff } from "./factories.js";
import { Browser, createTestApp, DEMO_PASSWORD, visibleText, type TestContext } from "./helpers.js";

// A module whose route fails the way a bug would, to see what a user is shown.
const brokenModule: AppModule = {
  name: "broken",
  plugin: async (app) => {
    app.get("/broken", async () => {
      throw new Error("secret connection string postgres://admin:hunter2@db");
    });
  },
};

describe("security edge: headers, CSRF, error pages, idempotency, redirects and escaping", () => {
  let ctx: TestContext;
  /** Rufisque's people, by role: what they sign in with. */
  const rufisque = { editor: "", administrator: "", citizen: "" };
  before(async () => {
    ctx = await createTestApp({ modules: [...MODULES, brokenModule], seed: false });
    const town = await createMunicipality(ctx.db, { slug: "rufisque", name: "Rufisque" });
    // Labé exists so that a write addressed to it is refused for want of a role, not for want of a town.
    await createMunicipality(ctx.db, { slug: "labe", name: "Labé", country: "GN" });
    rufisque.editor = (await createStaff(ctx.db, town, "editor")).phone;
    rufisque.administrator = (await createStaff(ctx.db, town, "administrator")).phone;
    rufisque.citizen = (await createResident(ctx.db, town)).phone;
  });
  after(() => ctx.close());

  it("pages carry a strict Content-Security-Policy and the usual security headers", async () => {
    const response = await new Browser(ctx.app).get("/rufisque/");
    const csp = String(response.headers["content-security-policy"]);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers["x-content-type-options"], "nosniff");
    assert.ok(response.headers["strict-transport-security"]);
    assert.equal(response.headers["content-language"], "fr");
  });

  it("a form posted without its CSRF token, or with a forged one, is refused with 403 and creates nothing", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.editor);
    const before = await ctx.db.query("SELECT id FROM news");
    const missing = await browser.post("/rufisque/admin/news", { title: "CSRF", body: "x", language: "fr" }, { csrf: null });
    const forged = await browser.post("/rufisque/admin/news", { title: "CSRF", body: "x", language: "fr" }, { csrf: "A".repeat(32) });
    assert.equal(missing.statusCode, 403);
    assert.equal(forged.statusCode, 403);
    assert.match(visibleText(missing.body), /Le formulaire a expiré/);
    assert.equal((await ctx.db.query("SELECT id FROM news")).length, before.length);
  });

  it("a JSON request riding on a session cookie without the CSRF header is refused with 403 CSRF", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.editor);
    const response = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/rufisque/news",
      payload: { title: "t", body: "b" },
      headers: { cookie: browser.cookieHeader(), accept: "application/json" },
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, "CSRF");
  });

  it("an unexpected failure shows a plain message, never the error or a stack trace", async () => {
    const html = await new Browser(ctx.app).get("/broken");
    assert.equal(html.statusCode, 500);
    assert.match(visibleText(html.body), /Une erreur s'est produite de notre côté/);
    assert.doesNotMatch(html.body, /hunter2|at .*\.ts:\d+/);
    const json = await ctx.app.inject({ method: "GET", url: "/broken", headers: { accept: "application/json" } });
    assert.equal(json.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.doesNotMatch(json.body, /hunter2|stack/);
  });

  it("API validation errors come back as problem+json with a message per field, in the caller's language", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.editor);
    assert.equal((await browser.post("/lang", { lang: "en", next: "/rufisque/" })).statusCode, 303);
    const response = await browser.postJson("/api/v1/rufisque/news", { body: "no title" });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
    const problem = response.json();
    assert.equal(problem.code, "VALIDATION");
    assert.equal(problem.title, "Some of the information is not valid.");
    assert.equal(problem.errors.title, "This field is required.");
  });

  it("a form body over 1 MiB is refused with 413 and a message saying it is too large", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.administrator);
    const response = await browser.post("/rufisque/admin/news", { title: "big", body: "x".repeat(2 * 1024 * 1024), language: "fr" });
    assert.equal(response.statusCode, 413);
    assert.match(visibleText(response.body), /trop volumineux/);
  });

  it("a form submitted twice with the same key creates one news item and replays the first outcome", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.editor);
    const key = randomUUID();
    const fields = { title: "Coupure d'eau prévue", body: "Mardi de 8 h à 12 h.", language: "fr", _idem: key };
    const first = await browser.post("/rufisque/admin/news", fields);
    const second = await browser.post("/rufisque/admin/news", fields);
    assert.equal(first.statusCode, 303);
    assert.equal(second.statusCode, 303);
    assert.equal(second.headers.location, first.headers.location);
    assert.equal(second.headers["idempotent-replayed"], "true");
    const rows = await ctx.db.query("SELECT id FROM news WHERE title = $1", [fields.title]);
    assert.equal(rows.length, 1);
  });

  it("a form rejected for errors can be corrected and sent again with the same key", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.editor);
    const key = randomUUID();
    const invalid = await browser.post("/rufisque/admin/news", { title: "", body: "Texte", language: "fr", _idem: key });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, new RegExp(`name="_idem" value="${key}"`), "the re-rendered form keeps its key");
    const fixed = await browser.post("/rufisque/admin/news", { title: "Titre corrigé", body: "Texte", language: "fr", _idem: key });
    assert.equal(fixed.statusCode, 303);
    assert.equal((await ctx.db.query("SELECT id FROM news WHERE title = 'Titre corrigé'")).length, 1);
  });

  it("the API replays a repeated Idempotency-Key and refuses its reuse for another request", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.editor);
    const key = randomUUID();
    const body = { title: "Réunion publique", body: "Samedi à la mairie.", publish: true };
    const first = await browser.postJson("/api/v1/rufisque/news", body, { "idempotency-key": key });
    const second = await browser.postJson("/api/v1/rufisque/news", body, { "idempotency-key": key });
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    assert.deepEqual(second.json(), first.json());
    assert.equal((await ctx.db.query("SELECT id FROM news WHERE title = 'Réunion publique'")).length, 1);
    const other = await browser.postJson("/api/v1/labe/news", body, { "idempotency-key": key });
    assert.equal(other.statusCode, 403, "authorization comes first");
    const misuse = await browser.postJson("/api/v1/rufisque/news?x=1", body, { "idempotency-key": key });
    assert.equal(misuse.statusCode, 422);
  });

  it("a key sent again with a different body is refused with 422 and changes nothing, by the API and by a form", async () => {
    const browser = new Browser(ctx.app);
    // The editor chose English in an earlier test; the administrator reads French.
    await browser.signIn(rufisque.administrator);
    const key = randomUUID();
    const first = await browser.postJson("/api/v1/rufisque/news", { title: "Marché fermé lundi", body: "Nettoyage." }, { "idempotency-key": key });
    assert.equal(first.statusCode, 201);
    const other = await browser.postJson("/api/v1/rufisque/news", { title: "Marché fermé mardi", body: "Nettoyage." }, { "idempotency-key": key });
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, "IDEMPOTENCY_MISMATCH");
    assert.match(other.json().detail, /déjà servi pour une demande au contenu différent/);
    assert.equal(other.headers["idempotent-replayed"], undefined);
    assert.equal((await ctx.db.query("SELECT id FROM news WHERE title LIKE 'Marché fermé%'")).length, 1);

    const formKey = randomUUID();
    const fields = { title: "Collecte des déchets", body: "Jeudi.", language: "fr", _idem: formKey };
    assert.equal((await browser.post("/rufisque/admin/news", fields)).statusCode, 303);
    // The same form again, even with a fresh CSRF token field, is the same request: replayed.
    const again = await browser.post("/rufisque/admin/news", fields);
    assert.equal(again.headers["idempotent-replayed"], "true");
    const changed = await browser.post("/rufisque/admin/news", { ...fields, body: "Vendredi." });
    assert.equal(changed.statusCode, 422);
    assert.match(visibleText(changed.body), /déjà servi pour une demande au contenu différent/);
    assert.equal((await ctx.db.query("SELECT body FROM news WHERE title = 'Collecte des déchets'")).map((row) => (row as { body: string }).body).join(), "Jeudi.");
  });

  it("the language picker and sign-in follow only paths of this site, however the target is written", async () => {
    const browser = new Browser(ctx.app);
    const offSite = ["/\\evil.example/", "//evil.example/", "/\\/evil.example", "\\\\evil.example", "/%5Cevil.example/", "/%2F%2Fevil.example/", "/%2f/evil.example", "/%252F%252Fevil.example", "/\t/evil.example", "/\n/evil.example", "/ok\\..\\evil", "https://evil.example/", "javascript:alert(1)", " //evil.example"];
    for (const next of offSite) {
      const response = await browser.post("/lang", { lang: "fr", next });
      assert.equal(response.statusCode, 303, next);
      assert.equal(response.headers.location, "/", `POST /lang with next=${JSON.stringify(next)}`);
    }
    assert.equal((await browser.post("/lang", { lang: "fr", next: "/rufisque/data?q=%C3%A9cole%20primaire&page=2" })).headers.location, "/rufisque/data?q=%C3%A9cole%20primaire&page=2");

    const signInPage = await browser.get(`/account/signin?next=${encodeURIComponent("/\\evil.example/")}`);
    assert.match(signInPage.body, /name="next" value="\/"/);
    for (const next of ["/\\evil.example/", "/%5Cevil.example/", "/%2F%2Fevil.example/"]) {
      const citizen = new Browser(ctx.app);
      const response = await citizen.post("/account/signin", { identifier: rufisque.citizen, password: DEMO_PASSWORD, country: "SN", next });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, "/", `sign-in with next=${JSON.stringify(next)}`);
    }
  });

  it("an idempotency key another person used creates this person's own item instead of replaying theirs", async () => {
    const key = randomUUID();
    const editor = new Browser(ctx.app);
    await editor.signIn(rufisque.editor);
    const administrator = new Browser(ctx.app);
    await administrator.signIn(rufisque.administrator);
    await editor.postJson("/api/v1/rufisque/news", { title: "Par la rédaction", body: "a" }, { "idempotency-key": key });
    const response = await administrator.postJson("/api/v1/rufisque/news", { title: "Par l'administration", body: "b" }, { "idempotency-key": key });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().title, "Par l'administration");
  });

  it("text typed by an editor is shown escaped, never run as HTML", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(rufisque.editor);
    const response = await browser.postJson("/api/v1/rufisque/news", {
      title: `<script>alert("x")</script> & <b>gras</b>`,
      summary: `"><img src=x onerror=alert(1)>`,
      body: "Paragraphe <i>un</i>\n\n<script>alert(2)</script>",
      publish: true,
    });
    const id = response.json().id as string;
    for (const url of [`/rufisque/news/${id}`, "/rufisque/news", "/rufisque/"]) {
      const page = await new Browser(ctx.app).get(url);
      // Inside an attribute the quote is escaped, so `<img` there is text, never a tag.
      assert.doesNotMatch(page.body, /<script>alert|"><img|<b>gras<\/b>|<i>un<\/i>/, url);
      assert.match(page.body, /&lt;script>alert/, url);
    }
  });
});

describe("forwarding headers are believed only from the proxies the operator names", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ rateLimits: { signIn: 3, signUp: 2 }, seed: false });
    // Sign-up reads the number against the network's countries; a municipality brings Senegal in.
    await createMunicipality(ctx.db);
  });
  after(() => ctx.close());

  it("by default no proxy is trusted: a forged X-Forwarded-For does not escape the limits", async () => {
    const signUps = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const browser = new Browser(ctx.app, { "x-forwarded-for": `198.51.100.${attempt + 1}`, "x-real-ip": `198.51.100.${attempt + 1}` });
      signUps.push((await browser.post("/account/signup", { name: "X", identifier: `+22177000080${attempt}`, country: "SN", password: "password-123" })).statusCode);
    }
    assert.deepEqual(signUps, [303, 303, 429]);
  });

  it("TRUST_PROXY names addresses or networks; anything else stops the start", () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: "" }).trustProxy, false);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "10.0.0.1, 192.168.0.0/16,::1" }).trustProxy, ["10.0.0.1", "192.168.0.0/16", "::1"]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "loopback" }).trustProxy, ["loopback"]);
    for (const value of ["true", "*", "1", "10.0.0.300", "10.0.0.0/33", "proxy.example", ","]) {
      assert.throws(() => loadConfig({ TRUST_PROXY: value }), /TRUST_PROXY/, value);
    }
  });
});
