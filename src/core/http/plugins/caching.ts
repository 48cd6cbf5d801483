import { createHash } from "node:crypto";
import fp from "fastify-plugin";
import type { FastifyReply, FastifyRequest } from "fastify";
import { usageOf } from "../usage.js";
import { actorOf, localeOf } from "./request-context.js";

/** How long a shared cache may keep a public page before asking again (it then revalidates with the ETag). */
export const PAGE_MAX_AGE_SECONDS = 60;
/** How long an API answer, a feed or an export may be kept. */
export const DATA_MAX_AGE_SECONDS = 300;

/** A weak validator: compression may change the bytes sent, not what they say (RFC 9110 §8.8.1). */
export function etagOf(payload: string | Buffer): string {
  return `W/"${createHash("sha1").update(payload).digest("base64url")}"`;
}

/** If-None-Match uses the weak comparison: `W/` does not count, `*` matches any. */
function matchesIfNoneMatch(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

function notModifiedSince(header: string, lastModified: string): boolean {
  const since = Date.parse(header);
  const modified = Date.parse(lastModified);
  // Dates in HTTP have one-second precision.
  return !Number.isNaN(since) && !Number.isNaN(modified) && Math.floor(modified / 1000) <= Math.floor(since / 1000);
}

function addVary(reply: FastifyReply, names: string[]): void {
  if (names.length === 0) return;
  const current = reply.getHeader("vary");
  const listed = (Array.isArray(current) ? current.join(",") : String(current ?? "")).split(",").map((name) => name.trim()).filter(Boolean);
  const lower = new Set(listed.map((name) => name.toLowerCase()));
  for (const name of names) {
    if (lower.has(name.toLowerCase())) continue;
    lower.add(name.toLowerCase());
    listed.push(name);
  }
  reply.header("vary", listed.join(", "));
}

/** What may keep the answer, from what it was built with (usage.ts), unless the route said. */
function cacheControlFor(request: FastifyRequest, reply: FastifyReply): string {
  const usage = usageOf(request);
  if (reply.getHeader("set-cookie") !== undefined) return "private, no-store";
  // A signed-in person's pages name them and show what they may do: kept by no one, not even on a shared computer.
  if (usage.actor && actorOf(request)) return "private, no-store";
  // The page's forms carry this browser's token: only this browser may keep it.
  if (usage.csrf) return "private, no-cache";
  const type = String(reply.getHeader("content-type") ?? "");
  return type.startsWith("text/html") ? `public, max-age=${PAGE_MAX_AGE_SECONDS}, must-revalidate` : `public, max-age=${DATA_MAX_AGE_SECONDS}`;
}

/**
 * HTTP caching for every answer: `Vary` names what chose it (the language's headers, the
 * cookies), `Cache-Control` says who may keep it and how long, and a GET answered in full gets an
 * ETag, so that the same request with `If-None-Match` (or `If-Modified-Since`, where the route
 * gives Last-Modified) is answered `304 Not Modified` without the body.
 *
 * Written here rather than with @fastify/etag, which is not among the installed packages: the
 * validator is one hash, and the 304 must follow the same Vary and Cache-Control decisions.
 * Registered before compression, so that the hash is of the bytes the route produced.
 */
export const cachingPlugin = fp(
  async (app) => {
    app.addHook("onSend", async (request, reply, payload) => {
      const usage = usageOf(request);
      const vary: string[] = [];
      if (usage.language) {
        reply.header("content-language", localeOf(request));
        if (!usage.languageFromUrl) vary.push("Accept-Language", "Cookie");
      }
      if (usage.actor || usage.csrf) vary.push("Cookie");
      addVary(reply, vary);

      if (request.method !== "GET" && request.method !== "HEAD") return payload;
      const status = reply.statusCode;
      if (status < 200 || status >= 300) return payload;
      const personal = reply.getHeader("set-cookie") !== undefined || (usage.actor && actorOf(request) !== null);
      const routeSaid = reply.getHeader("cache-control");
      // A route's own rule stands, unless it would let a shared cache keep what belongs to one person.
      if (routeSaid === undefined || (personal && /\bpublic\b/.test(String(routeSaid)))) reply.header("cache-control", cacheControlFor(request, reply));

      if (status !== 200 || !(typeof payload === "string" || Buffer.isBuffer(payload))) return payload;
      let etag = reply.getHeader("etag");
      if (etag === undefined) {
        etag = etagOf(payload);
        reply.header("etag", etag);
      }
      const ifNoneMatch = request.headers["if-none-match"];
      const lastModified = reply.getHeader("last-modified");
      const unchanged =
        typeof ifNoneMatch === "string"
          ? matchesIfNoneMatch(ifNoneMatch, String(etag))
          : typeof request.headers["if-modified-since"] === "string" && lastModified !== undefined && notModifiedSince(request.headers["if-modified-since"], String(lastModified));
      if (!unchanged) return payload;
      reply.code(304);
      reply.removeHeader("content-length");
      return "";
    });
  },
  { name: "cite-caching", fastify: "5.x", dependencies: ["cite-app-context"] },
);
