import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import datapackage from "datapackage";
import { Parser, Store } from "n3";
import SHACLValidator from "rdf-validate-shacl";
import { translator } from "../src/core/i18n/index.js";
import { insertResource } from "../src/modules/opendata/store.js";
import { createTestApp, idOf, type TestContext } from "./helpers.js";

/**
 * What the catalogue says about itself, checked with tools nobody here wrote: data packages
 * against the official Frictionless profiles (tabular-data-package, tabular-data-resource), the
 * DCAT catalogue's own title and description with their language tags, against DCAT-AP 3.0.
 */

const SHAPES_3 = "/work/shared/reference/dcat-ap/dcat-ap-3.0.0-SHACL.ttl";
const DCT = "http://purl.org/dc/terms/";

type Descriptor = Record<string, unknown> & { profile: string; resources: (Record<string, unknown> & { schema?: { fields: { name: string; title: string; type: string }[] } })[] };
interface LoadedPackage {
  valid: boolean;
  errors: Error[];
  resources: { valid: boolean; errors: Error[]; tabular: boolean }[];
}
const { Package } = datapackage as unknown as { Package: { load: (descriptor: object, options: { strict: boolean }) => Promise<LoadedPackage> } };

// The validator fetches a profile or a schema given as a URL with axios; every such request is
// refused and counted, so that the tests prove the profiles used are the package's own.
const axios = createRequire(createRequire(import.meta.url).resolve("datapackage"))("axios") as {
  interceptors: { request: { use: (handler: (config: { url?: string }) => never) => number; eject: (id: number) => void } };
};
const fetched: string[] = [];

