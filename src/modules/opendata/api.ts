import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DataFactory, Writer } from "n3";
import { AppError } from "../../core/http/errors.js";
import { isMalformedMultipart } from "../../core/http/hostile.js";
import { DEFAULT_LOCALE, LOCALES, translator, type Translate } from "../../core/i18n/index.js";
import { findMunicipalitiesByIds, findMunicipalityBySlug, getNetwork, listMunicipalities, type Municipality } from "../../core/tenancy/index.js";
import * as store from "./store.js";
import * as datastore from "./datastore/store.js";
import { DATASTORE_ACTIONS } from "./ckan-datastore.js";
import { text, type Params } from "./ckan-params.js";
import { badRequest, CkanError, invalid, notFound, searchError, searchQueryError, type CkanErrorType } from "./ckan-errors.js";
import { FORMAT_MEDIA_TYPES, FREQUENCIES, LANGUAGE_URIS, LICENCE_IDS, LICENCES, THEMES, THEME_CODES, type Frequency, type Licence, type Theme } from "./vocabulary.js";
import { allOf, FqError, MAX_QUERY_LENGTH, parseFq, type FqNode } from "./ckan/fq.js";
import { creatorId, groupId, tagId } from "./ckan/ids.js";

/**
 * Machine interfaces of the open-data catalogue, for the portals and harvesters that already
 * speak them: the CKAN Action API v3 (read-only), DCAT-AP 3.0 catalogues in Turtle and JSON-LD,
 * and a Frictionless data package per dataset. Only published datasets ever appear.
 */

// ---- shared helpers -----------------------------------------------------------------------------

/** CKAN names must be unique network-wide, dataset slugs only per municipality; neither slug can hold "--". */
const NAME_SEPARATOR = "--";
const ckanName = (municipalitySlug: string, datasetSlug: string) => `${municipalitySlug}${NAME_SEPARATOR}${datasetSlug}`;

const LANGUAGE_TAG = /^[a-z]{2,3}$/;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** The media type of a resource: the stored file's, else the usual one of its declared format. */
function mediaTypeOf(resource: store.ResourceRow): string | null {
  const candidate = (resource.media_type ?? FORMAT_MEDIA_TYPES[resource.format.toUpperCase()] ?? "").split(";")[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(candidate) ? candidate : null;
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

interface Links {
  base: string;
  dataset: (municipality: Municipality, dataset: store.DatasetRow) => string;
  resource: (municipality: Municipality, dataset: store.DatasetRow, resource: store.ResourceRow) => string;
}

function links(publicUrl: string): Links {
  const base = publicUrl.replace(/\/+$/, "");
  const dataset = (municipality: Municipality, row: store.DatasetRow) => `${base}/${municipality.slug}/data/${row.slug}`;
  return {
    base,
    dataset,
    // Uploads are served by the portal's download route; links point where the publisher said.
    resource: (municipality, row, resource) => (resource.file_id ? `${dataset(municipality, row)}/resources/${resource.id}/download` : (resource.url ?? "")),
  };
}

function groupResources(resources: store.ResourceRow[]): Map<string, store.ResourceRow[]> {
  const byDataset = new Map<string, store.ResourceRow[]>();
  for (const resource of resources) {
    const list = byDataset.get(resource.dataset_id) ?? [];
    list.push(resource);
    byDataset.set(resource.dataset_id, list);
  }
  return byDataset;
}

/** Open data is meant to be reused from any site: allow cross-origin reads of these public documents. */
function openToAllOrigins(reply: FastifyReply): void {
  reply.header("Access-Control-Allow-Origin", "*");
  reply.header("Cross-Origin-Resource-Policy", "cross-origin");
}

// ---- CKAN Action API v3 -------------------------------------------------------------------------

function required(params: Params, name: string): string {
  const value = text(params, name)?.trim();
  if (!value) throw invalid(name, "Missing value");
  return value;
}

function integer(params: Params, name: string, fallback: number, max?: number): number {
  const raw = text(params, name)?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw invalid(name, /^-?\d+$/.test(raw) ? "Must be a natural number" : "Invalid integer");
  const value = Number(raw);
  // CKAN caps rows at its configured maximum rather than refusing.
  return max === undefined ? value : Math.min(value, max);
}

/** CKAN's boolean validator reads true/false, yes/no, 1/0, on/off. */
function flag(params: Params, name: string, fallback = false): boolean {
  const raw = text(params, name)?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  return raw === "true" || raw === "1" || raw === "yes" || raw === "on";
}

const MAX_ROWS = 1000;

type FilterKey = store.PackageFacetField;
const FILTER_KEYS: FilterKey[] = ["organization", "tags", "res_format", "license_id", "groups"];

/** CKAN's default (ckan.search.default_package_sort), echoed when a client sends none. */
const DEFAULT_SORT = "score desc, metadata_modified desc";
const SORT_FIELDS = new Set<store.PackageSortField>(["id", "name", "title_string", "metadata_modified", "metadata_created", "score"]);

/** Solr's sort syntax: comma-separated `field direction` pairs. */
function parseSort(raw: string): store.PackageQuery["sort"] {
  return raw.split(",").map((part) => {
    const words = part.trim().split(/\s+/);
    const [field = "", direction = ""] = words;
    // Solr: "Can't determine a Sort Order", which CKAN turns into its own error.
    if (words.length !== 2 || !/^(asc|desc)$/i.test(direction)) throw searchQueryError('Invalid "sort" parameter');
    if (!SORT_FIELDS.has(field as store.PackageSortField)) throw searchError(`sort param field can't be found: ${field}`);
    return { field: field as store.PackageSortField, direction: direction.toLowerCase() as "asc" | "desc" };
  });
}

function facetFields(params: Params): FilterKey[] {
  let value = params["facet.field"];
  if (value === undefined || value === null || value === "") return [];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw invalid("facet.field", "Could not parse as valid JSON");
    }
  }
  if (!Array.isArray(value) || !value.every((field) => typeof field === "string")) throw invalid("facet.field", "Not a list");
  const unknown = (value as string[]).find((field) => !(FILTER_KEYS as string[]).includes(field));
  // Solr refuses to facet on a field its schema lacks.
  if (unknown !== undefined) throw searchError(`undefined field ${unknown}`);
  return [...new Set(value as FilterKey[])];
}

