import { columnNames, convert, INFERENCE_SAMPLE, inferType, type Field, type FieldType, type QualityIssue } from "./infer.js";

// Enough rows to find INFERENCE_SAMPLE non-empty values in all but very sparse columns.
const INFERENCE_ROWS = INFERENCE_SAMPLE * 5;
import type { ParsedTable } from "./parse.js";

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

function csvCell(value: string | null): string {
  if (value === null) return "";
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * Turns a parsed file into the typed fields, the canonical CSV COPY loads, and the quality report:
 * blank or duplicate headers, rows with the wrong number of fields (left out), and values that do
 * not fit their column's type (stored empty), each with its line number.
 */
export function prepareTable(parsed: ParsedTable, declaredTypes: Record<string, FieldType> = {}): { fields: Field[]; csv: string; report: LoadReport } {
  const { names, issues } = columnNames(parsed.headers);
  const width = parsed.headers.length;
  const wellFormed = parsed.rows.filter((row) => {
    if (row.values.length === width) return true;
    issues.push({ kind: "wrong_field_count", line: row.line, value: String(row.values.length), expected: width });
    return false;
  });
  const fields: Field[] = names.map((name, index) => ({
    name,
    title: parsed.headers[index] || name,
    // A type the editor declared in the Table Schema wins over the guess.
    type: declaredTypes[name] ?? inferType(wellFormed.slice(0, INFERENCE_ROWS).map((row) => row.values[index]!)),
  }));
  const lines: string[] = [];
  for (const row of wellFormed) {
    lines.push(
      row.values
        .map((raw, index) => {
          const field = fields[index]!;
          if (raw.trim() === "") return csvCell(null);
          const value = convert(raw, field.type);
          if (value === null) issues.push({ kind: "type_mismatch", line: row.line, column: field.title, value: raw.slice(0, 100), expected: field.type });
          return csvCell(value);
        })
        .join(","),
    );
  }
  issues.sort((a, b) => a.line - b.line);
  return {
    fields,
    csv: lines.length > 0 ? `${lines.join("\n")}\n` : "",
    report: { encoding: parsed.encoding, delimiter: parsed.delimiter, rows: wellFormed.length, issueCount: issues.length, issues: issues.slice(0, MAX_LISTED_ISSUES) },
  };
}
