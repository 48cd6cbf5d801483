import fp from "fastify-plugin";
import helmet from "@fastify/helmet";
import { CRITICAL_CSS_HASH } from "../../views/styles.js";

/**
 * Helmet's headers with a strict CSP: nothing loads unless named here. Styles are only the
 * inlined critical stylesheet (by its hash), scripts only our own files.
 */
export const securityHeadersPlugin = fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: [CRITICAL_CSS_HASH],
          imgSrc: ["'self'", "data:"],
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
          manifestSrc: ["'self'"],
          workerSrc: ["'self'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    });
  },
  { name: "cite-security-headers", fastify: "5.x" },
);
