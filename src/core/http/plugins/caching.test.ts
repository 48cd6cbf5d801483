import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import { createSession, createUser } from "../../auth/accounts.js";
import type { AppModule } from "../server.js";

const MODIFIED = new Date("2026-11-20T08:30:00Z");

// Answers built from different things: the URL alone, the person, the language, a stream.
const probe: AppModule = {
  name: "caching-probe",
  plugin: async (app) => {
    app.get("/api/v1/probe/plain", async () => ({ same: "for everyone" }));
    app.post("/api/v1/probe/plain", async () => ({ same: "for everyone" }));
    app.get("/api/v1/probe/person", async (request) => ({ signedIn: request.actor !== null }));
    app.get("/api/v1/probe/words", async (request) => ({ text: request.t("error.not_found") }));
    app.get("/api/v1/probe/dated", async (_request, reply) => reply.header("last-modified", MODIFIED.toUTCString()).send({ dated: true }));
    app.get("/api/v1/probe/kept-an-hour", async (_request, reply) => reply.header("cache-control", "public, max-age=3600").send({ kept: true }));
  },
};

describe("caching plugin", () => {
  let ctx: TestContext;
  let session: string;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
    const user = await createUser(ctx.db, { name: "Fatou", phone: "+221770007777", email: null, passwordHash: "not-a-hash", locale: "fr" });
    session = await createSession(ctx.db, user.id);
  });
  after(() => ctx.close());

  const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: "GET", url, headers });

  it("gives a full answer an ETag and answers the same ETag in If-None-Match with 304 and no body", async () => {
    const first = await get("/api/v1/probe/plain");
    assert.equal(first.statusCode, 200);
    const etag = first.headers.etag as string;
    assert.match(etag, /^W\/"[A-Za-z0-9_-]+"$/);
    assert.equal((await get("/api/v1/probe/plain")).headers.etag, etag, "the same answer has the same ETag");

    const again = await get("/api/v1/probe/plain", { "if-none-match": etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, "");
    assert.equal(again.headers.etag, etag);
    // A list of tags, and the strong form of a weak tag, match too (weak comparison).
    assert.equal((await get("/api/v1/probe/plain", { "if-none-match": `"other", ${etag.slice(2)}` })).statusCode, 304);
    assert.equal((await get("/api/v1/probe/plain", { "if-none-match": '"other"' })).statusCode, 200);
    const head = await ctx.app.inject({ method: "HEAD", url: "/api/v1/probe/plain", headers: { "if-none-match": etag } });
    assert.equal(head.statusCode, 304);
  });

  it("answers If-Modified-Since with 304 where the route says when its content changed", async () => {
    const later = new Date(MODIFIED.getTime() + 60_000).toUTCString();
    const earlier = new Date(MODIFIED.getTime() - 60_000).toUTCString();
    assert.equal((await get("/api/v1/probe/dated", { "if-modified-since": later })).statusCode, 304);
    assert.equal((await get("/api/v1/probe/dated", { "if-modified-since": MODIFIED.toUTCString() })).statusCode, 304);
    assert.equal((await get("/api/v1/probe/dated", { "if-modified-since": earlier })).statusCode, 200);
    assert.equal((await get("/api/v1/probe/dated", { "if-modified-since": "not a date" })).statusCode, 200);
    // If-None-Match, when sent, decides alone (RFC 9110 §13.1.3).
    assert.equal((await get("/api/v1/probe/dated", { "if-modified-since": later, "if-none-match": '"other"' })).statusCode, 200);
  });

  it("lets any cache keep an answer built from the URL alone, and says it varies on nothing of the person", async () => {
    const response = await get("/api/v1/probe/plain", { cookie: "lang=pt", "accept-language": "en" });
    assert.equal(response.headers["cache-control"], "public, max-age=300");
    assert.doesNotMatch(String(response.headers.vary ?? ""), /cookie|accept-language/i);
    assert.equal(response.headers["content-language"], undefined);
  });

  it("varies on the language's headers only when the answer speaks a language, and not when the URL chose it", async () => {
    const negotiated = await get("/api/v1/probe/words", { "accept-language": "pt" });
    assert.equal(negotiated.headers["content-language"], "pt");
    assert.match(String(negotiated.headers.vary), /Accept-Language/);
    assert.match(String(negotiated.headers.vary), /Cookie/);
    const chosen = await get("/api/v1/probe/words?lang=en", { "accept-language": "pt", cookie: "lang=pt" });
    assert.equal(chosen.headers["content-language"], "en");
    assert.notEqual(chosen.json().text, negotiated.json().text);
    assert.doesNotMatch(String(chosen.headers.vary ?? ""), /accept-language|cookie/i);
  });

  it("keeps what a signed-in person sees out of every cache, and varies on the cookie where the person was asked for", async () => {
    const anonymous = await get("/api/v1/probe/person");
    assert.equal(anonymous.headers["cache-control"], "public, max-age=300");
    assert.match(String(anonymous.headers.vary), /Cookie/);
    const signedIn = await get("/api/v1/probe/person", { cookie: `sid=${session}` });
    assert.equal(signedIn.json().signedIn, true);
    assert.equal(signedIn.headers["cache-control"], "private, no-store");
    assert.match(String(signedIn.headers.vary), /Cookie/);
  });

  it("keeps a route's own rule, unless the answer sets a cookie", async () => {
    assert.equal((await get("/api/v1/probe/kept-an-hour")).headers["cache-control"], "public, max-age=3600");
    const stale = await get("/api/v1/probe/kept-an-hour", { cookie: "sid=no-such-session" });
    assert.ok(stale.cookies.some((cookie) => cookie.name === "sid"), "the stale session cookie is cleared");
    assert.equal(stale.headers["cache-control"], "private, no-store");
  });

  it("never answers 304 to a write, nor gives an error an ETag", async () => {
    const etag = (await get("/api/v1/probe/plain")).headers.etag as string;
    const write = await ctx.app.inject({ method: "POST", url: "/api/v1/probe/plain", payload: "{}", headers: { "content-type": "application/json", "if-none-match": etag } });
    assert.equal(write.statusCode, 200);
    assert.equal(write.headers.etag, undefined);
    const missing = await get("/api/v1/probe/none");
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers.etag, undefined);
  });
});
