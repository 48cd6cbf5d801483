import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import type { AppModule } from "../server.js";

const probe: AppModule = {
  name: "flash-probe",
  plugin: async (app) => {
    app.get("/probe/saved", async (_request, reply) => reply.redirectWithFlash("/probe/next", { kind: "success", key: "portal.flash.news_saved" }));
    app.get("/api/v1/probe/flash", async (request) => ({ flash: request.flash }));
    app.post("/api/v1/probe/flash", async (request) => ({ flash: request.flash }));
  },
};

describe("flash plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
  });
  after(() => ctx.close());

  it("redirects with 303 and keeps the message key a minute in an HttpOnly cookie", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/probe/saved" });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/probe/next");
    const cookie = response.cookies.find((c) => c.name === "flash");
    assert.equal(cookie?.value, "success:portal.flash.news_saved");
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.maxAge, 60);
  });

  it("shows the message on the next GET and forgets it", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/flash", headers: { cookie: "flash=success:portal.flash.news_saved" } });
    assert.deepEqual(response.json(), { flash: { kind: "success", key: "portal.flash.news_saved" } });
    assert.equal(response.cookies.find((c) => c.name === "flash")?.value, "");
  });

  it("ignores a message of an unknown kind, and keeps the message past a write", async () => {
    const forged = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/flash", headers: { cookie: "flash=script:x" } });
    assert.deepEqual(forged.json(), { flash: null });
    const write = await ctx.app.inject({ method: "POST", url: "/api/v1/probe/flash", payload: "{}", headers: { "content-type": "application/json", cookie: "flash=success:portal.flash.news_saved" } });
    assert.deepEqual(write.json(), { flash: null });
    assert.equal(write.cookies.find((c) => c.name === "flash"), undefined);
  });
});
