import type { Queryable } from "./index.js";

// PostgreSQL's limit on the parameters of one statement (a 16-bit count in the protocol).
const MAX_PARAMETERS = 65_535;

export interface InsertRowsOptions {
  /**
   * Columns every row takes from the same SQL expression, written by the caller, never from input
   * (`{ confirmed_at: "now()" }`): the value the statement would compute for a single row.
   */
  constants?: Record<string, string>;
  /** A RETURNING list, e.g. "id, phone": one row back per row inserted. */
  returning?: string;
}

/**
 * Inserts many rows with one multi-row `INSERT … VALUES (…), (…)` per batch instead of one
 * statement each: one round trip, one parse and plan, where a loop pays them per row. `table` and
 * `columns` are SQL identifiers written by the caller; each row gives one value per column, in
 * order. RETURNING rows carry no promise of order: return a key to match them by.
 */
export async function insertRows<R = Record<string, unknown>>(db: Queryable, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], options: InsertRowsOptions = {}): Promise<R[]> {
  if (columns.length === 0) throw new Error(`insertRows into ${table}: no columns`);
  const constants = Object.entries(options.constants ?? {});
  const columnList = [...columns, ...constants.map(([column]) => column)].join(", ");
  const constantValues = constants.map(([, expression]) => `, ${expression}`).join("");
  const returning = options.returning ? ` RETURNING ${options.returning}` : "";
  const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
  const returned: R[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      if (row.length !== columns.length) throw new Error(`insertRows into ${table}: a row has ${row.length} values for ${columns.length} columns`);
      const placeholders = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${placeholders.join(", ")}${constantValues})`;
    });
    returned.push(...(await db.query<R>(`INSERT INTO ${table} (${columnList}) VALUES ${tuples.join(", ")}${returning}`, params)));
  }
  return returned;
}
