import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fieldErrors, fieldReasons, fr, shown } from "./answers.js";
import { purgeAbandonedUploads } from "../src/core/files/index.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

const DATASET = {
  title: "Collecte des ordures par quartier",
  slug: "collecte-ordures",
  description: "Tonnage collecté chaque mois dans chaque quartier.",
  tags: "déchets, Salubrité , déchets",
  licence: "cc-by-4.0",
  frequency: "monthly",
  spatial: "Rufisque",
  temporal_start: "2026-01-01",
  temporal_end: "2026-12-31",
  contact_name: "Service d'hygiène",
  contact_email: "hygiene@rufisque.example",
  language: "fr",
};

describe("open data: catalogue, search and the editor's work", () => {
  let ctx: TestContext;
  let editor: Browser;
  before(async () => {
    ctx = await createTestApp();
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
  });
  after(() => ctx.close());

  it("the network catalogue lists the demo datasets of all seven municipalities, with facets", async () => {
    const page = await new Browser(ctx.app).get("/data");
    const text = visibleText(page.body);
    assert.match(text, shown(fr("opendata.search.count", { count: 35 })));
    assert.match(text, /Rufisque \(5\)/);
    assert.match(text, /Éducation, culture et sport \(7\)/);
    assert.match(text, /CSV \(35\)/);
    assert.match(text, /Open Database License \(ODbL\) 1\.0 \(35\)/);
    assert.match(page.body, new RegExp(`<a href="/data\\?page=2" rel="next">${shown(fr("nav.next")).source}</a>`));
    const second = (await new Browser(ctx.app).get("/data?page=2")).body;
    assert.equal((second.match(/<li><h3>/g) ?? []).length, 15, "20 on the first page, 15 on the second");
    assert.match(second, /rel="prev"/);
  });

  it("search ignores accents, understands French word forms and forgives a typo", async () => {
    const visitor = new Browser(ctx.app);
    // The number in "N datasets", whichever plural form the catalogue gives it.
    const found = new RegExp([1, 2].map((n) => shown(fr("opendata.search.count", { count: n })).source.replace(String(n), "(\\d+)")).join("|"));
    const count = async (url: string) => {
      const match = found.exec(visibleText((await visitor.get(url)).body));
      return Number(match?.[1] ?? match?.[2]);
    };
    assert.equal(await count("/rufisque/data?q=ecole"), 1, "écoles without its accent");
    assert.equal(await count("/rufisque/data?q=naissance"), 1, "singular finds Naissances");
    assert.equal(await count("/rufisque/data?q=budjet"), 1, "a typo in budget");
    assert.equal(await count("/data?theme=EDUC&municipality=labe&municipality=bissau"), 2, "schools in Labé and escolas in Bissau");
    assert.equal(await count("/rufisque/data?theme=EDUC&theme=ECON"), 3, "any of the chosen themes");
    assert.equal(await count("/rufisque/data?theme=EDUC&tag=budget"), 0, "all filters together");
    const hostile = await visitor.get(`/rufisque/data?q=${encodeURIComponent("'); DROP TABLE datasets;--")}&tag=${encodeURIComponent("x' OR 1=1 --")}`);
    assert.equal(hostile.statusCode, 200);
    assert.equal(await count("/data"), 35, "the table is still there");
  });

  it("a visitor reads a dataset page and downloads its CSV as a file", async () => {
    const visitor = new Browser(ctx.app);
    const page = await visitor.get("/labe/data/ecoles");
    const text = visibleText(page.body);
    assert.match(text, /Écoles publiques de Labé/);
    assert.match(text, /ecoles\.csv \(CSV, 1 Ko\)/);
    assert.match(text, /Version 1/);
    const link = /href="(\/labe\/data\/ecoles\/resources\/[0-9a-f-]+\/download)"/.exec(page.body)![1]!;
    const download = await visitor.get(link);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers["content-type"], "text/csv; charset=utf-8");
    assert.match(String(download.headers["content-disposition"]), /^attachment; filename\*=UTF-8''ecoles\.csv$/);
    assert.match(download.body, /^ecole,niveau,quartier,classes,eleves_filles,eleves_garcons\r\n/);
  });

  it("an editor describes a dataset; mistakes come back on the form with everything kept", async () => {
    const invalid = await editor.post("/rufisque/admin/data", { ...DATASET, slug: "ecoles", licence: "", temporal_end: "2025-12-31", contact_email: "pas-un-email" });
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual(fieldErrors(invalid.body), { licence: "form.required", temporal_end: "opendata.error.period", contact_email: "auth.error.invalid_email" });
    // The words themselves, once, so that the catalogue is known to reach the form.
    assert.match(visibleText(invalid.body), /La fin de la période doit suivre son début\./);
    assert.match(invalid.body, /value="Collecte des ordures par quartier"/);
    const taken = await editor.post("/rufisque/admin/data", { ...DATASET, slug: "ecoles" });
    assert.equal(taken.statusCode, 400);
    assert.deepEqual(fieldReasons(taken.body), { slug: "DATASET_SLUG_TAKEN" });
  });

  it("an editor creates a dataset, adds a link and a CSV, publishes it, and every published change is a version", async () => {
    const created = await editor.post("/rufisque/admin/data", { ...DATASET, themes: "ENVI" });
    assert.equal(created.statusCode, 303);
    const id = await idOf(ctx.db, "SELECT id FROM datasets WHERE slug = 'collecte-ordures'", []);
    assert.equal(created.headers.location, `/rufisque/admin/data/${id}/edit`);
    const [row] = await ctx.db.query<{ tags: string[]; themes: string[] }>("SELECT tags, themes FROM datasets WHERE id = $1", [id]);
    assert.deepEqual(row, { tags: ["déchets", "salubrité"], themes: ["ENVI"] });
    assert.equal((await new Browser(ctx.app).get("/rufisque/data/collecte-ordures")).statusCode, 404, "a draft is not public");

    const early = await editor.post(`/rufisque/admin/data/${id}/publish`);
    assert.equal(early.statusCode, 400);
    assert.deepEqual(fieldReasons(early.body), { resources: "DATASET_WITHOUT_RESOURCE" });

    const both = await editor.postMultipart(`/rufisque/admin/data/${id}/resources`, { name: "Données", url: "https://example.org/x.csv", format: "csv" }, { field: "file", filename: "x.csv", data: Buffer.from("a,b\n1,2\n") });
    assert.equal(both.statusCode, 400);
    assert.deepEqual(fieldErrors(both.body), { url: "opendata.error.file_or_link" });
    const badLink = await editor.postMultipart(`/rufisque/admin/data/${id}/resources`, { name: "Données", url: "javascript:alert(1)", format: "html" });
    assert.equal(badLink.statusCode, 400);

    assert.equal((await editor.postMultipart(`/rufisque/admin/data/${id}/resources`, { name: "Tableau de bord national", url: "https://example.org/dechets", format: "html" })).statusCode, 303);
    const csv = "quartier,mois,tonnes\nCentre,2026-01,42\nNord,2026-01,37\n";
    assert.equal((await editor.postMultipart(`/rufisque/admin/data/${id}/resources`, { name: "Tonnages 2026" }, { field: "file", filename: "tonnages-2026.csv", data: Buffer.from(csv), type: "text/csv" })).statusCode, 303);
    assert.equal((await editor.post(`/rufisque/admin/data/${id}/publish`)).statusCode, 303);

    const visitor = new Browser(ctx.app);
    const page = visibleText((await visitor.get("/rufisque/data/collecte-ordures")).body);
    assert.match(page, /Tonnages 2026 \(CSV, 1 Ko\)/);
    assert.match(page, /Tableau de bord national \(HTML\)/);
    assert.match(page, /Creative Commons Attribution 4\.0/);
    assert.match(visibleText((await visitor.get("/rufisque/data?q=ordures")).body), /Collecte des ordures par quartier/);

    assert.equal((await editor.post(`/rufisque/admin/data/${id}`, { ...DATASET, title: "Collecte des déchets par quartier", themes: "ENVI" })).statusCode, 303);
    const versions = await ctx.db.query<{ version: number; changed: string[] }>("SELECT version, changed FROM dataset_versions WHERE dataset_id = $1 ORDER BY version", [id]);
    assert.deepEqual(versions, [
      { version: 1, changed: ["status"] },
      { version: 2, changed: ["title"] },
    ]);
    assert.match(visibleText((await visitor.get("/rufisque/data/collecte-ordures")).body), /Version 2, .* par Rédaction Rufisque : titre/);
    const actions = await ctx.db.query<{ action: string }>("SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq", [id]);
    assert.deepEqual(actions.map((a) => a.action), ["opendata.dataset.create", "opendata.resource.add", "opendata.resource.add", "opendata.dataset.publish", "opendata.dataset.edit"]);
  });

  it("a file added without a name is named after its file; a good file is kept when the form comes back with an error", async () => {
    assert.equal((await editor.post("/rufisque/admin/data", { ...DATASET, slug: "releves-pluie", title: "Relevés de pluie" })).statusCode, 303);
    const id = await idOf(ctx.db, "SELECT id FROM datasets WHERE slug = 'releves-pluie'", []);
    const resources = `/rufisque/admin/data/${id}/resources`;
    const csv = (text: string) => ({ field: "file", filename: "releves_pluie-2026.csv", data: Buffer.from(text), type: "text/csv" });

    assert.equal((await editor.postMultipart(resources, { name: "" }, csv("jour,mm\n2026-07-01,12\n"))).statusCode, 303);
    const names = async () => (await ctx.db.query<{ name: string }>("SELECT name FROM dataset_resources WHERE dataset_id = $1 ORDER BY created_at, name", [id])).map((row) => row.name);
    assert.deepEqual(await names(), ["Releves pluie 2026"], "the file's name, without its extension, separators as spaces");
    const nameless = await editor.postMultipart(resources, { name: "", url: "https://example.org/pluie", format: "html" });
    assert.equal(nameless.statusCode, 400);
    assert.deepEqual(fieldErrors(nameless.body), { name: "form.required" }, "a link has no file name to lend: its name is asked for");

    // Another field is wrong: the file is kept, the name it will take is shown, nothing is added yet.
    const wrong = await editor.postMultipart(resources, { name: "", format: "c;sv" }, { ...csv("jour,mm\n2026-08-01,30\n"), filename: "aout.csv" });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(fieldErrors(wrong.body), { format: "form.invalid_format" });
    const keptId = /name="file\.keep" value="([0-9a-f-]{36})" checked/.exec(wrong.body)?.[1];
    assert.ok(keptId, "the form carries the kept file");
    assert.match(visibleText(wrong.body), shown(fr("form.file.keep", { name: "aout.csv" })));
    assert.match(wrong.body, /name="name"[^>]* value="Aout"/);
    assert.deepEqual(await names(), ["Releves pluie 2026"]);

    // Nobody else can use it: not another member of staff of Rufisque, not Labé's editor on Labé's data.
    const administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.rufisque.administrator);
    const stolen = await administrator.postMultipart(resources, { name: "", "file.keep": keptId });
    assert.equal(stolen.statusCode, 400);
    assert.deepEqual(fieldErrors(stolen.body), { name: "form.required", file: "opendata.error.file_or_link" }, "to them there is no file");
    const labe = new Browser(ctx.app);
    await labe.signIn(DEMO.labe.editor);
    const labeDataset = await idOf(ctx.db, "SELECT d.id FROM datasets d JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'labe' AND d.slug = 'ecoles'", []);
    assert.deepEqual(fieldErrors((await labe.postMultipart(`/labe/admin/data/${labeDataset}/resources`, { name: "x", "file.keep": keptId })).body), { file: "opendata.error.file_or_link" });

    // Corrected, sent without choosing the file again: the kept file is the resource's, and no longer pending.
    assert.equal((await editor.postMultipart(resources, { name: "", format: "", "file.keep": keptId })).statusCode, 303);
    assert.deepEqual(await names(), ["Releves pluie 2026", "Aout"]);
    const [resource] = await ctx.db.query<{ file_id: string }>("SELECT file_id FROM dataset_resources WHERE dataset_id = $1 AND name = 'Aout'", [id]);
    assert.equal(resource?.file_id, keptId);
    assert.equal((await ctx.db.query("SELECT 1 FROM stored_files WHERE id = $1 AND pending_for IS NOT NULL", [keptId])).length, 0);
    const [{ rows } = { rows: 0 }] = await ctx.db.query<{ rows: number }>("SELECT row_count AS rows FROM datastore_tables t JOIN dataset_resources r ON r.id = t.resource_id WHERE r.file_id = $1", [keptId]);
    assert.equal(Number(rows), 1, "its table is loaded as if it had been chosen again");

    // A form never sent again: its file is purged after a day.
    const abandoned = await editor.postMultipart(resources, { name: "", format: "c;sv" }, { ...csv("jour,mm\n2026-09-01,3\n"), filename: "septembre.csv" });
    const abandonedId = /name="file\.keep" value="([0-9a-f-]{36})"/.exec(abandoned.body)![1]!;
    await ctx.db.query("UPDATE stored_files SET pending_since = now() - interval '25 hours' WHERE id = $1", [abandonedId]);
    assert.equal(await purgeAbandonedUploads(ctx.db, ctx.config.filesDir), 1);
    assert.equal((await ctx.db.query("SELECT 1 FROM stored_files WHERE id = $1", [abandonedId])).length, 0);
    assert.equal((await ctx.db.query("SELECT 1 FROM stored_files WHERE id = $1", [keptId])).length, 1, "a kept file put to use is not purged");
  });

  it("another municipality's editor reaches neither the drafts nor the back office of Rufisque's data", async () => {
    const draft = await editor.post("/rufisque/admin/data", { ...DATASET, slug: "brouillon-interne", title: "Brouillon interne" });
    assert.equal(draft.statusCode, 303);
    const id = await idOf(ctx.db, "SELECT id FROM datasets WHERE slug = 'brouillon-interne'", []);
    const labe = new Browser(ctx.app);
    await labe.signIn(DEMO.labe.editor);
    assert.equal((await labe.get("/rufisque/data/brouillon-interne")).statusCode, 404);
    assert.equal((await labe.get("/rufisque/admin/data")).statusCode, 403);
    assert.equal((await labe.get(`/labe/admin/data/${id}/edit`)).statusCode, 404);
    assert.equal((await labe.post(`/labe/admin/data/${id}/publish`)).statusCode, 404);
    assert.doesNotMatch(visibleText((await labe.get("/data?q=brouillon")).body), /Brouillon interne/);
    assert.equal((await ctx.db.query<{ status: string }>("SELECT status FROM datasets WHERE id = $1", [id]))[0]?.status, "draft");
  });

  it("titles with markup are shown as text in lists and pages", async () => {
    await editor.post("/rufisque/admin/data", { ...DATASET, slug: "balise", title: "<script>alert(1)</script> Données" });
    const id = await idOf(ctx.db, "SELECT id FROM datasets WHERE slug = 'balise'", []);
    await editor.postMultipart(`/rufisque/admin/data/${id}/resources`, { name: "<b>x</b>", url: "https://example.org/", format: "html" });
    await editor.post(`/rufisque/admin/data/${id}/publish`);
    for (const url of ["/rufisque/data", "/rufisque/data/balise", "/data"]) {
      const body = (await new Browser(ctx.app).get(url)).body;
      assert.doesNotMatch(body, /<script>alert|<b>x<\/b>/, url);
    }
  });
});
