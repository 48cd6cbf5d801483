import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import { createTestApp, visibleText, type TestContext } from "../../../../test/helpers.js";
import { translator } from "../../i18n/index.js";
import { AppError, defineReasons, ruleRefused } from "../errors.js";
import type { AppModule } from "../server.js";

// A rule of the probe's own, worded with a message the catalogues hold in every language.
const { PROBE_RULE_REFUSED: RULE } = defineReasons({ PROBE_RULE_REFUSED: { key: "eservices.dossier.error.not_editable", remedy: "None: a test's probe." } });

// Routes that fail in each of the ways the error plugin must tell apart.
const probe: AppModule = {
  name: "error-probe",
  plugin: async (app) => {
    for (const prefix of ["/probe", "/api/v1/probe"]) {
      app.get(`${prefix}/refused`, async () => {
        throw ruleRefused(RULE);
      });
    }
    app.get("/api/v1/probe/unique", async () => {
      // A real unique violation from the engine, not an imitation of its error.
      await app.db.query("INSERT INTO network (slug, name) VALUES ('probe-network', 'Probe')");
      await app.db.query("INSERT INTO network (slug, name) VALUES ('probe-network', 'Probe')");
      return {};
    });
    app.get("/api/v1/probe/bug", async () => {
      throw new Error("secret connection string postgres://admin:hunter2@db");
    });
    app.get("/probe/signed-in-only", async () => {
      throw new AppError("UNAUTHENTICATED");
    });
    app.get("/api/v1/probe/item/:id", async () => ({}));
    app.post("/api/v1/probe/validated", { schema: { body: Type.Object({ title: Type.String() }) } }, async () => ({}));
  },
};

const json = { accept: "application/json" };

describe("error-handling plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
  });
  after(() => ctx.close());

  it("the refused-rule message: a rule refusal answers 409 with the rule's own detail in the person's language", async () => {
    const pt = translator("pt");
    // Guards against a test that cannot fail: the rule's message exists and differs by language.
    assert.notEqual(pt(RULE.messageKey), RULE.messageKey);
    assert.notEqual(pt(RULE.messageKey), translator("fr")(RULE.messageKey));

    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/refused", headers: { ...json, "accept-language": "pt" } });
    assert.equal(response.statusCode, 409);
    assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
    const body = response.json();
    assert.equal(body.code, "CONFLICT");
    assert.equal(body.detail, pt(RULE.messageKey));
    assert.equal(body.reason, "PROBE_RULE_REFUSED");
    assert.equal(body.title, pt("error.conflict"));

    const page = await ctx.app.inject({ method: "GET", url: "/probe/refused", headers: { accept: "text/html", "accept-language": "pt" } });
    assert.equal(page.statusCode, 409);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
    assert.ok(visibleText(page.body).includes(pt(RULE.messageKey)), "the page shows the rule's message");
  });

  it("a unique violation from the database (23505) answers 409 CONFLICT", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/unique", headers: json });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, "CONFLICT");
  });

  it("an unknown error answers 500 INTERNAL without its message or stack", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/bug", headers: json });
    assert.equal(response.statusCode, 500);
    assert.equal(response.json().code, "INTERNAL");
    assert.doesNotMatch(response.body, /hunter2|secret|at .*\.ts:\d+/);
  });

  it("an unknown path answers 404 NOT_FOUND as problem+json", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/nowhere", headers: json });
    assert.equal(response.statusCode, 404);
    assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
    assert.equal(response.json().code, "NOT_FOUND");
  });

  it("a schema refusal answers 400 VALIDATION naming the missing field", async () => {
    const response = await ctx.app.inject({ method: "POST", url: "/api/v1/probe/validated", payload: "{}", headers: { ...json, "content-type": "application/json" } });
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.code, "VALIDATION");
    assert.deepEqual(Object.keys(body.errors), ["title"]);
  });

  it("a path the router cannot decode answers 400 INVALID_CHARACTERS, not the framework's text", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/item/%C3%28", headers: json });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, "INVALID_CHARACTERS");
    assert.equal(response.headers["x-content-type-options"], "nosniff");
  });

  it("a page that needs an account sends a browser to sign in, with the way back", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/probe/signed-in-only", headers: { accept: "text/html" } });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/account/signin?next=${encodeURIComponent("/probe/signed-in-only")}`);
  });
});
