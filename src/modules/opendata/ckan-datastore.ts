import type { FastifyInstance, FastifyRequest } from "fastify";
import { CkanError, invalid, notAuthorized } from "./ckan-errors.js";
import { text, type Params } from "./ckan-params.js";
import * as datastore from "./datastore/store.js";
import { checkSelect, renderSelect, SqlRefusal } from "./datastore/sql-check.js";
import * as store from "./store.js";

/**
 * CKAN's DataStore actions, as CKAN 2.10/2.11 answers them (ckanext/datastore/logic/action.py
 * and backend/postgres.py): `datastore_search` over one resource's table, `datastore_search_sql`
 * over any published ones. Only resources of published datasets are ever read.
 */

interface DatastoreActionContext {
  app: FastifyInstance;
  request: FastifyRequest;
  params: Params;
}

/** CKAN's ckan.datastore.search.rows_max default. */
export const ROWS_MAX = 32_000;
const ROWS_DEFAULT = 100;
/**
 * Limits of one datastore_search_sql. CKAN allows 60 s; a town hall's small server is kept
 * responsive with less. The cost ceiling is the planner's units (about one per page read).
 */
export const SQL_LIMITS: datastore.ReadOnlyLimits = { timeoutMs: 10_000, rowsMax: ROWS_MAX, maxCost: 1_000_000 };

const RECORDS_FORMATS = ["objects", "lists", "csv", "tsv"] as const;
type RecordsFormat = (typeof RECORDS_FORMATS)[number];
const CKAN_TYPES = { integer: "int", number: "numeric", date: "date", boolean: "bool", string: "text" } as const;
/** PostgreSQL's code for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = "57014";

function natural(params: Params, name: string, fallback: number): number {
  const raw = text(params, name)?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw invalid(name, `${name}: Must be a natural number`);
  return Number(raw);
}

/** CKAN's boolean_validator. */
function bool(params: Params, name: string, fallback: boolean): boolean {
  const value = params[name];
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "boolean") return value;
  return ["true", "yes", "t", "y", "1"].includes((text(params, name) ?? "").trim().toLowerCase());
}

function listOf(params: Params, name: string): string[] {
  const raw = params[name];
  const values = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" && raw.trim() ? raw.split(",") : [];
  return values.map((value) => value.trim()).filter(Boolean);
}

type FilterValue = string | number | boolean;
const isScalar = (value: unknown): value is FilterValue => typeof value === "string" || typeof value === "number" || typeof value === "boolean";

/** `{"district": "A"}` or, as CKAN reads a list, `{"district": ["A", "B"]}` for any of them. */
function filtersOf(params: Params): Record<string, string | string[]> | null {
  const raw = params.filters;
  if (raw === undefined || raw === null || raw === "") return null;
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw invalid("filters", "filters: Cannot parse JSON");
    }
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalid("filters", "filters: Not a JSON object");
  return Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).map(([key, value]) => {
      if (isScalar(value)) return [key, String(value)];
      if (Array.isArray(value) && value.length > 0 && value.length <= 1000 && value.every(isScalar)) return [key, value.map(String)];
      throw invalid("filters", `filters: ${key}: must be a value or a list of values`);
    }),
  );
}

/** Python's urlencode (quote_plus), which CKAN's links are written with. */
function urlencode(entries: [string, string][]): string {
  const quote = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+");
  return entries.map(([key, value]) => `${quote(key)}=${quote(value)}`).join("&");
}

/**
 * CKAN's `_links`: the address of this request with `offset` removed (start) or moved on by
 * `limit` (next, and prev past the first page), every other parameter kept as sent. A JSON POST
 * has its parameters in the body, where a link cannot carry them: they are written into the
 * query instead, so that its links can be followed with GET.
 */
