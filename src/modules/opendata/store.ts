import type { PublicText, SitemapEntry } from "../../core/modules.js";
import type { Queryable } from "../../core/db/index.js";
import { fieldKind, type FqClause, type FqNode } from "./ckan/fq.js";

export type DatasetStatus = "draft" | "published";

export interface DatasetRow {
  municipality_id: string;
  id: string;
  slug: string;
  title: string;
  description: string;
  themes: string[];
  tags: string[];
  licence: string;
  frequency: string;
  spatial: string;
  temporal_start: string | null;
  temporal_end: string | null;
  contact_name: string;
  contact_email: string;
  language: string;
  status: DatasetStatus;
  published_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  /** UTC with microseconds and no zone (`2024-01-05T10:20:30.123456`), as CKAN writes its timestamps. */
  created_utc: string;
  updated_utc: string;
}

/** A dataset as listed in search results, with its municipality and formats. */
export interface DatasetSummary {
  id: string;
  slug: string;
  title: string;
  description: string;
  themes: string[];
  tags: string[];
  licence: string;
  updated_at: string;
  municipality_id: string;
  municipality_slug: string;
  municipality_name: string;
  formats: string[];
}

export interface ResourceRow {
  municipality_id: string;
  id: string;
  dataset_id: string;
  name: string;
  description: string;
  file_id: string | null;
  url: string | null;
  format: string;
  position: number;
  created_at: Date;
  updated_at: Date;
  /** From stored_files, when the resource is an upload. */
  media_type: string | null;
  size_bytes: number | null;
  original_name: string | null;
  sha256: string | null;
  created_utc: string;
  updated_utc: string;
  /** Whether the datastore holds its rows (what datastore_search serves). */
  in_datastore: boolean;
}

/** What an editor sets on a dataset; the rest of a row is kept by the platform. */
export type DatasetInput = Pick<
  DatasetRow,
  "slug" | "title" | "description" | "themes" | "tags" | "licence" | "frequency" | "spatial" | "temporal_start" | "temporal_end" | "contact_name" | "contact_email" | "language"
>;

/** A timestamp as CKAN writes it: UTC, microseconds, no zone. */
const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

const DATASET_COLUMNS = `municipality_id, id, slug, title, description, themes, tags, licence, frequency, spatial,
  to_char(temporal_start, 'YYYY-MM-DD') AS temporal_start, to_char(temporal_end, 'YYYY-MM-DD') AS temporal_end,
  contact_name, contact_email, language, status, published_at, version, created_at, updated_at,
  ${utc("created_at")} AS created_utc, ${utc("updated_at")} AS updated_utc`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

export async function getDatasetBySlug(db: Queryable, municipalityId: string, slug: string): Promise<DatasetRow | undefined> {
  const [row] = await db.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE municipality_id = $1 AND slug = $2`, [municipalityId, slug]);
  return row;
}

export async function getDataset(db: Queryable, municipalityId: string, id: string): Promise<DatasetRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE municipality_id = $1 AND id = $2`, [municipalityId, id]);
  return row;
}

/** A published dataset anywhere in the network, by id (the CKAN API names datasets by id or slug). */
export async function findPublishedDataset(db: Queryable, idOrSlug: string): Promise<DatasetRow | undefined> {
  const [row] = isUuid(idOrSlug)
    ? await db.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE id = $1 AND status = 'published'`, [idOrSlug])
    : await db.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE slug = $1 AND status = 'published' ORDER BY published_at LIMIT 1`, [idOrSlug]);
  return row;
}

