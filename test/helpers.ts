import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pg from "pg";
import { loadConfig, type Config } from "../src/config.js";
import { openDb, type Db } from "../src/core/db/index.js";
import { migrate } from "../src/core/db/migrations.js";
import { buildApp, type AppModule } from "../src/core/http/server.js";
import type { ChannelAdapter, OutgoingMessage } from "../src/core/notify/index.js";
import { MODULES } from "../src/modules/index.js";
import { DEMO_PASSWORD, seedDemo } from "../src/seed/demo.js";
import { templatesFromEnv } from "./templates.js";

export { DEMO_PASSWORD };

/** What a test database holds when it is handed over: nothing, the migrated schema, or that plus the demo network. */
export type TestDbContent = "empty" | "migrated" | "demo";

export interface TestDbOptions {
  content?: TestDbContent;
  /** Where the demo's stored files go (required with content "demo"). */
  filesDir?: string;
}

/**
 * A database for one test file: in-memory PGlite by default, or a fresh database created on the
 * PostgreSQL server named by TEST_DATABASE_URL (dropped again by close()). `embeddedDir` puts
 * PGlite in a folder on disk, as the platform runs it, instead of memory (the benchmarks).
 * A migrated or demo database is a copy of the runner's template when scripts/run-tests.mjs
 * built one (test/templates.ts); a file run on its own migrates and seeds in place instead.
 */
export async function createTestDb(
  serverUrl = process.env.TEST_DATABASE_URL,
  embeddedDir?: string,
  options: TestDbOptions = {},
): Promise<{ db: Db; url: string | undefined; close: () => Promise<void> }> {
  const content = options.content ?? "empty";
  if (content === "demo" && !options.filesDir) throw new Error("a demo database needs the folder for its stored files");
  const templates = templatesFromEnv(serverUrl);
  const template = content === "empty" ? undefined : templates?.[content];
  const created = await openFresh(serverUrl, embeddedDir, template);
  // The copied database points at the demo's stored files: each test file gets its own copy of them too.
  if (template && content === "demo" && fs.existsSync(templates!.demoFiles)) fs.cpSync(templates!.demoFiles, options.filesDir!, { recursive: true });
  if (!template && content !== "empty") {
    await migrate(created.db);
    if (content === "demo") await seedDemo(created.db, options.filesDir!);
  }
  return created;
}

