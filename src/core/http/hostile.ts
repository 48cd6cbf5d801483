import type { FastifyRequest } from "fastify";
import { AppError } from "./errors.js";

/**
 * Hostile bytes are refused at the edge, once for every route, so that no handler, query or
 * template meets them: a NUL character (PostgreSQL refuses it in text and JSONB, the engines
 * answering "invalid byte sequence"), a lone surrogate (not a character: it cannot be stored
 * as UTF-8), and escapes that decode to bytes which are not UTF-8.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text holds only characters PostgreSQL can store. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}

// A "%" not followed by two hex digits is text, not an escape (`?q=100%`).
const LONE_PERCENT = /%(?![0-9a-fA-F]{2})/g;

/** The address as sent: its path and query must decode to storable UTF-8 text. */
export function rejectHostileUrl(rawUrl: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawUrl.replace(LONE_PERCENT, "%25"));
  } catch {
    // An escape whose bytes are not UTF-8 (%FF, %C3%28, an encoded surrogate).
    throw new AppError("INVALID_CHARACTERS");
  }
  if (!isStorableText(decoded)) throw new AppError("INVALID_CHARACTERS");
}

/**
 * An HTML form's body (application/x-www-form-urlencoded): refused when an escape decodes to
 * bytes that are not UTF-8 (a parser would otherwise keep "%FF" as text or make it U+FFFD
 * silently), then read into fields, a name sent twice giving the list of its values.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  rejectHostileUrl(text.replace(/\+/g, " "));
  const fields: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(text)) {
    const previous = fields[name];
    if (previous === undefined) fields[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else fields[name] = [previous, value];
  }
  return fields;
}

/**
 * A parsed body (JSON, form, multipart fields and file names), every string and every key,
 * walked without recursion so that a deeply nested JSON body cannot overflow the stack.
 * File contents (buffers) are data, not text, and are left to the code that reads them.
 */
export function rejectHostileBody(body: unknown): void {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (!isStorableText(value)) throw new AppError("INVALID_CHARACTERS");
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (!isStorableText(key)) throw new AppError("INVALID_CHARACTERS");
        pending.push(item);
      }
    }
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The body of a write as every handler expects it: an object of fields. None (a POST without a
 * body, JSON `null`) is an empty form; a JSON array, string or number is nothing a route reads.
 */
export function normaliseBody(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.body === undefined || request.body === null) request.body = {};
  else if (typeof request.body !== "object" || Array.isArray(request.body)) throw new AppError("VALIDATION");
}

// RFC 2046: 1 to 70 characters, the last one not a space, quoted or not.
const BOUNDARY = /;\s*boundary=(?:"([0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?])"|([0-9A-Za-z'()+_,\-./:=?]{1,70}))\s*(?:;|$)/i;

/** A multipart form must name the boundary between its parts, or nothing in it can be read. */
export function rejectMalformedMultipart(request: FastifyRequest): void {
  const type = request.headers["content-type"] ?? "";
  if (/^multipart\/form-data/i.test(type) && !BOUNDARY.test(type)) throw new AppError("MALFORMED_BODY");
}

// Requests whose body is being read, and those whose body was read whole.
const reading = new WeakSet<object>();
const read = new WeakSet<object>();

/** From the start of parsing (a preParsing hook)… */
export function markBodyReading(request: FastifyRequest): void {
  reading.add(request.raw);
}

/** …to the first hook after the parsers (the multipart one runs as the first preValidation). */
export function markBodyRead(request: FastifyRequest): void {
  read.add(request.raw);
}

/**
 * A multipart body the parser could not read (a body cut short, a boundary that is not the one
 * used): the parser fails while reading, with an error of its own that carries no status. That
 * is the client's malformed request, not the server's fault.
 */
export function isMalformedMultipart(request: FastifyRequest, error: Error & { statusCode?: number }): boolean {
  const type = request.headers["content-type"] ?? "";
  return /^multipart\//i.test(type) && reading.has(request.raw) && !read.has(request.raw) && error.statusCode === undefined;
}