export async function listAllDatasets(db: Queryable, municipalityId: string): Promise<DatasetRow[]> {
  return db.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE municipality_id = $1 ORDER BY updated_at DESC, id`, [municipalityId]);
}

export async function listPublishedDatasetsOf(db: Queryable, municipalityIds: string[] | null): Promise<DatasetRow[]> {
  return db.query<DatasetRow>(
    `SELECT ${DATASET_COLUMNS} FROM datasets WHERE status = 'published' AND ($1::uuid[] IS NULL OR municipality_id = ANY($1::uuid[])) ORDER BY municipality_id, slug`,
    [municipalityIds],
  );
}

export async function insertDataset(db: Queryable, municipalityId: string, input: DatasetInput, authorId: string): Promise<DatasetRow> {
  const [row] = await db.query<DatasetRow>(
    `INSERT INTO datasets (municipality_id, slug, title, description, themes, tags, licence, frequency, spatial, temporal_start, temporal_end,
       contact_name, contact_email, language, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING ${DATASET_COLUMNS}`,
    [municipalityId, input.slug, input.title, input.description, input.themes, input.tags, input.licence, input.frequency, input.spatial,
      input.temporal_start, input.temporal_end, input.contact_name, input.contact_email, input.language, authorId],
  );
  return row!;
}

export async function updateDataset(db: Queryable, municipalityId: string, id: string, input: DatasetInput, editorId: string): Promise<DatasetRow | undefined> {
  const [row] = await db.query<DatasetRow>(
    `UPDATE datasets SET slug = $3, title = $4, description = $5, themes = $6, tags = $7, licence = $8, frequency = $9, spatial = $10,
       temporal_start = $11, temporal_end = $12, contact_name = $13, contact_email = $14, language = $15, updated_by = $16, updated_at = now()
     WHERE municipality_id = $1 AND id = $2 RETURNING ${DATASET_COLUMNS}`,
    [municipalityId, id, input.slug, input.title, input.description, input.themes, input.tags, input.licence, input.frequency, input.spatial,
      input.temporal_start, input.temporal_end, input.contact_name, input.contact_email, input.language, editorId],
  );
  return row;
}

export async function setDatasetStatus(db: Queryable, municipalityId: string, id: string, status: DatasetStatus, editorId: string): Promise<DatasetRow | undefined> {
  const [row] = await db.query<DatasetRow>(
    `UPDATE datasets SET status = $3, published_at = CASE WHEN $3 = 'published' THEN coalesce(published_at, now()) ELSE published_at END,
       updated_by = $4, updated_at = now()
     WHERE municipality_id = $1 AND id = $2 RETURNING ${DATASET_COLUMNS}`,
    [municipalityId, id, status, editorId],
  );
  return row;
}

export async function touchDataset(db: Queryable, municipalityId: string, id: string, editorId: string): Promise<void> {
  await db.query("UPDATE datasets SET updated_at = now(), updated_by = $3 WHERE municipality_id = $1 AND id = $2", [municipalityId, id, editorId]);
}

const RESOURCE_COLUMNS = `r.municipality_id, r.id, r.dataset_id, r.name, r.description, r.file_id, r.url, r.format, r.position, r.created_at, r.updated_at,
  f.media_type, f.size_bytes, f.original_name, f.sha256, ${utc("r.created_at")} AS created_utc, ${utc("r.updated_at")} AS updated_utc,
  EXISTS (SELECT 1 FROM datastore_tables t WHERE t.municipality_id = r.municipality_id AND t.resource_id = r.id) AS in_datastore`;

/** Resources of several datasets in one query, in their display order. */
export async function listResources(db: Queryable, municipalityId: string, datasetIds: string[]): Promise<ResourceRow[]> {
  if (datasetIds.length === 0) return [];
  return db.query<ResourceRow>(
    `SELECT ${RESOURCE_COLUMNS} FROM dataset_resources r LEFT JOIN stored_files f ON f.municipality_id = r.municipality_id AND f.id = r.file_id
     WHERE r.municipality_id = $1 AND r.dataset_id = ANY($2::uuid[]) ORDER BY r.dataset_id, r.position, r.created_at`,
    [municipalityId, datasetIds],
  );
}

/** Resources across municipalities, for the network-wide interfaces (CKAN, DCAT). */
export async function listResourcesOfDatasets(db: Queryable, datasetIds: string[]): Promise<ResourceRow[]> {
  if (datasetIds.length === 0) return [];
  return db.query<ResourceRow>(
    `SELECT ${RESOURCE_COLUMNS} FROM dataset_resources r LEFT JOIN stored_files f ON f.municipality_id = r.municipality_id AND f.id = r.file_id
     WHERE r.dataset_id = ANY($1::uuid[]) ORDER BY r.dataset_id, r.position, r.created_at`,
    [datasetIds],
  );
}

export async function getResource(db: Queryable, municipalityId: string, id: string): Promise<ResourceRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query<ResourceRow>(
    `SELECT ${RESOURCE_COLUMNS} FROM dataset_resources r LEFT JOIN stored_files f ON f.municipality_id = r.municipality_id AND f.id = r.file_id WHERE r.municipality_id = $1 AND r.id = $2`,
    [municipalityId, id],
  );
  return row;
}

export async function insertResource(
  db: Queryable,
  municipalityId: string,
  input: { datasetId: string; name: string; description: string; fileId: string | null; url: string | null; format: string },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO dataset_resources (municipality_id, dataset_id, name, description, file_id, url, format, position)
     SELECT $1, $2, $3, $4, $5, $6, $7, coalesce(max(position) + 1, 0) FROM dataset_resources WHERE municipality_id = $1 AND dataset_id = $2
     RETURNING id`,
    [municipalityId, input.datasetId, input.name, input.description, input.fileId, input.url, input.format],
  );
  return row!.id;
}

