import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";

describe("offline plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [] });
  });
  after(() => ctx.close());

  it("serves the service worker from the root, allowed to control every page and never cached stale", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/sw.js" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/javascript/);
    assert.equal(response.headers["service-worker-allowed"], "/");
    assert.equal(response.headers["cache-control"], "no-cache");
    assert.ok(response.body.length > 0);
  });

  it("serves the script that registers it, cacheable for an hour", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/assets/offline.js" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/javascript/);
    assert.equal(response.headers["cache-control"], "public, max-age=3600");
  });

  it("renders the offline page in the person's language", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/offline?outbox=1", headers: { accept: "text/html", "accept-language": "en" } });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/html/);
    assert.equal(response.headers["content-language"], "en");
    assert.match(response.body, /<html[^>]*lang="en"/);
  });
});
