import { parse } from "csv-parse/sync";

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
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(withoutBom), encoding: "utf-8" };
  } catch {
    return { text: new TextDecoder("windows-1252").decode(withoutBom), encoding: "windows-1252" };
  }
}

const DELIMITERS = [",", ";", "\t", "|"] as const;

/** The delimiter that splits the first lines into the same, largest number of fields. */
export function sniffDelimiter(text: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "").slice(0, 10);
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

export interface ParsedTable {
  encoding: string;
  delimiter: string;
  headers: string[];
  /** Each data row with the line number it started on in the file. */
  rows: { line: number; values: string[] }[];
}

export function parseCsv(data: Buffer): ParsedTable {
  const { text, encoding } = decode(data);
  if (text.trim() === "") throw new UnreadableFileError("opendata.datastore.error.empty");
  const delimiter = sniffDelimiter(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    throw new UnreadableFileError("opendata.datastore.error.syntax", { detail: String((error as Error).message).slice(0, 200) });
  }
  const [header, ...body] = records;
  if (!header) throw new UnreadableFileError("opendata.datastore.error.empty");
  if (header.record.length > MAX_COLUMNS) throw new UnreadableFileError("opendata.datastore.error.too_many_columns", { count: header.record.length, max: MAX_COLUMNS });
  return {
    encoding,
    delimiter,
    headers: header.record.map((value) => value.trim()),
    rows: body.map(({ record, info }) => ({ line: info.lines, values: record })),
  };
}
