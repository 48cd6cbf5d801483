/**
 * The one CSV writer of the platform (RFC 4180, CRLF), used by every open-data export.
 *
 * - A text cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a
 *   carriage return, or their full-width forms) is prefixed with a quote, so that it is shown as
 *   typed (CSV injection, OWASP). Numbers are never changed: -3 stays a number.
 * - Control characters other than tab and line breaks are dropped: they mean nothing in a cell
 *   and make some spreadsheets refuse the file.
 * - A cell is quoted when it holds a quote, a comma, a line break, or a semicolon (French-locale
 *   spreadsheets split on it), and whenever it was defused.
 */

/** A number kept as text for its precision (a numeric column read from PostgreSQL). */
export interface CsvNumber {
  readonly numeric: string;
}

export type CsvValue = string | number | bigint | boolean | Date | CsvNumber | null | undefined;

const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const NEEDS_QUOTES = /[",;\n\r]/;

const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** `numeric("12.50")`: written as is, never defused, when it is a plain decimal number. */
export const numeric = (text: string): CsvNumber => ({ numeric: text });

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  if (typeof value === "object") {
    if (NUMERIC.test(value.numeric)) return value.numeric;
    return csvCell(value.numeric);
  }
  const text = value.replace(CONTROL, "");
  if (FORMULA_START.test(text)) return quoted(`'${text}`);
  return NEEDS_QUOTES.test(text) ? quoted(text) : text;
}

/** A whole file: the header, then one line per row, each ending with CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) lines.push(row.map(csvCell).join(","));
  return lines.join("\r\n") + "\r\n";
}