function linksOf(request: FastifyRequest, params: Params, limit: number, offset: number): Record<string, string> {
  const [path = "", query = ""] = request.url.split("?", 2) as [string, string?];
  // parse_qsl then dict(): blank values dropped, the last of a repeated name kept in the first one's place.
  const args = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) if (value !== "") args.set(key, value);
  if (request.method === "POST" && request.body && typeof request.body === "object") {
    for (const [key, value] of Object.entries(request.body as Params)) {
      if (value === undefined || value === null || value === "") continue;
      args.set(key, typeof value === "string" ? value : JSON.stringify(value));
    }
  }
  const withOffset = (value: number | null) => {
    const copy = new Map(args);
    if (value === null) copy.delete("offset");
    else copy.set("offset", String(value));
    const encoded = urlencode([...copy]);
    return encoded ? `${path}?${encoded}` : path;
  };
  return {
    start: withOffset(null),
    next: withOffset(offset + limit),
    ...(offset - limit > 0 ? { prev: withOffset(offset - limit) } : {}),
  };
}

/** A value as PostgreSQL's COPY … CSV writes it, which is what CKAN's csv and tsv records are. */
function copyValue(value: unknown, delimiter: string): string {
  if (value === null || value === undefined) return "";
  const written = typeof value === "boolean" ? (value ? "t" : "f") : value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  const needsQuotes = written === "" || written === "\\." || written.includes(delimiter) || /["\r\n]/.test(written);
  return needsQuotes ? `"${written.replace(/"/g, '""')}"` : written;
}

function formatRecords(records: Record<string, unknown>[], columns: string[], format: RecordsFormat): unknown {
  if (format === "objects") return records;
  if (format === "lists") return records.map((record) => columns.map((column) => record[column] ?? null));
  const delimiter = format === "csv" ? "," : "\t";
  return records.map((record) => `${columns.map((column) => copyValue(record[column], delimiter)).join(delimiter)}\n`).join("");
}

function recordsFormatOf(params: Params): RecordsFormat {
  const value = text(params, "records_format") ?? "objects";
  // CKAN's OneOf validator, message and all.
  if (!(RECORDS_FORMATS as readonly string[]).includes(value)) throw invalid("records_format", `Value must be one of ['objects', 'lists', 'csv', 'tsv']`);
  return value as RecordsFormat;
}

const quoteForMessage = (value: string) => (value.length > 100 ? `${value.slice(0, 100)}…` : value);

async function datastoreSearch({ app, request, params }: DatastoreActionContext) {
  const resourceId = text(params, "resource_id") ?? text(params, "id") ?? "";
  if (!resourceId.trim()) throw invalid("resource_id", "resource_id: Missing value");
  const resource = await store.findPublishedResource(app.db, resourceId.trim());
  const table = resource && (await datastore.findTableByResource(app.db, resource.id));
  if (!resource || !table) throw new CkanError(404, "Not Found Error", `Not found: Resource "${quoteForMessage(resourceId)}" was not found.`);
  const filters = filtersOf(params);
  const sort = listOf(params, "sort").map((term) => {
    const [field = "", direction = "asc"] = term.split(/\s+/);
    if (direction.toLowerCase() !== "asc" && direction.toLowerCase() !== "desc") throw invalid("sort", `sort: ${term}`);
    return { field: field.replace(/^"|"$/g, ""), direction: direction.toLowerCase() as "asc" | "desc" };
  });
  // CKAN caps the limit at rows_max and answers with the limit it used.
  const limit = Math.min(natural(params, "limit", ROWS_DEFAULT), ROWS_MAX);
  const offset = natural(params, "offset", 0);
  const fields = listOf(params, "fields");
  const recordsFormat = recordsFormatOf(params);
  const includeTotal = bool(params, "include_total", true);
  const q = text(params, "q") ?? "";
  const distinct = bool(params, "distinct", false);
  try {
    const result = await datastore.queryRows(app.db, table, { filters: filters ?? {}, q, sort, fields: fields.length ? fields : null, limit, offset, distinct });
    const schema = new Map(table.table_schema.fields.map((field) => [field.name, field]));
    const columns = fields.length ? fields : ["_id", ...table.table_schema.fields.map((field) => field.name)];
    return {
      include_total: includeTotal,
      resource_id: resource.id,
      ...(filters ? { filters } : {}),
      ...(q ? { q } : {}),
      ...(sort.length ? { sort: listOf(params, "sort") } : {}),
      ...(distinct ? { distinct } : {}),
      records_format: recordsFormat,
      fields: columns.map((name) => {
        const field = schema.get(name);
        return field ? { id: name, type: CKAN_TYPES[field.type], info: { label: field.title } } : { id: name, type: "int" };
      }),
      records: formatRecords(result.records, columns, recordsFormat),
      limit,
      offset,
      _links: linksOf(request, params, limit, offset),
      ...(includeTotal ? { total: result.total, total_was_estimated: false } : {}),
    };
  } catch (error) {
    if (error instanceof datastore.InvalidRowQuery) throw invalid(error.field, `field "${error.field}" not in the resource's fields`);
    throw error;
  }
}

const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** PostgreSQL's errors carry a five-character SQLSTATE; anything else is ours and not the client's. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

async function datastoreSearchSql({ app, params }: DatastoreActionContext, limits: datastore.ReadOnlyLimits = SQL_LIMITS) {
  const sql = text(params, "sql");
  if (sql === undefined || !sql.trim()) throw invalid("sql", "sql: Missing value");
  try {
    const checked = checkSelect(sql);
    const names = [...new Set(checked.tables.map((table) => table.name))];
    // A draft, another town's unpublished file or a table outside the datastore does not exist,
    // to this action, exactly as an id that was never used: no answer tells them apart.
    const found = await datastore.findPublishedTables(app.db, names.filter(isUuid).map((name) => name.toLowerCase()));
    const tableOf = new Map(found.map((table) => [table.resource_id, table.table_name]));
    const missing = names.find((name) => !isUuid(name) || !tableOf.has(name.toLowerCase()));
    if (missing !== undefined) throw new SqlRefusal("invalid", `relation "${quoteForMessage(missing)}" does not exist`);
    const rendered = renderSelect(checked, (name) => tableOf.get(name.toLowerCase())!);
    const result = await datastore.runReadOnly(app.db, rendered.sql, rendered.withoutLimits, limits);
    return { sql, records: result.records, fields: result.fields, ...(result.truncated ? { records_truncated: true } : {}) };
  } catch (error) {
    if (error instanceof SqlRefusal) throw error.kind === "forbidden" ? notAuthorized(error.message) : invalid("query", error.message);
    if (error instanceof datastore.QueryTooCostly) throw invalid("query", `Query is too expensive to run (${error.message})`);
    const state = sqlState(error);
    if (state === QUERY_CANCELED) throw invalid("query", "Query took too long");
    if (state === "42501") throw notAuthorized("Not authorized to read resource.");
    if (state) throw invalid("query", (error as Error).message);
    throw error;
  }
}

export const DATASTORE_ACTIONS: Record<string, { help: string; run: (ctx: DatastoreActionContext) => Promise<unknown> }> = {
  datastore_search: {
    help: "Search a resource's rows in the datastore. Parameters: resource_id, filters (JSON object; a list of values matches any), q, fields, sort, limit, offset, distinct, include_total, records_format (objects, lists, csv, tsv).",
    run: datastoreSearch,
  },
  datastore_search_sql: {
    help: 'Run one read-only SELECT over datastore tables, named by resource id: SELECT * FROM "<resource_id>". Parameters: sql.',
    run: (ctx) => datastoreSearchSql(ctx),
  },
};

/** For tests: the same action with other limits. */
export const searchSqlWithLimits = (ctx: DatastoreActionContext, limits: datastore.ReadOnlyLimits) => datastoreSearchSql(ctx, limits);
