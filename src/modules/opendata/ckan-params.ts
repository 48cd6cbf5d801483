import { invalid } from "./ckan-errors.js";

/** The parameters of a CKAN action: the query string, merged with a JSON body when one is posted. */
export type Params = Record<string, unknown>;

/** One textual parameter; a repeated query parameter or a JSON object is a client error, not a guess. */
export function text(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw invalid(name, `${name}: expected a single value`);
}
