/**
 * Column types as Frictionless Table Schema names them, inferred from the values: what most of a
 * column's values are (at least 90 %), the rest reported and stored empty.
 */

export type FieldType = "integer" | "number" | "date" | "boolean" | "string";

export interface Field {
  /** Column name in the datastore table: lower-case letters, digits and underscores. */
  name: string;
  /** The header as written in the file. */
  title: string;
  type: FieldType;
}

export interface QualityIssue {
  kind: "blank_header" | "duplicate_header" | "wrong_field_count" | "type_mismatch";
  line: number;
  column?: string;
  value?: string;
  expected?: number | string;
}

const SQL_TYPES: Record<FieldType, string> = { integer: "bigint", number: "double precision", date: "date", boolean: "boolean", string: "text" };
export const sqlType = (type: FieldType) => SQL_TYPES[type];

const INTEGER = /^[+-]?(\d+|\d{1,3}([ \u00a0\u202f.]\d{3})+)$/;
const NUMBER = /^[+-]?(\d+|\d{1,3}([ \u00a0\u202f]\d{3})+)([.,]\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FRENCH_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
export const TRUE_WORDS: ReadonlySet<string> = new Set(["oui", "vrai", "true", "yes", "sim", "verdadeiro", "1"]);
export const FALSE_WORDS: ReadonlySet<string> = new Set(["non", "faux", "false", "no", "não", "nao", "falso", "0"]);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A day of the calendar; years before 100 are typing slips, not dates a municipality publishes. */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  if (year < 100 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0);
}

function validDate(year: number, month: number, day: number): string | null {
  if (!isCalendarDay(year, month, day)) return null;
  return `${String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
}

// The shapes most values have, checked first because loading converts millions of them.
const PLAIN_INTEGER = /^[+-]?\d{1,15}$/;
const PLAIN_NUMBER = /^[+-]?\d{1,15}([.,]\d{1,15})?$/;

/** The value in the canonical form the database loads (ISO dates, a point as decimal mark), or null when it does not fit. */
export function convert(value: string, type: FieldType): string | null {
  const text = value.trim();
  switch (type) {
    case "string":
      return value;
    case "integer": {
      if (PLAIN_INTEGER.test(text)) return text;
      if (!INTEGER.test(text)) return null;
      const digits = text.replace(/[ \u00a0\u202f.]/g, "");
      return Number.isSafeInteger(Number(digits)) ? String(BigInt(digits)) : null;
    }
    case "number": {
      if (PLAIN_NUMBER.test(text)) return text.includes(",") ? text.replace(",", ".") : text;
      if (!NUMBER.test(text)) return null;
      const normalised = text.replace(/[ \u00a0\u202f]/g, "").replace(",", ".");
      return Number.isFinite(Number(normalised)) ? normalised : null;
    }
    case "date": {
      const french = FRENCH_DATE.exec(text);
      if (french) return validDate(Number(french[3]), Number(french[2]), Number(french[1]));
      const iso = ISO_DATE.exec(text);
      return iso ? validDate(Number(iso[1]), Number(iso[2]), Number(iso[3])) : null;
    }
    case "boolean": {
      const lower = text.toLowerCase();
      return TRUE_WORDS.has(lower) ? "true" : FALSE_WORDS.has(lower) ? "false" : null;
    }
  }
}

const CANDIDATES: FieldType[] = ["integer", "number", "date", "boolean"];

/** Inference reads this many non-empty values of a column; later misfits are reported on loading. */
export const INFERENCE_SAMPLE = 10_000;

export function inferType(values: string[]): FieldType {
  const present: string[] = [];
  for (const value of values) {
    if (value.trim() !== "") present.push(value);
    if (present.length >= INFERENCE_SAMPLE) break;
  }
  if (present.length === 0) return "string";
  // More than a tenth of misfits rules a type out; counting stops there (text columns fail fast).
  const tolerated = Math.floor(present.length / 10);
  for (const type of CANDIDATES) {
    // 0 and 1 alone read as booleans would surprise; a column of them stays a number.
    if (type === "boolean" && present.every((value) => value.trim() === "0" || value.trim() === "1")) continue;
    let misfits = 0;
    for (const value of present) if (convert(value, type) === null && ++misfits > tolerated) break;
    if (misfits <= tolerated) return type;
  }
  return "string";
}

/** Column names safe to quote in SQL and readable in APIs: "Montant (XOF)" → "montant_xof". */
export function columnNames(headers: string[]): { names: string[]; issues: QualityIssue[] } {
  const issues: QualityIssue[] = [];
  const seen = new Map<string, number>();
  const names = headers.map((header, index) => {
    let base = header
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 50);
    if (!header.trim()) issues.push({ kind: "blank_header", line: 1, column: `column_${index + 1}` });
    if (!base || /^\d/.test(base) || base === "_id") base = base ? `c_${base}` : `column_${index + 1}`;
    if (!seen.has(base)) {
      seen.set(base, 1);
      return base;
    }
    issues.push({ kind: "duplicate_header", line: 1, column: header || base });
    // "montant", "montant", "montant_2": the second becomes montant_3, never a clash.
    let count = seen.get(base)!;
    let candidate: string;
    do {
      count += 1;
      candidate = `${base}_${count}`;
    } while (seen.has(candidate));
    seen.set(base, count);
    seen.set(candidate, 1);
    return candidate;
  });
  return { names, issues };
}
