// Start-up of `cite serve --demo` (what `npm start` runs) on the embedded database, against bare
// processes started the same way in the same run: the ratio says what the platform adds to what
// Node itself takes on this machine, whatever else the machine is doing.
//
//   npm run bench:start                 3 runs
//   BENCH_RUNS=1 npm run bench:start    quick
//
// Each run times, from spawn to the first 200 on /healthz: a bare Node HTTP server, a bare Fastify
// hello (in JavaScript, and through tsx as issue 14 measured it), a first start on an empty data
// folder (creating the database, migrating, seeding the demo), a later start on that folder, and
// the same later start running the sources through tsx (what every start cost before dist/:
// docs/adr/0010-compiled-at-install.md). On Linux it also reads the CPU time each process had
// used when it answered: on a machine shared with other work, the wall time grows with the
// load, the CPU time much less (tsx's esbuild, a process of its own, is not counted in it).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compiledEntry } from "../bin/compiled.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
if (!Number.isInteger(RUNS) || RUNS <= 0) throw new Error(`BENCH_RUNS must be a positive integer, got "${process.env.BENCH_RUNS}"`);
// Hang guard only: a first start on a loaded machine can take a while, never this long.
const START_TIMEOUT_MS = 180_000;
const GOALS_MS = { first: 15_000, later: 3_000 };

interface Started {
  /** From spawn to the first 200 on /healthz. */
  readyMs: number;
  /** CPU time (user + system, all threads) the process had used by then; undefined off Linux. */
  cpuMs: number | undefined;
  /** When (ms after spawn) a line matching each marker was first printed. */
  marks: Record<string, number>;
}

const MARKERS: Record<string, RegExp> = {
  migrating: /^applying migration /,
  seeding: /^demo: /,
  seeded: /^demo data loaded/,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

// /proc/<pid>/stat counts in clock ticks; Linux's USER_HZ is 100 on every architecture Node runs on.
const TICK_MS = 10;

/** The CPU time a running process has used, from /proc (fields 14 and 15: utime, stime). */
function cpuTimeMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** Spawns args, polls /healthz until it answers 200, then stops the process (SIGTERM) and waits for its exit. */
async function timeStart(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", PORT: String(port), HOST: "127.0.0.1", ...env };
  delete childEnv.DATABASE_URL;
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const marks: Record<string, number> = {};
  let output = "";
  const read = (chunk: Buffer) => {
    const at = performance.now() - started;
    output += chunk.toString();
    for (const line of chunk.toString().split("\n")) {
      for (const [name, pattern] of Object.entries(MARKERS)) if (!(name in marks) && pattern.test(line)) marks[name] = at;
    }
  };
  child.stdout.on("data", read);
  child.stderr.on("data", read);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));
  try {
    for (;;) {
      if (dead) throw new Error(`${args.join(" ")} exited before answering /healthz:\n${output}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`${args.join(" ")} did not answer /healthz within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.body?.cancel().then(() => response.ok) ?? response.ok,
        () => false,
      );
      if (ok) return { readyMs: performance.now() - started, cpuMs: cpuTimeMs(child.pid), marks };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    if (!dead) child.kill("SIGTERM");
    await exited;
  }
}

const BARE_NODE = ["-e", "require('node:http').createServer((_, res) => res.end('ok')).listen(Number(process.env.PORT), process.env.HOST)"];
const BARE_FASTIFY = [
  "--input-type=module",
  "-e",
  "import Fastify from 'fastify'; const app = Fastify(); app.get('/healthz', async () => ({ status: 'ok' })); await app.listen({ port: Number(process.env.PORT), host: process.env.HOST });",
];

const compiled = compiledEntry(ROOT);
if (!compiled.entry) console.error(`dist/ is ${compiled.reason === "outdated" ? "older than src/" : "missing"}: \`npm start\` runs the sources through tsx, and so does this benchmark (npm run build first)`);

interface Run {
  node: Started;
  fastify: Started;
  fastifyTsx: Started;
  first: Started;
  later: Started;
  laterTsx: Started;
}

