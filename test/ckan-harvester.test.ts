import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { insertMunicipality, type Municipality } from "../src/core/tenancy/index.js";
import { loadResourceTable } from "../src/modules/opendata/service.js";
import { getDataset, insertDataset, insertResource, setDatasetStatus, updateDataset } from "../src/modules/opendata/store.js";
import { createTestApp, type TestContext } from "./helpers.js";
import { EMPTY_DATASET as BASE } from "./factories.js";

/**
 * The catalogue as CKAN's own tools see it: ckanext-harvest's CKANHarvester gather loop
 * (ckanext/harvest/harvesters/ckanharvester.py, gather_stage and _search_for_datasets), rewritten
 * here request for request, and okfn's `ckan` npm client, both over real HTTP.
 */

type Pkg = Record<string, unknown> & { id: string; name: string; organization: { name: string }; groups: { name: string }[] };

// ---- the harvester, as ckanext-harvest writes it ---------------------------------------------------

/** Python's urllib.parse.quote_plus, which urlencode applies to each key and value. */
const quotePlus = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+");
const urlencode = (params: Record<string, string>) => Object.entries(params).map(([key, value]) => `${quotePlus(key)}=${quotePlus(value)}`).join("&");

/** datetime.isoformat() of a naive UTC datetime: microseconds only when there are some. */
function pythonIsoformat(date: Date): string {
  const iso = date.toISOString().replace(/Z$/, "");
  const [seconds, millis] = iso.split(".") as [string, string];
  return millis === "000" ? seconds : `${seconds}.${millis}000`;
}

class SearchError extends Error {}

interface HarvestConfig {
  organizations_filter_include?: string[];
  organizations_filter_exclude?: string[];
  groups_filter_include?: string[];
  groups_filter_exclude?: string[];
  force_all?: boolean;
}

interface Harvester {
  requests: { url: string; status: number }[];
  gather(config: HarvestConfig, lastErrorFreeJob?: { gatherStarted: Date }): Promise<{ guid: string; content: Pkg }[]>;
}

function harvester(remoteCkanBaseUrl: string): Harvester {
  const requests: { url: string; status: number }[] = [];

  const getContent = async (url: string) => {
    const response = await fetch(url);
    const content = await response.text();
    requests.push({ url, status: response.status });
    return content;
  };

  const searchForDatasets = async (fqTerms: string[]): Promise<Pkg[]> => {
    const baseSearchUrl = `${remoteCkanBaseUrl}/api/3/action/package_search`;
    const params: Record<string, string> = { rows: "100", start: "0" };
    params.sort = "id asc";
    if (fqTerms.length > 0) params.fq = fqTerms.join(" ");
    const pkgDicts: Pkg[] = [];
    const pkgIds = new Set<string>();
    const previousContent: string | null = null; // never assigned in ckanext-harvest either
    for (;;) {
      const url = `${baseSearchUrl}?${urlencode(params)}`;
      const content = await getContent(url);
      if (previousContent && content === previousContent) throw new SearchError(`The paging doesn't seem to work. URL: ${url}`);
      let responseDict: { result?: { results?: Pkg[] } };
      try {
        responseDict = JSON.parse(content);
      } catch {
        throw new SearchError(`Response from remote CKAN was not JSON: ${content}`);
      }
      let pkgDictsPage = responseDict.result?.results ?? [];
      // Weed out any datasets found on previous pages (should datasets be changing while we page)
      const idsInPage = new Set(pkgDictsPage.map((pkg) => pkg.id));
      const duplicateIds = [...idsInPage].filter((id) => pkgIds.has(id));
      if (duplicateIds.length > 0) pkgDictsPage = pkgDictsPage.filter((pkg) => !duplicateIds.includes(pkg.id));
      for (const id of idsInPage) pkgIds.add(id);
      pkgDicts.push(...pkgDictsPage);
      if (pkgDictsPage.length === 0) break;
      params.start = String(Number(params.start) + Number(params.rows));
    }
    return pkgDicts;
  };

  return {
    requests,
    async gather(config, lastErrorFreeJob) {
      let getAllPackages = true;
      const fqTerms: string[] = [];
      const orgInclude = config.organizations_filter_include ?? [];
      const orgExclude = config.organizations_filter_exclude ?? [];
      if (orgInclude.length > 0) fqTerms.push(orgInclude.map((org) => `organization:${org}`).join(" OR "));
      else if (orgExclude.length > 0) fqTerms.push(...orgExclude.map((org) => `-organization:${org}`));
      const groupsInclude = config.groups_filter_include ?? [];
      const groupsExclude = config.groups_filter_exclude ?? [];
      if (groupsInclude.length > 0) fqTerms.push(groupsInclude.map((group) => `groups:${group}`).join(" OR "));
      else if (groupsExclude.length > 0) fqTerms.push(...groupsExclude.map((group) => `-groups:${group}`));

      let pkgDicts: Pkg[] = [];
      if (lastErrorFreeJob && !config.force_all) {
        getAllPackages = false;
        // "Going back a little earlier, just in case."
        const getChangesSince = pythonIsoformat(new Date(lastErrorFreeJob.gatherStarted.getTime() - 3_600_000));
        const fqSinceLastTime = `metadata_modified:[${getChangesSince}Z TO *]`;
        try {
          pkgDicts = await searchForDatasets([...fqTerms, fqSinceLastTime]);
        } catch (error) {
          if (!(error instanceof SearchError)) throw error;
          getAllPackages = true;
        }
        if (!getAllPackages && pkgDicts.length === 0) return [];
      }
      if (getAllPackages) pkgDicts = await searchForDatasets(fqTerms);
      const packageIds = new Set<string>();
      const objects: { guid: string; content: Pkg }[] = [];
      for (const pkgDict of pkgDicts) {
        if (packageIds.has(pkgDict.id)) continue;
        packageIds.add(pkgDict.id);
        objects.push({ guid: pkgDict.id, content: pkgDict });
      }
      return objects;
    },
  };
}

