// Load test of a municipality's home page, against a bare Fastify "hello" as the floor of what
// this machine and Node can do: the ratio says how much the platform itself costs per request.
//
//   npm run bench                     10 s per target
//   BENCH_SECONDS=5 npm run bench     shorter run
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
if (!Number.isFinite(SECONDS) || SECONDS <= 0) throw new Error(`BENCH_SECONDS must be a positive number, got "${process.env.BENCH_SECONDS}"`);

interface Measure {
  label: string;
  url: string;
  requests: number;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  latencyMs: { mean: number; p50: number; p95: number; p97_5: number; p99: number; max: number };
  /** autocannon's own summary (whole milliseconds), printed beside ours as a cross-check. */
  autocannonMs: { p50: number; p97_5: number; p99: number };
}

/**
 * The p-th percentile (nearest rank) of the samples. autocannon reports p97.5 and p99 but no p95,
 * so p95 comes from every response time it emitted, not from an interpolation of its summary.
 */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

async function measure(label: string, url: string): Promise<Measure> {
  // A failing target would make a fast benchmark of error pages: check it answers before measuring.
  const probe = await fetch(url);
  if (probe.status !== 200) throw new Error(`${url} answered ${probe.status}, not 200`);
  await probe.arrayBuffer();

  const samples: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    // The callback form returns the running instance, whose events carry each response's time.
    const instance = autocannon({ url, connections: CONNECTIONS, duration: SECONDS }, (error, done) => (error ? reject(error) : resolve(done)));
    // Like autocannon's own latency histogram, only successful responses count.
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
    });
  });
  const sorted = Float64Array.from(samples).sort();
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return {
    label,
    url,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyMs: {
      mean,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p97_5: percentile(sorted, 97.5),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
    },
    autocannonMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [line(rows[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

/** Starts bench/servers.ts in a child process and waits for the addresses it prints. */
async function startServers() {
  const child = spawn(process.execPath, ["--import", "tsx", new URL("./servers.ts", import.meta.url).pathname], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const timeout = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [line] = (await Promise.race([once(lines, "line"), once(child, "exit").then(() => [undefined])])) as [string | undefined];
  clearTimeout(timeout);
  if (!line) throw new Error("the benchmark servers did not start");
  const addresses = JSON.parse(line) as { engine: string; platform: string; baseline: string };
  const stop = async () => {
    child.kill("SIGTERM");
    if (child.exitCode === null) await once(child, "exit");
  };
  return { ...addresses, stop };
}

async function main(): Promise<void> {
  const servers = await startServers();
  try {
    console.log(`Benchmark: ${SECONDS} s per target, ${CONNECTIONS} connections, Node ${process.version}, engine ${servers.engine}, servers in their own process\n`);
    // Baseline first, so the platform's background work cannot slow it down.
    const hello = await measure("baseline: bare Fastify \"hello\"", servers.baseline);
    const home = await measure("platform: /rufisque/ home page", servers.platform);

    const fmt = (value: number, digits = 2) => value.toFixed(digits);
    console.log(
      table([
        ["target", "requests", "req/s", "mean ms", "p50 ms", "p95 ms", "p97.5 ms", "p99 ms", "max ms", "non-2xx", "errors"],
        ...[hello, home].map((m) => [
          m.label,
          String(m.requests),
          fmt(m.requestsPerSecond, 0),
          fmt(m.latencyMs.mean),
          fmt(m.latencyMs.p50),
          fmt(m.latencyMs.p95),
          fmt(m.latencyMs.p97_5),
          fmt(m.latencyMs.p99),
          fmt(m.latencyMs.max),
          String(m.non2xx),
          String(m.errors),
        ]),
      ]),
    );
    console.log(
      `\nplatform / baseline: req/s ×${fmt(home.requestsPerSecond / hello.requestsPerSecond, 3)}, ` +
        `mean latency ×${fmt(home.latencyMs.mean / hello.latencyMs.mean, 1)}, p95 latency ×${fmt(home.latencyMs.p95 / hello.latencyMs.p95, 1)}`,
    );
    console.log("Latency percentiles are nearest-rank over every 2xx response time autocannon reported (not interpolated).");
    for (const m of [hello, home]) {
      console.log(`  cross-check, autocannon's own summary for ${m.label}: p50 ${m.autocannonMs.p50} ms, p97.5 ${m.autocannonMs.p97_5} ms, p99 ${m.autocannonMs.p99} ms (it has no p95)`);
    }
    if (home.non2xx + home.errors + hello.non2xx + hello.errors > 0) {
      console.log("Warning: some requests failed; the numbers above include only successful responses.");
      process.exitCode = 1;
    }
  } finally {
    await servers.stop();
  }
}

await main();