/** The `fq`, or a `q` holding a colon (CKAN sends those to Solr's standard parser, not dismax), as a filter. */
function filterOf(source: string, param: "fq" | "q"): FqNode {
  try {
    return parseFq(source, param);
  } catch (error) {
    if (error instanceof FqError) throw searchError(error.message);
    throw error;
  }
}

interface CkanTimes {
  organizations: Map<string, string>;
  /** For the themes, which have no date of their own: the network's first municipality's. */
  first: string;
}

function organizationDict(municipality: Municipality, times: CkanTimes, packageCount?: number) {
  return {
    id: municipality.id,
    name: municipality.slug,
    title: municipality.name,
    display_name: municipality.name,
    description: municipality.description,
    type: "organization",
    is_organization: true,
    state: "active",
    approval_status: "approved",
    image_url: "",
    image_display_url: "",
    created: times.organizations.get(municipality.id) ?? times.first,
    num_followers: 0,
    ...(packageCount === undefined ? {} : { package_count: packageCount }),
  };
}

/** The organization as package_show embeds it (CKAN's group_dictize with packages left out). */
function embeddedOrganization(municipality: Municipality, times: CkanTimes) {
  const { display_name: _display, image_display_url: _image, num_followers: _followers, ...rest } = organizationDict(municipality, times);
  return rest;
}

/** CKAN group names are lower-case slugs; the themes' codes become `econ`, `gove`… */
const groupName = (theme: Theme) => theme.toLowerCase();

function groupDict(theme: Theme, t: Translate, times: CkanTimes, packageCount?: number) {
  const label = t(THEMES[theme].labelKey);
  return {
    id: groupId(THEMES[theme].uri),
    name: groupName(theme),
    title: label,
    display_name: label,
    description: "",
    type: "group",
    is_organization: false,
    state: "active",
    approval_status: "approved",
    image_url: "",
    image_display_url: "",
    created: times.first,
    num_followers: 0,
    ...(packageCount === undefined ? {} : { package_count: packageCount }),
  };
}

function themeByGroup(id: string): Theme | undefined {
  return THEME_CODES.find((theme) => groupName(theme) === id || groupId(THEMES[theme].uri) === id);
}

function resourceDict(link: Links, municipality: Municipality, dataset: store.DatasetRow, resource: store.ResourceRow) {
  return {
    id: resource.id,
    package_id: dataset.id,
    name: resource.name,
    description: resource.description,
    format: resource.format.toUpperCase(),
    mimetype: mediaTypeOf(resource),
    mimetype_inner: null,
    url: link.resource(municipality, dataset, resource),
    url_type: resource.file_id ? "upload" : null,
    resource_type: null,
    // CKAN's hash is free text, most often a digest of the file; the stored file's SHA-256 here.
    hash: resource.sha256 ?? "",
    size: resource.size_bytes === null ? null : Number(resource.size_bytes),
    created: resource.created_utc,
    // CKAN's last_modified is when the file last changed; a link's file is not known here.
    last_modified: resource.file_id ? resource.updated_utc : null,
    metadata_modified: resource.updated_utc,
    cache_url: null,
    cache_last_updated: null,
    position: resource.position,
    state: "active",
    datastore_active: resource.in_datastore,
  };
}

function packageDict(link: Links, t: Translate, times: CkanTimes, municipality: Municipality, dataset: store.DatasetRow, resources: store.ResourceRow[]) {
  const licence = LICENCES[dataset.licence as Licence];
  const extras = [
    ["frequency", dataset.frequency],
    ["spatial", dataset.spatial],
    ["temporal_start", dataset.temporal_start ?? ""],
    ["temporal_end", dataset.temporal_end ?? ""],
    ["language", dataset.language],
  ]
    .filter(([, value]) => value !== "")
    .map(([key, value]) => ({ key, value }));
  return {
    id: dataset.id,
    name: ckanName(municipality.slug, dataset.slug),
    title: dataset.title,
    notes: dataset.description,
    license_id: dataset.licence,
    license_title: licence?.title ?? dataset.licence,
    license_url: licence?.url ?? "",
    isopen: true,
    metadata_created: dataset.created_utc,
    metadata_modified: dataset.updated_utc,
    creator_user_id: creatorId(municipality.id),
    author: null,
    author_email: null,
    maintainer: dataset.contact_name || null,
    maintainer_email: dataset.contact_email || null,
    version: String(dataset.version),
    organization: embeddedOrganization(municipality, times),
    owner_org: municipality.id,
    tags: dataset.tags.map((tag) => ({ id: tagId(tag), name: tag, display_name: tag, state: "active", vocabulary_id: null })),
    groups: dataset.themes
      .filter((theme): theme is Theme => theme in THEMES)
      .map((theme) => {
        const { id, name, title, display_name, description, image_display_url } = groupDict(theme, t, times);
        return { id, name, title, display_name, description, image_display_url };
      }),
    resources: resources.map((resource) => resourceDict(link, municipality, dataset, resource)),
    num_resources: resources.length,
    num_tags: dataset.tags.length,
    state: "active",
    type: "dataset",
    private: false,
    url: link.dataset(municipality, dataset),
    extras,
    relationships_as_object: [],
    relationships_as_subject: [],
  };
}

interface ActionContext {
  app: FastifyInstance;
  request: FastifyRequest;
  params: Params;
  link: Links;
}

async function municipalitiesById(app: FastifyInstance): Promise<Map<string, Municipality>> {
  return new Map((await listMunicipalities(app.db)).map((municipality) => [municipality.id, municipality]));
}