// ---- CKAN's shapes ------------------------------------------------------------------------------

type Kind = "string" | "number" | "boolean" | "null" | "array" | "object";
type Shape = Record<string, Kind | Kind[]>;

/** Field by field, the types CKAN 2.10/2.11 answers (package_show of a dataset with an organization, tags, groups and resources). */
const PACKAGE: Shape = {
  id: "string", name: "string", title: "string", notes: "string", type: "string", state: "string", private: "boolean", url: "string",
  version: ["string", "null"], author: ["string", "null"], author_email: ["string", "null"], maintainer: ["string", "null"], maintainer_email: ["string", "null"],
  license_id: "string", license_title: "string", license_url: "string", isopen: "boolean",
  metadata_created: "string", metadata_modified: "string", creator_user_id: "string", owner_org: "string", organization: "object",
  num_resources: "number", num_tags: "number", resources: "array", tags: "array", groups: "array", extras: "array",
  relationships_as_object: "array", relationships_as_subject: "array",
};
const RESOURCE: Shape = {
  id: "string", package_id: "string", name: "string", description: "string", format: "string", url: "string", url_type: ["string", "null"],
  mimetype: ["string", "null"], mimetype_inner: ["string", "null"], resource_type: ["string", "null"], hash: "string", size: ["number", "null"],
  created: "string", last_modified: ["string", "null"], metadata_modified: "string", cache_url: ["string", "null"], cache_last_updated: ["string", "null"],
  position: "number", state: "string", datastore_active: "boolean",
};
const TAG: Shape = { id: "string", name: "string", display_name: "string", state: "string", vocabulary_id: ["string", "null"] };
const PACKAGE_GROUP: Shape = { id: "string", name: "string", title: "string", display_name: "string", description: "string", image_display_url: "string" };
const PACKAGE_ORGANIZATION: Shape = {
  id: "string", name: "string", title: "string", type: "string", description: "string", image_url: "string", created: "string",
  is_organization: "boolean", approval_status: "string", state: "string",
};
const GROUP: Shape = {
  id: "string", name: "string", title: "string", display_name: "string", description: "string", type: "string", state: "string",
  is_organization: "boolean", approval_status: "string", image_url: "string", image_display_url: "string", created: "string",
  num_followers: "number", package_count: "number",
};
const LICENSE: Shape = {
  id: "string", title: "string", url: "string", status: "string", maintainer: "string", family: "string", od_conformance: "string",
  osd_conformance: "string", domain_content: "boolean", domain_data: "boolean", domain_software: "boolean", is_generic: "boolean",
  is_okd_compliant: "boolean", is_osi_compliant: "boolean",
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CKAN_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

function kindOf(value: unknown): Kind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as Kind;
}

