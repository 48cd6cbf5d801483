import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/*
 * Checks of a PDF by tools nobody here wrote: qpdf reads its structure, poppler renders it as a
 * printer would, zbar reads the QR code off the picture as a phone would. CI installs them
 * (.ci/run); a machine without them fails here, saying what to install, rather than skipping.
 */

const PACKAGES: Record<string, string> = { qpdf: "qpdf", pdftoppm: "poppler-utils", pdftotext: "poppler-utils", pdffonts: "poppler-utils", zbarimg: "zbar-tools" };

function run(tool: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(tool, args, { encoding: "utf8" });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error(`${tool} is not installed: these tests need it (apt-get install ${PACKAGES[tool] ?? tool}; .ci/run installs it)`);
  }
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function withFile<T>(bytes: Uint8Array, use: (file: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-pdf-"));
  try {
    const file = path.join(dir, "document.pdf");
    fs.writeFileSync(file, bytes);
    return use(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `qpdf --check`: its exit status (0 clean, 3 warnings, 2 errors) and what it said. */
export function qpdfCheck(bytes: Uint8Array): { status: number | null; output: string } {
  return withFile(bytes, (file) => {
    const result = run("qpdf", ["--check", file]);
    return { status: result.status, output: result.stdout + result.stderr };
  });
}

/** Renders one page at `dpi` as a PNG (pdftoppm) and returns what zbarimg reads off it, one code a line. */
export function qrCodesOnPage(bytes: Uint8Array, page: number, dpi: number): string[] {
  return withFile(bytes, (file, dir) => {
    const rendered = run("pdftoppm", ["-r", String(dpi), "-png", "-f", String(page), "-l", String(page), "-singlefile", file, path.join(dir, "page")]);
    if (rendered.status !== 0) throw new Error(`pdftoppm failed: ${rendered.stderr}`);
    const scanned = run("zbarimg", ["--raw", "-q", path.join(dir, "page.png")]);
    // zbarimg exits 4 when it finds no code: that is an answer (none), not a failure.
    if (scanned.status !== 0 && scanned.status !== 4) throw new Error(`zbarimg failed (${scanned.status}): ${scanned.stderr}`);
    return scanned.stdout.split("\n").filter(Boolean);
  });
}

/** The text a reader sees, as poppler's pdftotext extracts it (UTF-8, in reading order, runs of spaces made one). */
export function pdfText(bytes: Uint8Array): string {
  return withFile(bytes, (file) => {
    const extracted = run("pdftotext", ["-enc", "UTF-8", file, "-"]);
    if (extracted.status !== 0) throw new Error(`pdftotext failed: ${extracted.stderr}`);
    return extracted.stdout.replace(/[ \t\u00a0\u202f]+/g, " ");
  });
}

/** The fonts of a PDF as pdffonts lists them: name and whether embedded. */
export function pdfFonts(bytes: Uint8Array): { name: string; embedded: boolean }[] {
  return withFile(bytes, (file) => {
    const listed = run("pdffonts", [file]);
    if (listed.status !== 0) throw new Error(`pdffonts failed: ${listed.stderr}`);
    // name type encoding emb sub uni object ID: the header and its rule are the first two lines.
    return listed.stdout
      .split("\n")
      .slice(2)
      .filter(Boolean)
      .map((line) => {
        const columns = line.trim().split(/\s+/);
        const emb = columns.at(-5);
        return { name: columns[0]!, embedded: emb === "yes" };
      });
  });
}