async function packageDicts(ctx: ActionContext, rows: store.DatasetRow[]) {
  const municipalities = await municipalitiesById(ctx.app);
  const times = await store.creationTimes(ctx.app.db);
  const resources = groupResources(await store.listResourcesOfDatasets(ctx.app.db, rows.map((row) => row.id)));
  return rows.map((row) => packageDict(ctx.link, ctx.request.t, times, municipalities.get(row.municipality_id)!, row, resources.get(row.id) ?? []));
}

/** A published dataset by CKAN name (`municipality--dataset`), UUID, or bare slug (the oldest such). */
async function resolvePackage(app: FastifyInstance, id: string): Promise<store.DatasetRow | undefined> {
  if (store.isUuid(id) || !id.includes(NAME_SEPARATOR)) return store.findPublishedDataset(app.db, id);
  const parts = id.split(NAME_SEPARATOR);
  if (parts.length !== 2) return undefined;
  const [municipalitySlug, datasetSlug] = parts as [string, string];
  const municipality = await findMunicipalityBySlug(app.db, municipalitySlug);
  if (!municipality) return undefined;
  const row = await store.getDatasetBySlug(app.db, municipality.id, datasetSlug);
  return row?.status === "published" ? row : undefined;
}

async function resolveOrganization(app: FastifyInstance, id: string): Promise<Municipality | undefined> {
  if (store.isUuid(id)) return (await findMunicipalitiesByIds(app.db, [id]))[0];
  return findMunicipalityBySlug(app.db, id);
}

/** Facet counts over every published dataset: one query, no rows. */
async function publishedCounts(app: FastifyInstance): Promise<Record<FilterKey, Record<string, number>>> {
  const result = await store.searchPackages(app.db, { filter: { kind: "all" }, text: "", sort: [], facets: FILTER_KEYS, limit: 0, offset: 0 });
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, result.facets[key] ?? {}])) as Record<FilterKey, Record<string, number>>;
}

function page<T>(params: Params, items: T[]): T[] {
  const offset = integer(params, "offset", 0);
  const limit = integer(params, "limit", items.length);
  return items.slice(offset, offset + limit);
}

interface SearchParams {
  q?: string;
  fq?: string;
  rows: number;
  start: number;
  sort?: string;
  facetFields?: FilterKey[];
  facetLimit?: number;
}

/** package_search itself, also what current_package_list_with_resources and *_show with include_datasets page through. */
async function searchPackages(ctx: ActionContext, search: SearchParams) {
  const { app, request } = ctx;
  let q = (search.q ?? "").trim();
  if (q.length > MAX_QUERY_LENGTH) throw searchError(`q is longer than ${MAX_QUERY_LENGTH} characters`);
  if (q.startsWith("{!")) throw searchError("Local parameters are not supported in param 'q'.");
  // CKAN: "If the query has a colon in it then consider it a fielded search".
  const fielded = q.includes(":");
  const filter = allOf(filterOf(search.fq ?? "", "fq"), fielded ? filterOf(q, "q") : { kind: "all" });
  if (fielded || q === "*" || q === '""' || q === "''") q = "";
  const rawSort = search.sort?.trim();
  const sortEcho = rawSort === undefined || rawSort === "" || rawSort === "rank" ? DEFAULT_SORT : search.sort!;
  const sort = parseSort(sortEcho);
  const fields = search.facetFields ?? [];
  const result = await store.searchPackages(app.db, { filter, text: q, sort, facets: fields, limit: search.rows, offset: search.start });

  // Full dicts for the page, in the order the search ranked them.
  const full = await store.listPublishedDatasetsByIds(app.db, result.ids);
  const byId = new Map(full.map((row) => [row.id, row]));
  const results = await packageDicts(ctx, result.ids.map((id) => byId.get(id)).filter((row): row is store.DatasetRow => !!row));

  const municipalityNames = fields.includes("organization") ? new Map((await listMunicipalities(app.db)).map((m) => [m.slug, m.name])) : new Map<string, string>();
  const displayName = (field: FilterKey, name: string): string => {
    if (field === "organization") return municipalityNames.get(name) ?? name;
    if (field === "license_id") return LICENCES[name as Licence]?.title ?? name;
    if (field === "groups") {
      const theme = themeByGroup(name);
      return theme ? request.t(THEMES[theme].labelKey) : name;
    }
    return name;
  };
  const facetLimit = search.facetLimit ?? 50;
  const facets: Record<string, Record<string, number>> = {};
  const searchFacets: Record<string, { title: string; items: { name: string; display_name: string; count: number }[] }> = {};
  for (const field of fields) {
    const items = Object.entries(result.facets[field] ?? {})
      .map(([name, count]) => [name, Number(count)] as const)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .slice(0, facetLimit)
      .map(([name, count]) => ({ name, display_name: displayName(field, name), count }));
    facets[field] = Object.fromEntries(items.map((item) => [item.name, item.count]));
    searchFacets[field] = { title: field, items };
  }
  return { count: result.total, sort: sortEcho, facets, search_facets: searchFacets, results };
}

/** CKAN's group_show/organization_show, with the first datasets when asked (ckan.search.rows_max caps them). */
async function groupOrOrganizationShow(ctx: ActionContext, dict: Record<string, unknown>, fq: string) {
  const includeDatasets = flag(ctx.params, "include_datasets");
  const withCount = flag(ctx.params, "include_dataset_count", true);
  const found = await searchPackages(ctx, { fq, rows: includeDatasets ? MAX_ROWS : 0, start: 0 });
  return {
    ...dict,
    ...(withCount ? { package_count: found.count } : {}),
    packages: includeDatasets ? found.results : [],
    extras: [],
    groups: [],
    tags: [],
    users: [],
  };
}

/** Lucene's escaping, so that a name is one term of a filter whatever it holds. */
const solrTerm = (value: string) => `"${value.replace(/(["\\])/g, "\\$1")}"`;

