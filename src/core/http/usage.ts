import type { FastifyRequest } from "fastify";

/**
 * What an answer was built from, beyond its URL: the caching plugin turns it into `Vary` and
 * `Cache-Control`, so that a shared cache keeps an answer only when no cookie or header chose it.
 * The request's getters (language, person, CSRF token) fill it in as the handler reads them.
 */
export interface RequestUsage {
  /** The language came from the URL (`?lang=`): neither Accept-Language nor a cookie chose it. */
  languageFromUrl: boolean;
  /** The answer speaks the request's language (a page, a translated message). */
  language: boolean;
  /** Whether the person was asked for; their session cookie could change the answer. */
  actor: boolean;
  /** A form of the answer carries this browser's CSRF token. */
  csrf: boolean;
}

const usages = new WeakMap<FastifyRequest, RequestUsage>();

export function usageOf(request: FastifyRequest): RequestUsage {
  let usage = usages.get(request);
  if (!usage) {
    usage = { languageFromUrl: false, language: false, actor: false, csrf: false };
    usages.set(request, usage);
  }
  return usage;
}
