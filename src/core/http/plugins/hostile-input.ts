import fp from "fastify-plugin";
import { markBodyRead, markBodyReading, normaliseBody, rejectHostileBody, rejectHostileUrl, rejectMalformedMultipart } from "../hostile.js";

/**
 * Hostile bytes are refused at the edge, once for every route (see `../hostile.ts`): the address
 * in onRequest, before it reaches the database, and every parsed body before any handler.
 */
export const hostileInputPlugin = fp(
  async (app) => {
    app.addHook("onRequest", async (request) => {
      rejectHostileUrl(request.raw.url ?? request.url);
      rejectMalformedMultipart(request);
    });
    // Before anything reads the body: no handler ever meets a NUL or a lone surrogate.
    app.addHook("preParsing", async (request) => markBodyReading(request));
    app.addHook("preValidation", async (request) => {
      markBodyRead(request);
      rejectHostileBody(request.body);
      normaliseBody(request);
    });
  },
  { name: "cite-hostile-input", fastify: "5.x" },
);