const runs: Run[] = [];
for (let run = 1; run <= RUNS; run++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-bench-start-"));
  try {
    const env = { DATA_DIR: dataDir };
    const node = await timeStart(BARE_NODE);
    const fastify = await timeStart(BARE_FASTIFY);
    const fastifyTsx = await timeStart(["--import", "tsx", "bench/start-hello.ts"]);
    const first = await timeStart(["bin/cite.js", "serve", "--demo"], env);
    if (!("seeded" in first.marks)) throw new Error("the first start did not seed the demo");
    const later = await timeStart(["bin/cite.js", "serve", "--demo"], env);
    if ("seeded" in later.marks || "migrating" in later.marks) throw new Error("a later start migrated or seeded again");
    const laterTsx = await timeStart(["--import", "tsx", "src/cli.ts", "serve", "--demo"], env);
    runs.push({ node, fastify, fastifyTsx, first, later, laterTsx });
    console.error(`run ${run}/${RUNS} done`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (value: number | undefined) => (value === undefined ? "—" : `${Math.round(value)} ms`);
const ratio = (value: number, baseline: number) => `×${(value / baseline).toFixed(1)}`;
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [line(rows[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

const entry = compiled.entry ? "dist/ (compiled)" : "src/ through tsx (no fresh build)";
console.log(`\nStart until /healthz answers, ${RUNS} run(s); cite runs ${entry}. Ratios: against the bare Node HTTP server (÷ Node), the bare Fastify hello (÷ Fastify) and the same hello through tsx (÷ tsx hello, the baseline of issue 14) of the same run.\n`);
const rows = [["run", "bare Node", "bare Fastify", "tsx hello", "first start", "÷ Node", "÷ Fastify", "÷ tsx hello", "later start", "÷ Node", "÷ Fastify", "÷ tsx hello", "later via tsx", "÷ tsx hello"]];
for (const [index, run] of runs.entries()) {
  const ratios = (value: number) => [ratio(value, run.node.readyMs), ratio(value, run.fastify.readyMs), ratio(value, run.fastifyTsx.readyMs)];
  rows.push([
    String(index + 1),
    ms(run.node.readyMs),
    ms(run.fastify.readyMs),
    ms(run.fastifyTsx.readyMs),
    ms(run.first.readyMs),
    ...ratios(run.first.readyMs),
    ms(run.later.readyMs),
    ...ratios(run.later.readyMs),
    ms(run.laterTsx.readyMs),
    ratio(run.laterTsx.readyMs, run.fastifyTsx.readyMs),
  ]);
}
console.log(table(rows));

console.log("\nCPU time used until /healthz answered (user + system, every thread):\n");
const cpu = [["run", "bare Node", "bare Fastify", "tsx hello", "first start", "later start", "later via tsx"]];
for (const [index, run] of runs.entries()) cpu.push([String(index + 1), ...[run.node, run.fastify, run.fastifyTsx, run.first, run.later, run.laterTsx].map((started) => ms(started.cpuMs))]);
console.log(table(cpu));

// Where a first start spends its time: opening (creating) the database and loading the code, migrating, seeding, the rest.
console.log("\nFirst start by phase (ms after spawn when each began):\n");
const phases = [["run", "migrations", "demo seed", "seed done", "answers"]];
for (const [index, run] of runs.entries()) phases.push([String(index + 1), ms(run.first.marks.migrating), ms(run.first.marks.seeding), ms(run.first.marks.seeded), ms(run.first.readyMs)]);
console.log(table(phases));

const worst = (pick: (run: Run) => number) => Math.max(...runs.map(pick));
const verdict = (label: string, value: number, goal: number) => `${label}: worst ${Math.round(value)} ms, goal ≤ ${goal} ms on a quiet machine: ${value <= goal ? "met" : "NOT met"}`;
console.log(`\n${verdict("first start", worst((run) => run.first.readyMs), GOALS_MS.first)}\n${verdict("later start", worst((run) => run.later.readyMs), GOALS_MS.later)}`);
