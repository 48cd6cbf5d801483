import { parse, toSql, type DataTypeDef, type Expr, type From, type FromTable, type SelectStatement, type Statement } from "pgsql-ast-parser";

/**
 * Reads the SQL of CKAN's `datastore_search_sql` with a PostgreSQL grammar (pgsql-ast-parser) and
 * accepts one read-only SELECT over datastore resources only. What runs is not the client's text
 * but the SQL written back from the checked tree (`toSql`), with every table reference replaced
 * by the datastore table it stands for: a construct the parser reads differently from PostgreSQL
 * (a comment, a Unicode escape, a quoting trick) is run as the parser read it, never as a second
 * meaning hidden from the check.
 *
 * The walk names every node type it accepts and refuses any other, so a construct this file has
 * not thought about is refused rather than let through.
 */

export class SqlRefusal extends Error {
  constructor(
    /** `invalid` is CKAN's ValidationError (409, `{"query": [...]}`), `forbidden` its NotAuthorized (403). */
    readonly kind: "invalid" | "forbidden",
    message: string,
  ) {
    super(message);
  }
}

/** Long enough for any real query; the parser's time grows quickly with length and nesting. */
export const MAX_SQL_LENGTH = 8_000;
const MAX_NESTING = 40;

/**
 * Functions a query may call: aggregates, window functions, and string, number, date, JSON and
 * array functions, all of them pure reads of their arguments. Left out on purpose: anything that
 * reads or changes the server (pg_*, set_config, current_setting, dblink, lo_*, pg_sleep,
 * query_to_xml…) and the functions whose output one call can make huge, outside what the
 * planner's estimate sees: generate_series, repeat, lpad, rpad, and replace, regexp_replace and
 * format, whose output multiplies its input and, nested, grows exponentially. PGlite shares the
 * application's process and memory, so a value of a gigabyte would take the whole site down.
 */
export const ALLOWED_FUNCTIONS = new Set([
  // aggregates
  "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "bool_and", "bool_or", "every",
  "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "corr", "covar_pop", "covar_samp",
  "regr_avgx", "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy",
  "percentile_cont", "percentile_disc", "mode", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg",
  // window functions
  "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
  // conditionals (functions to the parser)
  "coalesce", "nullif", "greatest", "least", "exists",
  // numbers
  "abs", "ceil", "ceiling", "floor", "round", "trunc", "sign", "sqrt", "cbrt", "power", "exp", "ln", "log", "log10", "mod", "div",
  "pi", "degrees", "radians", "width_bucket", "to_number",
  // text
  "length", "char_length", "character_length", "octet_length", "lower", "upper", "initcap", "btrim", "ltrim", "rtrim", "left", "right",
  "substr", "strpos", "position", "translate", "reverse", "split_part", "concat", "concat_ws", "md5", "to_hex",
  "chr", "ascii", "starts_with", "regexp_match", "regexp_matches", "regexp_split_to_array", "regexp_split_to_table",
  "string_to_array", "array_to_string", "unaccent", "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery",
  "websearch_to_tsquery", "ts_rank",
  // dates and times
  "now", "date_part", "date_trunc", "age", "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval", "to_char",
  "to_date", "to_timestamp", "justify_days", "justify_hours", "justify_interval", "isfinite",
  // JSON and arrays
  "to_json", "to_jsonb", "row_to_json", "array_to_json", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
  "json_array_length", "jsonb_array_length", "json_typeof", "jsonb_typeof", "json_extract_path_text", "jsonb_extract_path_text",
  "json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text", "json_each", "jsonb_each",
  "json_each_text", "jsonb_each_text", "json_object_keys", "jsonb_object_keys",
  "array_length", "cardinality", "array_position", "array_positions", "array_remove", "array_replace", "array_append", "array_prepend",
  "array_cat", "array_lower", "array_upper", "array_ndims", "unnest",
]);

/** Types a value may be cast to: plain data types, none that looks things up in the catalogue (regclass…). */
const ALLOWED_TYPES = new Set([
  "text", "varchar", "char", "character", "int", "integer", "int2", "int4", "int8", "smallint", "bigint", "numeric", "decimal", "real",
  "float", "float4", "float8", "boolean", "bool", "date", "time", "timestamp", "timestamptz", "interval", "json", "jsonb", "uuid",
  "tsvector", "tsquery",
]);

/** Keywords that are values; those naming the server's roles or database are left out. */
const ALLOWED_KEYWORDS = new Set(["current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"]);

const SYSTEM_SCHEMAS = new Set(["pg_catalog", "information_schema", "pg_toast"]);

export interface TableReference {
  /** The name as written: a resource id, to CKAN. */
  name: string;
  node: FromTable;
}

export interface CheckedSelect {
  statement: SelectStatement;
  tables: TableReference[];
}