export async function deleteResource(db: Queryable, municipalityId: string, datasetId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db.query("DELETE FROM dataset_resources WHERE municipality_id = $1 AND dataset_id = $2 AND id = $3 RETURNING id", [municipalityId, datasetId, id]);
  return rows.length > 0;
}

export async function insertVersion(
  db: Queryable,
  entry: { municipalityId: string; datasetId: string; version: number; snapshot: unknown; changed: string[]; publishedBy: string },
): Promise<void> {
  await db.query(
    "INSERT INTO dataset_versions (municipality_id, dataset_id, version, snapshot, changed, published_by) VALUES ($1, $2, $3, $4, $5, $6)",
    [entry.municipalityId, entry.datasetId, entry.version, JSON.stringify(entry.snapshot), entry.changed, entry.publishedBy],
  );
}

export interface VersionRow {
  version: number;
  changed: string[];
  published_at: Date;
  published_by_name: string | null;
  snapshot: Record<string, unknown>;
}

export async function listVersions(db: Queryable, municipalityId: string, datasetId: string): Promise<VersionRow[]> {
  return db.query<VersionRow>(
    `SELECT v.version, v.changed, v.published_at, u.name AS published_by_name, v.snapshot FROM dataset_versions v LEFT JOIN users u ON u.id = v.published_by
     WHERE v.municipality_id = $1 AND v.dataset_id = $2 ORDER BY v.version DESC`,
    [municipalityId, datasetId],
  );
}

export interface SearchQuery {
  /** Limit to one municipality; null searches the whole network. */
  municipalityId: string | null;
  text: string;
  themes: string[];
  tags: string[];
  formats: string[];
  licences: string[];
  municipalities: string[];
  sort: "relevance" | "updated" | "title";
  limit: number;
  offset: number;
}

export interface SearchResult {
  total: number;
  rows: DatasetSummary[];
  facets: Record<"themes" | "tags" | "formats" | "licences" | "municipalities", Record<string, number>>;
}

/**
 * Published datasets matching the words (French and Portuguese stemming, accents folded, a typo
 * in a title forgiven through trigrams) and the filters: any value within one filter, all filters
 * together. Facet counts describe the results, in the same round trip.
 */
