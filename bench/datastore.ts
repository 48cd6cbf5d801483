// Datastore benchmarks, each a ratio against a baseline measured in the same run:
//   1. ingest of a generated N-row, 8-column CSV (default 1,000,000 rows, about 50 MB) from upload to
//      a queryable typed table, against a plain COPY of the same rows into a hand-made typed table;
//   2. datastore_search (filter + sort) against the same SQL run directly, medians over repeats;
//   3. package_search over 10,000 datasets: p95.
//   4. CKAN's package_search with a harvester's fq (OR groups, a negation, a date range, sorted by
//      id, paged) over the same datasets, against the portal's search of step 3: medians, ratio.
//
//   npm run bench:datastore                      PGlite, 1,000,000 rows
//   BENCH_ROWS=200000 npm run bench:datastore    smaller file (BENCH_INGEST_RUNS: ingests per side, 3)
//   BENCH_DATABASE_URL=postgres://… …            on a PostgreSQL server (a fresh database is created)
import { readCsv } from "../src/modules/opendata/datastore/parse.js";
import { materialise, prepareTable } from "../src/modules/opendata/datastore/prepare.js";
import { findTableByResource, queryRows, type DatastoreTable } from "../src/modules/opendata/datastore/store.js";
import { parseFq } from "../src/modules/opendata/ckan/fq.js";
import { searchDatasets, searchPackages } from "../src/modules/opendata/store.js";
import { Browser, createTestApp, DEMO } from "../test/helpers.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = 21;
const INGEST_RUNS = Number(process.env.BENCH_INGEST_RUNS ?? 3);

