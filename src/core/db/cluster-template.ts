import { PGlite, type Extensions } from "@electric-sql/pglite";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/*
 * An empty embedded cluster, as PGlite's initdb leaves it, made once by the build (npm install)
 * and copied into a new data folder at its first start: initdb costs 3 to 6 s of CPU on a small
 * machine, loading the copy one or two (docs/adr/0010). Each install makes its own. Nothing of the
 * platform is in it: the first start still migrates and seeds.
 */

/** The installed PGlite's version: a cluster is only reused by the engine that made it. */
function pgliteVersion(): string {
  // Its package.json is not exported: found from the entry point, two folders up (dist/index.js).
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(entry), "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/** Beside this module: dist/core/db/ after a build; never present in src/, where initdb runs as before. */
export function clusterTemplatePath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), `empty-cluster-pglite-${pgliteVersion()}.tar.gz`);
}

/** The build's step: runs initdb in memory, with the extensions the platform loads, and keeps the result. */
export async function writeClusterTemplate(extensions: Extensions): Promise<string> {
  const pglite = await PGlite.create(undefined, { extensions });
  try {
    const file = clusterTemplatePath();
    fs.writeFileSync(file, Buffer.from(await (await pglite.dumpDataDir("gzip")).arrayBuffer()));
    return file;
  } finally {
    await pglite.close();
  }
}

/** The template for a data folder that holds nothing yet, when the build made one for this PGlite. */
export function clusterTemplateFor(location: string): Blob | undefined {
  if (fs.readdirSync(location).length > 0) return undefined;
  const file = clusterTemplatePath();
  return fs.existsSync(file) ? new Blob([fs.readFileSync(file)]) : undefined;
}