export async function searchDatasets(db: Queryable, query: SearchQuery): Promise<SearchResult> {
  const order = {
    relevance: "rank DESC, updated_at DESC, id",
    updated: "updated_at DESC, id",
    title: "lower(title), id",
  }[query.sort];
  const [result] = await db.query<SearchResult>(
    `WITH matched AS (
       SELECT d.id, d.slug, d.title, d.description, d.themes, d.tags, d.licence, d.updated_at, d.municipality_id,
         m.slug AS municipality_slug, m.name AS municipality_name,
         coalesce((SELECT array_agg(DISTINCT upper(r.format) ORDER BY upper(r.format)) FROM dataset_resources r
                   WHERE r.municipality_id = d.municipality_id AND r.dataset_id = d.id), '{}') AS formats,
         CASE WHEN $2 = '' THEN 0 ELSE
           ts_rank(d.search_vector, websearch_to_tsquery('french', unaccent($2))) +
           ts_rank(d.search_vector, websearch_to_tsquery('portuguese', unaccent($2))) +
           word_similarity(unaccent(lower($2)), unaccent(lower(d.title))) END AS rank
       FROM datasets d JOIN municipalities m ON m.id = d.municipality_id
       WHERE d.status = 'published'
         AND ($1::uuid IS NULL OR d.municipality_id = $1)
         AND ($2 = '' OR d.search_vector @@ websearch_to_tsquery('french', unaccent($2))
                      OR d.search_vector @@ websearch_to_tsquery('portuguese', unaccent($2))
                      OR word_similarity(unaccent(lower($2)), unaccent(lower(d.title))) >= 0.4)
     ),
     filtered AS (
       SELECT * FROM matched
       WHERE (cardinality($3::text[]) = 0 OR themes && $3::text[])
         AND (cardinality($4::text[]) = 0 OR tags && $4::text[])
         AND (cardinality($5::text[]) = 0 OR formats && $5::text[])
         AND (cardinality($6::text[]) = 0 OR licence = ANY($6::text[]))
         AND (cardinality($7::text[]) = 0 OR municipality_slug = ANY($7::text[]))
     )
     SELECT
       (SELECT count(*) FROM filtered)::int AS total,
       (SELECT coalesce(jsonb_agg(to_jsonb(page) - 'rank'), '[]'::jsonb) FROM (SELECT * FROM filtered ORDER BY ${order} LIMIT $8 OFFSET $9) page) AS rows,
       jsonb_build_object(
         'themes', (SELECT coalesce(jsonb_object_agg(value, n), '{}'::jsonb) FROM (SELECT unnest(themes) AS value, count(*) AS n FROM filtered GROUP BY 1) f),
         'tags', (SELECT coalesce(jsonb_object_agg(value, n), '{}'::jsonb) FROM (SELECT unnest(tags) AS value, count(*) AS n FROM filtered GROUP BY 1) f),
         'formats', (SELECT coalesce(jsonb_object_agg(value, n), '{}'::jsonb) FROM (SELECT unnest(formats) AS value, count(*) AS n FROM filtered GROUP BY 1) f),
         'licences', (SELECT coalesce(jsonb_object_agg(licence, n), '{}'::jsonb) FROM (SELECT licence, count(*) AS n FROM filtered GROUP BY 1) f),
         'municipalities', (SELECT coalesce(jsonb_object_agg(municipality_slug, n), '{}'::jsonb) FROM (SELECT municipality_slug, count(*) AS n FROM filtered GROUP BY 1) f)
       ) AS facets`,
    [query.municipalityId, query.text.trim(), query.themes, query.tags, query.formats.map((f) => f.toUpperCase()), query.licences, query.municipalities, query.limit, query.offset],
  );
  return result!;
}

/** Counts a new published state of the dataset and returns its number. */
export async function bumpDatasetVersion(db: Queryable, municipalityId: string, id: string): Promise<number> {
  const [row] = await db.query<{ version: number }>("UPDATE datasets SET version = version + 1 WHERE municipality_id = $1 AND id = $2 RETURNING version", [municipalityId, id]);
  return row!.version;
}

// ---- used by api.ts ----

