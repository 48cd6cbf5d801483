import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CORE_JOBS, bindJobs } from "../src/core/jobs/index.js";
import { municipalityExports, type ExportEntry } from "../src/core/modules.js";
import { findMunicipalityBySlug } from "../src/core/tenancy/index.js";
import { MODULES } from "../src/modules/index.js";
import { pt, shown } from "./answers.js";
import { Browser, createTestApp, visibleText, type TestContext } from "./helpers.js";

const SRC = path.resolve(import.meta.dirname, "../src");

/** The module folders a file imports, by the path written in its import lines. */
function moduleImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/from "([^"]*\/modules\/[^"]*)"/g)].map((match) => match[1]!);
}

describe("module manifests", () => {
  it("main.ts and the demo seed reach modules only through modules/index.ts", () => {
    const files = [path.join(SRC, "main.ts"), path.join(SRC, "cli.ts"), ...fs.readdirSync(path.join(SRC, "seed")).map((name) => path.join(SRC, "seed", name))];
    for (const file of files) {
      for (const target of moduleImports(file)) assert.match(target, /\/modules\/index\.js$/, `${path.relative(SRC, file)} imports ${target}`);
    }
  });

  it("every declared job kind is led by its owner's name and declared once, core's included", () => {
    const moduleJobs = MODULES.flatMap((module) => (module.jobs ?? []).map((job) => ({ owner: module.name, job })));
    for (const { owner, job } of moduleJobs) assert.ok(job.kind.startsWith(`${owner}.`), `${job.kind} is declared by ${owner}`);
    const reach = { log: console as never, filesDir: "", publicUrl: "", notifier: null as never };
    const { schedules } = bindJobs([...CORE_JOBS, ...moduleJobs.map(({ job }) => job)], reach);
    // The work the platform did before manifests declared it: nothing may be lost on the way.
    assert.deepEqual(schedules, {
      "maintenance.purge": "daily",
      "audit.checkpoint": "daily",
      "participation.announce_phases": { everyMinutes: 10 },
      "eservices.erase_expired": "daily",
    });
  });

  it("every export key is declared once per module", () => {
    for (const module of MODULES) {
      const keys = (module.exports ?? []).map((declared) => declared.key);
      assert.equal(new Set(keys).size, keys.length, `${module.name} declares an export key twice`);
    }
  });
});

describe("open-data exports of a municipality, from the manifests", () => {
  let ctx: TestContext;
  let entries: ExportEntry[];
  before(async () => {
    ctx = await createTestApp();
    const rufisque = await findMunicipalityBySlug(ctx.db, "rufisque");
    entries = await municipalityExports(ctx.db, rufisque!, { modules: MODULES });
  });
  after(() => ctx.close());

  it("lists every export each module declares for the whole municipality, and the files of its public objects", () => {
    const declared = MODULES.flatMap((module) => (module.exports ?? []).filter((item) => item.per === "municipality").map((item) => `${module.name}.${item.key}`));
    assert.ok(declared.length > 0);
    for (const key of declared) assert.ok(entries.some((entry) => entry.key === key), `${key} is not listed`);
    // The demo's published process, its survey with public results and its datasets have their files.
    for (const key of ["participation.proposals", "participation.survey_results", "opendata.datapackage"]) {
      assert.ok(entries.some((entry) => entry.key === key && entry.itemTitle), `no ${key} in Rufisque's demo`);
    }
  });

  it("every listed export answers 200 with its declared media type, to anyone", async () => {
    assert.ok(entries.length >= 10, `only ${entries.length} exports`);
    for (const entry of entries) {
      const response = await ctx.app.inject({ method: "GET", url: entry.path });
      assert.equal(response.statusCode, 200, `${entry.key} ${entry.path}: ${response.statusCode}`);
      const type = String(response.headers["content-type"] ?? "").split(";")[0]!.trim();
      assert.equal(type, entry.mediaType, `${entry.key} ${entry.path}`);
      assert.ok(response.body.length > 0, `${entry.key} ${entry.path} is empty`);
    }
  });

  it("a municipality offering no procedure lists no statistics of procedures, and its services page says why", async () => {
    const kouroussa = await findMunicipalityBySlug(ctx.db, "kouroussa");
    const keys = (await municipalityExports(ctx.db, kouroussa!, { modules: MODULES })).map((entry) => entry.key);
    assert.ok(keys.includes("opendata.catalog_ttl"), "its other exports are listed");
    assert.ok(!keys.includes("eservices.stats"), "no statistics of procedures it does not offer");
    assert.ok(entries.some((entry) => entry.key === "eservices.stats"), "Rufisque, which offers procedures, lists them");
    const page = await new Browser(ctx.app, { "accept-language": "pt" }).get("/kouroussa/services");
    assert.equal(page.statusCode, 200);
    assert.match(visibleText(page.body), shown(pt("eservices.stats.none")));
    assert.doesNotMatch(page.body, /stats\.csv/, "no link to empty statistics");
  });

  it("publishes the catalogue at /api/v1/{slug}/exports, titled in the reader's language", async () => {
    const french = await ctx.app.inject({ method: "GET", url: "/api/v1/rufisque/exports" });
    assert.equal(french.statusCode, 200);
    const body = french.json<{ municipality: string; exports: { key: string; title: string; media_type: string; url: string; item_title?: string }[] }>();
    assert.equal(body.municipality, "rufisque");
    assert.deepEqual(
      body.exports.map((item) => [item.key, item.media_type, item.url]),
      entries.map((entry) => [entry.key, entry.mediaType, `${ctx.config.publicUrl}${entry.path}`]),
    );
    const stats = body.exports.find((item) => item.key === "eservices.stats");
    assert.equal(stats?.title, "Statistiques des démarches en ligne");
    const portuguese = await ctx.app.inject({ method: "GET", url: "/api/v1/rufisque/exports", headers: { "accept-language": "pt" } });
    assert.equal(portuguese.json<typeof body>().exports.find((item) => item.key === "eservices.stats")?.title, "Estatísticas dos serviços em linha");
    assert.equal((await ctx.app.inject({ method: "GET", url: "/api/v1/nowhere/exports" })).statusCode, 404);
  });

  it("lists the municipality's other open files on its open-data page, in its reader's language", async () => {
    const page = await ctx.app.inject({ method: "GET", url: "/rufisque/data", headers: { accept: "text/html" } });
    assert.equal(page.statusCode, 200);
    for (const entry of entries.filter((item) => item.per !== "dataset")) assert.ok(page.body.includes(`href="${entry.path}"`), `${entry.path} is not on the page`);
    assert.ok(page.body.includes("Autres fichiers ouverts de la commune"));
    assert.ok(page.body.includes('href="/api/v1/rufisque/exports"'));
    const english = await ctx.app.inject({ method: "GET", url: "/rufisque/data", headers: { accept: "text/html", "accept-language": "en" } });
    assert.ok(english.body.includes("Calendar of public meetings"));
  });
});