function assertShape(value: unknown, shape: Shape, where: string): void {
  assert.equal(kindOf(value), "object", where);
  for (const [field, expected] of Object.entries(shape)) {
    const kinds = Array.isArray(expected) ? expected : [expected];
    const actual = kindOf((value as Record<string, unknown>)[field]);
    assert.ok(kinds.includes(actual), `${where}.${field}: ${actual}, CKAN answers ${kinds.join(" or ")}`);
  }
}

function assertPackage(pkg: Pkg): void {
  assertShape(pkg, PACKAGE, pkg.name);
  assert.match(pkg.metadata_modified as string, CKAN_TIME);
  assert.match(pkg.metadata_created as string, CKAN_TIME);
  assert.match(pkg.creator_user_id as string, UUID);
  assertShape(pkg.organization, PACKAGE_ORGANIZATION, `${pkg.name}.organization`);
  assert.match((pkg.organization as unknown as { created: string }).created, CKAN_TIME);
  for (const tag of pkg.tags as unknown[]) assertShape(tag, TAG, `${pkg.name}.tags[]`);
  for (const group of pkg.groups) {
    assertShape(group, PACKAGE_GROUP, `${pkg.name}.groups[]`);
    assert.match((group as unknown as { id: string }).id, UUID);
    assert.match(group.name, /^[a-z0-9_-]+$/);
  }
  for (const resource of pkg.resources as Record<string, unknown>[]) {
    assertShape(resource, RESOURCE, `${pkg.name}.resources[]`);
    assert.match(resource.created as string, CKAN_TIME);
    assert.match(resource.metadata_modified as string, CKAN_TIME);
  }
}

// ---- the tests ----------------------------------------------------------------------------------

