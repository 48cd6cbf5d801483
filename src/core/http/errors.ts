/**
 * The catalogue of errors users and clients can meet. Each code is stable (tests and API clients
 * rely on it), maps to one HTTP status and to one message key in the catalogues.
 */
export const ERRORS = {
  NOT_FOUND: { status: 404, messageKey: "error.not_found" },
  UNAUTHENTICATED: { status: 401, messageKey: "error.unauthenticated" },
  FORBIDDEN: { status: 403, messageKey: "error.forbidden" },
  /** Signed in, but the account's phone number (or address) is not proven yet. */
  UNCONFIRMED: { status: 403, messageKey: "error.unconfirmed" },
  CSRF: { status: 403, messageKey: "error.csrf" },
  VALIDATION: { status: 400, messageKey: "error.validation" },
  /** A NUL character, a lone surrogate or bytes that are not UTF-8 in the address or the body. */
  INVALID_CHARACTERS: { status: 400, messageKey: "error.invalid_characters" },
  /** A body that cannot be parsed at all (a multipart form without its boundary, cut short). */
  MALFORMED_BODY: { status: 400, messageKey: "error.malformed_body" },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, messageKey: "error.idempotency_in_progress" },
  IDEMPOTENCY_MISMATCH: { status: 422, messageKey: "error.idempotency_mismatch" },
  CONFLICT: { status: 409, messageKey: "error.conflict" },
  PAYLOAD_TOO_LARGE: { status: 413, messageKey: "error.payload_too_large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, messageKey: "error.unsupported_media_type" },
  RATE_LIMITED: { status: 429, messageKey: "error.rate_limited" },
  INTERNAL: { status: 500, messageKey: "error.internal" },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** A message key with its parameters, translated only when shown to a person. */
export interface FieldError {
  key: string;
  params?: Record<string, string | number>;
}

export class AppError extends Error {
  readonly status: number;
  readonly messageKey: string;
  constructor(
    readonly code: ErrorCode,
    readonly fields: Record<string, FieldError> = {},
    readonly params: Record<string, string | number> = {},
    /** A message key saying precisely what went wrong ("this dossier is no longer a draft"). */
    readonly detailKey?: string,
  ) {
    super(code);
    this.status = ERRORS[code].status;
    this.messageKey = ERRORS[code].messageKey;
  }
}

export const notFound = () => new AppError("NOT_FOUND");
/** A domain rule refused the change: 409 with the rule's own message. */
export const ruleRefused = (detailKey: string) => new AppError("CONFLICT", {}, {}, detailKey);
export const forbidden = () => new AppError("FORBIDDEN");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from a URL: a malformed one names nothing, so it is a 404 rather than a database error. */
export function uuidOr404(value: string): string {
  if (!UUID.test(value)) throw new AppError("NOT_FOUND");
  return value;
}
