import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { ckanActions } from "../src/modules/opendata/api.js";
import { CKAN_ACTION_DOCS } from "../src/modules/opendata/openapi.js";
import { createTestApp, type TestContext } from "./helpers.js";

const run = promisify(execFile);

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
}

describe("the OpenAPI description of the machine interfaces", () => {
  let ctx: TestContext;
  let document: OpenApiDocument;
  const operations = () => Object.entries(document.paths).flatMap(([url, item]) => Object.entries(item).map(([method, operation]) => ({ url, method, operation })));

  before(async () => {
    ctx = await createTestApp({ seed: false });
    const response = await ctx.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    assert.equal(response.statusCode, 200);
    document = response.json() as OpenApiDocument;
  });
  after(() => ctx.close());

  it("passes redocly lint with the recommended rules: no error, no warning", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-openapi-"));
    try {
      const file = path.join(dir, "openapi.json");
      fs.writeFileSync(file, JSON.stringify(document));
      // The repository's redocly.yaml (extends: recommended); no telemetry: the tests run offline.
      const { stdout } = await run("node_modules/.bin/redocly", ["lint", file, "--format=json", "--config=redocly.yaml"], {
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
      const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
      assert.deepEqual(
        report.problems.map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`),
        [],
      );
      assert.deepEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("describes every CKAN action the API answers as its own path, with its parameters and CKAN's envelope", () => {
    const names = ckanActions().map((action) => action.name);
    assert.ok(names.includes("package_search") && names.includes("datastore_search"));
    const undescribed = names.filter((name) => !CKAN_ACTION_DOCS[name]);
    assert.deepEqual(undescribed, [], "each action needs an entry in CKAN_ACTION_DOCS (src/modules/opendata/openapi.ts)");
    for (const name of names) {
      const item = document.paths[`/api/3/action/${name}`];
      assert.ok(item?.get && item.post, name);
      assert.deepEqual(item.get.parameters?.map((parameter) => parameter.name), CKAN_ACTION_DOCS[name]!.parameters.map((parameter) => parameter.name));
      const envelope = (item.get.responses["200"]!.content!["application/json"] as { schema: { properties: Record<string, unknown> } }).schema;
      assert.deepEqual(Object.keys(envelope.properties), ["help", "success", "result"]);
      // CKAN's errors are never problem+json.
      assert.ok(item.get.responses["409"]!.content!["application/json"], name);
    }
    const search = document.paths["/api/3/action/package_search"]!.get!.parameters!.map((parameter) => parameter.name);
    for (const parameter of ["q", "fq", "rows", "start", "sort"]) assert.ok(search.includes(parameter), parameter);
    // The generic routes are not paths of their own.
    assert.equal(document.paths["/api/3/action/{name}"], undefined);
    assert.equal(document.paths["/api/action/{name}"], undefined);
  });

  it("describes every route of the JSON API, DCAT, the data packages and the calendar feeds, and no HTML page or form", () => {
    const registered = ctx.app.routeTable.map((route) => ({ method: route.method.toLowerCase(), url: route.url.replace(/:([a-z_]+)/gi, "{$1}") }));
    const machine = registered.filter(({ url }) => (url.startsWith("/api/v1/") && url !== "/api/v1/openapi.json") || /\.(ttl|jsonld|ics)$|datapackage\.json$/.test(url));
    assert.ok(machine.length >= 20);
    for (const { method, url } of machine) assert.ok(document.paths[url]?.[method], `${method.toUpperCase()} ${url} is described`);
    for (const url of Object.keys(document.paths)) {
      assert.ok(!url.includes("/admin") && !url.startsWith("/account") && !url.startsWith("/lab"), `${url} is a page, not a machine interface`);
    }
    assert.equal(document.paths["/{slug}/meetings"], undefined);
    assert.equal(document.paths["/healthz"], undefined);
  });

  it("gives each operation an operationId and a summary, and problem+json errors on the JSON API", () => {
    const ids = new Set<string>();
    for (const { url, method, operation } of operations()) {
      assert.ok(operation.operationId, `${method} ${url}: operationId`);
      assert.ok(!ids.has(operation.operationId), `${operation.operationId} is unique`);
      ids.add(operation.operationId);
      assert.ok(operation.summary, `${method} ${url}: summary`);
      const errors = Object.keys(operation.responses).filter((status) => /^4/.test(status));
      assert.ok(errors.length > 0, `${method} ${url}: its errors`);
      if (url.startsWith("/api/v1/")) for (const status of errors) assert.ok(operation.responses[status]!.content!["application/problem+json"], `${method} ${url} ${status} is problem+json`);
    }
  });

  it("names the session cookie as the security scheme, and lets public endpoints ask for nothing", () => {
    assert.deepEqual(document.components.securitySchemes.session, { ...document.components.securitySchemes.session, type: "apiKey", in: "cookie", name: "sid" });
    for (const { url, method, operation } of operations()) {
      if (method === "get") assert.deepEqual(operation.security, [], `${url} needs no credentials`);
    }
    assert.deepEqual(document.paths["/api/v1/{slug}/news"]!.post!.security, [{ session: [], csrf: [] }]);
  });
});