/** CKAN's default licence register entries (ckan/model/license.py), for the licences datasets use here. */
const LICENCE_DICTS: Record<Licence, { od_conformance: string; osd_conformance: string; domain_content: boolean; domain_data: boolean }> = {
  "odbl-1.0": { od_conformance: "approved", osd_conformance: "not reviewed", domain_content: false, domain_data: true },
  "cc-by-4.0": { od_conformance: "approved", osd_conformance: "not reviewed", domain_content: true, domain_data: false },
  "lo-2.0": { od_conformance: "approved", osd_conformance: "not reviewed", domain_content: true, domain_data: true },
  "cc0-1.0": { od_conformance: "approved", osd_conformance: "not reviewed", domain_content: true, domain_data: true },
};

const ACTIONS: Record<string, { help: string; run: (ctx: ActionContext) => Promise<unknown> }> = {
  site_read: {
    help: "Return true: the site may be read.",
    run: async () => true,
  },
  status_show: {
    help: "Return basic information about the site's CKAN-compatible API.",
    run: async ({ link, app }) => {
      const network = await getNetwork(app.db);
      return {
        site_title: network?.name ?? "Cité Ouverte",
        site_description: network?.description ?? "",
        site_url: link.base,
        error_emails_to: null,
        locale_default: DEFAULT_LOCALE,
        ckan_version: "2.10.0",
        extensions: ["datastore"],
      };
    },
  },
  help_show: {
    help: "Return the help string of an action. Parameters: name.",
    run: async ({ params }) => {
      const name = required(params, "name");
      if (!Object.hasOwn(ACTIONS, name)) throw notFound("Action function not found");
      return ACTIONS[name]!.help;
    },
  },
  license_list: {
    help: "Return the licences datasets may carry.",
    run: async () =>
      LICENCE_IDS.map((id) => ({
        id,
        title: LICENCES[id].title,
        url: LICENCES[id].url,
        status: "active",
        maintainer: "",
        family: "",
        is_generic: false,
        is_okd_compliant: true,
        is_osi_compliant: false,
        domain_software: false,
        ...LICENCE_DICTS[id],
      })),
  },
  package_list: {
    help: "Return the names of the published datasets (municipality--dataset). Parameters: limit, offset.",
    run: async ({ app, params }) => {
      const municipalities = await municipalitiesById(app);
      const rows = await store.listPublishedDatasetsOf(app.db, null);
      const names = rows.map((row) => ckanName(municipalities.get(row.municipality_id)!.slug, row.slug)).sort();
      return page(params, names);
    },
  },
  current_package_list_with_resources: {
    help: "Return the published datasets with their resources, most recently modified first. Parameters: limit, offset, page.",
    run: async (ctx) => {
      const limit = integer(ctx.params, "limit", 10, MAX_ROWS);
      // CKAN reads `page` (from 1) only when no offset is given.
      const offset = text(ctx.params, "offset") === undefined && text(ctx.params, "page") !== undefined ? (Math.max(integer(ctx.params, "page", 1), 1) - 1) * limit : integer(ctx.params, "offset", 0);
      return (await searchPackages(ctx, { rows: limit, start: offset })).results;
    },
  },
  package_show: {
    help: "Return a published dataset. Parameters: id (name or UUID).",
    run: async (ctx) => {
      const row = await resolvePackage(ctx.app, required(ctx.params, "id"));
      if (!row) throw notFound();
      return (await packageDicts(ctx, [row]))[0];
    },
  },
  package_autocomplete: {
    help: "Return published datasets whose name or title holds the words. Parameters: q, limit.",
    run: async ({ app, params }) => {
      const q = required(params, "q");
      if (q.length > 200) throw invalid("q", "Must be at most 200 characters long");
      const matches = await store.autocompletePackages(app.db, q, integer(params, "limit", 10, 100));
      return matches.map(({ name, title }) =>
        name.includes(q.toLowerCase()) ? { name, title, match_field: "name", match_displayed: name } : { name, title, match_field: "title", match_displayed: `${title} (${name})` },
      );
    },
  },
  package_search: {
    help: "Search published datasets. Parameters: q, fq, rows, start, sort, facet.field, facet.limit.",
    run: async (ctx) => {
      const { params } = ctx;
      const facetLimitRaw = text(params, "facet.limit")?.trim();
      return searchPackages(ctx, {
        q: text(params, "q"),
        fq: text(params, "fq"),
        rows: integer(params, "rows", 10, MAX_ROWS),
        start: integer(params, "start", 0),
        sort: text(params, "sort"),
        facetFields: facetFields(params),
        // A negative limit means no limit, as in Solr.
        facetLimit: facetLimitRaw !== undefined && /^-\d+$/.test(facetLimitRaw) ? Infinity : integer(params, "facet.limit", 50),
      });
    },
  },
  organization_list: {
    help: "Return the municipalities as CKAN organizations. Parameters: all_fields, limit, offset.",
    run: async ({ app, params }) => {
      const municipalities = (await listMunicipalities(app.db)).sort((a, b) => a.slug.localeCompare(b.slug));
      if (!flag(params, "all_fields")) return page(params, municipalities.map((municipality) => municipality.slug));
      const counts = (await publishedCounts(app)).organization;
      const times = await store.creationTimes(app.db);
      return page(params, municipalities.map((municipality) => organizationDict(municipality, times, Number(counts[municipality.slug] ?? 0))));
    },
  },
  organization_show: {
    help: "Return a municipality as a CKAN organization. Parameters: id (slug or UUID), include_datasets.",
    run: async (ctx) => {
      const municipality = await resolveOrganization(ctx.app, required(ctx.params, "id"));
      if (!municipality) throw notFound();
      const dict = organizationDict(municipality, await store.creationTimes(ctx.app.db));
      return groupOrOrganizationShow(ctx, dict, `owner_org:${solrTerm(municipality.id)}`);
    },
  },
  group_list: {
    help: "Return the DCAT-AP data themes as CKAN groups. Parameters: all_fields.",
    run: async ({ app, params, request }) => {
      const themes = [...THEME_CODES].sort();
      if (!flag(params, "all_fields")) return page(params, themes.map(groupName));
      const counts = (await publishedCounts(app)).groups;
      const times = await store.creationTimes(app.db);
      return page(params, themes.map((theme) => groupDict(theme, request.t, times, Number(counts[groupName(theme)] ?? 0))));
    },
  },
  group_show: {
    help: "Return a DCAT-AP data theme as a CKAN group. Parameters: id (name or UUID), include_datasets.",
    run: async (ctx) => {
      const theme = themeByGroup(required(ctx.params, "id"));
      if (!theme) throw notFound();
      const dict = groupDict(theme, ctx.request.t, await store.creationTimes(ctx.app.db));
      return groupOrOrganizationShow(ctx, dict, `groups:${solrTerm(groupName(theme))}`);
    },
  },
  tag_list: {
    help: "Return the tags of published datasets. Parameters: query (a prefix), all_fields.",
    run: async ({ app, params }) => {
      const prefix = (text(params, "query") ?? "").trim().toLowerCase();
      const tags = Object.keys((await publishedCounts(app)).tags)
        .filter((tag) => tag.toLowerCase().startsWith(prefix))
        .sort((a, b) => a.localeCompare(b));
      return flag(params, "all_fields") ? tags.map((tag) => ({ id: tagId(tag), name: tag, display_name: tag, vocabulary_id: null })) : tags;
    },
  },
  ...DATASTORE_ACTIONS,
  resource_show: {
    help: "Return a resource of a published dataset. Parameters: id.",
    run: async ({ app, params, link }) => {
      const resource = await store.findPublishedResource(app.db, required(params, "id"));
      const dataset = resource && (await store.findPublishedDataset(app.db, resource.dataset_id));
      const municipality = dataset && (await findMunicipalitiesByIds(app.db, [dataset.municipality_id]))[0];
      if (!resource || !dataset || !municipality) throw notFound("Resource was not found.");
      return resourceDict(link, municipality, dataset, resource);
    },
  },
};

