import type { FastifyRequest } from "fastify";

/** Whether the answer is a page for a browser, rather than JSON for a program (the API, a script). */
export function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith("/api/")) return false;
  const accept = request.headers.accept ?? "";
  const type = request.headers["content-type"] ?? "";
  return accept.includes("text/html") || type.includes("application/x-www-form-urlencoded") || (!accept.includes("json") && request.method === "GET");
}
