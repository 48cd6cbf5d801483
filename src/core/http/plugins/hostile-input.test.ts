import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import type { AppModule } from "../server.js";

// Answers the body the handler would have worked on.
const probe: AppModule = {
  name: "hostile-probe",
  plugin: async (app) => {
    app.get("/api/v1/probe/search", async (request) => ({ query: request.query }));
    app.post("/api/v1/probe/echo", async (request) => ({ body: request.body }));
  },
};

const json = (payload: string) => ({ method: "POST" as const, url: "/api/v1/probe/echo", payload, headers: { "content-type": "application/json" } });

describe("hostile-input plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
  });
  after(() => ctx.close());

  it("refuses a NUL or bytes that are not UTF-8 in the address with 400 INVALID_CHARACTERS", async () => {
    for (const url of ["/api/v1/probe/search?q=a%00b", "/api/v1/probe/search?q=%FF", "/api/v1/probe/search?q=%ED%A0%80"]) {
      const response = await ctx.app.inject({ method: "GET", url });
      assert.equal(response.statusCode, 400, url);
      assert.equal(response.json().code, "INVALID_CHARACTERS", url);
    }
    const plain = await ctx.app.inject({ method: "GET", url: "/api/v1/probe/search?q=100%" });
    assert.equal(plain.statusCode, 200);
  });

  it("refuses a NUL or a lone surrogate anywhere in a body, keys included", async () => {
    for (const payload of ['{"title":"a\\u0000b"}', '{"list":["\\ud800"]}', '{"a\\u0000":1}']) {
      const response = await ctx.app.inject(json(payload));
      assert.equal(response.statusCode, 400, payload);
      assert.equal(response.json().code, "INVALID_CHARACTERS", payload);
    }
  });

  it("gives a write without a body an empty form, and refuses a body that is not an object", async () => {
    const empty = await ctx.app.inject(json("null"));
    assert.equal(empty.statusCode, 200);
    assert.deepEqual(empty.json(), { body: {} });
    const list = await ctx.app.inject(json("[1,2]"));
    assert.equal(list.statusCode, 400);
    assert.equal(list.json().code, "VALIDATION");
  });

  it("refuses a multipart body without a boundary with 400 MALFORMED_BODY", async () => {
    const response = await ctx.app.inject({ method: "POST", url: "/api/v1/probe/echo", payload: "x", headers: { "content-type": "multipart/form-data", accept: "application/json" } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, "MALFORMED_BODY");
  });
});
