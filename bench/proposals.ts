// A process's proposal list at a town's scale (30,000 proposals in one process), against two
// floors measured in the same run on the same database: a bare `SELECT 1` round trip, and a bare
// Fastify "hello" answered through inject. Each figure is the p95 of requests made one after the
// other (no concurrency: the latency one visitor sees), on PGlite and, when BENCH_DATABASE_URL,
// DATABASE_URL or TEST_DATABASE_URL names a PostgreSQL server, on a fresh database there too.
//
//   npm run bench:proposals                    30,000 proposals, 200 requests per target
//   BENCH_QUICK=1 npm run bench:proposals      3,000 proposals, 30 requests (CI-sized)
//   BENCH_PROPOSALS=100000 npm run bench:proposals
import Fastify from "fastify";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config.js";
import type { Db } from "../src/core/db/index.js";
import { buildApp } from "../src/core/http/server.js";
import { MODULES } from "../src/modules/index.js";
import { createMunicipality, createProcess, createResident, createStaff } from "../test/factories.js";
import { createTestDb } from "../test/helpers.js";
import { insertScaledProposals, SCALED_CATEGORIES } from "../test/scaled-proposals.js";

const QUICK = process.env.BENCH_QUICK === "1" || process.argv.includes("--quick");
const PROPOSALS = Number(process.env.BENCH_PROPOSALS ?? (QUICK ? 3_000 : 30_000));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (QUICK ? 30 : 200));
const GOAL_P95_MS = 50;
for (const [name, value] of [["BENCH_PROPOSALS", PROPOSALS], ["BENCH_REQUESTS", REQUESTS]] as const) {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
}

function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

async function timings(work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < Math.min(10, REQUESTS); i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [line(rows[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

async function benchEngine(serverUrl: string | undefined): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-bench-proposals-"));
  // An empty URL, not undefined: undefined would fall back to TEST_DATABASE_URL.
  const { db, close } = await createTestDb(serverUrl ?? "", undefined, { content: "migrated" });
  try {
    const started = performance.now();
    const { slug, processPath } = await fill(db);
    const filledIn = (performance.now() - started) / 1000;

    const config = { ...loadConfig({}), dataDir, filesDir: path.join(dataDir, "files"), publicUrl: "http://localhost:3000" };
    const app = await buildApp({ config, db, modules: MODULES, logger: false, rateLimits: { signIn: 1000, signUp: 1000 } });
    await app.ready();
    const hello = Fastify({ logger: false });
    hello.get("/", async () => "hello");
    await hello.ready();

    const page = (query: string) => async () => {
      const response = await app.inject({ method: "GET", url: `${processPath}${query}` });
      if (response.statusCode !== 200) throw new Error(`${processPath}${query} answered ${response.statusCode}`);
      return response.body;
    };
    // Every target must show what a visitor expects, or the figures time an error page.
    const eau = await page("?q=eau")();
    const typo = await page("?q=fontene")();
    const missed = [
      ...(/réseau d&#39;eau|réseau d'eau/.test(eau) ? [] : ['the search "eau" shows no proposal about the water network']),
      ...(/fontaine/.test(typo) ? [] : ['the typo search "fontene" shows no fontaine']),
    ];

    const targets: [string, () => Promise<unknown>][] = [
      ["baseline: SELECT 1", () => db.query("SELECT 1")],
      ["baseline: bare Fastify hello (inject)", async () => (await hello.inject({ method: "GET", url: "/" })).body],
      ["list, most supported (default)", page("")],
      ["list, newest, page 3", page("?sort=newest&page=3")],
      ["list, random with seed, page 2", page("?sort=random&seed=4242&page=2")],
      ["list, status accepted", page("?status=accepted")],
      ["list, category", page(`?category=${encodeURIComponent(SCALED_CATEGORIES[2]!)}`)],
      ['search "eau"', page("?q=eau")],
      ['search "marchés éclairer" (words)', page(`?q=${encodeURIComponent("marchés éclairer")}`)],
      ['typo search "fontene"', page("?q=fontene")],
    ];
    const results: [string, { p50: number; p95: number }][] = [];
    for (const [label, work] of targets) results.push([label, await timings(work)]);
    const floor = results[0]![1].p95;
    const helloFloor = results[1]![1].p95;

    console.log(`\n${db.engine === "pglite" ? "PGlite (in memory)" : "PostgreSQL server"}: ${PROPOSALS.toLocaleString("en")} proposals in one process, filled in ${filledIn.toFixed(1)} s; ${REQUESTS} requests per target, one at a time\n`);
    console.log(
      table([
        ["target", "p50 ms", "p95 ms", "p95 / SELECT 1", "p95 / hello", `p95 ≤ ${GOAL_P95_MS} ms`],
        ...results.map(([label, m], index) => [
          label,
          m.p50.toFixed(2),
          m.p95.toFixed(2),
          `×${(m.p95 / floor).toFixed(1)}`,
          `×${(m.p95 / helloFloor).toFixed(1)}`,
          index < 2 ? "" : m.p95 <= GOAL_P95_MS ? "met" : "NOT met",
        ]),
      ]),
    );
    for (const miss of missed) console.log(`warning: ${miss} in /${slug}`);
    await hello.close();
    await app.close();
  } finally {
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A municipality with one published process taking proposals, holding PROPOSALS of them. */
async function fill(db: Db): Promise<{ slug: string; processPath: string }> {
  const municipality = await createMunicipality(db, { slug: "bench-ville" });
  const editor = await createStaff(db, municipality, "editor");
  const author = await createResident(db, municipality, { verified: true });
  const process = await createProcess(db, municipality, editor, { slug: "budget-2027" });
  await db.query("UPDATE processes SET categories = $3 WHERE municipality_id = $1 AND id = $2", [municipality.id, process.id, SCALED_CATEGORIES]);
  await insertScaledProposals(db, { municipalityId: municipality.id, processId: process.id, authorId: author.id }, PROPOSALS);
  await db.exec("ANALYZE");
  return { slug: municipality.slug, processPath: `/${municipality.slug}/participation/${process.slug}` };
}

const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
console.log(`Proposal list benchmark${QUICK ? " (quick)" : ""}, Node ${process.version}; goal: p95 ≤ ${GOAL_P95_MS} ms at 30,000 proposals`);
await benchEngine(undefined);
if (serverUrl) await benchEngine(serverUrl);
else console.log("\n(no BENCH_DATABASE_URL, DATABASE_URL or TEST_DATABASE_URL: the PostgreSQL server was not measured)");
