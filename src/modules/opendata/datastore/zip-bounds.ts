import { createInflateRaw } from "node:zlib";
import { UnreadableFileError } from "./parse.js";

/**
 * What a workbook may unpack to. A workbook is read whole in memory (its XML as text, then every
 * cell as an object: about 500 bytes a cell, measured with exceljs 4), so these bounds keep the
 * reading of one upload within about 300 MB, whatever its bytes claim. Larger tables go in as
 * CSV, which is read as it streams.
 */
export const XLSX_LIMITS = {
  /** All its parts together, unpacked. */
  unpackedBytes: 64 * 1024 * 1024,
  /** Rows over all its sheets (every sheet is read, even if only the first is loaded). */
  rows: 100_000,
  /** Cells over all its sheets. */
  cells: 500_000,
  /** How many times smaller than unpacked a large part may be: ordinary sheets compress 5 to 50 times. */
  ratio: 200,
  /** Parts unpacking to less than this are not held to the ratio. */
  ratioFrom: 4 * 1024 * 1024,
  parts: 10_000,
};

interface ZipPart {
  name: string;
  method: number;
  compressedSize: number;
  unpackedSize: number;
  localHeader: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
// A size or offset of all ones means "in the ZIP64 record": more than 4 GB, or 65,535 parts.
const ZIP64_SIZE = 0xffffffff;

const megabytes = (bytes: number) => Math.ceil(bytes / (1024 * 1024));

function tooLarge(unpacked: number): UnreadableFileError {
  return new UnreadableFileError("opendata.datastore.error.xlsx_too_large", { size: megabytes(unpacked), max: megabytes(XLSX_LIMITS.unpackedBytes) });
}

/** The parts a ZIP archive lists in its central directory; undefined when it is not a readable ZIP. */
function centralDirectory(data: Buffer): ZipPart[] | undefined {
  // The end record is the last 22 bytes, unless a comment of up to 65,535 bytes follows it.
  let end = -1;
  for (let at = data.length - 22; at >= Math.max(0, data.length - 22 - 0xffff); at--) {
    if (data.readUInt32LE(at) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = data.readUInt16LE(end + 10);
  const offset = data.readUInt32LE(end + 16);
  if (count === 0xffff || offset === ZIP64_SIZE) throw tooLarge(Number.MAX_SAFE_INTEGER);
  if (count > XLSX_LIMITS.parts) throw new UnreadableFileError("opendata.datastore.error.xlsx_inconsistent");
  const parts: ZipPart[] = [];
  let at = offset;
  for (let index = 0; index < count; index++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== CENTRAL) return undefined;
    const nameLength = data.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
    if (next > data.length) return undefined;
    parts.push({
      method: data.readUInt16LE(at + 10),
      compressedSize: data.readUInt32LE(at + 20),
      unpackedSize: data.readUInt32LE(at + 24),
      localHeader: data.readUInt32LE(at + 42),
      name: data.toString("utf8", at + 46, at + 46 + nameLength),
    });
    at = next;
  }
  return parts;
}

/** The compressed bytes of a part, found through its local header. */
function compressedBytes(data: Buffer, part: ZipPart): Buffer | undefined {
  const at = part.localHeader;
  if (at + 30 > data.length || data.readUInt32LE(at) !== LOCAL) return undefined;
  const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
  if (start + part.compressedSize > data.length) return undefined;
  return data.subarray(start, start + part.compressedSize);
}

/**
 * Counts the start tags of rows and cells in a sheet's XML as it is unpacked (with or without a
 * namespace prefix: `<row `, `<x:row>`), a chunk at a time, across chunk edges.
 */
class TagCounter {
  rows = 0;
  cells = 0;
  private tail = Buffer.alloc(0);

  add(chunk: Buffer): void {
    const text = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    // A tag is counted with the chunk that brings the byte ending its name (a space, a tab, a line
    // break, ">" or "/"): once, even when the tag straddles two chunks.
    const fresh = this.tail.length;
    const ends = (at: number) => at >= fresh && at < text.length && (text[at] === 0x20 || text[at] === 0x3e || text[at] === 0x2f || text[at] === 0x09 || text[at] === 0x0a || text[at] === 0x0d);
    const opens = (at: number) => at >= 0 && (text[at] === 0x3c || text[at] === 0x3a); // "<", or the ":" after a prefix
    for (let at = text.indexOf("row", 1); at >= 0; at = text.indexOf("row", at + 3)) if (opens(at - 1) && ends(at + 3)) this.rows++;
    for (let at = text.indexOf("c", 1); at >= 0; at = text.indexOf("c", at + 1)) if (opens(at - 1) && ends(at + 1)) this.cells++;
    this.tail = Buffer.from(text.subarray(Math.max(0, text.length - 4)));
  }
}

/**
 * Unpacks a part without keeping it, stopping as soon as it gives more than it declared: a
 * part's declared size is what the limits were checked against, so it must not be exceeded.
 */
function unpackCounting(compressed: Buffer, declared: number, onChunk: ((chunk: Buffer) => void) | undefined): Promise<"ok" | "over"> {
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw();
    let size = 0;
    let settled = false;
    const settle = (outcome: "ok" | "over" | Error) => {
      if (settled) return;
      settled = true;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    inflate.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > declared) {
        inflate.destroy();
        settle("over");
        return;
      }
      onChunk?.(chunk);
    });
    inflate.on("end", () => settle(size === declared ? "ok" : "over"));
    inflate.on("error", (error) => settle(new UnreadableFileError("opendata.datastore.error.syntax", { detail: String(error.message).slice(0, 200) })));
    inflate.end(compressed);
  });
}

