import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import { createSession, createUser } from "../../auth/accounts.js";

const TOKEN = "c".repeat(32);
const choose = (fields: Record<string, string>, cookie = "") => ({
  method: "POST" as const,
  url: "/lang",
  payload: new URLSearchParams({ _csrf: TOKEN, ...fields }).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", cookie: `csrf=${TOKEN}${cookie}` },
});

describe("language-choice plugin (POST /lang)", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [] });
  });
  after(() => ctx.close());

  it("keeps the choice in a year-long HttpOnly cookie and goes back to the page", async () => {
    const response = await ctx.app.inject(choose({ lang: "pt", next: "/rufisque/news" }));
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/rufisque/news");
    const cookie = response.cookies.find((c) => c.name === "lang");
    assert.equal(cookie?.value, "pt");
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.maxAge, 365 * 24 * 3600);
  });

  it("never sends the person to another site", async () => {
    const response = await ctx.app.inject(choose({ lang: "en", next: "//evil.example/" }));
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/");
  });

  it("refuses a language it does not have with 400 VALIDATION", async () => {
    const response = await ctx.app.inject(choose({ lang: "xx" }));
    assert.equal(response.statusCode, 400);
    assert.equal(response.cookies.find((c) => c.name === "lang"), undefined);
  });

  it("keeps the choice on the account of a signed-in person", async () => {
    const user = await createUser(ctx.db, { name: "Mamadou", phone: "+221770008888", email: null, passwordHash: "not-a-hash", locale: "fr" });
    const token = await createSession(ctx.db, user.id);
    const response = await ctx.app.inject(choose({ lang: "en" }, `; sid=${token}`));
    assert.equal(response.statusCode, 303);
    const [row] = await ctx.db.query<{ locale: string }>("SELECT locale FROM users WHERE id = $1", [user.id]);
    assert.equal(row?.locale, "en");
  });
});
