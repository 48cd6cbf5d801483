import { isIP } from "node:net";
import path from "node:path";

/** Typed configuration read from the environment; every value has a safe default. */
export interface Config {
  /** TCP port the HTTP server listens on (PORT, default 3000). */
  port: number;
  /** Interface to bind (HOST, default 127.0.0.1 so a laptop does not expose itself by accident). */
  host: string;
  /** Folder for the embedded database and stored files (DATA_DIR, default ./data). */
  dataDir: string;
  /** Where uploaded files are kept (DATA_DIR/files). */
  filesDir: string;
  /** A PostgreSQL server to use instead of the embedded database (DATABASE_URL). */
  databaseUrl: string | undefined;
  /** Public base URL, used in links sent by SMS or email (PUBLIC_URL). */
  publicUrl: string;
  /** Whether cookies are marked Secure (COOKIE_SECURE, default true when PUBLIC_URL is https). */
  cookieSecure: boolean;
  /** Largest accepted upload, in bytes (UPLOAD_LIMIT_BYTES, default 10 MiB). */
  uploadLimitBytes: number;
  /** Log level for the structured logs (LOG_LEVEL, default info). */
  logLevel: string;
  /**
   * The reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY): their addresses or
   * networks. By default none, so that nobody can choose the address the rate limits count by
   * writing a header.
   */
  trustProxy: false | string[];
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  }
  return parsed;
}

/** Names that proxy-addr (and so Fastify) understands for whole address ranges. */
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isAddressOrNetwork(entry: string): boolean {
  if (PROXY_RANGES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: "10.0.0.1,10.1.0.0/16" (addresses, networks, loopback, uniquelocal); empty trusts
 * none. A count of hops is refused: it would believe a header whatever machine sent it.
 */
export function parseTrustProxy(value: string | undefined): false | string[] {
  const text = (value ?? "").trim();
  if (text === "") return false;
  const entries = text.split(",").map((entry) => entry.trim()).filter(Boolean);
  const invalid = entries.filter((entry) => !isAddressOrNetwork(entry));
  if (entries.length === 0 || invalid.length > 0) {
    throw new Error(`TRUST_PROXY must list the proxies' addresses or networks, e.g. 10.0.0.1,10.1.0.0/16 or loopback; got "${value}"`);
  }
  return entries;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intFrom(env.PORT, 3000, "PORT");
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, "");
  const dataDir = path.resolve(env.DATA_DIR || "./data");
  return {
    port,
    host: env.HOST || "127.0.0.1",
    dataDir,
    filesDir: path.join(dataDir, "files"),
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl,
    cookieSecure: env.COOKIE_SECURE ? env.COOKIE_SECURE === "true" : publicUrl.startsWith("https:"),
    uploadLimitBytes: intFrom(env.UPLOAD_LIMIT_BYTES, 10 * 1024 * 1024, "UPLOAD_LIMIT_BYTES"),
    logLevel: env.LOG_LEVEL || "info",
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}