/** Published datasets by id anywhere in the network, for the CKAN search results page. */
export async function listPublishedDatasetsByIds(db: Queryable, ids: string[]): Promise<DatasetRow[]> {
  if (ids.length === 0) return [];
  return db.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE status = 'published' AND id = ANY($1::uuid[])`, [ids]);
}

/** A resource by id anywhere in the network, only when its dataset is published (CKAN resource_show). */
export async function findPublishedResource(db: Queryable, id: string): Promise<ResourceRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query<ResourceRow>(
    `SELECT ${RESOURCE_COLUMNS} FROM dataset_resources r LEFT JOIN stored_files f ON f.municipality_id = r.municipality_id AND f.id = r.file_id
     JOIN datasets d ON d.municipality_id = r.municipality_id AND d.id = r.dataset_id
     WHERE r.id = $1 AND d.status = 'published'`,
    [id],
  );
  return row;
}

export async function replaceResourceFile(db: Queryable, municipalityId: string, id: string, fileId: string, format: string): Promise<void> {
  await db.query("UPDATE dataset_resources SET file_id = $3, url = NULL, format = $4, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, fileId, format]);
}

/** How many datasets these municipalities have published: a figure of the front pages. */
export async function countPublishedDatasets(db: Queryable, municipalityIds: string[]): Promise<number> {
  const [row] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM datasets WHERE municipality_id = ANY($1::uuid[]) AND status = 'published'", [municipalityIds]);
  return row?.count ?? 0;
}

/** What the public reads of the open-data portal: the published datasets and their files' descriptions. */
export async function publicTexts(db: Queryable, municipalityId: string): Promise<PublicText[]> {
  return db.query<PublicText>(
    `SELECT 'dataset: ' || title AS "where", title || E'\n' || description AS text FROM datasets WHERE municipality_id = $1 AND status = 'published'
     UNION ALL SELECT 'resource: ' || r.name, r.description FROM dataset_resources r JOIN datasets d ON d.municipality_id = r.municipality_id AND d.id = r.dataset_id
       WHERE r.municipality_id = $1 AND d.status = 'published' AND r.description <> ''`,
    [municipalityId],
  );
}

// ---- CKAN package_search ----

/** What CKAN's Solr index holds of a dataset, one column per field `fq` can name (see ckan/fq.ts). */
const PACKAGE_FIELDS: Record<string, string> = {
  id: "id_text",
  name: "name",
  owner_org: "owner_org",
  organization: "organization",
  license_id: "license_id",
  groups: "groups",
  tags: "tags",
  res_format: "res_format",
  metadata_modified: "metadata_modified",
  metadata_created: "metadata_created",
  num_resources: "num_resources",
  num_tags: "num_tags",
  title: "title",
  notes: "notes",
  extras_frequency: "extras_frequency",
  extras_spatial: "extras_spatial",
  extras_temporal_start: "extras_temporal_start",
  extras_temporal_end: "extras_temporal_end",
  extras_language: "extras_language",
  dataset_type: "'dataset'::text",
  type: "'dataset'::text",
  capacity: "'public'::text",
  state: "'active'::text",
};

export type PackageSortField = "id" | "name" | "title_string" | "metadata_modified" | "metadata_created" | "score";
export type PackageFacetField = "organization" | "tags" | "res_format" | "license_id" | "groups";

export interface PackageQuery {
  filter: FqNode;
  /** Words of an unfielded q, searched like the portal's search box; "" for none. */
  text: string;
  sort: { field: PackageSortField; direction: "asc" | "desc" }[];
  facets: PackageFacetField[];
  limit: number;
  offset: number;
}

export interface PackageResult {
  total: number;
  /** Dataset ids of the page, in order. */
  ids: string[];
  facets: Partial<Record<PackageFacetField, Record<string, number>>>;
}

const SORT_COLUMNS: Record<PackageSortField, string> = {
  id: "id_text",
  // Solr sorts these string fields by code point, which is PostgreSQL's "C" collation on UTF-8.
  name: `name COLLATE "C"`,
  title_string: `title COLLATE "C"`,
  metadata_modified: "metadata_modified",
  metadata_created: "metadata_created",
  score: "score",
};

class SqlBuilder {
  readonly params: unknown[] = [];
  param(value: unknown, cast = ""): string {
    this.params.push(value);
    return `$${this.params.length}${cast}`;
  }
}

/** One clause of the tree as a condition over the `docs` columns; NULL counts as no match. */
function condition(node: FqNode, sql: SqlBuilder): string {
  if (node.kind === "all") return "TRUE";
  if (node.kind === "bool") return boolCondition(node.clauses, sql);
  const kind = fieldKind(node.field)!;
  const column = node.field === "text" ? null : PACKAGE_FIELDS[node.field];
  // An extra nobody sets: the field exists in CKAN's schema and holds nothing.
  if (node.field !== "text" && column === undefined) return "FALSE";
  const cast = kind === "date" ? "::timestamptz" : kind === "int" ? "::int" : "";
  const eachValue = (test: (value: string) => string) => (kind === "strings" ? `EXISTS (SELECT 1 FROM unnest(${column}) AS v WHERE ${test("v")})` : test(column!));
  let test: string;
  if (node.kind === "exists") {
    test = kind === "strings" ? `cardinality(${column}) > 0` : kind === "text" || kind === "string" ? `${column} <> ''` : `${column} IS NOT NULL`;
  } else if (node.kind === "term") {
    if (node.field === "text") {
      const words = sql.param(node.value);
      const to = node.phrase ? "phraseto_tsquery" : "plainto_tsquery";
      test = `(search_vector @@ ${to}('french', unaccent(${words})) OR search_vector @@ ${to}('portuguese', unaccent(${words})))`;
    } else if (kind === "text") {
      // Solr's text fields match words, case and accents folded.
      test = `to_tsvector('simple', unaccent(${column})) @@ phraseto_tsquery('simple', unaccent(${sql.param(node.value)}))`;
    } else {
      const value = sql.param(node.value, cast);
      test = eachValue((v) => `${v} = ${value}`);
    }
  } else if (node.kind === "prefix") {
    if (kind === "text") {
      const lexeme = sql.param(`'${node.value.toLowerCase().replace(/'/g, "''")}':*`);
      test = `${node.field === "text" ? "search_vector" : `to_tsvector('simple', unaccent(${column}))`} @@ to_tsquery('simple', unaccent(${lexeme}))`;
    } else {
      const value = sql.param(node.value);
      test = eachValue((v) => `starts_with(${v}, ${value})`);
    }
  } else {
    const collate = kind === "string" || kind === "strings" || kind === "constant" ? ` COLLATE "C"` : "";
    const bounds: string[] = [];
    const lower = node.lower === null ? null : sql.param(node.lower, cast);
    const upper = node.upper === null ? null : sql.param(node.upper, cast);
    test = eachValue((v) => {
      if (lower) bounds.push(`${v}${collate} ${node.includeLower ? ">=" : ">"} ${lower}`);
      if (upper) bounds.push(`${v}${collate} ${node.includeUpper ? "<=" : "<"} ${upper}`);
      return bounds.length ? bounds.join(" AND ") : `${v} IS NOT NULL`;
    });
  }
  return `coalesce((${test}), FALSE)`;
}