const isSheet = (name: string) => /^xl\/worksheets\/[^/]+\.xml$/i.test(name);

/**
 * Refuses a workbook that would unpack beyond the limits, before anything reads it whole: first
 * from what its central directory declares (sizes, compression ratio), then by unpacking each
 * part with a counter and nothing kept — a part that gives more than it declared, rows or cells
 * beyond the limits stop it there. Memory stays that of one chunk, whatever the archive holds.
 * An archive that cannot be read as a ZIP is left to the workbook reader, which says so.
 */
export async function checkXlsxBounds(data: Buffer): Promise<void> {
  const parts = centralDirectory(data);
  if (!parts) return;
  if (parts.some((part) => part.unpackedSize === ZIP64_SIZE || part.compressedSize === ZIP64_SIZE)) throw tooLarge(Number.MAX_SAFE_INTEGER);
  const unpacked = parts.reduce((sum, part) => sum + part.unpackedSize, 0);
  if (unpacked > XLSX_LIMITS.unpackedBytes) throw tooLarge(unpacked);
  for (const part of parts) {
    const ratio = part.unpackedSize / Math.max(1, part.compressedSize);
    if (part.unpackedSize >= XLSX_LIMITS.ratioFrom && ratio > XLSX_LIMITS.ratio) throw new UnreadableFileError("opendata.datastore.error.xlsx_ratio", { ratio: Math.round(ratio), max: XLSX_LIMITS.ratio });
  }
  const counter = new TagCounter();
  for (const part of parts) {
    const compressed = compressedBytes(data, part);
    if (!compressed) throw new UnreadableFileError("opendata.datastore.error.xlsx_inconsistent");
    if (part.method === 0 && part.compressedSize !== part.unpackedSize) throw new UnreadableFileError("opendata.datastore.error.xlsx_inconsistent");
    const sheet = isSheet(part.name);
    if (part.method === 0 && sheet) counter.add(compressed);
    if (part.method === 8 && (await unpackCounting(compressed, part.unpackedSize, sheet ? (chunk) => counter.add(chunk) : undefined)) === "over") {
      throw new UnreadableFileError("opendata.datastore.error.xlsx_inconsistent");
    }
    if (counter.rows > XLSX_LIMITS.rows) throw new UnreadableFileError("opendata.datastore.error.xlsx_too_many_rows", { max: XLSX_LIMITS.rows });
    if (counter.cells > XLSX_LIMITS.cells) throw new UnreadableFileError("opendata.datastore.error.xlsx_too_many_cells", { max: XLSX_LIMITS.cells });
  }
}
