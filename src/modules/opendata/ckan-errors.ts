/**
 * The errors of the CKAN Action API, which the route turns into CKAN's envelope:
 * `{"success": false, "error": {"__type": …, "message": …, "<field>": [message]}}`.
 * Status and `__type` follow CKAN's `ckan/views/api.py`: 404 Not Found Error, 409 Validation
 * Error, 403 Authorization Error (its message starts with "Access denied"), 400 Bad Request.
 */
export class CkanError extends Error {
  constructor(
    readonly status: number,
    readonly type: "Not Found Error" | "Validation Error" | "Bad Request" | "Authorization Error",
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new CkanError(404, "Not Found Error", `${what} not found`);
export const invalid = (field: string, message: string) => new CkanError(409, "Validation Error", message, field);
/** CKAN's NotAuthorized: "Access denied: <reason>". */
export const notAuthorized = (reason: string) => new CkanError(403, "Authorization Error", `Access denied: ${reason}`);
