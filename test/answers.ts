import type { LightMyRequestResponse } from "fastify";
import { translator } from "../src/core/i18n/index.js";

/*
 * Reading what the platform answered without depending on its wording: the code of the rule that
 * refused, the message keys of a form's errors. Where a test does check the words a person reads,
 * it takes them from the catalogue (`fr(key)`), never a sentence copied into the test.
 */

/** The French catalogue's text for a key, as people read it. */
export const fr = translator("fr");
/** The Portuguese catalogue's text for a key. */
export const pt = translator("pt");

/** Matches a text as `visibleText` shows it: whitespace (non-breaking spaces too) collapsed. */
export function shown(text: string): RegExp {
  return new RegExp(text.replace(/\s+/g, " ").replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

const isJson = (response: LightMyRequestResponse) => String(response.headers["content-type"] ?? "").includes("json");
const ERROR_MESSAGE = /<p data-code="([A-Z0-9_]+)"(?: data-reason="([A-Z0-9_]+)")?/;

/** The general code of an error answer (NOT_FOUND, UNCONFIRMED…): problem+json's `code`, or the error page's `data-code`. */
export function codeOf(response: LightMyRequestResponse): string | undefined {
  if (isJson(response)) return (response.json() as { code?: string }).code;
  return ERROR_MESSAGE.exec(response.body)?.[1];
}

/** The code of the rule that refused: problem+json's `reason`, or the error page's `data-reason`. */
export function reasonOf(response: LightMyRequestResponse): string | undefined {
  if (isJson(response)) return (response.json() as { reason?: string }).reason;
  return ERROR_MESSAGE.exec(response.body)?.[2];
}

const SUMMARY_ITEM = /<li data-error="([^"]+)"(?: data-reason="([A-Z0-9_]+)")?>\s*<a href="#f-([^"]+)"/g;

/** A re-rendered form's errors, field → message key, as its error summary lists them. */
export function fieldErrors(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(SUMMARY_ITEM)].map((match) => [match[3]!, match[1]!]));
}

/** The fields a rule refused, field → reason code (an address already taken…). */
export function fieldReasons(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(SUMMARY_ITEM)].filter((match) => match[2]).map((match) => [match[3]!, match[2]!]));
}

const ALERT = /role="alert" data-reason="([A-Z0-9_]+)"/;

/** The code of a rule's refusal shown on the page itself (a survey's notice) rather than as an error page. */
export function alertReason(html: string): string | undefined {
  return ALERT.exec(html)?.[1];
}
