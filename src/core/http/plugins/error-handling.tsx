import fp from "fastify-plugin";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { formatters, negotiateLocale, translator } from "../../i18n/index.js";
import { ErrorPage } from "../../views/layout.js";
import { wantsHtml } from "../negotiation.js";
import { AppError } from "../errors.js";
import { isMalformedMultipart } from "../hostile.js";

/**
 * What the router refuses before any hook runs (an escape that is not UTF-8 in the path, a
 * parameter longer than any id) is answered in the person's language, as plainly as it can be:
 * no page context exists yet. Given to Fastify as its `frameworkErrors` option.
 */
export function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError = new AppError(error.code === "FST_ERR_BAD_URL" ? "INVALID_CHARACTERS" : "NOT_FOUND");
  const t = translator(negotiateLocale(request.headers["accept-language"]));
  reply.code(appError.status).header("x-content-type-options", "nosniff");
  if (wantsHtml(request)) {
    void reply.type("text/plain; charset=utf-8").send(t(appError.messageKey));
    return;
  }
  void reply
    .type("application/problem+json")
    .send({ type: `https://cite-ouverte.org/problems/${appError.code.toLowerCase()}`, title: t(appError.messageKey), status: appError.status, code: appError.code, errors: {} });
}

/** Any error met while serving, as one of the catalogue's (`../errors.ts`); a fault is logged and told as INTERNAL. */
function toAppError(error: Error & { statusCode?: number; code?: string; validation?: unknown }, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) return new AppError("VALIDATION");
  if (isMalformedMultipart(request, error)) return new AppError("MALFORMED_BODY");
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || error.code === "FST_REQ_FILE_TOO_LARGE" || error.statusCode === 413) return new AppError("PAYLOAD_TOO_LARGE");
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || error.statusCode === 415) return new AppError("UNSUPPORTED_MEDIA_TYPE");
  if (error.statusCode === 429) return new AppError("RATE_LIMITED");
  // A unique key the database refused: two people saved the same thing at once (a check made
  // before the insert cannot see the other's transaction). It is a conflict, never a fault.
  if (error.code === "23505") return new AppError("CONFLICT");
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return new AppError("VALIDATION");
  request.log.error({ err: error }, "unhandled error");
  return new AppError("INTERNAL");
}

/**
 * Every error becomes a page in the person's language (HTML) or application/problem+json with a
 * stable `code` (API), never the framework's text or a stack. Unknown paths are NOT_FOUND.
 */
export const errorHandlingPlugin = fp(
  async (app) => {
    app.setNotFoundHandler(async () => {
      throw new AppError("NOT_FOUND");
    });

    app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
      const appError = toAppError(error, request);
      // The rest of a refused body is not read: the connection closes after the answer.
      if (appError.code === "PAYLOAD_TOO_LARGE") reply.header("connection", "close");
      // A refusal before the request context ran (an oversized upload) still speaks the person's language.
      if (!request.t) {
        request.t = translator(negotiateLocale(request.headers["accept-language"]));
        request.fmt = formatters(request.locale);
      }
      const t = request.t;
      if (appError.code === "UNAUTHENTICATED" && wantsHtml(request) && request.method === "GET") {
        return reply.redirect(`/account/signin?next=${encodeURIComponent(request.url)}`, 303);
      }
      if (wantsHtml(request)) {
        const ctx = await request.view();
        const message = appError.detailKey ? t(appError.detailKey, appError.params) : t(appError.messageKey, appError.params);
        return reply.page(<ErrorPage ctx={ctx} status={appError.status} message={message} code={appError.code} reason={appError.reason?.code} />, appError.status);
      }
      const fields = Object.fromEntries(Object.entries(appError.fields).map(([name, field]) => [name, t(field.key, field.params)]));
      const validationFields =
        error.validation && Array.isArray(error.validation)
          ? Object.fromEntries(
              (error.validation as { instancePath?: string; params?: { missingProperty?: string } }[]).map((item) => [
                (item.params?.missingProperty ?? item.instancePath?.replace(/^\//, "")) || "body",
                t(item.params?.missingProperty ? "form.required" : "form.invalid_format"),
              ]),
            )
          : {};
      return reply
        .code(appError.status)
        .type("application/problem+json")
        .send({
          type: `https://cite-ouverte.org/problems/${appError.code.toLowerCase()}`,
          title: t(appError.messageKey, appError.params),
          ...(appError.detailKey ? { detail: t(appError.detailKey, appError.params) } : {}),
          status: appError.status,
          code: appError.code,
          ...(appError.reason ? { reason: appError.reason.code } : {}),
          errors: { ...validationFields, ...fields },
        });
    });
  },
  { name: "cite-error-handling", fastify: "5.x" },
);