const invalid = (message: string) => new SqlRefusal("invalid", message);
const forbidden = (message: string) => new SqlRefusal("forbidden", message);

function maxNesting(sql: string): number {
  let depth = 0;
  let max = 0;
  for (const char of sql) {
    if (char === "(" || char === "[") max = Math.max(max, ++depth);
    else if (char === ")" || char === "]") depth--;
  }
  return max;
}

/** Parses and checks; the table references are left for the caller to resolve and replace. */
export function checkSelect(sql: string): CheckedSelect {
  if (sql.length > MAX_SQL_LENGTH) throw invalid(`Query is too long (at most ${MAX_SQL_LENGTH} characters)`);
  if (maxNesting(sql) > MAX_NESTING) throw invalid(`Query is nested too deeply (at most ${MAX_NESTING} levels of brackets)`);
  let statements: Statement[];
  try {
    statements = parse(sql);
  } catch (error) {
    // The parser's message goes on with its grammar's expectations: the first line says where.
    const first = error instanceof Error ? error.message.split("\n")[0]!.trim() : "";
    throw invalid(first ? `syntax error: ${first}` : "syntax error");
  }
  if (statements.length !== 1) throw invalid("Query is not a single statement.");
  const statement = statements[0]!;
  const tables: TableReference[] = [];
  const walker = new Walker(tables);
  walker.statement(statement, new Set());
  return { statement: statement as SelectStatement, tables };
}

/** Replaces each table reference by its datastore table, keeping the name as written as its alias. */
export function renderSelect(checked: CheckedSelect, tableOf: (name: string) => string): { sql: string; withoutLimits: string } {
  for (const { name, node } of checked.tables) {
    node.name = { ...node.name, schema: "datastore", name: tableOf(name), alias: node.name.alias ?? name };
  }
  const sql = toSql.statement(checked.statement);
  const copy = JSON.parse(JSON.stringify(checked.statement)) as SelectStatement;
  dropLimits(copy);
  return { sql, withoutLimits: toSql.statement(copy) };
}

/** The planner's estimate counts a LIMIT as work saved; the guard on cost wants the whole work. */
function dropLimits(node: unknown): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) dropLimits(item);
    return;
  }
  const record = node as Record<string, unknown>;
  if (record.type === "select") delete record.limit;
  for (const value of Object.values(record)) dropLimits(value);
}

class Walker {
  constructor(private readonly tables: TableReference[]) {}

  /** `ctes` are the WITH names visible here, which PostgreSQL resolves before any table. */
  statement(node: Statement | SelectStatement, ctes: ReadonlySet<string>): void {
    switch (node.type) {
      case "select": {
        if (node.for || node.skip) throw invalid("Locking clauses (FOR UPDATE, FOR SHARE…) are not allowed.");
        // FROM items come first: a LATERAL item sees the ones before it, and so do the expressions.
        for (const from of node.from ?? []) this.from(from, ctes);
        for (const column of node.columns ?? []) this.expr(column.expr, ctes);
        if (node.where) this.expr(node.where, ctes);
        for (const expr of node.groupBy ?? []) this.expr(expr, ctes);
        if (node.having) this.expr(node.having, ctes);
        for (const order of node.orderBy ?? []) this.expr(order.by, ctes);
        if (node.limit?.limit) this.expr(node.limit.limit, ctes);
        if (node.limit?.offset) this.expr(node.limit.offset, ctes);
        if (Array.isArray(node.distinct)) for (const expr of node.distinct) this.expr(expr, ctes);
        return;
      }
      case "union":
      case "union all":
        // The grammar gives a trailing ORDER BY or LIMIT to the last SELECT alone, where PostgreSQL
        // applies it to the whole union: run as parsed, the answer would be silently different.
        for (const side of [node.left, node.right]) {
          if (side.type === "select" && (side.orderBy?.length || side.limit)) {
            throw invalid("ORDER BY and LIMIT cannot follow a UNION here: write SELECT * FROM (… UNION …) AS u ORDER BY …");
          }
        }
        this.statement(node.left, ctes);
        this.statement(node.right, ctes);
        return;
      case "values":
        for (const row of node.values) for (const expr of row) this.expr(expr, ctes);
        return;
      case "with": {
        // Without RECURSIVE, each query sees the ones written before it.
        const visible = new Set(ctes);
        for (const bind of node.bind) {
          this.statement(bind.statement, visible);
          visible.add(bind.alias.name);
        }
        this.statement(node.in, visible);
        return;
      }
      case "with recursive":
        // The planner cannot bound a recursion: a query that never ends would still be estimated cheap.
        throw invalid("WITH RECURSIVE is not allowed.");
      default:
        throw invalid("Only a SELECT statement is allowed.");
    }
  }

