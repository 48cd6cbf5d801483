// Datastore benchmarks, each a ratio against a baseline measured in the same run:
//   1. ingest of a generated N-row, 8-column CSV (default 1,000,000 rows, about 60 MB) from bytes to
//      a queryable typed table, against a plain COPY of the same rows into a hand-made typed table;
//   2. datastore_search (filter + sort) against the same SQL run directly, medians over repeats;
//   3. package_search over 10,000 datasets: p95.
//
//   npm run bench:datastore                      PGlite, 1,000,000 rows
//   BENCH_ROWS=200000 npm run bench:datastore    smaller file
//   BENCH_DATABASE_URL=postgres://… …            on a PostgreSQL server (a fresh database is created)
import { migrate } from "../src/core/db/migrations.js";
import { readCsv } from "../src/modules/opendata/datastore/parse.js";
import { materialise, prepareTable } from "../src/modules/opendata/datastore/prepare.js";
import { findTableByResource, queryRows, replaceTable } from "../src/modules/opendata/datastore/store.js";
import { searchDatasets } from "../src/modules/opendata/store.js";
import { createTestDb } from "../test/helpers.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = 21;

function generateCsv(rows: number): Buffer {
  const lines = ["id;commune;quartier;date;montant;quantite;taux;paye"];
  const quartiers = ["Centre", "Nord", "Sud", "Est", "Ouest", "Keury Souf", "Diokoul", "Thiawlène"];
  for (let i = 1; i <= rows; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((i % 12) + 1).padStart(2, "0");
    lines.push(`${i};Rufisque;${quartiers[i % 8]};${day}/${month}/2026;${(i * 37) % 1_000_000};${i % 500};${i % 100},${i % 10};${i % 3 === 0 ? "oui" : "non"}`);
  }
  return Buffer.from(lines.join("\n") + "\n", "latin1");
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  // A fresh in-memory PGlite, or a fresh database on the server named by BENCH_DATABASE_URL.
  const { db, close } = await createTestDb(process.env.BENCH_DATABASE_URL ?? "");
  try {
    await migrate(db);
    await db.exec("INSERT INTO countries (code, calling_code, currency) VALUES ('SN', '221', 'XOF')");
    const [m] = await db.query<{ id: string }>("INSERT INTO municipalities (slug, name, country_code, region, time_zone, currency) VALUES ('bench', 'Bench', 'SN', 'Dakar', 'Africa/Dakar', 'XOF') RETURNING id");
    const municipalityId = m!.id;
    const [dataset] = await db.query<{ id: string }>("INSERT INTO datasets (municipality_id, slug, title, licence, status, published_at) VALUES ($1, 'bench', 'Bench', 'cc0-1.0', 'published', now()) RETURNING id", [municipalityId]);
    const [resource] = await db.query<{ id: string }>("INSERT INTO dataset_resources (municipality_id, dataset_id, name, url, format) VALUES ($1, $2, 'bench.csv', 'https://example.org/', 'CSV') RETURNING id", [municipalityId, dataset!.id]);

    const file = generateCsv(ROWS);
    console.log(`Datastore benchmark on ${db.engine}: ${ROWS.toLocaleString("en")} rows × 8 columns, ${mb(file.length)}, Node ${process.version}\n`);

    // The ingest runs first, so that the process's high-water mark (maxRSS) is its own.
    const memoryBefore = process.memoryUsage().rss;
    let start = performance.now();
    await db.transaction((tx) => replaceTable(tx, municipalityId, resource!.id, prepareTable(readCsv(file))));
    const ingestMs = performance.now() - start;
    const peak = process.resourceUsage().maxRSS * 1024;

    // Baseline: the same rows, already converted, COPY'd into a table typed by hand (no key).
    const converted = materialise(prepareTable(readCsv(file))).replace(/^\d+,/gm, "");
    start = performance.now();
    await db.transaction(async (tx) => {
      await tx.exec("CREATE TABLE datastore.baseline (id bigint, commune text, quartier text, date date, montant bigint, quantite bigint, taux double precision, paye boolean)");
      await tx.copyFromCsv("datastore.baseline (id, commune, quartier, date, montant, quantite, taux, paye)", converted);
    });
    const copyMs = performance.now() - start;

    console.log("1. ingest, bytes to queryable typed table");
    console.log(`   plain COPY of converted rows into a hand-typed table: ${(copyMs / 1000).toFixed(2)} s`);
    console.log(`   platform (decode, sniff, parse, infer, convert, COPY, key, swap): ${(ingestMs / 1000).toFixed(2)} s`);
    console.log(`   ratio platform / COPY: ×${(ingestMs / copyMs).toFixed(2)} (target ≤ 1.5); peak memory of the process ${mb(peak)} (${mb(memoryBefore)} before the ingest)\n`);

    const stored = (await findTableByResource(db, resource!.id))!;
    const direct: number[] = [];
    const viaStore: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      start = performance.now();
      await db.query(`SELECT * FROM datastore.${stored.table_name} WHERE quartier = $1 ORDER BY montant DESC NULLS LAST LIMIT 100 OFFSET 0`, ["Nord"]);
      await db.query(`SELECT count(*)::int AS n FROM (SELECT * FROM datastore.${stored.table_name} WHERE quartier = $1) c`, ["Nord"]);
      direct.push(performance.now() - start);
      start = performance.now();
      await queryRows(db, stored, { filters: { quartier: "Nord" }, q: "", sort: [{ field: "montant", direction: "desc" }], fields: null, limit: 100, offset: 0, distinct: false });
      viaStore.push(performance.now() - start);
    }
    console.log("2. datastore_search, filter + sort, with the total");
    console.log(`   direct SQL median ${median(direct).toFixed(1)} ms; datastore median ${median(viaStore).toFixed(1)} ms; ratio ×${(median(viaStore) / median(direct)).toFixed(2)} (target ≤ 1.3)\n`);

    const DATASETS = 10_000;
    await db.exec(`INSERT INTO datasets (municipality_id, slug, title, description, tags, themes, licence, status, published_at)
      SELECT '${municipalityId}', 'jeu-' || i, 'Jeu de données ' || i || ' sur ' || (ARRAY['les écoles','le budget','les marchés','l''eau','la santé'])[1 + i % 5],
        'Description numéro ' || i, ARRAY['tag' || (i % 50)], ARRAY[(ARRAY['EDUC','ECON','GOVE','ENVI','HEAL'])[1 + i % 5]], 'odbl-1.0', 'published', now()
      FROM generate_series(1, ${DATASETS}) i`);
    const timings: number[] = [];
    const queries = ["écoles", "budget", "marches", "eau", "sante", "", "budjet"];
    for (let i = 0; i < 50; i++) {
      start = performance.now();
      await searchDatasets(db, { municipalityId: null, text: queries[i % queries.length]!, themes: i % 2 ? ["EDUC"] : [], tags: [], formats: [], licences: [], municipalities: [], sort: "relevance", limit: 20, offset: 0 });
      timings.push(performance.now() - start);
    }
    console.log(`3. package_search over ${DATASETS.toLocaleString("en")} datasets: median ${median(timings).toFixed(1)} ms, p95 ${percentile(timings, 95).toFixed(1)} ms`);
  } finally {
    await close();
  }
}

await main();