/** Written in slices, so that making the file does not set the process's memory high-water mark. */
function generateCsv(rows: number): Buffer {
  const slices = [Buffer.from("id;commune;quartier;date;montant;quantite;taux;paye\n", "latin1")];
  const quartiers = ["Centre", "Nord", "Sud", "Est", "Ouest", "Keury Souf", "Diokoul", "Thiawlène"];
  for (let first = 1; first <= rows; first += 10_000) {
    let slice = "";
    for (let i = first; i < first + 10_000 && i <= rows; i++) {
      const day = String((i % 28) + 1).padStart(2, "0");
      const month = String((i % 12) + 1).padStart(2, "0");
      slice += `${i};Rufisque;${quartiers[i % 8]};${day}/${month}/2026;${(i * 37) % 1_000_000};${i % 500};${i % 100},${i % 10};${i % 3 === 0 ? "oui" : "non"}\n`;
    }
    slices.push(Buffer.from(slice, "latin1"));
  }
  return Buffer.concat(slices);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  // The platform as it runs: PGlite in a folder on disk (in memory, its file system copies a file
  // whole each time the file grows, which would slow both sides), or a fresh database on the
  // server named by BENCH_DATABASE_URL; with the demo data and an upload limit the file fits in.
  if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
  else delete process.env.TEST_DATABASE_URL;
  const { app, db, close } = await createTestApp({ uploadLimitBytes: 512 * 1024 * 1024, embeddedOnDisk: true });
  try {
    const [dataset] = await db.query<{ id: string; municipality_id: string }>("SELECT d.id, d.municipality_id FROM datasets d JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' ORDER BY d.created_at LIMIT 1");
    const municipalityId = dataset!.municipality_id;
    const editor = new Browser(app);
    await editor.signIn(DEMO.rufisque.editor);

    const file = generateCsv(ROWS);
    console.log(`Datastore benchmark on ${db.engine}: ${ROWS.toLocaleString("en")} rows × 8 columns, ${mb(file.length)}, Node ${process.version}\n`);

    // Baseline: the same rows, already converted, COPY'd into a table typed by hand (no key).
    const converted = materialise(prepareTable(readCsv(file))).replace(/^\d+,/gm, "");
    const ingestMs: number[] = [];
    const copyMs: number[] = [];
    let peak = 0;
    let memoryBefore = 0;
    let loaded: DatastoreTable | undefined;
    // Both sides in turn, INGEST_RUNS times each, so that a noisy moment does not decide the ratio.
    for (let run = 1; run <= INGEST_RUNS; run++) {
      // Each upload is another file (spaces before the first header), so each one is stored anew.
      const upload = Buffer.concat([Buffer.from(" ".repeat(run)), file]);
      // The browser's side, the form's body, is made before the clock starts.
      const body = await editor.multipart({ name: `Bench ${run}` }, { field: "file", filename: "bench.csv", data: upload, type: "text/csv" });
      if (run === 1) memoryBefore = process.memoryUsage().rss;
      let start = performance.now();
      const uploaded = await editor.send(`/rufisque/admin/data/${dataset!.id}/resources`, body);
      ingestMs.push(performance.now() - start);
      // The first ingest runs before anything else big, so that the high-water mark (maxRSS) is its own.
      if (run === 1) peak = process.resourceUsage().maxRSS * 1024;
      const [resource] = await db.query<{ id: string }>("SELECT id FROM dataset_resources WHERE dataset_id = $1 AND name = $2", [dataset!.id, `Bench ${run}`]);
      loaded = resource && (await findTableByResource(db, resource.id));
      if (uploaded.statusCode !== 303 || loaded?.row_count !== ROWS) throw new Error(`the upload was not loaded: ${uploaded.statusCode}, ${loaded?.row_count ?? 0} rows`);

      start = performance.now();
      await db.transaction(async (tx) => {
        await tx.exec(`CREATE TABLE datastore.baseline_${run} (id bigint, commune text, quartier text, date date, montant bigint, quantite bigint, taux double precision, paye boolean)`);
        await tx.copyFromCsv(`datastore.baseline_${run} (id, commune, quartier, date, montant, quantite, taux, paye)`, converted);
      });
      copyMs.push(performance.now() - start);
    }
    const seconds = (values: number[]) => values.map((value) => (value / 1000).toFixed(2)).join(", ");

    console.log(`1. ingest, from upload to queryable typed table (medians of ${INGEST_RUNS} runs each)`);
    console.log(`   plain COPY of converted rows into a hand-typed table: ${(median(copyMs) / 1000).toFixed(2)} s (${seconds(copyMs)})`);
    console.log(`   platform (multipart upload, file stored, decode, sniff, parse, infer, convert, COPY, key, swap, version): ${(median(ingestMs) / 1000).toFixed(2)} s (${seconds(ingestMs)})`);
    console.log(`   ratio platform / COPY: ×${(median(ingestMs) / median(copyMs)).toFixed(2)} (target ≤ 1.5); peak memory of the process ${mb(peak)} (${mb(memoryBefore)} before the ingest)\n`);

    const stored = loaded!;
    let start: number;
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
    console.log(`3. package_search over ${DATASETS.toLocaleString("en")} datasets: median ${median(timings).toFixed(1)} ms, p95 ${percentile(timings, 95).toFixed(1)} ms\n`);

    const fq = parseFq("(groups:educ OR groups:econ) -tags:tag7 +organization:rufisque metadata_modified:[NOW-1YEAR TO *] license_id:odbl-1.0 name:rufisque--jeu-*");
    const portal: number[] = [];
    const ckan: number[] = [];
    for (let i = 0; i < 30; i++) {
      start = performance.now();
      await searchDatasets(db, { municipalityId: null, text: "", themes: ["EDUC", "ECON"], tags: [], formats: [], licences: ["odbl-1.0"], municipalities: ["rufisque"], sort: "updated", limit: 100, offset: 100 * (i % 10) });
      portal.push(performance.now() - start);
      start = performance.now();
      await searchPackages(db, { filter: fq, text: "", sort: [{ field: "id", direction: "asc" }], facets: [], limit: 100, offset: 100 * (i % 10) });
      ckan.push(performance.now() - start);
    }
    console.log("4. CKAN package_search, a harvester's fq sorted by id asc, 100 a page");
    console.log(`   portal search median ${median(portal).toFixed(1)} ms; CKAN fq median ${median(ckan).toFixed(1)} ms, p95 ${percentile(ckan, 95).toFixed(1)} ms; ratio ×${(median(ckan) / median(portal)).toFixed(2)}`);
  } finally {
    await close();
  }
}

await main();
