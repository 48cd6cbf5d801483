import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import { createSession, createUser } from "../../auth/accounts.js";
import type { AppModule } from "../server.js";

// Shows what the request context resolved: the language, its translator, and the person.
const probe: AppModule = {
  name: "context-probe",
  plugin: async (app) => {
    app.get("/api/v1/probe/context", async (request) => ({ locale: request.locale, notFound: request.t("error.not_found"), actor: request.actor?.id ?? null }));
  },
};

describe("request-context plugin", () => {
  let ctx: TestContext;
  let token: string;
  let userId: string;
  const context = async (headers: Record<string, string>) => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/context", headers });
    assert.equal(response.statusCode, 200);
    return { response, body: response.json() as { locale: string; notFound: string; actor: string | null } };
  };

  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
    const user = await createUser(ctx.db, { name: "Awa", phone: "+221770009999", email: null, passwordHash: "not-a-hash", locale: "en" });
    userId = user.id;
    token = await createSession(ctx.db, user.id);
  });
  after(() => ctx.close());

  it("speaks the browser's language (Accept-Language) and says so in Content-Language and Vary", async () => {
    const { response, body } = await context({ "accept-language": "pt-PT,pt;q=0.9,fr;q=0.5" });
    assert.equal(body.locale, "pt");
    assert.equal(response.headers["content-language"], "pt");
    assert.equal(response.headers.vary, "Accept-Language, Cookie");
    const french = await context({});
    assert.equal(french.body.locale, "fr");
    assert.notEqual(french.body.notFound, body.notFound, "the translator follows the language");
  });

  it("prefers the language chosen in the cookie to the browser's", async () => {
    const { response, body } = await context({ "accept-language": "pt", cookie: "lang=en" });
    assert.equal(body.locale, "en");
    assert.equal(response.headers["content-language"], "en");
  });

  it("ignores a cookie naming no language it has", async () => {
    const { body } = await context({ "accept-language": "pt", cookie: "lang=xx" });
    assert.equal(body.locale, "pt");
  });

  it("finds the person of the session cookie, and speaks the account's language when no cookie chose one", async () => {
    const signedIn = await context({ "accept-language": "pt", cookie: `sid=${token}` });
    assert.equal(signedIn.body.actor, userId);
    assert.equal(signedIn.body.locale, "en");
    const chosen = await context({ "accept-language": "pt", cookie: `sid=${token}; lang=pt` });
    assert.equal(chosen.body.locale, "pt");
  });

  it("forgets a session cookie that names no session", async () => {
    const { response, body } = await context({ cookie: "sid=unknown-token" });
    assert.equal(body.actor, null);
    const cleared = response.cookies.find((c) => c.name === "sid");
    assert.ok(cleared, "the stale cookie is cleared");
    assert.equal(cleared.value, "");
  });
});
