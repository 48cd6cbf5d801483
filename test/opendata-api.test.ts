import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import jsonld from "jsonld";
import { Parser, Store, type Quad } from "n3";
import SHACLValidator from "rdf-validate-shacl";
import type { LightMyRequestResponse } from "fastify";
import { storeFile } from "../src/core/files/index.js";
import { insertMunicipality, type Municipality } from "../src/core/tenancy/index.js";
import { insertDataset, insertResource, setDatasetStatus, type DatasetInput } from "../src/modules/opendata/store.js";
import { createTestApp, type TestContext } from "./helpers.js";
import { EMPTY_DATASET as BASE } from "./factories.js";

const SHAPES_3 = "/work/shared/reference/dcat-ap/dcat-ap-3.0.0-SHACL.ttl";

const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const DCAT = "http://www.w3.org/ns/dcat#";
const DCT = "http://purl.org/dc/terms/";
const XSD = "http://www.w3.org/2001/XMLSchema#";

interface Envelope {
  help: string;
  success: boolean;
  result?: unknown;
  error?: { __type: string; message: string };
}

// Loosely typed views of CKAN dicts, enough for assertions.
type Dict = Record<string, unknown> & { id: string; name: string };
type Package = Dict & { resources: (Dict & { url: string; size: number | null })[]; tags: Dict[]; groups: Dict[]; organization: Dict; extras: { key: string; value: string }[] };
interface SearchResult {
  count: number;
  results: Package[];
  facets: Record<string, Record<string, number>>;
  search_facets: Record<string, { title: string; items: { name: string; display_name: string; count: number }[] }>;
}

