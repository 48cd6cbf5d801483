import fp from "fastify-plugin";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import { AppError } from "../errors.js";
import { parseForm } from "../hostile.js";

/** A dossier may carry several documents (a building permit: plans, title deed…). */
export const MAX_FILES_PER_FORM = 10;

export interface BodyParsingOptions {
  uploadLimitBytes: number;
}

/**
 * HTML forms (URL-encoded, read by our own parser that refuses escapes which are not UTF-8) and
 * multipart forms with files. JSON is Fastify's own parser, limited by the instance's bodyLimit.
 */
export const bodyParsingPlugin = fp<BodyParsingOptions>(
  async (app, options) => {
    await app.register(formbody, { parser: parseForm });
    // Forms with a file arrive as plain fields plus { filename, data } for the file, so that the
    // CSRF and idempotency checks read them like any other form. The size limit answers 413.
    await app.register(multipart, {
      attachFieldsToBody: "keyValues",
      limits: { fileSize: options.uploadLimitBytes, files: MAX_FILES_PER_FORM, fields: 200, parts: 220, fieldSize: 1024 * 1024 },
      async onFile(part) {
        const data = await part.toBuffer();
        (part as unknown as { value: unknown }).value = { filename: part.filename, data };
      },
    });
    // A multipart body that says it is larger than a file plus its form can be is refused before a
    // byte of it is read: on a slow link, nobody should wait to send 2 GB to hear it is too large.
    const largestMultipart = options.uploadLimitBytes * MAX_FILES_PER_FORM + 1024 * 1024;
    app.addHook("onRequest", async (request) => {
      const length = Number(request.headers["content-length"] ?? 0);
      if (length > largestMultipart && request.headers["content-type"]?.startsWith("multipart/")) throw new AppError("PAYLOAD_TOO_LARGE");
    });
  },
  { name: "cite-body-parsing", fastify: "5.x" },
);