  private from(node: From, ctes: ReadonlySet<string>): void {
    switch (node.type) {
      case "table":
        this.table(node, ctes);
        break;
      case "statement":
        this.statement(node.statement, ctes);
        break;
      case "call":
        this.call(node, ctes);
        break;
      default:
        throw invalid("Unsupported FROM item.");
    }
    if (node.join?.on) this.expr(node.join.on, ctes);
  }

  private table(node: FromTable, ctes: ReadonlySet<string>): void {
    const { name, schema } = node.name;
    if ((schema && SYSTEM_SCHEMAS.has(schema.toLowerCase())) || name.toLowerCase().startsWith("pg_") || SYSTEM_SCHEMAS.has(name.toLowerCase())) {
      throw forbidden("Not authorized to access system tables");
    }
    if (schema) throw invalid(`relation "${schema}.${name}" does not exist`);
    if (ctes.has(name)) return;
    this.tables.push({ name, node });
  }

  private call(node: Extract<Expr, { type: "call" }> | Extract<From, { type: "call" }>, ctes: ReadonlySet<string>): void {
    const { name, schema } = node.function;
    if (schema || !ALLOWED_FUNCTIONS.has(name)) throw forbidden(`Not authorized to call function ${schema ? `${schema}.` : ""}${name}`);
    for (const arg of node.args) this.expr(arg, ctes);
    for (const order of node.orderBy ?? []) this.expr(order.by, ctes);
    if (node.filter) this.expr(node.filter, ctes);
    if (node.withinGroup) this.expr(node.withinGroup.by, ctes);
    for (const expr of node.over?.partitionBy ?? []) this.expr(expr, ctes);
    for (const order of node.over?.orderBy ?? []) this.expr(order.by, ctes);
  }

  private type(node: DataTypeDef): void {
    if (node.kind === "array") return this.type(node.arrayOf);
    if (node.schema || !ALLOWED_TYPES.has(node.name.toLowerCase())) throw forbidden(`Not authorized to use type ${node.schema ? `${node.schema}.` : ""}${node.name}`);
  }

  private expr(node: Expr, ctes: ReadonlySet<string>): void {
    switch (node.type) {
      case "ref":
        // A column of a FROM item; a schema-qualified one could name a table the FROM list never had.
        if (node.table?.schema) throw invalid(`column reference ${node.table.schema}.${node.table.name}.${node.name} is not allowed`);
        return;
      case "integer":
      case "numeric":
      case "string":
      case "boolean":
      case "null":
        return;
      case "constant":
        return this.type(node.dataType);
      case "keyword":
        if (!ALLOWED_KEYWORDS.has(node.keyword)) throw forbidden(`Not authorized to call function ${node.keyword}`);
        return;
      case "parameter":
        throw invalid("Query parameters ($1…) are not supported.");
      case "default":
        throw invalid("DEFAULT is not allowed here.");
      case "list":
      case "array":
        for (const expr of node.expressions) this.expr(expr, ctes);
        return;
      case "array select":
        return this.statement(node.select, ctes);
      case "extract":
        return this.expr(node.from, ctes);
      case "member":
        return this.expr(node.operand, ctes);
      case "arrayIndex":
        this.expr(node.array, ctes);
        return this.expr(node.index, ctes);
      case "case":
        if (node.value) this.expr(node.value, ctes);
        for (const when of node.whens) {
          this.expr(when.when, ctes);
          this.expr(when.value, ctes);
        }
        if (node.else) this.expr(node.else, ctes);
        return;
      case "binary":
        if (node.opSchema) throw forbidden(`Not authorized to use operator ${node.opSchema}.${node.op}`);
        this.expr(node.left, ctes);
        return this.expr(node.right, ctes);
      case "unary":
        if (node.opSchema) throw forbidden(`Not authorized to use operator ${node.opSchema}.${node.op}`);
        return this.expr(node.operand, ctes);
      case "cast":
        this.type(node.to);
        return this.expr(node.operand, ctes);
      case "call":
        return this.call(node, ctes);
      case "ternary":
        this.expr(node.value, ctes);
        this.expr(node.lo, ctes);
        return this.expr(node.hi, ctes);
      case "overlay":
        this.expr(node.value, ctes);
        this.expr(node.placing, ctes);
        this.expr(node.from, ctes);
        if (node.for) this.expr(node.for, ctes);
        return;
      case "substring":
        this.expr(node.value, ctes);
        if (node.from) this.expr(node.from, ctes);
        if (node.for) this.expr(node.for, ctes);
        return;
      case "select":
      case "union":
      case "union all":
      case "values":
      case "with":
      case "with recursive":
        return this.statement(node, ctes);
      default:
        throw invalid(`Unsupported expression: ${(node as { type?: string }).type ?? "unknown"}`);
    }
  }
}
