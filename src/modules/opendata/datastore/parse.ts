import { isUtf8 } from "node:buffer";
import Papa from "papaparse";

/**
 * Reading a CSV as municipalities produce them: exported from Excel in French (semicolons,
 * decimal commas, Windows-1252), from LibreOffice in UTF-8, with or without a BOM.
 */

export const MAX_COLUMNS = 500;

export class UnreadableFileError extends Error {
  constructor(readonly reasonKey: string, readonly params: Record<string, string | number> = {}) {
    super(reasonKey);
  }
}

/** UTF-8 when the bytes are valid UTF-8, else Windows-1252 (which covers Latin-1's letters). */
export function decode(data: Buffer): { text: string; encoding: "utf-8" | "windows-1252" } {
  const withoutBom = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
  if (isUtf8(withoutBom)) return { text: withoutBom.toString("utf8"), encoding: "utf-8" };
  return { text: new TextDecoder("windows-1252").decode(withoutBom), encoding: "windows-1252" };
}

const DELIMITERS = [",", ";", "\t", "|"] as const;

/** The delimiter that splits the first lines into the same, largest number of fields. */
export function sniffDelimiter(text: string): string {
  const lines = text.slice(0, 64 * 1024).split(/\r?\n/).filter((line) => line.trim() !== "").slice(0, 10);
  let best: { delimiter: string; score: number } = { delimiter: ",", score: 0 };
  for (const delimiter of DELIMITERS) {
    const counts = lines.map((line) => line.replace(/"[^"]*"/g, "").split(delimiter).length - 1);
    if (counts.length === 0 || counts[0] === 0) continue;
    const consistent = counts.filter((count) => count === counts[0]).length;
    const score = counts[0]! * consistent;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

/** A data row with the line it started on in the file. */
export interface SourceRow {
  line: number;
  values: string[];
}

/**
 * A table being read: its headers, then its rows in batches, so that a large file is typed and
 * loaded while it is still being read rather than held whole as rows in memory.
 */
export interface TableSource {
  encoding: string;
  delimiter: string;
  headers: string[];
  batches: Iterable<SourceRow[]>;
  /** Sheets of a workbook other than the one read. */
  otherSheets?: string[];
}

/** About a megabyte of text per batch: large enough to parse fast, small enough to stream. */
const BATCH_CHARS = 1 << 20;

/**
 * Where the record ending at the first line break at or after `from` ends: a line break ends a
 * record only when the quotes since `start` (a record's beginning) are balanced.
 */
function recordEnd(text: string, start: number, from: number): number {
  let quotes = 0;
  let counted = start;
  for (let newline = text.indexOf("\n", from); newline !== -1; newline = text.indexOf("\n", newline + 1)) {
    for (let quote = text.indexOf('"', counted); quote !== -1 && quote < newline; quote = text.indexOf('"', quote + 1)) quotes++;
    counted = newline;
    if (quotes % 2 === 0) return newline + 1;
  }
  return text.length;
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

/** Rows of one chunk of whole records, each with its line number. */
function parseChunk(chunk: string, firstLine: number, delimiter: string): SourceRow[] {
  // Only empty lines are skipped here; rows of blank fields are left out when they are typed.
  const { data } = Papa.parse<string[]>(chunk, { delimiter, skipEmptyLines: true });
  const lines = chunk.endsWith("\n") ? countLines(chunk) : countLines(chunk) + 1;
  // One record per line (the usual case): record i is on line firstLine + i.
  if (data.length === lines) return data.map((values, index) => ({ line: firstLine + index, values }));
  // Blank lines or line breaks inside quoted values: read record by record to know each one's line.
  const rows: SourceRow[] = [];
  let line = firstLine;
  for (let position = 0; position < chunk.length; ) {
    const end = recordEnd(chunk, position, position);
    const record = chunk.slice(position, end);
    const [values] = Papa.parse<string[]>(record, { delimiter, skipEmptyLines: "greedy" }).data;
    if (values) rows.push({ line, values });
    line += countLines(record);
    position = end;
  }
  return rows;
}

function* csvBatches(text: string, start: number, firstLine: number, delimiter: string): Generator<SourceRow[]> {
  let position = start;
  let line = firstLine;
  while (position < text.length) {
    const end = recordEnd(text, position, Math.min(text.length, position + BATCH_CHARS));
    const chunk = text.slice(position, end);
    const rows = parseChunk(chunk, line, delimiter);
    if (rows.length > 0) yield rows;
    line += countLines(chunk);
    position = end;
  }
}

export function readCsv(data: Buffer): TableSource {
  const { text, encoding } = decode(data);
  if (text.trim() === "") throw new UnreadableFileError("opendata.datastore.error.empty");
  const delimiter = sniffDelimiter(text);
  // The header is the first record that is not blank.
  let position = 0;
  let line = 1;
  let header: string[] = [];
  while (position < text.length && header.length === 0) {
    const end = recordEnd(text, position, position);
    const chunk = text.slice(position, end);
    header = Papa.parse<string[]>(chunk, { delimiter, skipEmptyLines: "greedy" }).data[0] ?? [];
    line += countLines(chunk);
    position = end;
  }
  if (header.length === 0) throw new UnreadableFileError("opendata.datastore.error.empty");
  if (header.length > MAX_COLUMNS) throw new UnreadableFileError("opendata.datastore.error.too_many_columns", { count: header.length, max: MAX_COLUMNS });
  return {
    encoding,
    delimiter,
    headers: header.map((value) => value.trim()),
    batches: csvBatches(text, position, line, delimiter),
  };
}
