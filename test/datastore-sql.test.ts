import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { searchSqlWithLimits, SQL_LIMITS } from "../src/modules/opendata/ckan-datastore.js";
import { CkanError } from "../src/modules/opendata/ckan-errors.js";
import { runReadOnly, tableNameOf } from "../src/modules/opendata/datastore/store.js";
import { createTestApp, idOf, type TestContext } from "./helpers.js";

/**
 * CKAN's datastore_search_sql: one read-only SELECT over published datastore resources, addressed
 * by resource id, parsed and checked before it runs; and datastore_search's CKAN 2.10 parameters.
 * Expected figures are read from the datastore tables themselves, never written here.
 */

interface Answer {
  status: number;
  body: {
    success: boolean;
    result?: { sql?: string; records: unknown; fields: { id: string; type: string }[]; records_truncated?: boolean; [key: string]: unknown };
    error?: { __type: string; message?: string; query?: string[]; [key: string]: unknown };
  };
}

describe("CKAN datastore_search_sql", () => {
  let ctx: TestContext;
  let schools: string;
  let water: string;
  let labeSchools: string;

  const sql = async (query: string, method: "GET" | "POST" = "GET"): Promise<Answer> => {
    const response =
      method === "GET"
        ? await ctx.app.inject({ method: "GET", url: `/api/3/action/datastore_search_sql?${new URLSearchParams({ sql: query })}` })
        : await ctx.app.inject({ method: "POST", url: "/api/3/action/datastore_search_sql", payload: { sql: query } });
    return { status: response.statusCode, body: response.json() };
  };
  const rows = async <T = Record<string, unknown>>(query: string) => {
    const answer = await sql(query);
    assert.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.body.error)}`);
    return answer.body.result!.records as T[];
  };
  /** What the table holds, read directly, to compare the action's answers with. */
  const direct = <T = Record<string, unknown>>(resourceId: string, select: string) => ctx.db.query<T>(select.replace("$table", `datastore.${tableNameOf(resourceId)}`));

  const refusedAsQuery = async (query: string, message?: RegExp) => {
    const answer = await sql(query);
    assert.equal(answer.status, 409, `${query} → ${answer.status} ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.success, false);
    assert.equal(answer.body.error!.__type, "Validation Error");
    assert.ok(Array.isArray(answer.body.error!.query), `${query}: CKAN puts the reason under "query"`);
    if (message) assert.match(answer.body.error!.query![0]!, message, query);
  };
  const refusedAsUnauthorized = async (query: string, message: RegExp) => {
    const answer = await sql(query);
    assert.equal(answer.status, 403, `${query} → ${answer.status} ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error!.__type, "Authorization Error");
    assert.match(answer.body.error!.message!, /^Access denied: /);
    assert.match(answer.body.error!.message!, message, query);
  };

  before(async () => {
    ctx = await createTestApp();
    const resourceOf = (town: string, slug: string) =>
      idOf(
        ctx.db,
        `SELECT r.id FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id JOIN municipalities m ON m.id = d.municipality_id
         WHERE m.slug = $1 AND d.slug = $2`,
        [town, slug],
      );
    schools = await resourceOf("rufisque", "ecoles");
    water = await resourceOf("rufisque", "points-d-eau");
    labeSchools = await resourceOf("labe", "ecoles");
  });
  after(() => ctx.close());

  it("answers CKAN's shape: the sql sent, the records, and each column's PostgreSQL type", async () => {
    const query = `SELECT ecole, classes FROM "${schools}" ORDER BY _id LIMIT 2`;
    const answer = await sql(query);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.success, true);
    assert.equal(answer.body.result!.sql, query);
    assert.deepEqual(answer.body.result!.fields, [
      { id: "ecole", type: "text" },
      { id: "classes", type: "int8" },
    ]);
    assert.deepEqual(answer.body.result!.records, await direct(schools, "SELECT ecole, classes FROM $table ORDER BY _id LIMIT 2"));
    assert.equal("records_truncated" in answer.body.result!, false, "CKAN leaves the key out when nothing was cut");
    const posted = await sql(query, "POST");
    assert.deepEqual(posted.body.result!.records, answer.body.result!.records, "a JSON POST answers the same");
  });

  it("aggregates, filters, groups and orders as PostgreSQL does", async () => {
    const grouped = await rows(`SELECT quartier, count(*) AS n, sum(eleves_filles + eleves_garcons) AS eleves
      FROM "${schools}" WHERE classes >= 5 GROUP BY quartier HAVING count(*) > 0 ORDER BY eleves DESC, quartier LIMIT 3`);
    const expected = await direct(schools, `SELECT quartier, count(*) AS n, sum(eleves_filles + eleves_garcons) AS eleves
      FROM $table WHERE classes >= 5 GROUP BY quartier HAVING count(*) > 0 ORDER BY eleves DESC, quartier LIMIT 3`);
    assert.ok(expected.length > 0);
    assert.deepEqual(grouped, expected);
    const [stats] = await rows<{ avg: string; max: number; min: string }>(`SELECT round(avg(classes), 2) AS avg, max(classes) AS max, min(lower(ecole)) AS min FROM "${schools}"`);
    const [same] = await direct(schools, "SELECT round(avg(classes), 2) AS avg, max(classes) AS max, min(lower(ecole)) AS min FROM $table");
    assert.deepEqual(stats, same);
  });

  it("joins two published resources, through aliases or the resource ids themselves, and reads a WITH query", async () => {
    const joined = await rows(`SELECT s.quartier, count(DISTINCT s._id) AS ecoles, count(DISTINCT w._id) AS points_eau
      FROM "${schools}" s JOIN "${water}" w ON w.quartier = s.quartier GROUP BY s.quartier ORDER BY s.quartier`);
    const expected = await ctx.db.query(`SELECT s.quartier, count(DISTINCT s._id) AS ecoles, count(DISTINCT w._id) AS points_eau
      FROM datastore.${tableNameOf(schools)} s JOIN datastore.${tableNameOf(water)} w ON w.quartier = s.quartier GROUP BY s.quartier ORDER BY s.quartier`);
    assert.ok(expected.length > 1);
    assert.deepEqual(joined, expected);
    const union = await rows(`SELECT * FROM (SELECT quartier FROM "${schools}" UNION SELECT quartier FROM "${water}") AS u ORDER BY quartier DESC`);
    assert.deepEqual(union, await ctx.db.query(`SELECT quartier FROM datastore.${tableNameOf(schools)} UNION SELECT quartier FROM datastore.${tableNameOf(water)} ORDER BY quartier DESC`));
    await refusedAsQuery(`SELECT quartier FROM "${schools}" UNION SELECT quartier FROM "${water}" ORDER BY quartier`, /UNION/);
    const byId = await rows(`SELECT "${schools}".ecole FROM "${schools}" ORDER BY "${schools}"._id LIMIT 1`);
    assert.deepEqual(byId, await direct(schools, "SELECT ecole FROM $table ORDER BY _id LIMIT 1"));
    const across = await rows<{ n: number }>(`WITH big AS (SELECT * FROM "${schools}" WHERE classes > 6) SELECT count(*)::int AS n FROM big`);
    assert.deepEqual(across, await direct(schools, "SELECT count(*)::int AS n FROM $table WHERE classes > 6"));
    const towns = await rows<{ n: number }>(`SELECT (SELECT count(*) FROM "${schools}") + (SELECT count(*) FROM "${labeSchools}") AS n`);
    const [a] = await direct<{ n: number }>(schools, "SELECT count(*)::int AS n FROM $table");
    const [b] = await direct<{ n: number }>(labeSchools, "SELECT count(*)::int AS n FROM $table");
    assert.equal(Number(towns[0]!.n), a!.n + b!.n, "published resources of every municipality can be read together");
  });

  it("cuts the answer at ckan.datastore.search.rows_max and says so with records_truncated", async () => {
    // 8 schools, five times over: 32 768 combinations, more than 32 000.
    const answer = await sql(`SELECT a._id FROM "${schools}" a, "${schools}" b, "${schools}" c, "${schools}" d, "${schools}" e`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body.error));
    assert.equal((answer.body.result!.records as unknown[]).length, SQL_LIMITS.rowsMax);
    assert.equal(answer.body.result!.records_truncated, true);
  });

  it("refuses anything but a single statement: stacked queries, a second statement behind a comment, writes", async () => {
    const [before] = await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
    await refusedAsQuery(`SELECT 1 FROM "${schools}"; DROP TABLE users`, /single statement/);
    await refusedAsQuery(`SELECT 1; SELECT 2`, /single statement/);
    await refusedAsQuery(`SELECT 1 /* comment */; DELETE FROM users -- trailing`, /single statement/);
    await refusedAsQuery(`DELETE FROM "${schools}"`, /Only a SELECT/);
    await refusedAsQuery(`UPDATE "${schools}" SET classes = 0`, /Only a SELECT/);
    await refusedAsQuery(`INSERT INTO "${schools}" (ecole) VALUES ('x')`, /Only a SELECT/);
    await refusedAsQuery(`DROP TABLE "${schools}"`);
    await refusedAsQuery(`SET statement_timeout = 0`);
    await refusedAsQuery(`WITH gone AS (DELETE FROM "${schools}" RETURNING *) SELECT * FROM gone`, /Only a SELECT/);
    await refusedAsQuery(`WITH x AS (UPDATE users SET locale = 'en' RETURNING id) SELECT count(*) FROM x`, /Only a SELECT/);
    await refusedAsQuery(`SELECT * INTO copie FROM "${schools}"`, /syntax error/);
    await refusedAsQuery(`SELECT * FROM "${schools}" FOR UPDATE`, /Locking/);
    await refusedAsQuery(`SELECT * FROM "${schools}" FOR SHARE SKIP LOCKED`);
    await refusedAsQuery(`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r`, /RECURSIVE/);
    await refusedAsQuery(`SELECT classes FROM "${schools}" WHERE classes = $1`, /parameters/);
    const [after] = await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
    assert.equal(after!.n, before!.n);
    assert.deepEqual(await direct(schools, "SELECT count(*)::int AS n FROM $table"), [{ n: 8 }], "the table is whole");
  });

  it("reads datastore tables only: not the platform's tables, the system catalogues or information_schema", async () => {
    await refusedAsQuery(`SELECT * FROM users`, /relation "users" does not exist/);
    await refusedAsQuery(`SELECT * FROM public.users`, /does not exist/);
    await refusedAsQuery(`SELECT phone FROM "${schools}" JOIN users ON true`, /relation "users" does not exist/);
    await refusedAsQuery(`SELECT * FROM datastore_tables`, /does not exist/);
    await refusedAsQuery(`SELECT * FROM datastore.${tableNameOf(schools)}`, /does not exist/);
    await refusedAsQuery(`SELECT * FROM "${tableNameOf(schools)}"`, /does not exist/);
    await refusedAsUnauthorized(`SELECT * FROM pg_catalog.pg_authid`, /system tables/);
    await refusedAsUnauthorized(`SELECT * FROM pg_class`, /system tables/);
    await refusedAsUnauthorized(`SELECT * FROM "${schools}" a JOIN pg_user u ON true`, /system tables/);
    await refusedAsUnauthorized(`SELECT table_name FROM information_schema.tables`, /system tables/);
    await refusedAsUnauthorized(`SELECT * FROM information_schema.columns WHERE table_schema = 'public'`, /system tables/);
    await refusedAsQuery(`SELECT (SELECT phone FROM users LIMIT 1) FROM "${schools}"`, /relation "users" does not exist/);
    await refusedAsQuery(`SELECT * FROM "${schools}" WHERE EXISTS (SELECT 1 FROM sessions)`, /relation "sessions" does not exist/);
    // A WITH query named like a table is the WITH query, but only where it is visible.
    await refusedAsQuery(`SELECT * FROM (WITH users AS (SELECT 1) SELECT * FROM users) x, users`, /relation "users" does not exist/);
    assert.equal((await rows(`WITH users AS (SELECT ecole FROM "${schools}") SELECT count(*)::int AS n FROM users`)).length, 1);
  });

  it("calls the functions of its allow-list only, and casts to plain data types only", async () => {
    for (const call of [
      "pg_sleep(5)",
      "pg_catalog.pg_sleep(5)",
      '"pg_sleep"(5)',
      "set_config('statement_timeout', '0', false)",
      "current_setting('data_directory')",
      "pg_read_file('/etc/passwd')",
      "lo_import('/etc/passwd')",
      "dblink('host=localhost', 'SELECT 1')",
      "pg_terminate_backend(1)",
      "version()",
      "query_to_xml('SELECT * FROM users', true, true, '')",
      "generate_series(1, 1000000000)",
      "repeat('x', 1000000000)",
      "replace(replace(replace(ecole, 'e', ecole), 'e', ecole), 'e', ecole)",
      "format('%1$s%1$s%1$s', ecole)",
      "public.lower('X')",
      "txid_current()",
      "nextval('x')",
    ]) {
      await refusedAsUnauthorized(`SELECT ${call} FROM "${schools}"`, /Not authorized to call function/);
    }
    await refusedAsUnauthorized(`SELECT * FROM generate_series(1, 10)`, /call function generate_series/);
    await refusedAsUnauthorized(`SELECT current_user`, /current_user/);
    await refusedAsUnauthorized(`SELECT 'users'::regclass`, /type regclass/);
    await refusedAsUnauthorized(`SELECT '1'::pg_catalog.int4`, /type pg_catalog.int4/);
    await refusedAsUnauthorized(`SELECT 1 OPERATOR(pg_catalog.+) 2`, /operator/);
    const [row] = await rows<Record<string, unknown>>(
      `SELECT upper(left(ecole, 5)) AS debut, length(ecole) AS longueur, date_trunc('year', now())::date = date_trunc('year', current_date)::date AS cette_annee,
        classes::text AS texte, coalesce(nullif(quartier, ''), '?') AS q, count(*) OVER (PARTITION BY niveau) > 0 AS agg,
        row_number() OVER (ORDER BY _id) AS rang
       FROM "${schools}" ORDER BY _id LIMIT 1`,
    );
    const [expected] = await direct(schools, "SELECT upper(left(ecole, 5)) AS debut, length(ecole) AS longueur, classes::text AS texte, coalesce(nullif(quartier, ''), '?') AS q FROM $table ORDER BY _id LIMIT 1");
    assert.deepEqual({ debut: row!.debut, longueur: row!.longueur, texte: row!.texte, q: row!.q }, expected);
    assert.equal(row!.cette_annee, true);
    assert.equal(row!.rang, 1);
  });

  it("runs what it checked: Unicode escapes, quoting and comment tricks are read the one way, or refused", async () => {
    // To PostgreSQL U&"\0070g_authid" is the name pg_authid; the grammar that checks the query
    // reads it otherwise, and what runs is what the grammar read, so pg_authid is never named.
    const unicode = await sql(`SELECT * FROM U&"\\0070g_authid"`);
    assert.ok(unicode.status === 409 || unicode.status === 403, `${unicode.status}`);
    const unicodeColumn = await sql(`SELECT U&"\\0070hone" FROM "${schools}"`);
    assert.ok([409, 403].includes(unicodeColumn.status), `${unicodeColumn.status} ${JSON.stringify(unicodeColumn.body)}`);
    await refusedAsQuery(`SELECT $$x$$ FROM "${schools}"`, /syntax error/);
    await refusedAsQuery(`SELECT E'\\x27; DROP TABLE users; --' FROM "${schools}"`);
    assert.deepEqual(await rows(`SELECT ecole FROM "${schools}" WHERE ecole = 'a' /* ; DELETE FROM users; -- */`), [], "a comment is a comment");
    // A quote inside a comment is where two readings of SQL may part: the grammar refuses it.
    await refusedAsQuery(`SELECT ecole FROM "${schools}" WHERE ecole = 'a' /* '; DELETE FROM users; -- */`, /syntax error/);
    await refusedAsQuery(`SELECT ecole FROM "${schools}" -- \n; DELETE FROM users`, /single statement/);
    await refusedAsQuery(`SELECT "ecole"" FROM users --" FROM "${schools}"`, /ecole" FROM users --/);
    // A quote inside a string stays data: the answer is the text itself.
    const [quoted] = await rows<{ t: string }>(`SELECT 'l''école; DROP TABLE users; --' AS t`);
    assert.equal(quoted!.t, "l'école; DROP TABLE users; --");
    const [backslash] = await rows<{ t: string }>(String.raw`SELECT 'a\' AS t`);
    assert.equal(backslash!.t, "a\\");
    assert.equal((await ctx.db.query("SELECT 1 FROM users LIMIT 1")).length, 1, "users is still there");
  });

  it("refuses a query whose planned cost is over the limit, before it runs", async () => {
    const cross = `SELECT count(*) FROM ${Array.from({ length: 10 }, (_, i) => `"${schools}" t${i}`).join(", ")}`;
    await refusedAsQuery(cross, /too expensive/);
    // A LIMIT does not make it cheaper: the estimate is of the query without its LIMITs.
    await refusedAsQuery(`SELECT t0._id FROM ${Array.from({ length: 10 }, (_, i) => `"${schools}" t${i}`).join(", ")} LIMIT 1`, /too expensive/);
  });

  it("answers bad input with CKAN's 409, never a 5xx: no sql, too long, nested too deep, not SQL", async () => {
    for (const query of ["", "   ", "-1", "99999999999999999999", "2026-02-30", "SELECT 1 FROM", "🙂", "x".repeat(9_000), `SELECT ${"(".repeat(200)}1${")".repeat(200)}`]) {
      const answer = await sql(query);
      assert.equal(answer.status, 409, `${query.slice(0, 40)} → ${answer.status}`);
      assert.equal(answer.body.error!.__type, "Validation Error");
    }
    const none = await ctx.app.inject({ method: "GET", url: "/api/3/action/datastore_search_sql" });
    assert.equal(none.statusCode, 409);
    assert.deepEqual(none.json().error.sql, ["sql: Missing value"]);
    const repeated = await ctx.app.inject({ method: "GET", url: "/api/3/action/datastore_search_sql?sql=SELECT+1&sql=SELECT+2" });
    assert.equal(repeated.statusCode, 409);
    const typo = await sql(`SELECT nom FROM "${schools}"`);
    assert.equal(typo.status, 409);
    assert.match(typo.body.error!.query![0]!, /column "nom" does not exist/);
    const divide = await sql(`SELECT 1 / (classes - classes) FROM "${schools}"`);
    assert.equal(divide.status, 409);
    assert.match(divide.body.error!.query![0]!, /division by zero/);
  });

  it("runs in a read-only transaction with the statement timeout set, and the server cancels a query past it", async () => {
    const settings = await runReadOnly(
      ctx.db,
      "SELECT current_setting('statement_timeout') AS timeout, current_setting('transaction_read_only') AS read_only",
      "SELECT 1",
      { timeoutMs: 1234, rowsMax: 10, maxCost: 1_000 },
    );
    assert.deepEqual(settings.records, [{ timeout: "1234ms", read_only: "on" }]);
    // A function that writes (a sequence's next value) is stopped by the transaction itself.
    await ctx.db.exec("CREATE SEQUENCE read_only_probe");
    await assert.rejects(runReadOnly(ctx.db, "SELECT nextval('read_only_probe') AS n", "SELECT 1", { timeoutMs: 1000, rowsMax: 10, maxCost: 1e9 }), (error: { code?: string }) => error.code === "25006");
    await ctx.db.exec("DROP SEQUENCE read_only_probe");
    const heavy = "SELECT count(*) FROM generate_series(1, 200000) a, generate_series(1, 200000) b";
    if (ctx.db.engine === "postgres") {
      // The action's own answer when the server cancels: the checks pass, the limits are short.
      const nine = `SELECT count(*) FROM ${Array.from({ length: 9 }, (_, i) => `"${schools}" t${i}`).join(", ")}`;
      const context = { app: ctx.app, request: {} as never, params: { sql: nine } };
      await assert.rejects(searchSqlWithLimits(context, { timeoutMs: 50, rowsMax: 10, maxCost: 1e12 }), (error: unknown) => {
        assert.ok(error instanceof CkanError);
        assert.deepEqual([error.status, error.type, error.field, error.message], [409, "Validation Error", "query", "Query took too long"]);
        return true;
      });
      await assert.rejects(runReadOnly(ctx.db, heavy, "SELECT 1", { timeoutMs: 50, rowsMax: 10, maxCost: 1e12 }), (error: { code?: string }) => error.code === "57014");
    } else {
      // PGlite runs in this process and has no timer to cancel a statement: there the cost
      // estimate is what stops such a query, before it starts.
      await assert.rejects(runReadOnly(ctx.db, heavy, heavy, { timeoutMs: 50, rowsMax: 10, maxCost: SQL_LIMITS.maxCost }), /estimated cost/);
    }
  });
});