describe("open data machine interfaces: CKAN API, DCAT-AP catalogues, data packages", () => {
  let ctx: TestContext;
  let alpha: Municipality;
  let beta: Municipality;
  const ids: Record<string, string> = {};
  /** Every body any endpoint answered, to prove the draft never leaked anywhere. */
  const bodies: string[] = [];

  async function get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await ctx.app.inject({ method: "GET", url, headers: { accept: "application/json", ...headers } });
    bodies.push(response.body);
    return response;
  }

  async function action(name: string, params: Record<string, string> = {}): Promise<{ status: number; body: Envelope }> {
    const response = await get(`/api/3/action/${name}?${new URLSearchParams(params).toString()}`);
    assert.match(response.headers["content-type"] as string, /^application\/json/);
    return { status: response.statusCode, body: response.json() as Envelope };
  }

  async function ok<T>(name: string, params: Record<string, string> = {}): Promise<T> {
    const { status, body } = await action(name, params);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.success, true);
    assert.equal(body.help, `http://localhost:3000/api/3/action/help_show?name=${name}`);
    return body.result as T;
  }

  async function search(params: Record<string, string>): Promise<SearchResult> {
    return ok<SearchResult>("package_search", params);
  }

  before(async () => {
    ctx = await createTestApp({ seed: false });
    const { db } = ctx;
    const [network] = await db.query<{ id: string }>("INSERT INTO network (slug, name, description) VALUES ('reseau', $1, $2) RETURNING id", [
      'Réseau "Test" \\ ouvert',
      "Données ouvertes du réseau.\nDeuxième ligne.",
    ]);
    await db.query("INSERT INTO countries (code, calling_code, currency, network_id) VALUES ('SN', '221', 'XOF', $1)", [network!.id]);
    const common = { countryCode: "SN", region: "Dakar", timeZone: "Africa/Dakar", languages: ["fr", "pt"] };
    alpha = await insertMunicipality(db, { ...common, slug: "alpha", referenceCode: "ALP", name: 'Alpha "la belle"', description: "" }, network!.id);
    beta = await insertMunicipality(db, { ...common, slug: "beta", referenceCode: "BET", name: "Beta", description: "Commune de Beta" }, network!.id);
    const [user] = await db.query<{ id: string }>("INSERT INTO users (name, email, password_hash) VALUES ('Éditrice', 'editrice@example.org', 'x') RETURNING id");
    const author = user!.id;

    const publish = async (municipality: Municipality, input: Partial<DatasetInput>, updatedAt: string, status: "published" | "draft" = "published") => {
      const row = await insertDataset(db, municipality.id, { ...BASE, ...input }, author);
      if (status === "published") await setDatasetStatus(db, municipality.id, row.id, "published", author);
      // Fixed modification times make the metadata_modified sort deterministic.
      await db.query("UPDATE datasets SET updated_at = $3 WHERE municipality_id = $1 AND id = $2", [municipality.id, row.id, updatedAt]);
      return row.id;
    };

    ids.alphaBudget = await publish(
      alpha,
      {
        slug: "budget",
        title: "Budget primitif 2026",
        description: 'Le "budget" voté.\nLigne 2 avec \\ barre et <balise>.',
        themes: ["ECON", "GOVE"],
        tags: ["finances", "budget"],
        licence: "odbl-1.0",
        frequency: "annual",
        spatial: "Alpha",
        temporal_start: "2026-01-01",
        temporal_end: "2026-12-31",
        contact_name: "Service financier",
        contact_email: "finances@alpha.example",
      },
      "2026-03-04T10:00:00Z",
    );
    ids.alphaSchools = await publish(
      alpha,
      { slug: "ecoles", title: "Liste des écoles primaires", description: "Les écoles.", themes: ["EDUC"], tags: ["education", "budget"], licence: "cc-by-4.0", frequency: "never", language: "pt" },
      "2026-03-03T10:00:00Z",
    );
    ids.draft = await publish(
      alpha,
      { slug: "brouillon-secret", title: "Brouillon secret", description: "Pas encore publié.", themes: ["ECON"], tags: ["secret-tag", "finances"], licence: "odbl-1.0" },
      "2026-03-05T10:00:00Z",
      "draft",
    );
    ids.betaBudget = await publish(
      beta,
      { slug: "budget", title: "Budget annexe Beta", description: "Budget annexe.", themes: ["ECON"], tags: ["finances"], licence: "lo-2.0", frequency: "monthly" },
      "2026-03-02T10:00:00Z",
    );
    ids.betaTransport = await publish(
      beta,
      { slug: "transport", title: "Transport urbain", description: "", themes: ["TRAN"], tags: ["mobilite"], licence: "odbl-1.0" },
      "2026-03-01T10:00:00Z",
    );

    ids.csvLink = await insertResource(db, alpha.id, { datasetId: ids.alphaBudget, name: "Budget (CSV)", description: "Lignes du budget", fileId: null, url: "https://example.org/budget.csv", format: "CSV" });
    ids.jsonLink = await insertResource(db, alpha.id, { datasetId: ids.alphaBudget, name: "Budget (JSON)", description: "", fileId: null, url: "https://example.org/budget.json", format: "json" });
    const file = await storeFile(db, ctx.config.filesDir, { municipalityId: alpha.id, data: Buffer.from("a,b\n1,2\n"), mediaType: "text/csv", originalName: "budget.csv", createdBy: author });
    ids.upload = await insertResource(db, alpha.id, { datasetId: ids.alphaBudget, name: "Budget détaillé", description: "", fileId: file.id, url: null, format: "CSV" });
    ids.pdf = await insertResource(db, alpha.id, { datasetId: ids.alphaSchools, name: "Carte", description: "", fileId: null, url: "https://example.org/ecoles.pdf", format: "PDF" });
    ids.draftResource = await insertResource(db, alpha.id, { datasetId: ids.draft, name: "Secret", description: "", fileId: null, url: "https://example.org/secret.csv", format: "CSV" });
    // A link with characters that must not break out of an IRI or a string.
    ids.hostileLink = await insertResource(db, beta.id, {
      datasetId: ids.betaBudget,
      name: 'Annexe "brute" \\ >',
      description: "Tab\there,\u0001bell\r\nend",
      fileId: null,
      url: 'https://example.org/annexe file.csv?x=<y>&z="1"',
      format: "CSV",
    });
  });
  after(() => ctx.close());

  // ---- CKAN ---------------------------------------------------------------------------------------

  it("package_list names every published dataset as municipality--slug, with limit and offset", async () => {
    assert.deepEqual(await ok("package_list"), ["alpha--budget", "alpha--ecoles", "beta--budget", "beta--transport"]);
    assert.deepEqual(await ok("package_list", { limit: "2", offset: "1" }), ["alpha--ecoles", "beta--budget"]);
  });

  it("package_show answers a full CKAN package dict, by name or by UUID", async () => {
    const pkg = await ok<Package>("package_show", { id: "alpha--budget" });
    assert.equal(pkg.id, ids.alphaBudget);
    assert.equal(pkg.name, "alpha--budget");
    assert.equal(pkg.title, "Budget primitif 2026");
    assert.equal(pkg.notes, 'Le "budget" voté.\nLigne 2 avec \\ barre et <balise>.');
    assert.equal(pkg.license_id, "odbl-1.0");
    assert.equal(pkg.license_title, "Open Database License (ODbL) 1.0");
    assert.equal(pkg.license_url, "https://opendatacommons.org/licenses/odbl/1-0/");
    assert.equal(pkg.state, "active");
    assert.equal(pkg.type, "dataset");
    assert.equal(pkg.private, false);
    assert.equal(pkg.url, "http://localhost:3000/alpha/data/budget");
    assert.equal(pkg.owner_org, alpha.id);
    assert.deepEqual({ id: pkg.organization.id, name: pkg.organization.name, title: pkg.organization.title }, { id: alpha.id, name: "alpha", title: 'Alpha "la belle"' });
    assert.match(pkg.metadata_created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    // CKAN's timestamps: UTC, microseconds, no zone.
    assert.match(pkg.metadata_created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(pkg.metadata_modified, "2026-03-04T10:00:00.000000");
    assert.deepEqual(pkg.tags.map((tag) => [tag.name, tag.display_name]), [["finances", "finances"], ["budget", "budget"]]);
    assert.equal(pkg.num_tags, 2);
    // CKAN group names are lower-case slugs, their ids UUIDs.
    assert.deepEqual(pkg.groups.map((group) => group.name), ["econ", "gove"]);
    for (const group of pkg.groups) assert.match(group.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const group of pkg.groups) assert.ok(typeof group.display_name === "string" && group.display_name === group.title && group.title !== group.name);
    assert.equal(pkg.num_resources, 3);
    assert.deepEqual(pkg.resources.map((resource) => resource.position), [0, 1, 2]);
    const [csv, json, upload] = pkg.resources;
    assert.deepEqual(
      { id: csv!.id, package_id: csv!.package_id, name: csv!.name, description: csv!.description, format: csv!.format, mimetype: csv!.mimetype, url: csv!.url, size: csv!.size },
      { id: ids.csvLink, package_id: ids.alphaBudget, name: "Budget (CSV)", description: "Lignes du budget", format: "CSV", mimetype: "text/csv", url: "https://example.org/budget.csv", size: null },
    );
    assert.equal(json!.format, "JSON");
    assert.equal(json!.mimetype, "application/json");
    assert.equal(upload!.url, `http://localhost:3000/alpha/data/budget/resources/${ids.upload}/download`);
    assert.equal(upload!.size, 8);
    assert.ok(upload!.created && upload!.last_modified);
    const extras = Object.fromEntries(pkg.extras.map(({ key, value }) => [key, value]));
    assert.deepEqual(extras, { frequency: "annual", spatial: "Alpha", temporal_start: "2026-01-01", temporal_end: "2026-12-31", language: "fr" });

    const byUuid = await ok<Package>("package_show", { id: ids.alphaBudget! });
    assert.equal(byUuid.name, "alpha--budget");
    // Same slug in another municipality: the prefixed name tells them apart.
    assert.equal((await ok<Package>("package_show", { id: "beta--budget" })).id, ids.betaBudget);
  });

  it("answers JSON POSTs without a CSRF token, as CKAN clients send them", async () => {
    const response = await ctx.app.inject({ method: "POST", url: "/api/3/action/package_show", payload: { id: "beta--transport" }, headers: { accept: "application/json" } });
    bodies.push(response.body);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as Envelope;
    assert.equal(body.success, true);
    assert.equal((body.result as Package).id, ids.betaTransport);

    const searched = await ctx.app.inject({
      method: "POST",
      url: "/api/3/action/package_search",
      payload: { fq: "organization:beta", rows: 1, "facet.field": ["tags"] },
      headers: { accept: "application/json" },
    });
    assert.equal(searched.statusCode, 200, searched.body);
    const result = (searched.json() as Envelope).result as SearchResult;
    assert.equal(result.count, 2);
    assert.equal(result.results.length, 1);
    assert.deepEqual(result.facets.tags, { finances: 1, mobilite: 1 });
  });

  it("answers CKAN's error envelopes: 404 for unknown ids, 409 for invalid parameters, 400 for unknown actions", async () => {
    for (const id of ["alpha--nothing", "nothing", "00000000-0000-4000-8000-000000000000", "gamma--budget", "alpha--budget--x"]) {
      const { status, body } = await action("package_show", { id });
      assert.equal(status, 404, id);
      assert.equal(body.success, false);
      assert.equal(body.error!.__type, "Not Found Error");
      assert.equal(typeof body.error!.message, "string");
      assert.equal(body.help, "http://localhost:3000/api/3/action/help_show?name=package_show");
    }
    const missing = await action("package_show");
    assert.equal(missing.status, 409);
    assert.equal(missing.body.error!.__type, "Validation Error");
    const invalidParams: Record<string, string>[] = [{ rows: "abc" }, { rows: "-1" }, { start: "1.5" }, { "facet.field": "not json" }];
    for (const params of invalidParams) {
      const { status, body } = await action("package_search", params);
      assert.equal(status, 409, JSON.stringify(params));
      assert.equal(body.success, false);
      assert.equal(body.error!.__type, "Validation Error");
      // CKAN's validation errors name the field, with a list of messages.
      const [field] = Object.keys(params);
      assert.ok(Array.isArray((body.error as unknown as Record<string, unknown>)[field!]), JSON.stringify(body.error));
    }
    // What Solr would refuse is CKAN's "Search Error" (409); a sort without direction its "Search Query Error" (400).
    const searchErrors: Record<string, string>[] = [{ "facet.field": '["secret"]' }, { fq: "owner:alpha" }, { sort: "secret asc" }];
    for (const params of searchErrors) {
      const { status, body } = await action("package_search", params);
      assert.equal(status, 409, JSON.stringify(params));
      assert.equal(body.error!.__type, "Search Error");
      assert.match(body.error!.message, /^Search error: (['"]).+\1$/);
    }
    const badSort = await action("package_search", { sort: "drop table" });
    assert.equal(badSort.status, 400);
    assert.deepEqual(badSort.body.error, { __type: "Search Query Error", message: `Search Query is invalid: 'Invalid "sort" parameter'` });
    const repeated = await get("/api/3/action/package_show?id=alpha--budget&id=beta--budget");
    assert.equal(repeated.statusCode, 409);
    const unknown = await action("package_create", { name: "x" });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.success, false);
    assert.deepEqual(unknown.body.error, { __type: "Bad Request", message: "Bad request - Action name not known: package_create" });
    for (const name of ["organization_show", "resource_show"]) {
      const { status, body } = await action(name, { id: "nowhere" });
      assert.equal(status, 404);
      assert.equal(body.error!.__type, "Not Found Error");
    }
  });

  it("package_search filters with fq terms, all required, and counts facets", async () => {
    const all = await search({ "facet.field": JSON.stringify(["organization", "tags", "res_format", "license_id", "groups"]), "facet.limit": "-1" });
    assert.equal(all.count, 4);
    assert.equal(all.results.length, 4);
    assert.deepEqual(all.facets, {
      organization: { alpha: 2, beta: 2 },
      tags: { finances: 2, budget: 2, education: 1, mobilite: 1 },
      res_format: { CSV: 2, JSON: 1, PDF: 1 },
      license_id: { "odbl-1.0": 2, "cc-by-4.0": 1, "lo-2.0": 1 },
      groups: { econ: 2, gove: 1, educ: 1, tran: 1 },
    });
    assert.equal(all.search_facets.organization!.title, "organization");
    assert.deepEqual(all.search_facets.organization!.items, [
      { name: "alpha", display_name: 'Alpha "la belle"', count: 2 },
      { name: "beta", display_name: "Beta", count: 2 },
    ]);
    assert.deepEqual(all.search_facets.license_id!.items[0], { name: "odbl-1.0", display_name: "Open Database License (ODbL) 1.0", count: 2 });
    const econ = all.search_facets.groups!.items.find((item) => item.name === "econ")!;
    assert.ok(econ.display_name !== "econ" && econ.count === 2);

    const names = (result: SearchResult) => result.results.map((pkg) => pkg.name).sort();
    assert.deepEqual(names(await search({ fq: "organization:alpha" })), ["alpha--budget", "alpha--ecoles"]);
    assert.deepEqual(names(await search({ fq: 'tags:"finances" res_format:CSV' })), ["alpha--budget", "beta--budget"]);
    assert.deepEqual(names(await search({ fq: "res_format:CSV organization:beta" })), ["beta--budget"]);
    // String fields match exactly, case included, as in CKAN's Solr schema.
    assert.equal((await search({ fq: "res_format:csv" })).count, 0);
    assert.deepEqual(names(await search({ fq: "groups:econ license_id:lo-2.0" })), ["beta--budget"]);
    assert.equal((await search({ fq: "groups:ECON" })).count, 0);
    // Two values of one field: both required, like every fq term.
    const both = await search({ fq: "tags:finances tags:budget", "facet.field": '["organization","tags"]' });
    assert.deepEqual(names(both), ["alpha--budget"]);
    assert.deepEqual(both.facets.organization, { alpha: 1 });
    assert.deepEqual(both.facets.tags, { finances: 1, budget: 1 });
    assert.deepEqual(names(await search({ fq: "+dataset_type:dataset organization:beta" })), ["beta--budget", "beta--transport"]);
    assert.equal((await search({ fq: "dataset_type:harvest" })).count, 0);
    // Words search titles, descriptions and tags.
    assert.ok(names(await search({ q: "budget" })).includes("alpha--budget"));
    assert.deepEqual(names(await search({ q: "transport" })), ["beta--transport"]);
    assert.equal((await search({ q: "*:*" })).count, 4);
  });

  it("package_search pages with rows and start, caps rows at 1000, and sorts", async () => {
    const byTitle = await search({ sort: "title_string asc", rows: "2", start: "0" });
    assert.equal(byTitle.count, 4);
    assert.deepEqual(byTitle.results.map((pkg) => pkg.name), ["beta--budget", "alpha--budget"]);
    const next = await search({ sort: "title_string asc", rows: "2", start: "2" });
    assert.deepEqual(next.results.map((pkg) => pkg.name), ["alpha--ecoles", "beta--transport"]);
    assert.deepEqual((await search({ sort: "title_string asc", start: "4" })).results, []);
    const modified = await search({ sort: "metadata_modified desc" });
    assert.deepEqual(modified.results.map((pkg) => pkg.name), ["alpha--budget", "alpha--ecoles", "beta--budget", "beta--transport"]);
    assert.equal((await search({})).results.length, 4);
    assert.equal((await search({ rows: "5000" })).results.length, 4);
    assert.equal((await search({ rows: "0" })).results.length, 0);
    assert.equal((await search({ sort: "score desc, metadata_modified desc" })).count, 4);
    // Each result is a full package dict.
    assert.equal(modified.results[0]!.num_resources, 3);
  });

  it("treats hostile input as data: SQL in fq finds nothing and harms nothing", async () => {
    const hostile = await search({ fq: `tags:"x'); DROP TABLE datasets;--"` });
    assert.equal(hostile.count, 0);
    // Lucene reads the quotes as characters of two terms: nothing has them.
    assert.equal((await search({ fq: "organization:alpha' OR '1'='1" })).count, 0);
    assert.equal((await search({ fq: "organization:\"alpha' OR '1'='1\"" })).count, 0);
    assert.equal((await search({ q: "'; DELETE FROM datasets; --" })).count, 0);
    const [row] = await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM datasets");
    assert.equal(row!.n, 5);
    assert.equal((await search({})).count, 4);
  });

  it("organization_list and organization_show describe the municipalities with their published counts", async () => {
    assert.deepEqual(await ok("organization_list"), ["alpha", "beta"]);
    const full = await ok<Dict[]>("organization_list", { all_fields: "true" });
    assert.deepEqual(full.map((org) => [org.name, org.title, org.package_count]), [["alpha", 'Alpha "la belle"', 2], ["beta", "Beta", 2]]);
    const bySlug = await ok<Dict>("organization_show", { id: "beta" });
    assert.deepEqual([bySlug.id, bySlug.name, bySlug.title, bySlug.description, bySlug.package_count], [beta.id, "beta", "Beta", "Commune de Beta", 2]);
    assert.equal((await ok<Dict>("organization_show", { id: alpha.id })).name, "alpha");
  });

  it("group_list offers the themes; tag_list the tags of published datasets", async () => {
    const groups = await ok<string[]>("group_list");
    assert.ok(groups.includes("econ") && groups.includes("tran") && groups.length === 11);
    const full = await ok<Dict[]>("group_list", { all_fields: "true" });
    const econ = full.find((group) => group.name === "econ")!;
    assert.equal(econ.package_count, 2);
    assert.ok(typeof econ.display_name === "string" && econ.display_name !== "econ");
    assert.equal(full.find((group) => group.name === "agri")!.package_count, 0);

    assert.deepEqual(await ok("tag_list"), ["budget", "education", "finances", "mobilite"]);
    assert.deepEqual(await ok("tag_list", { query: "fin" }), ["finances"]);
    assert.deepEqual(await ok("tag_list", { query: "secret" }), []);
  });

  it("resource_show answers a resource of a published dataset only", async () => {
    const resource = await ok<Dict>("resource_show", { id: ids.upload! });
    assert.equal(resource.package_id, ids.alphaBudget);
    assert.equal(resource.url, `http://localhost:3000/alpha/data/budget/resources/${ids.upload}/download`);
    assert.equal(resource.format, "CSV");
    assert.equal(resource.mimetype, "text/csv");
    assert.equal(resource.size, 8);
    assert.equal((await action("resource_show", { id: ids.draftResource! })).status, 404);
  });

  it("never shows a draft through the CKAN API", async () => {
    for (const id of ["alpha--brouillon-secret", ids.draft!, "brouillon-secret"]) assert.equal((await action("package_show", { id })).status, 404);
    assert.equal((await search({ q: "Brouillon secret" })).count, 0);
    assert.equal((await search({ fq: "tags:secret-tag" })).count, 0);
    assert.equal((await search({ fq: "organization:alpha tags:finances" })).count, 1);
    assert.equal((await ok<Dict>("organization_show", { id: "alpha" })).package_count, 2);
  });

  // ---- DCAT-AP ------------------------------------------------------------------------------------

  function parseTurtle(body: string): Store {
    const store = new Store();
    store.addQuads(new Parser({ format: "text/turtle" }).parse(body));
    return store;
  }

  const subjectsOfType = (store: Store, type: string) => store.getSubjects(RDF_TYPE, type, null).map((term) => term.value).sort();
  const objects = (store: Store, subject: string, predicate: string) => store.getObjects(subject, predicate, null);

  async function validate(store: Store, shapesFile: string) {
    const shapes = new Store();
    shapes.addQuads(new Parser({ format: "text/turtle" }).parse(fs.readFileSync(shapesFile, "utf8")));
    const report = await new SHACLValidator(shapes).validate(store);
    const problems = report.results.map((result) => `${result.severity?.value} ${result.focusNode?.value} ${result.path?.value}: ${result.message.map((m) => m.value).join("; ")}`);
    return { conforms: report.conforms, problems };
  }

  it("the network catalogue in Turtle parses, holds the published datasets and validates against DCAT-AP 3.0", async () => {
    const response = await get("/catalog.ttl", { accept: "text/turtle" });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers["content-type"] as string, /^text\/turtle/);
    const store = parseTurtle(response.body);

    const catalogs = subjectsOfType(store, `${DCAT}Catalog`);
    assert.deepEqual(catalogs, ["http://localhost:3000/catalog"]);
    const catalog = catalogs[0]!;
    assert.equal(objects(store, catalog, `${DCT}title`)[0]!.value, 'Réseau "Test" \\ ouvert');
    assert.equal(objects(store, catalog, `${DCT}description`)[0]!.value, "Données ouvertes du réseau.\nDeuxième ligne.");
    for (const predicate of [`${DCT}publisher`, "http://xmlns.com/foaf/0.1/homepage", `${DCT}language`, `${DCT}modified`]) assert.ok(objects(store, catalog, predicate).length > 0, predicate);

    const datasets = subjectsOfType(store, `${DCAT}Dataset`);
    assert.deepEqual(datasets, [
      "http://localhost:3000/alpha/data/budget#dataset",
      "http://localhost:3000/alpha/data/ecoles#dataset",
      "http://localhost:3000/beta/data/budget#dataset",
      "http://localhost:3000/beta/data/transport#dataset",
    ]);
    assert.deepEqual(objects(store, catalog, `${DCAT}dataset`).map((term) => term.value).sort(), datasets);
    assert.ok(!response.body.includes("brouillon") && !response.body.includes(ids.draft!));

    const budget = "http://localhost:3000/alpha/data/budget#dataset";
    const one = (subject: string, predicate: string) => {
      const found = objects(store, subject, predicate);
      assert.equal(found.length, 1, `${subject} ${predicate}`);
      return found[0]!;
    };
    assert.equal(one(budget, `${DCT}description`).value, 'Le "budget" voté.\nLigne 2 avec \\ barre et <balise>.');
    assert.equal(one(budget, `${DCT}identifier`).value, ids.alphaBudget);
    assert.equal(one(budget, `${DCT}accrualPeriodicity`).value, "http://publications.europa.eu/resource/authority/frequency/ANNUAL");
    assert.equal(one(budget, `${DCT}language`).value, "http://publications.europa.eu/resource/authority/language/FRA");
    assert.equal(one(budget, `${DCAT}landingPage`).value, "http://localhost:3000/alpha/data/budget");
    assert.deepEqual(objects(store, budget, `${DCAT}theme`).map((term) => term.value).sort(), [
      "http://publications.europa.eu/resource/authority/data-theme/ECON",
      "http://publications.europa.eu/resource/authority/data-theme/GOVE",
    ]);
    assert.deepEqual(objects(store, budget, `${DCAT}keyword`).map((term) => term.value).sort(), ["budget", "finances"]);
    assert.equal((one(budget, `${DCT}modified`) as { datatype: { value: string } }).datatype.value, `${XSD}dateTime`);
    const publisher = one(budget, `${DCT}publisher`).value;
    assert.ok(store.has(store.getQuads(publisher, RDF_TYPE, "http://xmlns.com/foaf/0.1/Agent", null)[0]!));
    assert.equal(one(publisher, "http://xmlns.com/foaf/0.1/name").value, 'Alpha "la belle"');
    const contact = one(budget, `${DCAT}contactPoint`).value;
    assert.equal(one(contact, RDF_TYPE).value, "http://www.w3.org/2006/vcard/ns#Kind");
    assert.equal(one(contact, "http://www.w3.org/2006/vcard/ns#hasEmail").value, "mailto:finances@alpha.example");
    const period = one(budget, `${DCT}temporal`).value;
    assert.equal(one(period, RDF_TYPE).value, `${DCT}PeriodOfTime`);
    const start = one(period, `${DCAT}startDate`) as { value: string; datatype: { value: string } };
    assert.deepEqual([start.value, start.datatype.value], ["2026-01-01", `${XSD}date`]);

    const distributions = objects(store, budget, `${DCAT}distribution`).map((term) => term.value);
    assert.equal(distributions.length, 3);
    for (const distribution of distributions) {
      assert.equal(one(distribution, RDF_TYPE).value, `${DCAT}Distribution`);
      one(distribution, `${DCAT}accessURL`);
      assert.equal(one(distribution, `${DCT}license`).value, "https://opendatacommons.org/licenses/odbl/1-0/");
    }
    const upload = `http://localhost:3000/alpha/data/budget#resource-${ids.upload}`;
    assert.equal(one(upload, `${DCAT}downloadURL`).value, `http://localhost:3000/alpha/data/budget/resources/${ids.upload}/download`);
    const size = one(upload, `${DCAT}byteSize`) as { value: string; datatype: { value: string } };
    assert.deepEqual([size.value, size.datatype.value], ["8", `${XSD}nonNegativeInteger`]);
    assert.equal(one(upload, `${DCAT}mediaType`).value, "https://www.iana.org/assignments/media-types/text/csv");
    assert.equal(one(upload, `${DCT}format`).value, "http://publications.europa.eu/resource/authority/file-type/CSV");

    // The hostile link stays one IRI, percent-encoded, and the name one literal.
    const hostile = `http://localhost:3000/beta/data/budget#resource-${ids.hostileLink}`;
    assert.equal(one(hostile, `${DCAT}accessURL`).value, "https://example.org/annexe%20file.csv?x=%3Cy%3E&z=%221%22");
    assert.equal(one(hostile, `${DCT}title`).value, 'Annexe "brute" \\ >');
    assert.equal(one(hostile, `${DCT}description`).value, "Tab\there,\u0001bell\r\nend");

    const { conforms, problems } = await validate(store, SHAPES_3);
    assert.deepEqual(problems, []);
    assert.equal(conforms, true);
  });

  it("the JSON-LD catalogue says exactly what the Turtle one says", async () => {
    const response = await get("/catalog.jsonld", { accept: "application/ld+json" });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers["content-type"] as string, /^application\/ld\+json/);
    const document = JSON.parse(response.body) as { "@context": Record<string, string>; "@graph": { "@id": string; "@type"?: string[] }[] };
    assert.equal(document["@context"].dcat, DCAT);
    const datasets = document["@graph"].filter((node) => node["@type"]?.includes("dcat:Dataset")).map((node) => node["@id"]).sort();
    assert.equal(datasets.length, 4);

    const nquads = (await jsonld.toRDF(document as unknown as jsonld.JsonLdDocument, { format: "application/n-quads" })) as unknown as string;
    const fromJson = new Store();
    fromJson.addQuads(new Parser({ format: "application/n-quads" }).parse(nquads));
    const turtle = parseTurtle((await get("/catalog.ttl")).body);
    const key = (quad: Quad) => `${quad.subject.value} ${quad.predicate.value} ${quad.object.termType}:${quad.object.value}:${(quad.object as { datatype?: { value: string } }).datatype?.value ?? ""}:${(quad.object as { language?: string }).language ?? ""}`;
    const a = fromJson.getQuads(null, null, null, null).map(key).sort();
    const b = turtle.getQuads(null, null, null, null).map(key).sort();
    assert.equal(a.length, b.length);
    assert.deepEqual(a, b);
    assert.deepEqual(subjectsOfType(fromJson, `${DCAT}Dataset`), datasets);
  });

  it("each municipality has its own catalogue, valid too; an unknown one is 404", async () => {
    const response = await get("/beta/catalog.ttl", { accept: "text/turtle" });
    assert.equal(response.statusCode, 200);
    const store = parseTurtle(response.body);
    assert.deepEqual(subjectsOfType(store, `${DCAT}Catalog`), ["http://localhost:3000/beta/catalog"]);
    assert.deepEqual(subjectsOfType(store, `${DCAT}Dataset`), ["http://localhost:3000/beta/data/budget#dataset", "http://localhost:3000/beta/data/transport#dataset"]);
    assert.equal(store.getObjects("http://localhost:3000/beta/catalog", `${DCT}title`, null)[0]!.value, "Beta");
    const { problems } = await validate(store, SHAPES_3);
    assert.deepEqual(problems, []);

    const alphaLd = JSON.parse((await get("/alpha/catalog.jsonld")).body) as { "@graph": { "@id": string; "@type"?: string[] }[] };
    assert.deepEqual(
      alphaLd["@graph"].filter((node) => node["@type"]?.includes("dcat:Dataset")).map((node) => node["@id"]).sort(),
      ["http://localhost:3000/alpha/data/budget#dataset", "http://localhost:3000/alpha/data/ecoles#dataset"],
    );
    assert.equal((await get("/gamma/catalog.ttl")).statusCode, 404);
  });

  // ---- Frictionless ------------------------------------------------------------------------------

  it("a published dataset has a Frictionless datapackage.json; a draft has none", async () => {
    const response = await get("/alpha/data/budget/datapackage.json");
    assert.equal(response.statusCode, 200);
    assert.match(response.headers["content-type"] as string, /^application\/json/);
    const pkg = response.json() as Record<string, unknown> & { resources: Record<string, unknown>[]; licenses: Record<string, unknown>[] };
    assert.equal(pkg.name, "alpha--budget");
    assert.match(pkg.name as string, /^[a-z0-9._-]+$/);
    assert.equal(pkg.title, "Budget primitif 2026");
    assert.equal(pkg.description, 'Le "budget" voté.\nLigne 2 avec \\ barre et <balise>.');
    assert.deepEqual(pkg.licenses, [{ name: "ODbL-1.0", path: "https://opendatacommons.org/licenses/odbl/1-0/", title: "Open Database License (ODbL) 1.0" }]);
    assert.deepEqual(pkg.keywords, ["finances", "budget"]);
    assert.deepEqual(
      pkg.resources.map((resource) => [resource.name, resource.path, resource.format, resource.mediatype, resource.bytes]),
      [
        ["budget-csv", "https://example.org/budget.csv", "csv", "text/csv", undefined],
        ["budget-json", "https://example.org/budget.json", "json", "application/json", undefined],
        ["budget-detaille", `http://localhost:3000/alpha/data/budget/resources/${ids.upload}/download`, "csv", "text/csv", 8],
      ],
    );
    for (const resource of pkg.resources) assert.match(resource.name as string, /^[a-z0-9._-]+$/);

    assert.equal((await get("/alpha/data/brouillon-secret/datapackage.json")).statusCode, 404);
    assert.equal((await get("/beta/data/ecoles/datapackage.json")).statusCode, 404);
    assert.equal((await get("/gamma/data/budget/datapackage.json")).statusCode, 404);
  });

  it("no answer of any endpoint ever mentioned the draft", () => {
    assert.ok(bodies.length > 40);
    for (const body of bodies) {
      assert.ok(!body.includes(ids.draft!), "draft id leaked");
      assert.ok(!body.includes("secret-tag"), "draft tag leaked");
      assert.ok(!body.includes("Brouillon secret"), "draft title leaked");
      assert.ok(!body.includes(ids.draftResource!), "draft resource leaked");
    }
  });
});
