import type { Field } from "./infer.js";

/**
 * What a table's chart shows before anyone chooses: the first column that measures something,
 * against a date if the table has one, else against a label. A municipality's tables lead with
 * codes (budget chapters, water point numbers, years): adding those up draws a chart that means
 * nothing, so they are never the default measure.
 */

/** Names of identifiers and codes, in the languages tables arrive in (fr, pt, en). */
const CODE_NAME = /^(id|code|codigo|cod|ref|reference|referencia|identifiant|identificador|numero|num|no|n|nr|matricule|chapitre|capitulo|article|artigo|compte|conta|annee|ano|year|mois|mes|month|jour|dia|day)$|(^|_)(id|code|codigo|num|numero|ref)$|^(id|code|codigo|num|numero|ref)_/;

/** Whether a column holds codes rather than quantities, by its name or by its values. */
export function looksLikeCode(field: Field, values: unknown[]): boolean {
  if (CODE_NAME.test(field.name)) return true;
  if (field.type !== "integer") return false;
  const numbers = values.filter((value) => value !== null && value !== undefined).map(Number).filter(Number.isFinite);
  if (numbers.length < 2) return false;
  // Years: every value a plausible year.
  if (numbers.every((value) => value >= 1900 && value <= 2100)) return true;
  // Row numbers: 1, 2, 3… in some order.
  const sorted = [...numbers].sort((a, b) => a - b);
  if (sorted.every((value, index) => index === 0 || value === sorted[index - 1]! + 1)) return true;
  return false;
}

export interface ChartChoice {
  x: string;
  y: string;
  kind: "bar" | "line";
}

/**
 * The default chart of a table, from its schema and a sample of its rows; undefined when the
 * table has nothing to add up. An integer first column whose values are all different is the
 * table's key (a chapter, a code), not a measure.
 */
export function defaultChart(fields: Field[], rows: Record<string, unknown>[]): ChartChoice | undefined {
  const valuesOf = (field: Field) => rows.map((row) => row[field.name]);
  const isKey = (field: Field, index: number) => {
    if (index !== 0 || field.type !== "integer") return false;
    const values = valuesOf(field).filter((value) => value !== null && value !== undefined);
    return values.length > 1 && new Set(values.map(String)).size === values.length;
  };
  const measures = fields.filter((field, index) => (field.type === "integer" || field.type === "number") && !isKey(field, index) && !looksLikeCode(field, valuesOf(field)));
  const y = measures[0];
  if (!y) return undefined;
  const date = fields.find((field) => field.type === "date");
  if (date) return { x: date.name, y: y.name, kind: "line" };
  const texts = fields.filter((field) => field.type === "string");
  const label = texts.find((field) => !CODE_NAME.test(field.name)) ?? texts[0] ?? fields.find((field) => field.name !== y.name);
  return label ? { x: label.name, y: y.name, kind: "bar" } : undefined;
}
