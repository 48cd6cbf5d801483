import type { Db, Queryable, Tx } from "../../../core/db/index.js";
import { convert, sqlType, type Field, type FieldType } from "./infer.js";
import type { LoadReport, PreparedTable } from "./prepare.js";

/** The SQL of the datastore: typed tables in the `datastore` schema and their descriptions. */

export interface DatastoreTable {
  municipality_id: string;
  resource_id: string;
  table_name: string;
  table_schema: { fields: Field[] };
  row_count: number;
  report: LoadReport;
  loaded_at: Date;
}

const quote = (identifier: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier)) throw new Error(`unsafe identifier ${identifier}`);
  return `"${identifier}"`;
};

export const tableNameOf = (resourceId: string) => `r_${resourceId.replace(/-/g, "").toLowerCase()}`;

/**
 * Loads a resource's rows into a new typed table and swaps it in place of the previous one, in
 * the caller's transaction: readers see the old table or the new one, never half of either.
 * The key on `_id` is built after the rows are in, which is faster than maintaining it row by row.
 */
export async function replaceTable(tx: Tx, municipalityId: string, resourceId: string, table: PreparedTable): Promise<void> {
  const { fields } = table;
  const name = tableNameOf(resourceId);
  const loading = `${name}_loading`;
  const columns = fields.map((field) => `, ${quote(field.name)} ${sqlType(field.type)}`).join("");
  await tx.exec(`DROP TABLE IF EXISTS datastore.${quote(loading)}; CREATE TABLE datastore.${quote(loading)} (_id bigint NOT NULL${columns})`);
  await tx.copyFromCsv(`datastore.${quote(loading)} (_id${fields.map((field) => `, ${quote(field.name)}`).join("")})`, table.chunks);
  await tx.exec(`DROP TABLE IF EXISTS datastore.${quote(name)}; ALTER TABLE datastore.${quote(loading)} RENAME TO ${quote(name)}; ALTER TABLE datastore.${quote(name)} ADD PRIMARY KEY (_id)`);
  // Statistics now rather than at autovacuum's leisure (PGlite has none): datastore_search_sql
  // refuses queries by the planner's estimate, which is only as good as what it knows of the rows.
  await tx.exec(`ANALYZE datastore.${quote(name)}`);
  const { report } = table;
  await tx.query(
    `INSERT INTO datastore_tables (municipality_id, resource_id, table_name, table_schema, row_count, report, loaded_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (municipality_id, resource_id) DO UPDATE
       SET table_name = EXCLUDED.table_name, table_schema = EXCLUDED.table_schema, row_count = EXCLUDED.row_count, report = EXCLUDED.report, loaded_at = now()`,
    [municipalityId, resourceId, name, JSON.stringify({ fields }), report.rows, JSON.stringify(report)],
  );
}

export async function dropTable(tx: Tx, resourceId: string): Promise<void> {
  await tx.exec(`DROP TABLE IF EXISTS datastore.${quote(tableNameOf(resourceId))}`);
}

export async function findTables(db: Queryable, municipalityId: string, resourceIds: string[]): Promise<DatastoreTable[]> {
  if (resourceIds.length === 0) return [];
  return db.query<DatastoreTable>("SELECT * FROM datastore_tables WHERE municipality_id = $1 AND resource_id = ANY($2::uuid[])", [municipalityId, resourceIds]);
}

export async function findTableByResource(db: Queryable, resourceId: string): Promise<DatastoreTable | undefined> {
  const [row] = await db.query<DatastoreTable>("SELECT * FROM datastore_tables WHERE resource_id = $1", [resourceId]);
  return row;
}

export interface RowQuery {
  /** Exact matches, column → value or any of a list of values (CKAN's list-valued filters). */
  filters: Record<string, string | string[]>;
  /** Words to find in any text column. */
  q: string;
  sort: { field: string; direction: "asc" | "desc" }[];
  fields: string[] | null;
  limit: number;
  offset: number;
  distinct: boolean;
}

export class InvalidRowQuery extends Error {
  constructor(readonly field: string) {
    super(`unknown or unusable field ${field}`);
  }
}

const CASTS: Record<FieldType, string> = { integer: "bigint", number: "double precision", date: "date", boolean: "boolean", string: "text" };

/**
 * Reads rows with filters, search and sort, every column name checked against the table's
 * schema and every value passed as a parameter: nothing from the request is spliced into SQL.
 */
