/**
 * The catalogue of errors users and clients can meet. Each code is stable (tests and API clients
 * rely on it), maps to one HTTP status and to one message key in the catalogues. `remedy` is what
 * docs/errors.md tells a client to do about it.
 */
export const ERRORS = {
  NOT_FOUND: { status: 404, messageKey: "error.not_found", remedy: "Check the address; a draft or another municipality's item is not found either." },
  UNAUTHENTICATED: { status: 401, messageKey: "error.unauthenticated", remedy: "Sign in (pages redirect to /account/signin) and send the request again." },
  FORBIDDEN: { status: 403, messageKey: "error.forbidden", remedy: "The account lacks the role for this action here; do not retry with the same account." },
  /** Signed in, but the account's phone number (or address) is not proven yet. */
  UNCONFIRMED: { status: 403, messageKey: "error.unconfirmed", remedy: "Confirm the account's number or address with the code sent there (/account/confirm), then retry." },
  CSRF: { status: 403, messageKey: "error.csrf", remedy: "Reload the form (or send the csrf cookie's value as X-CSRF-Token) and send it again." },
  VALIDATION: { status: 400, messageKey: "error.validation", remedy: "Correct the fields listed in `errors` and send again." },
  /** A NUL character, a lone surrogate or bytes that are not UTF-8 in the address or the body. */
  INVALID_CHARACTERS: { status: 400, messageKey: "error.invalid_characters", remedy: "Remove NUL characters and badly encoded text; send UTF-8." },
  /** A body that cannot be parsed at all (a multipart form without its boundary, cut short). */
  MALFORMED_BODY: { status: 400, messageKey: "error.malformed_body", remedy: "Send a well-formed body (a multipart form needs its boundary)." },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, messageKey: "error.idempotency_in_progress", remedy: "The first request with this key is still running; retry later with the same key." },
  IDEMPOTENCY_MISMATCH: { status: 422, messageKey: "error.idempotency_mismatch", remedy: "Use a new idempotency key for a different request." },
  CONFLICT: { status: 409, messageKey: "error.conflict", remedy: "The current state does not allow this; `reason`, when present, says which rule refused." },
  PAYLOAD_TOO_LARGE: { status: 413, messageKey: "error.payload_too_large", remedy: "Send a smaller file or form (see UPLOAD_LIMIT_BYTES)." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, messageKey: "error.unsupported_media_type", remedy: "Send JSON, a URL-encoded form or a multipart form." },
  RATE_LIMITED: { status: 429, messageKey: "error.rate_limited", remedy: "Wait a minute before trying again." },
  INTERNAL: { status: 500, messageKey: "error.internal", remedy: "A fault on the server, logged there; retry shortly, report it if it persists." },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/**
 * A rule that refused, named: `code` is stable and unique across the platform (clients and tests
 * rely on it; docs/errors.md lists it), `messageKey` is what people read.
 */
export interface Reason<Code extends string = string> {
  readonly code: Code;
  readonly messageKey: string;
  /** For docs/errors.md, in English: what the person or client should do about it. */
  readonly remedy: string;
}

/** One owner's reasons (core's, or a module's), declared in one place so that they can be enumerated. */
export type ReasonCatalogue = Readonly<Record<string, Reason>>;

/**
 * Declares reasons as `CODE: { key, remedy }`; the object's keys become the codes, so a code and
 * its entry cannot drift apart.
 */
export function defineReasons<const T extends Record<string, { key: string; remedy: string }>>(entries: T): { readonly [C in keyof T & string]: Reason<C> } {
  return Object.fromEntries(Object.entries(entries).map(([code, entry]) => [code, Object.freeze({ code, messageKey: entry.key, remedy: entry.remedy })])) as {
    readonly [C in keyof T & string]: Reason<C>;
  };
}

/** A message key with its parameters, translated only when shown to a person. */
export interface FieldError {
  key: string;
  params?: Record<string, string | number>;
  /** The rule that refused this field's value (an address already taken), when one did. */
  reason?: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly messageKey: string;
  /** The rule that refused, when one did: its code goes into every answer (problem+json, page). */
  readonly reason: Reason | undefined;
  /** A message key saying precisely what went wrong ("this dossier is no longer a draft"). */
  readonly detailKey: string | undefined;
  constructor(
    readonly code: ErrorCode,
    readonly fields: Record<string, FieldError> = {},
    readonly params: Record<string, string | number> = {},
    /** The rule that refused, when one did. */
    reason?: Reason,
  ) {
    super(code);
    this.status = ERRORS[code].status;
    this.messageKey = ERRORS[code].messageKey;
    this.reason = reason;
    this.detailKey = reason?.messageKey;
  }
}

export const notFound = () => new AppError("NOT_FOUND");

/** A domain rule refused the change: 409 with the rule's own message and code. */
export function ruleRefused(reason: Reason, params: Record<string, string | number> = {}): AppError {
  return new AppError("CONFLICT", {}, params, reason);
}

/** A domain rule refused one field's value (an address already taken): a 409, or that field's error on a form. */
export function refusedOnField(field: string, reason: Reason, params?: Record<string, string | number>): AppError {
  return new AppError("CONFLICT", { [field]: { key: reason.messageKey, ...(params ? { params } : {}), reason: reason.code } }, params ?? {}, reason);
}

export const forbidden = () => new AppError("FORBIDDEN");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from a URL: a malformed one names nothing, so it is a 404 rather than a database error. */
export function uuidOr404(value: string): string {
  if (!UUID.test(value)) throw new AppError("NOT_FOUND");
  return value;
}
