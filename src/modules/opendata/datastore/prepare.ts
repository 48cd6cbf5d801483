import { CopyWriter } from "./copy-writer.js";
import { columnNames, INFERENCE_SAMPLE, inferType, type Field, type FieldType, type QualityIssue } from "./infer.js";
import { BLANK, MISFIT, type TableSource } from "./source.js";

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
   * The rows as CSV for COPY (UTF-8), `_id` first, converted while the source is read: a large
   * file streams into the database instead of being held whole as rows. Can be read once.
   */
  chunks: Iterable<Buffer>;
  /** Complete once `chunks` has been read to the end. */
  report: LoadReport;
}

/** About a megabyte of rows per chunk handed to COPY. */
const CHUNK_BYTES = 1 << 20;

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

  // Inference reads the first values of each column, up to INFERENCE_SAMPLE that are not blank.
  const sample: string[][] = names.map(() => []);
  const sampling = source.records();
  for (let sampled = 0; sampled < INFERENCE_ROWS && sampling.next(); ) {
    if (sampling.width !== width) continue;
    let wanting = 0;
    for (let index = 0; index < width; index++) {
      const values = sample[index]!;
      if (values.length >= INFERENCE_SAMPLE) continue;
      wanting++;
      if (!sampling.blank(index)) values.push(sampling.text(index));
    }
    if (wanting === 0) break;
    sampled++;
  }
  const fields: Field[] = names.map((name, index) => ({
    name,
    title: source.headers[index] || name,
    // A type the editor declared in the Table Schema wins over the guess.
    type: declaredTypes[name] ?? inferType(sample[index]!),
  }));
  const types = fields.map((field) => field.type);

  function* chunks(): Generator<Buffer> {
    const records = source.records();
    const out = new CopyWriter(CHUNK_BYTES + (CHUNK_BYTES >> 2));
    while (records.next()) {
      // A row of blank fields (";;;" at the end of an Excel export) is no row at all.
      if (records.width !== width) {
        let blank = true;
        for (let index = 0; index < records.width && blank; index++) blank = records.blank(index);
        if (!blank) note({ kind: "wrong_field_count", line: records.line, value: String(records.width), expected: width });
        continue;
      }
      const rowStart = out.length;
      out.integer(report.rows + 1);
      let blank = true;
      for (let index = 0; index < width; index++) {
        out.byte(0x2c);
        const put = records.put(index, types[index]!, out);
        if (put === BLANK) continue;
        blank = false;
        if (put === MISFIT) {
          note({ kind: "type_mismatch", line: records.line, column: fields[index]!.title, value: records.text(index).slice(0, 100), expected: types[index]! });
        }
      }
      if (blank) {
        out.truncate(rowStart);
        continue;
      }
      out.byte(0x0a);
      report.rows++;
      if (out.length >= CHUNK_BYTES) yield out.take();
    }
    if (out.length > 0) yield out.take();
  }

  return { fields, chunks: chunks(), report };
}

/** Reads every chunk: for small tables, tests and the bench's baseline. */
export function materialise(table: PreparedTable): string {
  return Buffer.concat([...table.chunks]).toString("utf8");
}
