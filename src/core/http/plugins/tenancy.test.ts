import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyRequest } from "fastify";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import type { AppModule } from "../server.js";
import { slugOf } from "./tenancy.js";

// Shows which municipality (and network) the request was resolved to.
const probe: AppModule = {
  name: "tenancy-probe",
  plugin: async (app) => {
    const show = async (request: FastifyRequest) => {
      const municipality = request.requireMunicipality();
      return { slug: municipality.slug, network: request.municipalityNetwork?.slug ?? null };
    };
    app.get("/:slug/probe", show);
    app.get("/api/v1/:slug/probe", show);
    app.get("/probe/anywhere", async (request) => ({ municipality: request.municipality?.slug ?? null }));
  },
};

describe("tenancy plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
    const [network] = await ctx.db.query<{ id: string }>("INSERT INTO network (slug, name) VALUES ('probe-network', 'Probe network') RETURNING id");
    await ctx.db.query("INSERT INTO countries (code, calling_code, currency, network_id) VALUES ('SN', '221', 'XOF', $1)", [network!.id]);
    await ctx.db.query(
      `INSERT INTO municipalities (slug, reference_code, name, country_code, region, time_zone, currency, network_id)
       VALUES ('thies', 'THS', 'Thiès', 'SN', 'Thiès', 'Africa/Dakar', 'XOF', $1)`,
      [network!.id],
    );
  });
  after(() => ctx.close());

  it("resolves the municipality of /{slug}/… with its network", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/thies/probe", headers: { accept: "application/json" } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { slug: "thies", network: "probe-network" });
  });

  it("resolves the municipality of /api/v1/{slug}/…", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/thies/probe?x=1" });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { slug: "thies", network: "probe-network" });
  });

  it("answers 404 NOT_FOUND where the slug names no municipality", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/nowhere/probe" });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, "NOT_FOUND");
  });

  it("leaves the municipality empty on the network's own pages", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/probe/anywhere", headers: { accept: "application/json" } });
    assert.deepEqual(response.json(), { municipality: null });
  });

  it("reads the slug from the address, decoded, and nothing from a malformed escape", () => {
    assert.equal(slugOf("/thies/news?page=2"), "thies");
    assert.equal(slugOf("/api/v1/thies/news"), "thies");
    assert.equal(slugOf("/api/v2/x"), "api");
    assert.equal(slugOf("/th%C3%A8s/"), "thès");
    assert.equal(slugOf("/%E0%A4%A/"), "");
    assert.equal(slugOf("/"), "");
  });
});