/** Every required clause, no prohibited one, and one optional clause of each OR group. */
function boolCondition(clauses: FqClause[], sql: SqlBuilder): string {
  const parts: string[] = [];
  const groups = new Map<number, string[]>();
  for (const clause of clauses) {
    const test = condition(clause.node, sql);
    if (clause.occur === "must") parts.push(test);
    else if (clause.occur === "must_not") parts.push(`NOT ${test}`);
    else groups.set(clause.group, [...(groups.get(clause.group) ?? []), test]);
  }
  for (const group of groups.values()) parts.push(`(${group.join(" OR ")})`);
  return parts.length ? `(${parts.join(" AND ")})` : "TRUE";
}

const FACET_COLUMNS: Record<PackageFacetField, { column: string; many: boolean }> = {
  organization: { column: "organization", many: false },
  tags: { column: "tags", many: true },
  res_format: { column: "res_format", many: true },
  license_id: { column: "license_id", many: false },
  groups: { column: "groups", many: true },
};

/**
 * Published datasets for CKAN's package_search: the filter compiled from `fq` (and a fielded q),
 * the words of an unfielded q, CKAN's sort keys (the id breaks ties so that pages never overlap),
 * and the requested facets — one round trip.
 */
export async function searchPackages(db: Queryable, query: PackageQuery): Promise<PackageResult> {
  const sql = new SqlBuilder();
  const text = sql.param(query.text.trim());
  const where = condition(query.filter, sql);
  const order = [...query.sort.map((key) => `${SORT_COLUMNS[key.field]} ${key.direction.toUpperCase()}`), "id_text ASC"].join(", ");
  const limit = sql.param(query.limit);
  const offset = sql.param(query.offset);
  const facets = query.facets.map((field) => {
    const { column, many } = FACET_COLUMNS[field];
    const values = many ? `unnest(${column})` : column;
    return `'${field}', (SELECT coalesce(jsonb_object_agg(value, n), '{}'::jsonb) FROM (SELECT ${values} AS value, count(*) AS n FROM matched GROUP BY 1) f)`;
  });
  // Only what the page, the sort and the facets read: a column's subquery runs for a row only when used.
  const matchedColumns = ["id", "id_text", "name", "title", "metadata_modified", "metadata_created", "score", ...new Set(query.facets.map((field) => FACET_COLUMNS[field].column))].join(", ");
  const [row] = await db.query<{ total: number; ids: string[]; facets: PackageResult["facets"] }>(
    `WITH docs AS (
       SELECT d.id, d.id::text AS id_text, m.slug || '--' || d.slug AS name, d.municipality_id::text AS owner_org, m.slug AS organization,
         d.licence AS license_id, ARRAY(SELECT lower(t) FROM unnest(d.themes) AS t) AS groups, d.tags,
         coalesce((SELECT array_agg(DISTINCT upper(r.format)) FROM dataset_resources r WHERE r.municipality_id = d.municipality_id AND r.dataset_id = d.id), '{}') AS res_format,
         (SELECT count(*)::int FROM dataset_resources r WHERE r.municipality_id = d.municipality_id AND r.dataset_id = d.id) AS num_resources,
         cardinality(d.tags) AS num_tags, d.updated_at AS metadata_modified, d.created_at AS metadata_created, d.title, d.description AS notes,
         d.frequency AS extras_frequency, d.spatial AS extras_spatial, to_char(d.temporal_start, 'YYYY-MM-DD') AS extras_temporal_start,
         to_char(d.temporal_end, 'YYYY-MM-DD') AS extras_temporal_end, d.language AS extras_language, d.search_vector,
         CASE WHEN ${text} = '' THEN 0 ELSE
           ts_rank(d.search_vector, websearch_to_tsquery('french', unaccent(${text}))) +
           ts_rank(d.search_vector, websearch_to_tsquery('portuguese', unaccent(${text}))) +
           word_similarity(unaccent(lower(${text})), unaccent(lower(d.title))) END AS score
       FROM datasets d JOIN municipalities m ON m.id = d.municipality_id
       WHERE d.status = 'published'
         AND (${text} = '' OR d.search_vector @@ websearch_to_tsquery('french', unaccent(${text}))
                          OR d.search_vector @@ websearch_to_tsquery('portuguese', unaccent(${text}))
                          OR word_similarity(unaccent(lower(${text})), unaccent(lower(d.title))) >= 0.4)
     ),
     matched AS (SELECT ${matchedColumns} FROM docs WHERE ${where})
     SELECT (SELECT count(*) FROM matched)::int AS total,
       (SELECT coalesce(jsonb_agg(page.id ORDER BY page.n), '[]'::jsonb)
          FROM (SELECT id, row_number() OVER (ORDER BY ${order}) AS n FROM matched ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}) page) AS ids,
       jsonb_build_object(${facets.join(", ")}) AS facets`,
    sql.params,
  );
  return row!;
}

