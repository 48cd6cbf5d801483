import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import { byAddress, limitedBy } from "../rate-limits.js";
import type { AppModule } from "../server.js";

// A route counted by address, twice a minute.
const probe: AppModule = {
  name: "rate-probe",
  plugin: async (app) => {
    app.get("/api/v1/probe/limited", { preHandler: limitedBy(app, [{ name: "probe", max: 2, windowMs: 60_000, key: byAddress }]) }, async () => ({ ok: true }));
    app.get("/api/v1/probe/free", async () => ({ ok: true }));
    app.get("/api/v1/probe/settings", async () => app.rateLimitSettings);
  },
};

describe("rate-limits plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe], rateLimits: { signIn: 3, signUp: 4 } });
  });
  after(() => ctx.close());

  it("refuses a counted route past its limit with 429 RATE_LIMITED", async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 3; i++) {
      last = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/limited" });
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.equal(last!.json().code, "RATE_LIMITED");
  });

  it("counts no route that did not ask for it", async () => {
    for (let i = 0; i < 5; i++) assert.equal((await ctx.app.inject({ method: "GET", url: "/api/v1/probe/free" })).statusCode, 200);
  });

  it("hands the configured sign-in and sign-up limits to the account routes", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/settings" });
    assert.deepEqual(response.json(), { signIn: 3, signUp: 4 });
  });
});
