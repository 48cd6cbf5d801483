import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DataFactory, Writer } from "n3";
import { AppError } from "../../core/http/errors.js";
import { LOCALES, translator, type Translate } from "../../core/i18n/index.js";
import { findMunicipalitiesByIds, findMunicipalityBySlug, getNetwork, listMunicipalities, type Municipality } from "../../core/tenancy/index.js";
import * as store from "./store.js";
import * as datastore from "./datastore/store.js";
import { DATASTORE_ACTIONS } from "./ckan-datastore.js";
import { CkanError, invalid, notFound } from "./ckan-errors.js";
import { FORMAT_MEDIA_TYPES, FREQUENCIES, LANGUAGE_URIS, LICENCES, THEMES, THEME_CODES, type Frequency, type Licence, type Theme } from "./vocabulary.js";

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

type Params = Record<string, unknown>;

/** One textual parameter; a repeated query parameter or a JSON object is a client error, not a guess. */
function text(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw invalid(name, `${name}: expected a single value`);
}

function required(params: Params, name: string): string {
  const value = text(params, name)?.trim();
  if (!value) throw invalid(name, `${name}: Missing value`);
  return value;
}

function integer(params: Params, name: string, fallback: number, max?: number): number {
  const raw = text(params, name)?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw invalid(name, `${name}: Must be a natural number`);
  const value = Number(raw);
  // CKAN caps rows at its configured maximum rather than refusing.
  return max === undefined ? value : Math.min(value, max);
}

function flag(params: Params, name: string): boolean {
  const raw = text(params, name)?.trim().toLowerCase();
  return raw === "true" || raw === "1" || raw === "yes";
}

const MAX_ROWS = 1000;
/** Enough for the union of every published dataset of the network when fq repeats a field. */
const ALL_ROWS = 100_000;

type FilterKey = "organization" | "tags" | "res_format" | "license_id" | "groups";
const FILTER_KEYS: FilterKey[] = ["organization", "tags", "res_format", "license_id", "groups"];
const FACET_OF: Record<FilterKey, keyof store.SearchResult["facets"]> = {
  organization: "municipalities",
  tags: "tags",
  res_format: "formats",
  license_id: "licences",
  groups: "themes",
};

interface ParsedFq {
  filters: Record<FilterKey, string[]>;
  /** A term no published dataset can satisfy (another dataset type, a private capacity). */
  impossible: boolean;
}

// `key:value` or `key:"quoted value"`, an optional leading `+` (Solr's "must", which CKAN clients send).
const FQ_TERM = /\s*\+?([a-z_]+):(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/y;

function parseFq(fq: string): ParsedFq {
  const filters: Record<FilterKey, string[]> = { organization: [], tags: [], res_format: [], license_id: [], groups: [] };
  let impossible = false;
  FQ_TERM.lastIndex = 0;
  while (fq.slice(FQ_TERM.lastIndex).trim() !== "") {
    const match = FQ_TERM.exec(fq);
    if (!match) throw invalid("fq", "fq: expected space-separated key:value terms");
    const key = match[1]!;
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3]!;
    if (value.length > 200) throw invalid("fq", "fq: value too long");
    if ((FILTER_KEYS as string[]).includes(key)) filters[key as FilterKey].push(value);
    else if (key === "dataset_type" || key === "type") impossible ||= value !== "dataset";
    else if (key === "capacity") impossible ||= value !== "public";
    else if (key === "state") impossible ||= value !== "active";
    else throw invalid("fq", `fq: unsupported field ${key}`);
  }
  return { filters, impossible };
}

const SORTS: Record<string, store.SearchQuery["sort"]> = {
  "score desc": "relevance",
  "score desc, metadata_modified desc": "relevance",
  "metadata_modified desc": "updated",
  "title_string asc": "title",
};

function facetFields(params: Params): FilterKey[] {
  let value = params["facet.field"];
  if (value === undefined || value === null || value === "") return [];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw invalid("facet.field", "facet.field: expected a JSON list of field names");
    }
  }
  if (!Array.isArray(value) || !value.every((field) => typeof field === "string" && (FILTER_KEYS as string[]).includes(field))) {
    throw invalid("facet.field", `facet.field: expected a JSON list among ${FILTER_KEYS.join(", ")}`);
  }
  return [...new Set(value as FilterKey[])];
}

