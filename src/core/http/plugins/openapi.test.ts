import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import type { AppModule } from "../server.js";

// A module registered after the plugin, as every module is.
const probe: AppModule = {
  name: "openapi-probe",
  plugin: async (app) => {
    app.get("/api/v1/probe/items", { schema: { tags: ["probe"], summary: "Items of the probe", response: { 200: Type.Object({ data: Type.Array(Type.String()) }) } } }, async () => ({ data: [] }));
    app.get("/api/v1/probe/hidden", { schema: { hide: true } }, async () => ({}));
  },
};

describe("openapi plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
  });
  after(() => ctx.close());

  it("describes the API at /api/v1/openapi.json with the routes modules register later, hidden ones left out", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    assert.equal(response.statusCode, 200);
    const document = response.json() as { openapi: string; info: { title: string }; paths: Record<string, { get?: { summary?: string } }> };
    assert.match(document.openapi, /^3\./);
    assert.equal(document.info.title, "Cité Ouverte API");
    assert.equal(document.paths["/api/v1/probe/items"]?.get?.summary, "Items of the probe");
    assert.equal(document.paths["/api/v1/probe/hidden"], undefined);
    assert.equal(document.paths["/api/v1/openapi.json"], undefined);
  });
});