// ---- DCAT-AP 3.0 --------------------------------------------------------------------------------

const { namedNode, literal, quad } = DataFactory;
const EU = "http://publications.europa.eu/resource/authority";
const PREFIXES = {
  dcat: "http://www.w3.org/ns/dcat#",
  dct: "http://purl.org/dc/terms/",
  foaf: "http://xmlns.com/foaf/0.1/",
  vcard: "http://www.w3.org/2006/vcard/ns#",
  skos: "http://www.w3.org/2004/02/skos/core#",
  locn: "http://www.w3.org/ns/locn#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
} as const;
type Curie = `${keyof typeof PREFIXES}:${string}`;

/** Formats with an entry in the EU file-type authority table, for dct:format. */
const EU_FILE_TYPES = new Set(["CSV", "XLSX", "XLS", "ODS", "JSON", "GEOJSON", "PDF", "ZIP", "HTML", "XML", "TXT", "KML", "RDF_TURTLE", "PARQUET"]);

type Term = { iri: string } | { value: string; datatype?: Curie; lang?: string };

interface RdfNode {
  id: string;
  types: Set<Curie>;
  properties: [Curie, Term][];
}

/**
 * Characters an IRI may not hold in Turtle (and that no IRI should hold) are percent-encoded, so
 * a publisher's link cannot break out of `<…>`; anything but an absolute IRI is refused.
 */