/** Searches like the store, but with every fq term required: the store ORs values of one field. */
async function searchAll(app: FastifyInstance, query: store.SearchQuery, filters: Record<FilterKey, string[]>): Promise<store.SearchResult> {
  const repeated = FILTER_KEYS.some((key) => filters[key].length > 1);
  if (!repeated) return store.searchDatasets(app.db, query);
  const union = await store.searchDatasets(app.db, { ...query, limit: ALL_ROWS, offset: 0 });
  const valuesOf = (row: store.DatasetSummary): Record<FilterKey, string[]> => ({
    organization: [row.municipality_slug],
    tags: row.tags,
    res_format: row.formats,
    license_id: [row.licence],
    groups: row.themes,
  });
  const kept = union.rows.filter((row) => {
    const values = valuesOf(row);
    return FILTER_KEYS.every((key) => filters[key].every((wanted) => values[key].includes(key === "res_format" ? wanted.toUpperCase() : wanted)));
  });
  const facets: store.SearchResult["facets"] = { themes: {}, tags: {}, formats: {}, licences: {}, municipalities: {} };
  for (const row of kept) {
    const values = valuesOf(row);
    for (const key of FILTER_KEYS) for (const value of values[key]) facets[FACET_OF[key]][value] = (facets[FACET_OF[key]][value] ?? 0) + 1;
  }
  return { total: kept.length, rows: kept.slice(query.offset, query.offset + query.limit), facets };
}

/** CKAN writes naive UTC timestamps; harvesters compare them as strings. */
const ckanTime = (value: Date | string) => toDate(value).toISOString().replace(/Z$/, "");

function organizationDict(municipality: Municipality, packageCount?: number) {
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
    ...(packageCount === undefined ? {} : { package_count: packageCount }),
  };
}

function groupDict(theme: Theme, t: Translate, packageCount?: number) {
  const label = t(THEMES[theme].labelKey);
  return {
    id: theme,
    name: theme,
    title: label,
    display_name: label,
    description: "",
    type: "group",
    is_organization: false,
    state: "active",
    image_display_url: "",
    uri: THEMES[theme].uri,
    ...(packageCount === undefined ? {} : { package_count: packageCount }),
  };
}

function resourceDict(link: Links, municipality: Municipality, dataset: store.DatasetRow, resource: store.ResourceRow) {
  return {
    id: resource.id,
    package_id: dataset.id,
    name: resource.name,
    description: resource.description,
    format: resource.format.toUpperCase(),
    mimetype: mediaTypeOf(resource),
    url: link.resource(municipality, dataset, resource),
    url_type: resource.file_id ? "upload" : null,
    size: resource.size_bytes === null ? null : Number(resource.size_bytes),
    created: ckanTime(resource.created_at),
    last_modified: ckanTime(resource.updated_at),
    position: resource.position,
    state: "active",
    datastore_active: false,
  };
}