describe("CKAN's own tools against the catalogue: ckanext-harvest's gather loop and okfn's ckan client", () => {
  let ctx: TestContext;
  let base: string;
  const towns: Record<string, Municipality> = {};
  /** Published datasets by municipality slug, with their themes. */
  const published: { id: string; n: number; town: string; themes: string[] }[] = [];
  let draftId = "";
  let author = "";
  let datastoreResource = "";
  let linkResource = "";
  /** Datasets the tests modify: an incremental harvest looks an hour back, so it sees each of them. */
  const changed = new Set<string>();

  const ids = (objects: { guid: string }[]) => objects.map((object) => object.guid).sort();
  const publishedIds = (keep: (dataset: { id: string; n: number; town: string; themes: string[] }) => boolean = () => true) => published.filter(keep).map((dataset) => dataset.id).sort();

  async function call(name: string, params: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> & { success: boolean; result?: unknown; error?: Record<string, unknown> } }> {
    const response = await fetch(`${base}/api/3/action/${name}?${new URLSearchParams(params).toString()}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { success: boolean; result?: unknown; error?: Record<string, unknown> } };
  }

  async function result<T>(name: string, params: Record<string, string> = {}): Promise<T> {
    const { status, body } = await call(name, params);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.success, true);
    return body.result as T;
  }

  before(async () => {
    ctx = await createTestApp({ seed: false });
    const { db } = ctx;
    const [network] = await db.query<{ id: string }>("INSERT INTO network (slug, name, description) VALUES ('reseau', 'Réseau', 'Les données du réseau.') RETURNING id");
    await db.query("INSERT INTO countries (code, calling_code, currency, network_id) VALUES ('SN', '221', 'XOF', $1)", [network!.id]);
    const common = { countryCode: "SN", region: "Dakar", timeZone: "Africa/Dakar", languages: ["fr"], description: "" };
    for (const [slug, code] of [["alpha", "ALP"], ["beta", "BET"], ["gamma", "GAM"]] as const) {
      towns[slug] = await insertMunicipality(db, { ...common, slug, referenceCode: code, name: slug.toUpperCase() }, network!.id);
    }
    const [user] = await db.query<{ id: string }>("INSERT INTO users (name, email, password_hash) VALUES ('Éditrice', 'editrice@example.org', 'x') RETURNING id");
    author = user!.id;

    // 230 datasets: the harvester asks 100 a page, so it reads three pages and an empty fourth.
    const themeCycle = [["ECON"], ["EDUC", "GOVE"], ["TRAN"], []];
    for (let n = 0; n < 230; n++) {
      const town = ["alpha", "beta", "gamma"][n % 3]!;
      const themes = themeCycle[n % 4]!;
      const row = await insertDataset(db, towns[town]!.id, { ...BASE, slug: `jeu-${n}`, title: `Jeu ${n}`, themes, tags: [`t${n % 5}`] }, author);
      await insertResource(db, towns[town]!.id, { datasetId: row.id, name: "Fichier", description: "", fileId: null, url: `https://example.org/${n}.csv`, format: "CSV" });
      await setDatasetStatus(db, towns[town]!.id, row.id, "published", author);
      published.push({ id: row.id, n, town, themes: themes.map((theme) => theme.toLowerCase()) });
    }
    const draft = await insertDataset(db, towns.alpha!.id, { ...BASE, slug: "brouillon", title: "Brouillon", themes: ["ECON"] }, author);
    draftId = draft.id;
    // Long ago, so that "modified since the last harvest, less an hour" is only what the tests change.
    await db.query("UPDATE datasets SET updated_at = '2026-03-01T10:00:00.123456Z', created_at = '2026-02-01T10:00:00Z'");

    const withTable = published[0]!;
    datastoreResource = await insertResource(db, towns[withTable.town]!.id, { datasetId: withTable.id, name: "Table", description: "", fileId: null, url: "https://example.org/table.csv", format: "CSV" });
    await db.transaction((tx) => loadResourceTable(tx, towns[withTable.town]!.id, datastoreResource, Buffer.from("commune,montant\nAlpha,12\nBeta,30\n"), "CSV"));
    const [link] = await db.query<{ id: string }>("SELECT id FROM dataset_resources WHERE dataset_id = $1 AND id <> $2", [withTable.id, datastoreResource]);
    linkResource = link!.id;
    await db.query("UPDATE datasets SET updated_at = '2026-03-01T10:00:00.123456Z'");

    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const address = ctx.app.server.address();
    assert.ok(address && typeof address === "object");
    base = `http://127.0.0.1:${address.port}`;
  });
  after(() => ctx.close());

  it("a full harvest pages through package_search sorted by id and gets every published dataset exactly once", async () => {
    const harvest = harvester(base);
    const objects = await harvest.gather({});
    assert.equal(objects.length, 230);
    assert.deepEqual(ids(objects), publishedIds());
    assert.ok(!ids(objects).includes(draftId));
    // The harvester's own requests, byte for byte, each answered 200.
    assert.deepEqual(
      harvest.requests.map((request) => request.url.slice(base.length)),
      [0, 100, 200, 300].map((start) => `/api/3/action/package_search?rows=100&start=${start}&sort=id+asc`),
    );
    assert.ok(harvest.requests.every((request) => request.status === 200));
    // Sorted by id, as Solr sorts strings.
    const order = objects.map((object) => object.guid);
    assert.deepEqual(order, [...order].sort());
    for (const object of objects.slice(0, 5)) assertPackage(object.content);
  });

  it("an incremental harvest asks for what changed since the last job, less an hour: only the modified dataset comes back", async () => {
    const harvest = harvester(base);
    const gatherStarted = new Date();
    assert.deepEqual(await harvest.gather({}, { gatherStarted }), []);
    const [request] = harvest.requests;
    const since = pythonIsoformat(new Date(gatherStarted.getTime() - 3_600_000));
    assert.equal(request!.url.slice(base.length), `/api/3/action/package_search?rows=100&start=0&sort=id+asc&fq=metadata_modified%3A%5B${quotePlus(since)}Z+TO+%2A%5D`);
    assert.equal(request!.status, 200);

    const revised = published[7]!;
    const row = (await getDataset(ctx.db, towns[revised.town]!.id, revised.id))!;
    await updateDataset(ctx.db, towns[revised.town]!.id, revised.id, { ...row, title: "Jeu 7, revu" }, author);
    changed.add(revised.id);
    const objects = await harvest.gather({}, { gatherStarted });
    assert.deepEqual(ids(objects), [revised.id]);
    assert.equal(objects[0]!.content.title, "Jeu 7, revu");
    // force_all still harvests everything.
    assert.equal((await harvest.gather({ force_all: true }, { gatherStarted })).length, 230);
  });

  it("organisations included and excluded: every dataset of the kept ones, once, full and incremental", async () => {
    const harvest = harvester(base);
    const included = await harvest.gather({ organizations_filter_include: ["alpha", "beta"] });
    assert.deepEqual(ids(included), publishedIds((dataset) => dataset.town !== "gamma"));
    assert.ok(included.every((object) => ["alpha", "beta"].includes(object.content.organization.name)));
    const excluded = await harvest.gather({ organizations_filter_exclude: ["alpha"] });
    assert.deepEqual(ids(excluded), publishedIds((dataset) => dataset.town !== "alpha"));
    const single = await harvest.gather({ organizations_filter_include: ["gamma"] });
    assert.deepEqual(ids(single), publishedIds((dataset) => dataset.town === "gamma"));

    // Change one dataset in gamma and one in beta: a harvest of alpha and beta since then sees only beta's.
    const gatherStarted = new Date();
    const gammaOne = published.find((dataset) => dataset.town === "gamma")!;
    const betaOne = published.find((dataset) => dataset.town === "beta")!;
    for (const dataset of [gammaOne, betaOne]) {
      const row = (await getDataset(ctx.db, towns[dataset.town]!.id, dataset.id))!;
      await updateDataset(ctx.db, towns[dataset.town]!.id, dataset.id, { ...row, description: "Revu." }, author);
      changed.add(dataset.id);
    }
    const changedIn = (keep: (town: string) => boolean) => publishedIds((dataset) => changed.has(dataset.id) && keep(dataset.town));
    const kept = await harvest.gather({ organizations_filter_include: ["alpha", "beta"] }, { gatherStarted });
    assert.ok(ids(kept).includes(betaOne.id) && !ids(kept).includes(gammaOne.id));
    assert.deepEqual(ids(kept), changedIn((town) => town !== "gamma"));
    assert.deepEqual(ids(await harvest.gather({ organizations_filter_exclude: ["beta"] }, { gatherStarted })), changedIn((town) => town !== "beta"));
    assert.ok(harvest.requests.every((request) => request.status === 200));
  });

  it("groups included and excluded, alone and with organisations", async () => {
    const harvest = harvester(base);
    assert.deepEqual(ids(await harvest.gather({ groups_filter_include: ["econ"] })), publishedIds((dataset) => dataset.themes.includes("econ")));
    assert.deepEqual(
      ids(await harvest.gather({ groups_filter_include: ["econ", "tran"] })),
      publishedIds((dataset) => dataset.themes.includes("econ") || dataset.themes.includes("tran")),
    );
    assert.deepEqual(ids(await harvest.gather({ groups_filter_exclude: ["econ", "gove"] })), publishedIds((dataset) => !dataset.themes.includes("econ") && !dataset.themes.includes("gove")));
    assert.deepEqual(
      ids(await harvest.gather({ organizations_filter_include: ["alpha", "gamma"], groups_filter_include: ["educ", "tran"] })),
      publishedIds((dataset) => dataset.town !== "beta" && (dataset.themes.includes("educ") || dataset.themes.includes("tran"))),
    );
    assert.ok(harvest.requests.every((request) => request.status === 200));
    // group_show, which the harvester calls for remote groups, finds the group by the name the dataset gives.
    const group = await result<Record<string, unknown>>("group_show", { id: "econ" });
    assertShape(group, GROUP, "group_show");
    assert.deepEqual(await result<Record<string, unknown>>("group_show", { id: group.id as string }), group);
    assert.equal(group.package_count, publishedIds((dataset) => dataset.themes.includes("econ")).length);
  });

  it("sorts on several keys, asc and desc, and echoes the sort as CKAN does", async () => {
    const search = (params: Record<string, string>) => result<{ sort: string; count: number; results: Pkg[] }>("package_search", params);
    assert.equal((await search({ rows: "0" })).sort, "score desc, metadata_modified desc");
    assert.equal((await search({ rows: "0", sort: "name asc" })).sort, "name asc");
    const byId = await search({ sort: "id desc", rows: "1000" });
    assert.deepEqual(byId.results.map((pkg) => pkg.id), publishedIds().reverse());
    const byTwo = await search({ sort: "metadata_modified desc, name asc", rows: "3" });
    // The datasets changed by the tests above come first, then names in code-point order.
    assert.ok((byTwo.results[0]!.metadata_modified as string) > "2026-03-02");
    const byName = await search({ sort: "name asc", rows: "1000", fq: "metadata_modified:[* TO 2026-03-02T00:00:00Z]" });
    const names = byName.results.map((pkg) => pkg.name);
    assert.deepEqual(names, [...names].sort());
    const created = await search({ sort: "metadata_created asc, title_string desc", rows: "2" });
    assert.equal(created.count, 230);
  });

  it("fq: ranges, negation, parentheses and every indexed field", async () => {
    const count = async (fq: string) => (await result<{ count: number }>("package_search", { fq, rows: "0" })).count;
    const alpha = towns.alpha!;
    assert.equal(await count(`owner_org:${alpha.id}`), publishedIds((dataset) => dataset.town === "alpha").length);
    assert.equal(await count("organization:alpha AND NOT groups:econ"), publishedIds((dataset) => dataset.town === "alpha" && !dataset.themes.includes("econ")).length);
    assert.equal(await count("(organization:alpha OR organization:beta) -groups:*"), publishedIds((dataset) => dataset.town !== "gamma" && dataset.themes.length === 0).length);
    assert.equal(await count("tags:t1 res_format:CSV license_id:odbl-1.0"), publishedIds((dataset) => dataset.n % 5 === 1).length);
    assert.equal(await count(`id:${published[3]!.id}`), 1);
    assert.equal(await count("name:alpha--jeu-1*"), publishedIds((dataset) => dataset.town === "alpha" && String(dataset.n).startsWith("1")).length);
    assert.equal(await count("extras_frequency:irregular"), 230);
    assert.equal(await count("extras_nothing:x"), 0);
    assert.equal(await count("metadata_created:{2026-02-01T10:00:00Z TO *]"), 0);
    assert.equal(await count("metadata_created:[2026-02-01T10:00:00Z TO 2026-02-01T10:00:00Z]"), 230);
    assert.equal(await count("num_resources:[2 TO *]"), 1);
    assert.equal(await count("+dataset_type:dataset +capacity:public +state:active"), 230);
    // Solr's date math: what the tests above changed today.
    const changedToday = await count("metadata_modified:{2026-03-02T00:00:00Z TO *]");
    assert.ok(changedToday > 0);
    assert.equal(await count("metadata_modified:[NOW-1DAY TO NOW+1DAY]"), changedToday);
    // Unsupported constructs: CKAN's Search Error, never a 500.
    for (const fq of ["tags:t1~", "tags:t1^3", "tags:t*1", "unknown:x", "{!lucene}tags:t1", "tags:(t1", "metadata_modified:[yesterday TO *]"]) {
      const { status, body } = await call("package_search", { fq });
      assert.equal(status, 409, fq);
      assert.equal(body.error!.__type, "Search Error", fq);
      assert.match(body.error!.message as string, /^Search error: /);
    }
    const local = await call("package_search", { fq: "{!bool must=tags:t1}" });
    assert.deepEqual(local.body.error, { __type: "Search Error", message: `Search error: "Local parameters are not supported in param 'fq'."` });
    // A fielded q is read like fq.
    assert.equal((await result<{ count: number }>("package_search", { q: "organization:beta", rows: "0" })).count, publishedIds((dataset) => dataset.town === "beta").length);
  });

  it("datastore_active is true exactly where datastore_search serves the resource", async () => {
    const pkg = await result<Pkg & { resources: { id: string; datastore_active: boolean }[] }>("package_show", { id: published[0]!.id });
    const byId = new Map(pkg.resources.map((resource) => [resource.id, resource.datastore_active]));
    assert.equal(byId.get(datastoreResource), true);
    assert.equal(byId.get(linkResource), false);
    assert.equal((await call("datastore_search", { resource_id: datastoreResource })).status, 200);
    assert.equal((await call("datastore_search", { resource_id: linkResource })).status, 404);
    assert.equal((await result<{ datastore_active: boolean }>("resource_show", { id: datastoreResource })).datastore_active, true);
  });

  it("answers the actions portals call, in CKAN's shapes", async () => {
    assert.equal(await result("site_read"), true);
    const status = await result<Record<string, unknown>>("status_show");
    assert.deepEqual(
      { site_title: status.site_title, site_description: status.site_description, locale_default: status.locale_default, site_url: status.site_url },
      { site_title: "Réseau", site_description: "Les données du réseau.", locale_default: "fr", site_url: "http://localhost:3000" },
    );
    assert.equal(typeof status.ckan_version, "string");
    assert.ok(Array.isArray(status.extensions));

    const licenses = await result<Record<string, unknown>[]>("license_list");
    for (const license of licenses) assertShape(license, LICENSE, "license_list[]");
    assert.ok(licenses.some((license) => license.id === "odbl-1.0"));

    const tags = await result<Record<string, unknown>[]>("tag_list", { all_fields: "true" });
    assert.deepEqual(tags.map((tag) => tag.name), ["t0", "t1", "t2", "t3", "t4"]);
    for (const tag of tags) {
      assert.deepEqual(Object.keys(tag).sort(), ["display_name", "id", "name", "vocabulary_id"]);
      assert.match(tag.id as string, UUID);
      assert.equal(tag.vocabulary_id, null);
    }
    // The same tag has the same id everywhere.
    const pkg = await result<Pkg & { tags: { id: string; name: string }[] }>("package_show", { id: published[0]!.id });
    assert.equal(pkg.tags[0]!.id, tags.find((tag) => tag.name === pkg.tags[0]!.name)!.id);

    const completions = await result<Record<string, unknown>[]>("package_autocomplete", { q: "gamma--jeu-2", limit: "3" });
    assert.equal(completions.length, 3);
    for (const completion of completions) {
      assert.deepEqual(Object.keys(completion).sort(), ["match_displayed", "match_field", "name", "title"]);
      assert.equal(completion.match_field, "name");
      assert.equal(completion.match_displayed, completion.name);
    }
    const byTitle = await result<Record<string, unknown>[]>("package_autocomplete", { q: "Jeu 22" });
    assert.ok(byTitle.some((completion) => completion.match_field === "title" && completion.match_displayed === `${completion.title} (${completion.name})`));

    const current = await result<Pkg[]>("current_package_list_with_resources", { limit: "5" });
    assert.equal(current.length, 5);
    for (const one of current) assertPackage(one);
    const modified = current.map((one) => one.metadata_modified as string);
    assert.deepEqual(modified, [...modified].sort().reverse());
    const next = await result<Pkg[]>("current_package_list_with_resources", { limit: "5", offset: "5" });
    assert.ok(next.every((one) => !current.some((seen) => seen.id === one.id)));
    assert.deepEqual((await result<Pkg[]>("current_package_list_with_resources", { limit: "5", page: "2" })).map((one) => one.id), next.map((one) => one.id));

    const organization = await result<Record<string, unknown> & { packages: Pkg[] }>("organization_show", { id: "beta", include_datasets: "true" });
    assertShape(organization, { ...GROUP, packages: "array" }, "organization_show");
    assert.equal(organization.package_count, publishedIds((dataset) => dataset.town === "beta").length);
    assert.deepEqual(organization.packages.map((one) => one.id).sort(), publishedIds((dataset) => dataset.town === "beta"));
    assert.deepEqual((await result<{ packages: Pkg[] }>("organization_show", { id: "beta" })).packages, []);
  });

  it("creator_user_id names no person: one fixed id per municipality", async () => {
    const [first, second] = await Promise.all(published.slice(0, 4).filter((dataset) => dataset.town === "alpha").map((dataset) => result<Pkg>("package_show", { id: dataset.id })));
    assert.ok(first && second);
    assert.equal(first.creator_user_id, second.creator_user_id);
    assert.notEqual(first.creator_user_id, author);
    const beta = await result<Pkg>("package_show", { id: published.find((dataset) => dataset.town === "beta")!.id });
    assert.notEqual(beta.creator_user_id, first.creator_user_id);
  });

  it("every error of the Action API comes in CKAN's envelope, never problem+json", async () => {
    const post = (name: string, body: string, type = "application/json") => fetch(`${base}/api/3/action/${name}`, { method: "POST", body, headers: { "content-type": type } });
    const envelope = async (response: Response, status: number, type: string) => {
      assert.equal(response.status, status);
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
      const body = (await response.json()) as { success: boolean; help: string; error: { __type: string; message: string } };
      assert.equal(body.success, false);
      assert.equal(typeof body.help, "string");
      assert.equal(body.error.__type, type);
      assert.equal(typeof body.error.message, "string");
      return body.error;
    };
    assert.match((await envelope(await post("package_search", "{not json"), 400, "Bad Request")).message, /^Bad request - JSON Error: /);
    await envelope(await post("package_search", "[1, 2]"), 400, "Bad Request");
    await envelope(await post("package_search", JSON.stringify({ q: "x".repeat(2 * 1024 * 1024) })), 413, "Bad Request");
    await envelope(await post("package_search", "q=x", "text/csv"), 415, "Bad Request");
    assert.equal((await envelope(await fetch(`${base}/api/3/action/package_nothing`), 400, "Bad Request")).message, "Bad request - Action name not known: package_nothing");
    await envelope(await fetch(`${base}/api/3/action/package_show/extra`), 404, "Not Found Error");
    await envelope(await fetch(`${base}/api/action/`), 404, "Not Found Error");
    await envelope(await fetch(`${base}/api/3/action/package_show?id=nothing`), 404, "Not Found Error");
  });

  it("okfn's ckan client searches, shows and lists against the server", async () => {
    const CKAN = createRequire(import.meta.url)("ckan") as {
      Client: new (endpoint: string) => { action(name: string, data: Record<string, unknown>, cb: (error: unknown, body: { success: boolean; result: unknown }) => void): void };
    };
    const client = new CKAN.Client(base);
    const action = (name: string, data: Record<string, unknown>) =>
      new Promise<{ success: boolean; result: unknown }>((resolve, reject) => client.action(name, data, (error, body) => (error ? reject(new Error(String(error))) : resolve(body))));

    const found = (await action("package_search", { fq: "organization:gamma groups:tran", rows: 5, sort: "name asc" })).result as { count: number; results: Pkg[]; sort: string };
    assert.equal(found.count, publishedIds((dataset) => dataset.town === "gamma" && dataset.themes.includes("tran")).length);
    assert.equal(found.results.length, 5);
    assert.equal(found.sort, "name asc");
    for (const pkg of found.results) assertPackage(pkg);
    const shown = (await action("package_show", { id: found.results[0]!.name })).result as Pkg;
    assert.deepEqual(shown, found.results[0]);
    const organizations = (await action("organization_list", { all_fields: true })).result as Record<string, unknown>[];
    assert.deepEqual(organizations.map((organization) => organization.name), ["alpha", "beta", "gamma"]);
    for (const organization of organizations) assertShape(organization, GROUP, "organization_list[]");
    // The client reports CKAN's errors as errors.
    await assert.rejects(action("package_show", { id: "nowhere" }), /HTTP code 404/);
  });
});
