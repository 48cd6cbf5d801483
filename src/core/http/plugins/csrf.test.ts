import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import type { AppModule } from "../server.js";

// A write that does nothing: what answers is the CSRF check in front of it.
const probe: AppModule = {
  name: "csrf-probe",
  plugin: async (app) => {
    app.post("/api/v1/probe/write", async () => ({ written: true }));
    app.get("/api/v1/probe/token", async (request) => ({ token: request.csrfToken }));
  },
};

const TOKEN = "a".repeat(32);
const form = (fields: Record<string, string>, cookie: string) => ({
  method: "POST" as const,
  url: "/api/v1/probe/write",
  payload: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", cookie },
});

describe("CSRF plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
  });
  after(() => ctx.close());

  it("refuses a form without its token with 403 CSRF", async () => {
    const response = await ctx.app.inject(form({ title: "x" }, `csrf=${TOKEN}`));
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, "CSRF");
  });

  it("refuses a form whose token is not the cookie's", async () => {
    const response = await ctx.app.inject(form({ _csrf: "b".repeat(32) }, `csrf=${TOKEN}`));
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, "CSRF");
  });

  it("accepts a form that echoes the cookie's token, in the body or the header", async () => {
    assert.equal((await ctx.app.inject(form({ _csrf: TOKEN }, `csrf=${TOKEN}`))).statusCode, 200);
    const byHeader = form({}, `csrf=${TOKEN}`);
    const response = await ctx.app.inject({ ...byHeader, headers: { ...byHeader.headers, "x-csrf-token": TOKEN } });
    assert.equal(response.statusCode, 200);
  });

  it("lets a JSON request without a session cookie through without a token", async () => {
    const response = await ctx.app.inject({ method: "POST", url: "/api/v1/probe/write", payload: "{}", headers: { "content-type": "application/json" } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { written: true });
  });

  it("asks a JSON request sent with a session cookie for the token as a header", async () => {
    const request = { method: "POST" as const, url: "/api/v1/probe/write", payload: "{}", headers: { "content-type": "application/json", cookie: `sid=whatever; csrf=${TOKEN}` } };
    const refused = await ctx.app.inject(request);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, "CSRF");
    const accepted = await ctx.app.inject({ ...request, headers: { ...request.headers, "x-csrf-token": TOKEN } });
    assert.equal(accepted.statusCode, 200);
  });

  it("gives a browser without a valid token a new HttpOnly one, and keeps a valid one", async () => {
    const fresh = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/token" });
    const cookie = fresh.cookies.find((c) => c.name === "csrf");
    assert.ok(cookie, "a csrf cookie is set");
    assert.equal(cookie.httpOnly, true);
    assert.match(cookie.value, /^[A-Za-z0-9_-]{32,64}$/);
    assert.equal(fresh.json().token, cookie.value);

    const kept = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/token", headers: { cookie: `csrf=${TOKEN}` } });
    assert.equal(kept.cookies.find((c) => c.name === "csrf"), undefined);
    assert.equal(kept.json().token, TOKEN);

    const malformed = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/token", headers: { cookie: "csrf=short" } });
    const replaced = malformed.cookies.find((c) => c.name === "csrf");
    assert.ok(replaced);
    assert.notEqual(replaced.value, "short");
    assert.equal(malformed.json().token, replaced.value);
  });
});