async function openFresh(serverUrl: string | undefined, embeddedDir: string | undefined, template: string | undefined): Promise<{ db: Db; url: string | undefined; close: () => Promise<void> }> {
  if (!serverUrl) {
    const db = await openDb({ dataDir: embeddedDir, loadDataDir: template ? new Blob([fs.readFileSync(template)]) : undefined });
    return { db, url: undefined, close: () => db.close() };
  }
  const name = `cite_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString() });
  return {
    db,
    url: url.toString(),
    close: async () => {
      await db.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** Records what would have been sent, and can be told to fail, like a real gateway. */
export class RecordingAdapter implements ChannelAdapter {
  readonly name = "recording";
  readonly delivers = true;
  sent: OutgoingMessage[] = [];
  async deliver(message: OutgoingMessage): Promise<void> {
    this.sent.push(message);
  }
}

export interface TestContext {
  app: FastifyInstance;
  db: Db;
  config: Config;
  notifier: RecordingAdapter;
  close: () => Promise<void>;
}

export async function createTestApp(
  options: {
    modules?: AppModule[];
    rateLimits?: { signIn: number; signUp: number };
    seed?: boolean;
    notifier?: ChannelAdapter;
    uploadLimitBytes?: number;
    embeddedOnDisk?: boolean;
    /** The proxies whose forwarding headers are believed (TRUST_PROXY); none by default. */
    trustProxy?: string;
  } = {},
): Promise<TestContext> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-test-"));
  const { db, close } = await createTestDb(process.env.TEST_DATABASE_URL, options.embeddedOnDisk ? dataDir : undefined, {
    content: options.seed === false ? "migrated" : "demo",
    filesDir: path.join(dataDir, "files"),
  });
  const config: Config = {
    ...loadConfig(options.trustProxy ? { TRUST_PROXY: options.trustProxy } : {}),
    dataDir,
    filesDir: path.join(dataDir, "files"),
    publicUrl: "http://localhost:3000",
    uploadLimitBytes: options.uploadLimitBytes ?? 10 * 1024 * 1024,
  };
  const notifier = new RecordingAdapter();
  const app = await buildApp({
    config,
    db,
    modules: options.modules ?? MODULES,
    notifier: options.notifier ?? notifier,
    logger: false,
    rateLimits: options.rateLimits ?? { signIn: 1000, signUp: 1000 },
  });
  await app.ready();
  return {
    app,
    db,
    config,
    notifier,
    close: async () => {
      await app.close();
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser's worth of state: cookies kept between requests, forms posted with their CSRF token. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(private app: FastifyInstance, private headers: Record<string, string> = {}) {}

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.value === "" || cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  /** Opens a page with a form, as a person does before posting one: that is where the CSRF cookie comes from. */
  async ensureCsrfToken(): Promise<string> {
    if (!this.cookies.has("csrf")) await this.get("/account/signin");
    // An app built without the account pages (a plugin's probe) has no page with a form: the
    // browser holds a well-formed token of its own, which is all the double-submit check compares.
    if (!this.cookies.has("csrf")) this.cookies.set("csrf", randomBytes(24).toString("base64url"));
    return this.cookies.get("csrf")!;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: "GET", url, headers: { accept: "text/html", ...this.headers, cookie: this.cookieHeader(), ...headers } }));
  }

  /** Posts a form the way a browser does; the CSRF token comes from the page's cookie. */
  async post(url: string, fields: Record<string, string> = {}, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const csrf = options.csrf === undefined ? await this.ensureCsrfToken() : options.csrf;
    const body = new URLSearchParams({ ...(csrf === null ? {} : { _csrf: csrf }), ...fields }).toString();
    return this.keep(
      await this.app.inject({
        method: "POST",
        url,
        payload: body,
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", ...this.headers, cookie: this.cookieHeader() },
      }),
    );
  }

  /** Posts a multipart form with one file, as a browser does for a form with a file input. */
  async postMultipart(url: string, fields: Record<string, string>, file?: { field: string; filename: string; data: Buffer; type?: string }): Promise<LightMyRequestResponse> {
    return this.send(url, await this.multipart(fields, file));
  }

  /** The body a browser sends for a form with a file input, CSRF token included. */
  async multipart(fields: Record<string, string>, file?: { field: string; filename: string; data: Buffer; type?: string }): Promise<{ payload: Buffer; contentType: string }> {
    const form = new FormData();
    form.set("_csrf", await this.ensureCsrfToken());
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    if (file) form.set(file.field, new Blob([file.data], { type: file.type ?? "application/octet-stream" }), file.filename);
    const request = new Request("http://localhost/", { method: "POST", body: form });
    return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get("content-type")! };
  }

  /** Posts a body made beforehand by `multipart`. */
  async send(url: string, body: { payload: Buffer; contentType: string }): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.app.inject({
        method: "POST",
        url,
        payload: body.payload,
        headers: { "content-type": body.contentType, accept: "text/html", ...this.headers, cookie: this.cookieHeader() },
      }),
    );
  }

  async postJson(url: string, json: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const csrf = await this.ensureCsrfToken();
    return this.keep(
      await this.app.inject({
        method: "POST",
        url,
        payload: JSON.stringify(json),
        headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf, ...headers, cookie: this.cookieHeader() },
      }),
    );
  }

  async signIn(identifier: string, password = DEMO_PASSWORD): Promise<LightMyRequestResponse> {
    const response = await this.post("/account/signin", { identifier, password, country: "SN" });
    if (response.statusCode !== 303) throw new Error(`sign-in of ${identifier} failed with ${response.statusCode}`);
    return response;
  }
}

/** The six-digit code in the last message sent to a phone number or address. */
export function lastCodeSentTo(notifier: RecordingAdapter, recipient: string): string {
  const message = notifier.sent.filter((sent) => sent.recipient === recipient).at(-1);
  const code = message && /\b(\d{6})\b/.exec(message.body)?.[1];
  if (!code) throw new Error(`no code was sent to ${recipient}`);
  return code;
}

/** Demo accounts by role, as seeded (see src/seed/demo.ts). */
export const DEMO = {
  rufisque: { administrator: "+221770000101", editor: "+221770000102", agent: "+221770000103", citizen: "+221770000104" },
  labe: { administrator: "+224620000701", editor: "+224620000702", agent: "+224620000703" },
  network: { superadmin: "superadmin@log.example", coordinator: "coordination@log.example", volunteer: "volontaire@log.example" },
};

/** The text a person sees in a page, tags stripped and entities decoded enough for assertions. */
export function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

export async function idOf(db: Db, sql: string, params: unknown[]): Promise<string> {
  const [row] = await db.query<{ id: string }>(sql, params);
  if (!row) throw new Error(`no row for ${sql}`);
  return row.id;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI_TIMEOUT_MS = 120_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/cite.js …` as an operator would, killed if it has not finished in time. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // DATABASE_URL is always set explicitly (empty means embedded) so the caller's shell cannot leak one in.
    const child = spawn(process.execPath, ["bin/cite.js", ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cite ${args.join(" ")} did not finish within ${CLI_TIMEOUT_MS / 1000} s\n${stdout}\n${stderr}`));
    }, CLI_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