/** When each municipality (a CKAN organization) was created, and the earliest of all (the themes' date). */
export async function creationTimes(db: Queryable): Promise<{ organizations: Map<string, string>; first: string }> {
  const rows = await db.query<{ id: string; created: string }>(`SELECT id, ${utc("created_at")} AS created FROM municipalities ORDER BY created_at`);
  return { organizations: new Map(rows.map((row) => [row.id, row.created])), first: rows[0]?.created ?? "2026-01-01T00:00:00.000000" };
}

/** Published datasets whose CKAN name or title holds the words (CKAN's package_autocomplete: ILIKE on both). */
export async function autocompletePackages(db: Queryable, q: string, limit: number): Promise<{ name: string; title: string }[]> {
  return db.query<{ name: string; title: string }>(
    `SELECT m.slug || '--' || d.slug AS name, d.title FROM datasets d JOIN municipalities m ON m.id = d.municipality_id
     WHERE d.status = 'published' AND (strpos(lower(m.slug || '--' || d.slug), lower($1)) > 0 OR strpos(lower(d.title), lower($1)) > 0)
     ORDER BY d.updated_at DESC, d.id LIMIT $2`,
    [q, limit],
  );
}

/** The catalogue, each published dataset and each of its resources, for the municipality's sitemap. */
export async function sitemapEntries(db: Queryable, municipalityId: string, slug: string): Promise<SitemapEntry[]> {
  const rows = await db.query<{ path: string; modified: Date | null }>(
    `SELECT '/data/' || slug AS path, updated_at AS modified FROM datasets WHERE municipality_id = $1 AND status = 'published'
     UNION ALL SELECT '/data/' || d.slug || '/resources/' || r.id, r.updated_at FROM dataset_resources r
       JOIN datasets d ON d.municipality_id = r.municipality_id AND d.id = r.dataset_id
       WHERE r.municipality_id = $1 AND d.status = 'published'
     ORDER BY path`,
    [municipalityId],
  );
  return [{ path: `/${slug}/data` }, ...rows.map((row) => ({ path: `/${slug}${row.path}`, modified: row.modified }))];
}