function safeIri(value: string): string | null {
  const cleaned = value.trim().replace(/[^\u0021-\u007e\u00a0-\u{10ffff}]|[<>"{}|^`\\]/gu, (char) => encodeURIComponent(char));
  return /^(https?|mailto):[^\s]+$/i.test(cleaned) ? cleaned : null;
}

/** A small graph written both as Turtle and as JSON-LD, so that the two always say the same. */
class Graph {
  readonly nodes = new Map<string, RdfNode>();

  node(id: string, ...types: Curie[]): RdfNode {
    const node = this.nodes.get(id) ?? { id, types: new Set<Curie>(), properties: [] };
    for (const type of types) node.types.add(type);
    this.nodes.set(id, node);
    return node;
  }

  literal(node: RdfNode, predicate: Curie, value: string | null | undefined, options: { datatype?: Curie; lang?: string } = {}): void {
    if (value === null || value === undefined || value === "") return;
    const lang = options.lang && LANGUAGE_TAG.test(options.lang) ? options.lang : undefined;
    node.properties.push([predicate, { value, ...(options.datatype ? { datatype: options.datatype } : {}), ...(lang && !options.datatype ? { lang } : {}) }]);
  }

  /** Links to an IRI (typed when given classes); returns the IRI, or null when it was refused. */
  link(node: RdfNode, predicate: Curie, iri: string | null | undefined, ...types: Curie[]): string | null {
    const safe = iri ? safeIri(iri) : null;
    if (!safe) return null;
    node.properties.push([predicate, { iri: safe }]);
    if (types.length > 0) this.node(safe, ...types);
    return safe;
  }

  /** Turtle through n3's writer: its escaping of IRIs and literals, not ours. */
  toTurtle(): Promise<string> {
    const expand = (curie: Curie) => {
      const [prefix, local] = curie.split(":") as [keyof typeof PREFIXES, string];
      return namedNode(`${PREFIXES[prefix]}${local}`);
    };
    const writer = new Writer({ prefixes: { ...PREFIXES } });
    const rdfType = namedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
    for (const node of this.nodes.values()) {
      const subject = namedNode(node.id);
      for (const type of node.types) writer.addQuad(quad(subject, rdfType, expand(type)));
      for (const [predicate, term] of node.properties) {
        const object =
          "iri" in term
            ? namedNode(term.iri)
            : literal(wellFormed(term.value), term.datatype ? expand(term.datatype) : term.lang);
        writer.addQuad(quad(subject, expand(predicate), object));
      }
    }
    return new Promise((resolve, reject) => writer.end((error: Error | null, result: string) => (error ? reject(error) : resolve(result))));
  }

  toJsonLd(): Record<string, unknown> {
    const graph = [...this.nodes.values()].map((node) => {
      const out: Record<string, unknown> = { "@id": node.id };
      if (node.types.size > 0) out["@type"] = [...node.types];
      for (const [predicate, term] of node.properties) {
        const value =
          "iri" in term
            ? { "@id": term.iri }
            : { "@value": term.value, ...(term.datatype ? { "@type": term.datatype } : {}), ...(term.lang ? { "@language": term.lang } : {}) };
        ((out[predicate] ??= []) as unknown[]).push(value);
      }
      return out;
    });
    return { "@context": { ...PREFIXES }, "@graph": graph };
  }
}

/** A lone surrogate cannot be written as UTF-8; it becomes U+FFFD rather than corrupting the document. */
function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

const dateTime = (value: Date | string) => toDate(value).toISOString();

interface CatalogueScope {
  id: string;
  title: string;
  /** The description in each language it is written in. */
  descriptions: { text: string; lang: string }[];
  homepage: string;
  publisher: { id: string; name: string };
  languages: string[];
}

async function buildCatalogue(app: FastifyInstance, municipality: Municipality | null): Promise<Graph> {
  const link = links(app.config.publicUrl);
  const rows = await store.listPublishedDatasetsOf(app.db, municipality ? [municipality.id] : null);
  const municipalities = municipality ? new Map([[municipality.id, municipality]]) : await municipalitiesById(app);
  const resources = groupResources(await store.listResourcesOfDatasets(app.db, rows.map((row) => row.id)));
  const agent = (m: Municipality) => ({ id: `${link.base}/${m.slug}#publisher`, name: m.name });

  let scope: CatalogueScope;
  if (municipality) {
    scope = {
      id: `${link.base}/${municipality.slug}/catalog`,
      title: municipality.name,
      // A municipality's own description is written in its first language; the platform's
      // default one exists in every language of the platform.
      descriptions: municipality.description
        ? [{ text: municipality.description, lang: municipality.languages[0] ?? "fr" }]
        : LOCALES.map((lang) => ({ text: translator(lang)("opendata.catalogue.description", { name: municipality.name }), lang })),
      homepage: `${link.base}/${municipality.slug}/data`,
      publisher: agent(municipality),
      languages: municipality.languages,
    };
  } else {
    const network = await getNetwork(app.db);
    const name = network?.name || "Cité Ouverte";
    scope = {
      id: `${link.base}/catalog`,
      title: name,
      descriptions: network?.description
        ? [{ text: network.description, lang: "fr" }]
        : LOCALES.map((lang) => ({ text: translator(lang)("opendata.catalogue.network_description", { name }), lang })),
      homepage: `${link.base}/data`,
      publisher: { id: `${link.base}/#publisher`, name },
      languages: [...new Set(rows.map((row) => row.language))],
    };
  }

  const graph = new Graph();
  const catalog = graph.node(scope.id, "dcat:Catalog");
  // A name is the same in every language the catalogue speaks; each says so with its tag, so
  // that a portal choosing a title by language finds one.
  for (const lang of scope.languages.length > 0 ? scope.languages : ["fr"]) graph.literal(catalog, "dct:title", scope.title, { lang });
  for (const description of scope.descriptions) graph.literal(catalog, "dct:description", description.text, { lang: description.lang });
  const publisher = graph.link(catalog, "dct:publisher", scope.publisher.id, "foaf:Agent");
  if (publisher) graph.literal(graph.node(publisher), "foaf:name", scope.publisher.name);
  graph.link(catalog, "foaf:homepage", scope.homepage, "foaf:Document");
  for (const language of scope.languages) if (LANGUAGE_URIS[language]) graph.link(catalog, "dct:language", LANGUAGE_URIS[language], "dct:LinguisticSystem");
  const latest = rows.reduce<Date | null>((max, row) => (max && max >= toDate(row.updated_at) ? max : toDate(row.updated_at)), null);
  if (latest) graph.literal(catalog, "dct:modified", dateTime(latest), { datatype: "xsd:dateTime" });

  const themed = new Set<string>();
  for (const row of rows) {
    const owner = municipalities.get(row.municipality_id)!;
    const landing = link.dataset(owner, row);
    const id = `${landing}#dataset`;
    graph.link(catalog, "dcat:dataset", id);
    const dataset = graph.node(id, "dcat:Dataset");
    const lang = row.language;
    graph.literal(dataset, "dct:title", row.title, { lang });
    // The description is mandatory in DCAT-AP; a dataset published without one repeats its title.
    graph.literal(dataset, "dct:description", row.description || row.title, { lang });
    graph.literal(dataset, "dct:identifier", row.id);
    const ownerAgent = agent(owner);
    if (graph.link(dataset, "dct:publisher", ownerAgent.id, "foaf:Agent")) graph.literal(graph.node(ownerAgent.id), "foaf:name", ownerAgent.name);
    if (row.contact_name || row.contact_email) {
      const contact = graph.node(graph.link(dataset, "dcat:contactPoint", `${landing}#contact`, "vcard:Kind")!);
      graph.literal(contact, "vcard:fn", row.contact_name || row.contact_email);
      if (/^[^\s@<>"]+@[^\s@<>"]+$/.test(row.contact_email)) graph.link(contact, "vcard:hasEmail", `mailto:${row.contact_email}`);
    }
    for (const tag of row.tags) graph.literal(dataset, "dcat:keyword", tag, { lang });
    for (const theme of row.themes) {
      if (!(theme in THEMES)) continue;
      const uri = graph.link(dataset, "dcat:theme", THEMES[theme as Theme].uri, "skos:Concept");
      // DCAT-AP requires a concept's label; added once, in each language of the platform.
      if (uri && !themed.has(uri)) {
        themed.add(uri);
        const concept = graph.node(uri);
        graph.link(concept, "skos:inScheme", `${EU}/data-theme`);
        for (const locale of LOCALES) graph.literal(concept, "skos:prefLabel", translator(locale)(THEMES[theme as Theme].labelKey), { lang: locale });
      }
    }
    if (row.spatial) {
      const place = graph.node(graph.link(dataset, "dct:spatial", `${landing}#spatial`, "dct:Location")!);
      graph.literal(place, "locn:geographicName", row.spatial, { lang });
    }
    if (row.temporal_start || row.temporal_end) {
      const period = graph.node(graph.link(dataset, "dct:temporal", `${landing}#temporal`, "dct:PeriodOfTime")!);
      graph.literal(period, "dcat:startDate", row.temporal_start, { datatype: "xsd:date" });
      graph.literal(period, "dcat:endDate", row.temporal_end, { datatype: "xsd:date" });
    }
    const frequency = FREQUENCIES[row.frequency as Frequency];
    if (frequency) graph.link(dataset, "dct:accrualPeriodicity", frequency.uri, "dct:Frequency");
    if (row.published_at) graph.literal(dataset, "dct:issued", dateTime(row.published_at), { datatype: "xsd:dateTime" });
    graph.literal(dataset, "dct:modified", dateTime(row.updated_at), { datatype: "xsd:dateTime" });
    if (LANGUAGE_URIS[row.language]) graph.link(dataset, "dct:language", LANGUAGE_URIS[row.language], "dct:LinguisticSystem");
    graph.link(dataset, "dcat:landingPage", landing, "foaf:Document");

    const licence = LICENCES[row.licence as Licence];
    for (const resource of resources.get(row.id) ?? []) {
      const target = link.resource(owner, row, resource);
      if (!safeIri(target)) continue;
      const distributionId = graph.link(dataset, "dcat:distribution", `${landing}#resource-${resource.id}`, "dcat:Distribution")!;
      const distribution = graph.node(distributionId);
      // The DCAT-AP 3.0 shapes ask these to be rdfs:Resource, which a validator without RDFS
      // inference only sees when it is stated.
      graph.link(distribution, "dcat:accessURL", target, "rdfs:Resource");
      if (resource.file_id) graph.link(distribution, "dcat:downloadURL", target, "rdfs:Resource");
      graph.literal(distribution, "dct:title", resource.name, { lang });
      graph.literal(distribution, "dct:description", resource.description, { lang });
      const format = resource.format.toUpperCase();
      if (EU_FILE_TYPES.has(format)) graph.link(distribution, "dct:format", `${EU}/file-type/${format}`, "dct:MediaTypeOrExtent");
      const mediaType = mediaTypeOf(resource);
      if (mediaType) graph.link(distribution, "dcat:mediaType", `https://www.iana.org/assignments/media-types/${mediaType}`, "dct:MediaType");
      if (licence) graph.link(distribution, "dct:license", licence.url, "dct:LicenseDocument");
      if (resource.size_bytes !== null) graph.literal(distribution, "dcat:byteSize", String(Number(resource.size_bytes)), { datatype: "xsd:nonNegativeInteger" });
      graph.literal(distribution, "dct:issued", dateTime(resource.created_at), { datatype: "xsd:dateTime" });
      graph.literal(distribution, "dct:modified", dateTime(resource.updated_at), { datatype: "xsd:dateTime" });
    }
  }
  return graph;
}

// ---- Frictionless data package ------------------------------------------------------------------

/** Frictionless names: lower case, digits, `-`, `_`, `.`; unique within the package. */
function packageName(value: string, fallback: string, taken: Set<string>): string {
  const base =
    value
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[-.]+|[-.]+$/g, "")
      .slice(0, 100) || fallback;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/** SPDX identifiers of the licences, which Frictionless tools recognise by name. */
const SPDX: Record<Licence, string> = { "odbl-1.0": "ODbL-1.0", "cc-by-4.0": "CC-BY-4.0", "lo-2.0": "etalab-2.0", "cc0-1.0": "CC0-1.0" };

// ---- routes -------------------------------------------------------------------------------------

export async function opendataApiRoutes(app: FastifyInstance): Promise<void> {
  const link = links(app.config.publicUrl);

  const helpFor = (name: string) => `${link.base}/api/3/action/help_show?name=${/^[a-z_]{1,60}$/.test(name) ? name : "unknown"}`;
  const sendError = (reply: FastifyReply, help: string, error: CkanError) => {
    openToAllOrigins(reply);
    // CKAN's validation errors name the fields; its other errors carry a message.
    const body = error.type === "Validation Error" && error.field ? { __type: error.type, [error.field]: [error.message] } : { __type: error.type, message: error.message };
    return reply.code(error.status).type("application/json; charset=utf-8").send({ help, success: false, error: body });
  };

  const action = async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    const help = helpFor(name);
    const query = (request.query ?? {}) as Params;
    let params: Params = query;
    if (request.method === "POST" && request.body !== undefined && request.body !== null && request.body !== "") {
      if (typeof request.body !== "object" || Array.isArray(request.body)) {
        throw badRequest(400, `Bad request data: Request data JSON decoded to ${JSON.stringify(request.body).slice(0, 100)} but it needs to be a dictionary.`);
      }
      params = { ...query, ...(request.body as Params) };
    }
    if (name === "") throw notFound("Action function not found");
    if (!Object.hasOwn(ACTIONS, name)) throw badRequest(400, `Action name not known: ${/^[a-z_]{1,60}$/.test(name) ? name : "unknown"}`);
    const result = await ACTIONS[name]!.run({ app, request, params, link });
    openToAllOrigins(reply);
    return reply.code(200).type("application/json; charset=utf-8").send({ help, success: true, result });
  };

  /**
   * Whatever goes wrong on the Action API — a refused parameter, a body that is not JSON or too
   * large, a rate limit, a fault — is told in CKAN's envelope, which CKAN clients parse; never as
   * problem+json.
   */
  const actionErrors = (error: Error & { statusCode?: number; code?: string }, request: FastifyRequest, reply: FastifyReply) => {
    const name = (request.params as { name?: string } | undefined)?.name ?? "";
    const help = helpFor(name);
    if (error instanceof CkanError) return sendError(reply, help, error);
    if (error instanceof AppError && error.status < 500) {
      const type: CkanErrorType = error.status === 404 ? "Not Found Error" : "Bad Request";
      return sendError(reply, help, new CkanError(error.status, type, request.t ? request.t(error.messageKey, error.params) : error.code));
    }
    const status = error.statusCode ?? 500;
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || (status === 400 && error instanceof SyntaxError)) {
      return sendError(reply, help, badRequest(400, `JSON Error: Error decoding JSON data. Error: ${error.message}`));
    }
    if (isMalformedMultipart(request, error)) return sendError(reply, help, badRequest(400, "The request body could not be read"));
    if (status === 413) {
      reply.header("connection", "close");
      return sendError(reply, help, badRequest(413, "Request body is too large"));
    }
    if (status >= 400 && status < 500) return sendError(reply, help, badRequest(status, error.message));
    request.log.error({ err: error }, "CKAN action failed");
    return sendError(reply, help, new CkanError(500, "Internal Server Error", "Internal Server Error"));
  };

  for (const prefix of ["/api/3/action", "/api/action"]) {
    app.get(`${prefix}/:name`, { errorHandler: actionErrors }, action);
    app.post(`${prefix}/:name`, { errorHandler: actionErrors }, action);
    // An address under the Action API that names no action is still answered as CKAN does.
    const noAction = async () => {
      throw notFound("Action function not found");
    };
    app.get(`${prefix}/*`, { errorHandler: actionErrors }, noAction);
    app.post(`${prefix}/*`, { errorHandler: actionErrors }, noAction);
  }

  const catalogue = async (reply: FastifyReply, municipality: Municipality | null, format: "ttl" | "jsonld") => {
    const graph = await buildCatalogue(app, municipality);
    openToAllOrigins(reply);
    if (format === "ttl") return reply.type("text/turtle; charset=utf-8").send(await graph.toTurtle());
    return reply.type("application/ld+json; charset=utf-8").send(JSON.stringify(graph.toJsonLd()));
  };
  app.get("/catalog.ttl", async (_request, reply) => catalogue(reply, null, "ttl"));
  app.get("/catalog.jsonld", async (_request, reply) => catalogue(reply, null, "jsonld"));
  app.get("/:slug/catalog.ttl", async (request, reply) => catalogue(reply, request.requireMunicipality(), "ttl"));
  app.get("/:slug/catalog.jsonld", async (request, reply) => catalogue(reply, request.requireMunicipality(), "jsonld"));

  app.get("/:slug/data/:dataset/datapackage.json", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const { dataset: slug } = request.params as { dataset: string };
    const row = await store.getDatasetBySlug(app.db, municipality.id, slug);
    if (!row || row.status !== "published") throw new AppError("NOT_FOUND");
    const resources = await store.listResources(app.db, municipality.id, [row.id]);
    const tables = new Map((await datastore.findTables(app.db, municipality.id, resources.map((resource) => resource.id))).map((table) => [table.resource_id, table]));
    const licence = LICENCES[row.licence as Licence];
    const names = new Set<string>();
    openToAllOrigins(reply);
    return reply.type("application/json; charset=utf-8").send({
      // The tabular profile promises a Table Schema on every resource: only then may it be claimed.
      profile: resources.length > 0 && resources.every((resource) => tables.has(resource.id)) ? "tabular-data-package" : "data-package",
      name: ckanName(municipality.slug, row.slug),
      id: link.dataset(municipality, row),
      title: row.title,
      description: row.description,
      homepage: link.dataset(municipality, row),
      version: String(row.version),
      created: dateTime(row.created_at),
      licenses: licence ? [{ name: SPDX[row.licence as Licence], path: licence.url, title: licence.title }] : [],
      keywords: row.tags,
      contributors: [{ title: municipality.name, role: "publisher", path: `${link.base}/${municipality.slug}` }],
      resources: resources.map((resource, index) => {
        const table = tables.get(resource.id);
        if (table) {
          // The datastore's rows as CSV, typed by the Table Schema the datastore loaded them with,
          // whatever format the publisher uploaded (a spreadsheet is not a tabular resource).
          return {
            profile: "tabular-data-resource",
            name: packageName(resource.name, `resource-${index + 1}`, names),
            title: resource.name,
            ...(resource.description ? { description: resource.description } : {}),
            path: `${link.dataset(municipality, row)}/resources/${resource.id}/rows.csv`,
            format: "csv",
            mediatype: "text/csv",
            encoding: "utf-8",
            schema: { fields: table.table_schema.fields.map((field) => ({ name: field.name, title: field.title, type: field.type })) },
          };
        }
        const mediaType = mediaTypeOf(resource);
        return {
          name: packageName(resource.name, `resource-${index + 1}`, names),
          title: resource.name,
          ...(resource.description ? { description: resource.description } : {}),
          path: link.resource(municipality, row, resource),
          format: resource.format.toLowerCase(),
          ...(mediaType ? { mediatype: mediaType } : {}),
          ...(resource.size_bytes === null ? {} : { bytes: Number(resource.size_bytes) }),
        };
      }),
    });
  });
}

/** The actions the CKAN API answers, with their help text: the OpenAPI description is written from them. */
export function ckanActions(): { name: string; help: string }[] {
  return Object.entries(ACTIONS).map(([name, entry]) => ({ name, help: entry.help }));
}