function packageDict(link: Links, t: Translate, municipality: Municipality, dataset: store.DatasetRow, resources: store.ResourceRow[]) {
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
    metadata_created: ckanTime(dataset.created_at),
    metadata_modified: ckanTime(dataset.updated_at),
    author: null,
    author_email: null,
    maintainer: dataset.contact_name || null,
    maintainer_email: dataset.contact_email || null,
    version: String(dataset.version),
    organization: organizationDict(municipality),
    owner_org: municipality.id,
    tags: dataset.tags.map((tag) => ({ name: tag, display_name: tag, state: "active" })),
    groups: dataset.themes.filter((theme): theme is Theme => theme in THEMES).map((theme) => groupDict(theme, t)),
    resources: resources.map((resource) => resourceDict(link, municipality, dataset, resource)),
    num_resources: resources.length,
    num_tags: dataset.tags.length,
    state: "active",
    type: "dataset",
    private: false,
    url: link.dataset(municipality, dataset),
    extras,
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
  const resources = groupResources(await store.listResourcesOfDatasets(ctx.app.db, rows.map((row) => row.id)));
  return rows.map((row) => packageDict(ctx.link, ctx.request.t, municipalities.get(row.municipality_id)!, row, resources.get(row.id) ?? []));
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
async function publishedCounts(app: FastifyInstance): Promise<store.SearchResult["facets"]> {
  const result = await store.searchDatasets(app.db, {
    municipalityId: null, text: "", themes: [], tags: [], formats: [], licences: [], municipalities: [], sort: "updated", limit: 0, offset: 0,
  });
  return result.facets;
}

function page<T>(params: Params, items: T[]): T[] {
  const offset = integer(params, "offset", 0);
  const limit = integer(params, "limit", items.length);
  return items.slice(offset, offset + limit);
}

const ACTIONS: Record<string, { help: string; run: (ctx: ActionContext) => Promise<unknown> }> = {
  status_show: {
    help: "Return basic information about the site's CKAN-compatible API.",
    run: async ({ link, app }) => ({
      site_url: link.base,
      site_title: (await getNetwork(app.db))?.name ?? "Cité Ouverte",
      ckan_version: "2.10.0",
      api_version: 3,
      extensions: [],
    }),
  },
  help_show: {
    help: "Return the help string of an action. Parameters: name.",
    run: async ({ params }) => {
      const name = required(params, "name");
      if (!Object.hasOwn(ACTIONS, name)) throw notFound("Action");
      return ACTIONS[name]!.help;
    },
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
  package_show: {
    help: "Return a published dataset. Parameters: id (name or UUID).",
    run: async (ctx) => {
      const row = await resolvePackage(ctx.app, required(ctx.params, "id"));
      if (!row) throw notFound("Dataset");
      return (await packageDicts(ctx, [row]))[0];
    },
  },
  package_search: {
    help: "Search published datasets. Parameters: q, fq, rows, start, sort, facet.field, facet.limit.",
    run: async (ctx) => {
      const { params, app, request } = ctx;
      let q = (text(params, "q") ?? "").trim();
      if (q === "*:*" || q === "*") q = "";
      if (q.length > 500) throw invalid("q", "q: too long");
      const rows = integer(params, "rows", 10, MAX_ROWS);
      const start = integer(params, "start", 0);
      const sortParam = (text(params, "sort") ?? "score desc").trim().toLowerCase().replace(/\s+/g, " ").replace(/\s*,\s*/g, ", ");
      const sort = SORTS[sortParam];
      if (!sort) throw invalid("sort", `sort: expected one of ${Object.keys(SORTS).join(" | ")}`);
      const fields = facetFields(params);
      const facetLimit = text(params, "facet.limit")?.trim() === "-1" ? Infinity : integer(params, "facet.limit", 50);
      const { filters, impossible } = parseFq(text(params, "fq") ?? "");

      const result: store.SearchResult = impossible
        ? { total: 0, rows: [], facets: { themes: {}, tags: {}, formats: {}, licences: {}, municipalities: {} } }
        : await searchAll(
            app,
            {
              municipalityId: null,
              text: q,
              themes: filters.groups,
              tags: filters.tags,
              formats: filters.res_format,
              licences: filters.license_id,
              municipalities: filters.organization,
              sort,
              limit: rows,
              offset: start,
            },
            filters,
          );

      // Full dicts for the page, in the order the search ranked them.
      const full = await store.listPublishedDatasetsByIds(app.db, result.rows.map((row) => row.id));
      const byId = new Map(full.map((row) => [row.id, row]));
      const results = await packageDicts(ctx, result.rows.map((row) => byId.get(row.id)).filter((row): row is store.DatasetRow => !!row));

      const municipalityNames = new Map(result.rows.map((row) => [row.municipality_slug, row.municipality_name]));
      if (fields.includes("organization")) {
        for (const municipality of await listMunicipalities(app.db)) municipalityNames.set(municipality.slug, municipality.name);
      }
      const displayName = (field: FilterKey, name: string): string => {
        if (field === "organization") return municipalityNames.get(name) ?? name;
        if (field === "license_id") return LICENCES[name as Licence]?.title ?? name;
        if (field === "groups") return name in THEMES ? request.t(THEMES[name as Theme].labelKey) : name;
        return name;
      };
      const facets: Record<string, Record<string, number>> = {};
      const searchFacets: Record<string, { title: string; items: { name: string; display_name: string; count: number }[] }> = {};
      for (const field of fields) {
        const counts = result.facets[FACET_OF[field]];
        const items = Object.entries(counts)
          .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
          .slice(0, facetLimit)
          .map(([name, count]) => ({ name, display_name: displayName(field, name), count: Number(count) }));
        facets[field] = Object.fromEntries(items.map((item) => [item.name, item.count]));
        searchFacets[field] = { title: field, items };
      }
      return { count: result.total, sort: sortParam, facets, search_facets: searchFacets, results };
    },
  },
  organization_list: {
    help: "Return the municipalities as CKAN organizations. Parameters: all_fields, limit, offset.",
    run: async ({ app, params }) => {
      const municipalities = (await listMunicipalities(app.db)).sort((a, b) => a.slug.localeCompare(b.slug));
      if (!flag(params, "all_fields")) return page(params, municipalities.map((municipality) => municipality.slug));
      const counts = (await publishedCounts(app)).municipalities;
      return page(params, municipalities.map((municipality) => organizationDict(municipality, Number(counts[municipality.slug] ?? 0))));
    },
  },
  organization_show: {
    help: "Return a municipality as a CKAN organization. Parameters: id (slug or UUID).",
    run: async ({ app, params }) => {
      const municipality = await resolveOrganization(app, required(params, "id"));
      if (!municipality) throw notFound("Organization");
      const counts = (await publishedCounts(app)).municipalities;
      return organizationDict(municipality, Number(counts[municipality.slug] ?? 0));
    },
  },
  group_list: {
    help: "Return the DCAT-AP data themes as CKAN groups. Parameters: all_fields.",
    run: async ({ app, params, request }) => {
      const themes = [...THEME_CODES].sort();
      if (!flag(params, "all_fields")) return page(params, themes);
      const counts = (await publishedCounts(app)).themes;
      return page(params, themes.map((theme) => groupDict(theme, request.t, Number(counts[theme] ?? 0))));
    },
  },
  tag_list: {
    help: "Return the tags of published datasets. Parameters: query (a prefix), all_fields.",
    run: async ({ app, params }) => {
      const prefix = (text(params, "query") ?? "").trim().toLowerCase();
      const tags = Object.keys((await publishedCounts(app)).tags)
        .filter((tag) => tag.toLowerCase().startsWith(prefix))
        .sort((a, b) => a.localeCompare(b));
      return flag(params, "all_fields") ? tags.map((tag) => ({ name: tag, display_name: tag })) : tags;
    },
  },
  ...DATASTORE_ACTIONS,
  resource_show: {
    help: "Return a resource of a published dataset. Parameters: id.",
    run: async ({ app, params, link }) => {
      const resource = await store.findPublishedResource(app.db, required(params, "id"));
      const dataset = resource && (await store.findPublishedDataset(app.db, resource.dataset_id));
      const municipality = dataset && (await findMunicipalitiesByIds(app.db, [dataset.municipality_id]))[0];
      if (!resource || !dataset || !municipality) throw notFound("Resource");
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

  const action = async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    const known = /^[a-z_]{1,60}$/.test(name) ? name : "unknown";
    const help = `${link.base}/api/3/action/help_show?name=${known}`;
    openToAllOrigins(reply);
    const send = (status: number, body: unknown) => reply.code(status).type("application/json; charset=utf-8").send(body);
    try {
      const query = (request.query ?? {}) as Params;
      let params: Params = query;
      if (request.method === "POST" && request.body !== undefined && request.body !== null) {
        if (typeof request.body !== "object" || Array.isArray(request.body)) throw invalid("body", "The request body must be a JSON object");
        params = { ...query, ...(request.body as Params) };
      }
      if (!Object.hasOwn(ACTIONS, known)) throw new CkanError(400, "Bad Request", `Bad request - Action name not known: ${known}`);
      const result = await ACTIONS[known]!.run({ app, request, params, link });
      return send(200, { help, success: true, result });
    } catch (error) {
      if (!(error instanceof CkanError)) throw error;
      return send(error.status, {
        help,
        success: false,
        error: { __type: error.type, message: error.message, ...(error.field ? { [error.field]: [error.message] } : {}) },
      });
    }
  };
  for (const prefix of ["/api/3/action", "/api/action"]) {
    app.get(`${prefix}/:name`, action);
    app.post(`${prefix}/:name`, action);
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