describe("machine descriptions of the open data: Frictionless data packages, the DCAT catalogue's own words", () => {
  let ctx: TestContext;
  let interceptor: number;

  before(async () => {
    interceptor = axios.interceptors.request.use((config) => {
      fetched.push(config.url ?? "");
      throw new Error(`no network in the tests: ${config.url}`);
    });
    ctx = await createTestApp();
  });
  after(async () => {
    axios.interceptors.request.eject(interceptor);
    await ctx.close();
  });

  async function dataPackage(url: string): Promise<Descriptor> {
    const response = await ctx.app.inject({ method: "GET", url });
    assert.equal(response.statusCode, 200, url);
    return response.json() as Descriptor;
  }

  it("every published dataset of the datastore is a tabular data package, valid against the official profiles", async () => {
    const datasets = await ctx.db.query<{ slug: string }>("SELECT d.slug FROM datasets d JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' AND d.status = 'published' ORDER BY d.slug");
    assert.ok(datasets.length >= 5);
    for (const { slug } of datasets) {
      const descriptor = await dataPackage(`/rufisque/data/${slug}/datapackage.json`);
      assert.equal(descriptor.profile, "tabular-data-package", slug);
      const loaded = await Package.load(descriptor, { strict: true });
      assert.deepEqual(loaded.errors.map((error) => error.message), [], slug);
      assert.equal(loaded.valid, true, slug);
      for (const resource of loaded.resources) {
        assert.deepEqual(resource.errors.map((error) => error.message), [], slug);
        assert.equal(resource.tabular, true);
      }
    }
    assert.deepEqual(fetched, []);
  });

  it("each tabular resource carries the Table Schema the datastore uses, and its path serves those rows as CSV", async () => {
    const descriptor = await dataPackage("/rufisque/data/ecoles/datapackage.json");
    const [resource] = descriptor.resources;
    const resourceId = await idOf(ctx.db, "SELECT r.id FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' AND d.slug = 'ecoles'", []);
    const [table] = await ctx.db.query<{ table_schema: { fields: { name: string; title: string; type: string }[] } }>("SELECT table_schema FROM datastore_tables WHERE resource_id = $1", [resourceId]);
    assert.equal(resource!.profile, "tabular-data-resource");
    assert.deepEqual(resource!.schema, { fields: table!.table_schema.fields.map((field) => ({ name: field.name, title: field.title, type: field.type })) });
    assert.ok(resource!.schema!.fields.some((field) => field.type === "integer"));
    assert.deepEqual([resource!.format, resource!.mediatype, resource!.encoding], ["csv", "text/csv", "utf-8"]);

    const rows = await ctx.app.inject({ method: "GET", url: new URL(resource!.path as string).pathname });
    assert.equal(rows.statusCode, 200);
    assert.match(rows.headers["content-type"] as string, /^text\/csv/);
    const [header, first] = rows.body.split(/\r?\n/);
    assert.deepEqual(header!.split(","), resource!.schema!.fields.map((field) => field.title));
    assert.equal(first!.split(",").length, resource!.schema!.fields.length);
  });

  it("a dataset with a resource outside the datastore is a plain data package, still valid; the validator does refuse a wrong one", async () => {
    const rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    const datasetId = await idOf(ctx.db, "SELECT id FROM datasets WHERE municipality_id = $1 AND slug = 'points-d-eau'", [rufisque]);
    await insertResource(ctx.db, rufisque, { datasetId, name: "Carte des points d'eau", description: "", fileId: null, url: "https://example.org/carte.pdf", format: "PDF" });
    const descriptor = await dataPackage("/rufisque/data/points-d-eau/datapackage.json");
    assert.equal(descriptor.profile, "data-package");
    assert.deepEqual(descriptor.resources.map((resource) => resource.profile ?? null), ["tabular-data-resource", null]);
    const loaded = await Package.load(descriptor, { strict: true });
    assert.equal(loaded.valid, true);

    // Claiming the tabular profile without a schema on every resource is refused.
    await assert.rejects(Package.load({ ...descriptor, profile: "tabular-data-package" }, { strict: true }));
    const lax = await Package.load({ ...descriptor, resources: [{ ...descriptor.resources[0], schema: { fields: [{ name: "x", type: "colour" }] } }] }, { strict: false });
    assert.equal(lax.resources[0]!.valid, false);
    assert.deepEqual(fetched, []);
  });

  const turtle = async (url: string) => {
    const response = await ctx.app.inject({ method: "GET", url });
    assert.equal(response.statusCode, 200);
    const store = new Store();
    store.addQuads(new Parser({ format: "text/turtle" }).parse(response.body));
    return store;
  };
  const literals = (store: Store, subject: string, predicate: string) =>
    store
      .getObjects(subject, predicate, null)
      .map((term) => `${term.value}@${(term as { language?: string }).language ?? ""}`)
      .sort();

  async function conforms(store: Store): Promise<string[]> {
    const shapes = new Store();
    shapes.addQuads(new Parser({ format: "text/turtle" }).parse(fs.readFileSync(SHAPES_3, "utf8")));
    const report = await new SHACLValidator(shapes).validate(store);
    return report.results.map((result) => `${result.focusNode?.value} ${result.path?.value}: ${result.message.map((message) => message.value).join("; ")}`);
  }

  it("the catalogue's own title and description carry their language tags, and still conform to DCAT-AP 3.0", async () => {
    const [rufisque] = await ctx.db.query<{ name: string; description: string; languages: string[] }>("SELECT name, description, languages FROM municipalities WHERE slug = 'rufisque'");
    const store = await turtle("/rufisque/catalog.ttl");
    const catalog = "http://localhost:3000/rufisque/catalog";
    assert.deepEqual(literals(store, catalog, `${DCT}title`), rufisque!.languages.map((lang) => `${rufisque!.name}@${lang}`).sort());
    // Its description is written in its first language.
    assert.deepEqual(literals(store, catalog, `${DCT}description`), [`${rufisque!.description}@${rufisque!.languages[0]}`]);
    assert.deepEqual(await conforms(store), []);
  });

  it("without a description of its own, the catalogue says what it is in every language of the platform", async () => {
    await ctx.db.query("UPDATE municipalities SET description = '' WHERE slug = 'labe'");
    const store = await turtle("/labe/catalog.ttl");
    const catalog = "http://localhost:3000/labe/catalog";
    const [labe] = await ctx.db.query<{ name: string }>("SELECT name FROM municipalities WHERE slug = 'labe'");
    assert.deepEqual(
      literals(store, catalog, `${DCT}description`),
      (["en", "fr", "pt"] as const).map((lang) => `${translator(lang)("opendata.catalogue.description", { name: labe!.name })}@${lang}`).sort(),
    );
    assert.ok(literals(store, catalog, `${DCT}title`).every((title) => /@(fr|pt|en)$/.test(title)));
    assert.deepEqual(await conforms(store), []);

    const jsonLd = JSON.parse((await ctx.app.inject({ method: "GET", url: "/labe/catalog.jsonld" })).body) as { "@graph": Record<string, unknown>[] };
    const node = jsonLd["@graph"].find((item) => item["@id"] === catalog)!;
    assert.deepEqual(((node["dct:description"] as { "@language": string }[]).map((value) => value["@language"])).sort(), ["en", "fr", "pt"]);

    const network = await turtle("/catalog.ttl");
    const titles = literals(network, "http://localhost:3000/catalog", `${DCT}title`);
    assert.ok(titles.length > 0 && titles.every((title) => /@[a-z]{2}$/.test(title)), titles.join(" | "));
    assert.ok(literals(network, "http://localhost:3000/catalog", `${DCT}description`).every((text) => /@[a-z]{2}$/.test(text)));
  });
});
