import { columnNames, convert, INFERENCE_SAMPLE, inferType, type Field, type FieldType, type QualityIssue } from "./infer.js";
import type { SourceRow, TableSource } from "./parse.js";

// Enough rows to find INFERENCE_SAMPLE non-empty values in all but very sparse columns.
const INFERENCE_ROWS = INFERENCE_SAMPLE * 5;

/** How many issues a report lists in detail; the count covers them all. */
export const MAX_LISTED_ISSUES = 200;

export interface LoadReport {
  encoding: string;
  delimiter: string;
  rows: number;
  issueCount: number;
  issues: QualityIssue[];
  /** Sheets of a workbook other than the one loaded. */
  otherSheets?: string[];
}

export interface PreparedTable {
  fields: Field[];
  /**
   * The rows as CSV for COPY, `_id` first, converted while the source is read: a large file
   * streams into the database instead of being held whole. Can be read once.
   */
  chunks: Iterable<string>;
  /** Complete once `chunks` has been read to the end. */
  report: LoadReport;
}

const quoted = (value: string) => (value.includes('"') ? `"${value.replace(/"/g, '""')}"` : `"${value}"`);

/**
 * Types a table being read: infers each column's type from the first rows (or takes the one the
 * editor declared), then converts every row for COPY, reporting blank or duplicate headers, rows
 * with the wrong number of fields (left out), and values that do not fit their column's type
 * (stored empty), each with its line number.
 */
export function prepareTable(source: TableSource, declaredTypes: Record<string, FieldType> = {}): PreparedTable {
  const { names, issues: headerIssues } = columnNames(source.headers);
  const width = source.headers.length;
  const report: LoadReport = { encoding: source.encoding, delimiter: source.delimiter, rows: 0, issueCount: 0, issues: [] };
  if (source.otherSheets?.length) report.otherSheets = source.otherSheets;
  const note = (issue: QualityIssue) => {
    report.issueCount++;
    if (report.issues.length < MAX_LISTED_ISSUES) report.issues.push(issue);
  };
  headerIssues.forEach(note);

  // Read ahead the rows inference looks at; they are converted first when the rows are read.
  const batches = source.batches[Symbol.iterator]();
  const readAhead: SourceRow[][] = [];
  const sample: string[][] = names.map(() => []);
  let sampled = 0;
  while (sampled < INFERENCE_ROWS) {
    const next = batches.next();
    if (next.done) break;
    readAhead.push(next.value);
    for (const row of next.value) {
      if (row.values.length !== width || sampled >= INFERENCE_ROWS) continue;
      row.values.forEach((value, index) => sample[index]!.push(value));
      sampled++;
    }
  }
  const fields: Field[] = names.map((name, index) => ({
    name,
    title: source.headers[index] || name,
    // A type the editor declared in the Table Schema wins over the guess.
    type: declaredTypes[name] ?? inferType(sample[index]!),
  }));

  const convertRow = (row: SourceRow): string | null => {
    let line = "";
    let blank = true;
    for (let index = 0; index < width; index++) {
      const raw = row.values[index]!;
      line += ",";
      if (raw.length === 0 || raw.trim() === "") continue;
      blank = false;
      const field = fields[index]!;
      if (field.type === "string") {
        line += quoted(raw);
        continue;
      }
      const value = convert(raw, field.type);
      if (value === null) note({ kind: "type_mismatch", line: row.line, column: field.title, value: raw.slice(0, 100), expected: field.type });
      else line += value;
    }
    return blank ? null : line;
  };

  function convertBatch(rows: SourceRow[]): string {
    let out = "";
    for (const row of rows) {
      // A row of blank fields (";;;" at the end of an Excel export) is no row at all.
      if (row.values.length !== width) {
        if (row.values.some((value) => value.trim() !== "")) note({ kind: "wrong_field_count", line: row.line, value: String(row.values.length), expected: width });
        continue;
      }
      const line = convertRow(row);
      if (line === null) continue;
      report.rows++;
      out += `${report.rows}${line}\n`;
    }
    return out;
  }

  function* chunks(): Generator<string> {
    for (const rows of readAhead.splice(0)) yield convertBatch(rows);
    for (let next = batches.next(); !next.done; next = batches.next()) yield convertBatch(next.value);
  }

  return { fields, chunks: chunks(), report };
}

/** Reads every chunk: for small tables, tests and the bench's baseline. */
export function materialise(table: PreparedTable): string {
  let csv = "";
  for (const chunk of table.chunks) csv += chunk;
  return csv;
}
