/**
 * The errors of the CKAN Action API, which the route turns into CKAN's envelope:
 * `{"success": false, "error": {"__type": …, "message": …}}`, or for a Validation Error the field
 * naming its list of messages. Status and `__type` follow CKAN 2.10/2.11's `ckan/views/api.py`:
 * 404 Not Found Error, 409 Validation Error, 403 Authorization Error ("Access denied: …"),
 * 409 Search Error, 400 Search Query Error, 400 Bad Request. Search errors carry Python's repr of
 * the message, as CKAN formats them (`%r`).
 */
export type CkanErrorType = "Not Found Error" | "Validation Error" | "Bad Request" | "Authorization Error" | "Search Error" | "Search Query Error" | "Internal Server Error";

export class CkanError extends Error {
  constructor(
    readonly status: number,
    readonly type: CkanErrorType,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Python's repr() of a string, which CKAN puts in its search error messages. */
export function pythonRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = [...value]
    .map((char) => {
      const code = char.charCodeAt(0);
      if (char === "\\") return "\\\\";
      if (char === "\n") return "\\n";
      if (char === "\r") return "\\r";
      if (char === "\t") return "\\t";
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
    })
    .join("");
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

/** CKAN's NotFound: "Not found", with the action's own words when it gives some. */
export const notFound = (detail?: string) => new CkanError(404, "Not Found Error", detail ? `Not found: ${detail}` : "Not found");
export const invalid = (field: string, message: string) => new CkanError(409, "Validation Error", message, field);
/** CKAN's NotAuthorized: "Access denied: <reason>". */
export const notAuthorized = (reason: string) => new CkanError(403, "Authorization Error", `Access denied: ${reason}`);
/** What Solr refuses (CKAN's SearchError: 409). */
export const searchError = (message: string) => new CkanError(409, "Search Error", `Search error: ${pythonRepr(message)}`);
/** What CKAN itself refuses before asking Solr (its SearchQueryError: 400). */
export const searchQueryError = (message: string) => new CkanError(400, "Search Query Error", `Search Query is invalid: ${pythonRepr(message)}`);
export const badRequest = (status: number, message: string) => new CkanError(status, "Bad Request", `Bad request - ${message}`);
