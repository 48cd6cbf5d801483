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
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  }
  return parsed;
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
  };
}