export async function queryRows(db: Queryable, table: DatastoreTable, query: RowQuery): Promise<{ records: Record<string, unknown>[]; total: number }> {
  const known = new Map(table.table_schema.fields.map((field) => [field.name, field]));
  const use = (name: string) => {
    const field = known.get(name);
    if (!field && name !== "_id") throw new InvalidRowQuery(name);
    return field;
  };
  const params: unknown[] = [];
  const where: string[] = [];
  for (const [name, value] of Object.entries(query.filters)) {
    const field = use(name);
    const type: FieldType = field ? field.type : "integer";
    // Read like the file was: "12,5", "31/12/2026", "oui". A value that cannot be one matches nothing.
    const converted = (Array.isArray(value) ? value : [value]).map((one) => (type === "string" ? one : convert(one, type))).filter((one) => one !== null);
    if (converted.length === 0) {
      where.push("false");
      continue;
    }
    params.push(converted);
    where.push(`${quote(name)} = ANY($${params.length}::${CASTS[type]}[])`);
  }
  if (query.q.trim()) {
    const texts = table.table_schema.fields.filter((field) => field.type === "string");
    params.push(`%${query.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(texts.length ? `(${texts.map((field) => `unaccent(${quote(field.name)}) ILIKE unaccent($${params.length})`).join(" OR ")})` : "false");
  }
  const selected = query.fields ? query.fields.map((name) => (use(name), quote(name))) : ["_id", ...table.table_schema.fields.map((field) => quote(field.name))];
  const order = query.sort.length ? query.sort.map((s) => (use(s.field), `${quote(s.field)} ${s.direction === "desc" ? "DESC" : "ASC"} NULLS LAST`)).join(", ") : query.distinct ? "1" : "_id";
  const from = `datastore.${quote(table.table_name)}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
  const base = `SELECT ${query.distinct ? "DISTINCT " : ""}${selected.join(", ")} FROM ${from}`;
  params.push(query.limit, query.offset);
  const records = await db.query<Record<string, unknown>>(`${base} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${base}) counted`, params.slice(0, -2));
  return { records, total: count?.n ?? 0 };
}

/**
 * Sums a numeric column per value of another, for charts: at most `limit` groups, in the order of
 * the grouping column. Both names are checked against the schema.
 */
export async function aggregate(db: Queryable, table: DatastoreTable, x: string, y: string, limit: number): Promise<{ x: unknown; y: number }[]> {
  const fields = new Map(table.table_schema.fields.map((field) => [field.name, field]));
  const xField = fields.get(x);
  const yField = fields.get(y);
  if (!xField) throw new InvalidRowQuery(x);
  if (!yField || (yField.type !== "integer" && yField.type !== "number")) throw new InvalidRowQuery(y);
  return db.query<{ x: unknown; y: number }>(
    `SELECT ${quote(x)} AS x, sum(${quote(y)})::double precision AS y FROM datastore.${quote(table.table_name)}
     WHERE ${quote(x)} IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT $1`,
    [limit],
  );
}

/** The tables of published resources among these ids (CKAN's datastore_search_sql reads nothing else). */
export async function findPublishedTables(db: Queryable, resourceIds: string[]): Promise<DatastoreTable[]> {
  if (resourceIds.length === 0) return [];
  return db.query<DatastoreTable>(
    `SELECT t.* FROM datastore_tables t
     JOIN dataset_resources r ON r.municipality_id = t.municipality_id AND r.id = t.resource_id
     JOIN datasets d ON d.municipality_id = r.municipality_id AND d.id = r.dataset_id
     WHERE t.resource_id = ANY($1::uuid[]) AND d.status = 'published'`,
    [resourceIds],
  );
}

export interface ReadOnlyLimits {
  /** SET LOCAL statement_timeout, in milliseconds: the server cancels the statement after it. */
  timeoutMs: number;
  /** Rows returned at most (CKAN's ckan.datastore.search.rows_max); one more is read to know. */
  rowsMax: number;
  /**
   * The planner's total cost estimate above which the query is not run. PGlite runs in this
   * process and cannot cancel a statement on a timer, so this guard is what bounds a query there.
   */
  maxCost: number;
}

export class QueryTooCostly extends Error {
  constructor(readonly cost: number, readonly maxCost: number) {
    super(`estimated cost ${Math.round(cost)} is over ${maxCost}`);
  }
}

export interface ReadOnlyResult {
  records: Record<string, unknown>[];
  fields: { id: string; type: string }[];
  truncated: boolean;
}

/**
 * Runs an already checked SELECT in a read-only transaction with a statement timeout, after
 * asking the planner what the whole of it would cost (`costSql`: the same query without its
 * LIMITs). Errors of the database are left to the caller, which knows how to word them.
 */
export async function runReadOnly(db: Db, sql: string, costSql: string, limits: ReadOnlyLimits): Promise<ReadOnlyResult> {
  const timeout = Math.max(1, Math.floor(limits.timeoutMs));
  const rowsMax = Math.max(0, Math.floor(limits.rowsMax));
  return db.transaction(async (tx) => {
    await tx.exec("SET TRANSACTION READ ONLY");
    await tx.exec(`SET LOCAL statement_timeout = ${timeout}`);
    const [plan] = await tx.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${costSql}`);
    const explained = typeof plan?.["QUERY PLAN"] === "string" ? JSON.parse(plan["QUERY PLAN"]) : plan?.["QUERY PLAN"];
    const cost = Number((explained as { Plan?: { "Total Cost"?: number } }[] | undefined)?.[0]?.Plan?.["Total Cost"]);
    if (!Number.isFinite(cost) || cost > limits.maxCost) throw new QueryTooCostly(cost, limits.maxCost);
    const { rows, fields } = await tx.queryWithFields<Record<string, unknown>>(`SELECT * FROM (${sql}) AS datastore_search_sql LIMIT ${rowsMax + 1}`);
    const oids = [...new Set(fields.map((field) => field.dataTypeID))];
    const names = new Map((await tx.query<{ oid: number; typname: string }>("SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1::int[])", [oids])).map((row) => [row.oid, row.typname]));
    const truncated = rows.length > rowsMax;
    return {
      records: truncated ? rows.slice(0, rowsMax) : rows,
      fields: fields.map((field) => ({ id: field.name, type: names.get(field.dataTypeID) ?? "unknown" })),
      truncated,
    };
  });
}
