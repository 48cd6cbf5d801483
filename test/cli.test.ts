import assert from "node:assert/strict";
import { spawn, type ChildProcessByStdio } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DEMO, DEMO_PASSWORD, visibleText } from "./helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Hang guards only: a first start creates the embedded database, migrates and seeds on a possibly busy machine.
const START_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 30_000;

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Server {
  child: Child;
  port: number;
  /** Everything the process printed so far, for assertions and for failure messages. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A port nobody listens on right now: the OS picks it, we release it for the child to take. */
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

/** The environment of an operator's first start: no DATABASE_URL, so the embedded database in DATA_DIR is used. */
function firstStartEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", ...extra };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return env;
}

const running = new Set<Child>();

function startServe(dataDir: string, port: number): Server {
  const child = spawn(process.execPath, ["bin/cite.js", "serve", "--demo"], {
    cwd: ROOT,
    env: firstStartEnv({ DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, port, output: () => output, exited };
}

/** Polls /healthz until the platform answers, failing clearly if it dies or takes longer than the bound. */
async function waitUntilHealthy(server: Server): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let dead = false;
  void server.exited.then(() => (dead = true));
  let lastError = "no attempt yet";
  while (Date.now() < deadline) {
    if (dead) throw new Error(`cite serve exited before answering /healthz:\n${server.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`cite serve did not answer /healthz within ${START_TIMEOUT_MS / 1000} s (last: ${lastError}):\n${server.output()}`);
}

/** SIGTERM, then wait (bounded) for the process to finish its shutdown. */
async function stop(server: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  server.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cite serve did not exit within ${EXIT_TIMEOUT_MS / 1000} s of SIGTERM:\n${server.output()}`)), EXIT_TIMEOUT_MS);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function cookiesFrom(response: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const index = pair!.indexOf("=");
    jar.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
  }
  return jar;
}

async function municipalityIds(port: number): Promise<{ id: string; slug: string }[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/municipalities`, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { data: { id: string; slug: string }[] };
  return body.data.map(({ id, slug }) => ({ id, slug })).sort((a, b) => a.slug.localeCompare(b.slug));
}

describe("first start: cite serve --demo on an empty DATA_DIR", () => {
  let dataDir: string;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-first-start-"));
  });
  after(async () => {
    // Whatever happened above, no platform process outlives the test.
    for (const child of running) child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers with the demo network, and after a restart keeps its data (and sessions) without seeding again", async () => {
    const first = startServe(dataDir, await freePort());
    await waitUntilHealthy(first);
    const base = `http://127.0.0.1:${first.port}`;
    assert.match(first.output(), /demo data loaded/);
    // A first start says what it creates while it seeds, so that a slow machine is seen working.
    const progress = first.output().split("\n").filter((line) => line.startsWith("demo: "));
    assert.ok(progress.includes("demo: 7 municipalities, 18 staff accounts, 3 network accounts"), progress.join("\n"));
    assert.ok(progress.some((line) => /^demo: Rufisque — 5 datasets, \d+ rows$/.test(line)), progress.join("\n"));
    assert.ok(progress.some((line) => /^demo: Bissau — 5 datasets, \d+ rows$/.test(line)), progress.join("\n"));
    assert.ok(progress.some((line) => /^demo: Rufisque — \d+ procedures, \d+ dossiers$/.test(line)), progress.join("\n"));
    const output = first.output();
    assert.ok(output.indexOf("demo: 7 municipalities") < output.indexOf("demo data loaded"), "progress comes before the end of the seed");

    const home = await fetch(`${base}/`, { headers: { accept: "text/html" } });
    assert.equal(home.status, 200);
    const homeText = visibleText(await home.text());
    for (const name of ["Rufisque", "Kouroussa", "Dan-Kassari", "Bissau", "Fass-Colobane", "Mantakari", "Labé"]) assert.ok(homeText.includes(name), `${name} is on the network home`);

    const rufisque = await fetch(`${base}/rufisque/`, { headers: { accept: "text/html" } });
    assert.equal(rufisque.status, 200);
    assert.match(visibleText(await rufisque.text()), /Rufisque/);

    const idsBefore = await municipalityIds(first.port);
    assert.equal(idsBefore.length, 7);

    // Something written while running, beyond the seed: an editor signs in through the real form.
    const form = await fetch(`${base}/account/signin`, { headers: { accept: "text/html" } });
    const csrf = cookiesFrom(form).get("csrf")!;
    const signIn = await fetch(`${base}/account/signin`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie: `csrf=${csrf}` },
      body: new URLSearchParams({ _csrf: csrf, identifier: DEMO.rufisque.editor, password: DEMO_PASSWORD, country: "SN" }).toString(),
    });
    assert.equal(signIn.status, 303);
    const sid = cookiesFrom(signIn).get("sid");
    assert.ok(sid, "signing in sets a session cookie");
    const account = (port: number) => fetch(`http://127.0.0.1:${port}/account`, { redirect: "manual", headers: { accept: "text/html", cookie: `sid=${sid}` } });
    assert.equal((await account(first.port)).status, 200);

    const stopped = await stop(first);
    assert.equal(stopped.code, 0, `a SIGTERM shutdown is a clean exit:\n${first.output()}`);

    const second = startServe(dataDir, await freePort());
    await waitUntilHealthy(second);
    assert.doesNotMatch(second.output(), /demo data loaded/, "a restart must not seed again");
    assert.doesNotMatch(second.output(), /^demo: /m, "nor print the seed's progress");
    // Same ids: nothing lost, nothing re-created.
    assert.deepEqual(await municipalityIds(second.port), idsBefore);
    const stillSignedIn = await account(second.port);
    assert.equal(stillSignedIn.status, 200, "the editor is still signed in after the restart");
    assert.match(visibleText(await stillSignedIn.text()), /Rufisque/);
    assert.equal((await stop(second)).code, 0);
  });
});

describe("cite without a command", () => {
  it("prints the usage and exits 64 (EX_USAGE)", async () => {
    const child = spawn(process.execPath, ["bin/cite.js"], { cwd: ROOT, env: firstStartEnv({}), stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cite did not exit within ${EXIT_TIMEOUT_MS / 1000} s`)), EXIT_TIMEOUT_MS);
      }),
    ]).finally(() => {
      clearTimeout(timer);
      running.delete(child);
    });
    assert.equal(code, 64);
    assert.match(output, /Usage: cite <command>/);
    assert.match(output, /serve \[--demo\]/);
  });

  after(() => {
    for (const child of running) child.kill("SIGKILL");
  });
});
