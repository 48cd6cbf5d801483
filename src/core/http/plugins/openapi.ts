import fp from "fastify-plugin";
import swagger from "@fastify/swagger";
import { SESSION_COOKIE } from "../cookies.js";

/** An OpenAPI path item, as a module writes it for an interface it serves through one route. */
export type OpenApiPathItem = Record<string, unknown>;

declare module "fastify" {
  interface FastifyInstance {
    /**
     * Adds paths to the description that no single route can describe: the CKAN Action API is
     * one route for every action, and each action is documented as its own path.
     */
    describePaths(paths: Record<string, OpenApiPathItem>): void;
  }
}

const TAGS = [
  { name: "portal", description: "The municipalities of the network and their news." },
  { name: "participation", description: "Participatory processes, proposals, participatory budgets, surveys and public meetings." },
  { name: "eservices", description: "The e-services catalogue: procedures, their documents, fees and delays." },
  { name: "opendata", description: "The open-data catalogue: DCAT-AP 3.0 in Turtle and JSON-LD, Frictionless data packages, the list of every export." },
  { name: "ckan", description: "The CKAN Action API v3 (read-only), for CKAN harvesters and clients. Answers come in CKAN's envelope, errors too." },
  { name: "calendars", description: "iCalendar (RFC 5545) feeds to subscribe to." },
];

/**
 * Whether a route belongs in the description: the JSON API under /api/v1 and the machine
 * interfaces elsewhere that name themselves with an operationId (DCAT, data packages, calendars).
 * HTML pages and the forms they post to are for people, and are left out.
 */
function described(url: string, schema: Record<string, unknown> | undefined): boolean {
  if (schema?.hide) return false;
  return url.startsWith("/api/v1/") || typeof schema?.operationId === "string";
}

/** Fastify's `/:name` parameters are OpenAPI's `/{name}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");

/**
 * The machine interfaces' description, collected from the schemas of every route registered
 * after this plugin (modules register later) and the paths modules add, served at
 * /api/v1/openapi.json as OpenAPI 3.1 (whose schemas are JSON Schema, as TypeBox writes them).
 */
export const openApiPlugin = fp(
  async (app) => {
    const extraPaths: Record<string, OpenApiPathItem> = {};
    app.decorate("describePaths", (paths: Record<string, OpenApiPathItem>) => {
      Object.assign(extraPaths, paths);
    });

    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "Cité Ouverte API",
          version: "1",
          description:
            "The machine interfaces of Cité Ouverte: the JSON API under /api/v1, the CKAN Action API, DCAT-AP catalogues, Frictionless data packages and iCalendar feeds. Reading needs no account: public endpoints ask for no credentials, and only what is published ever appears. Errors of the JSON API are application/problem+json with a stable `code` (docs/errors.md); the CKAN API answers in CKAN's envelope.",
          license: { name: "AGPL-3.0-or-later", identifier: "AGPL-3.0-or-later" },
        },
        // Relative: the paths are on the host that serves this document, behind any proxy.
        servers: [{ url: "/", description: "This deployment" }],
        tags: TAGS,
        components: {
          securitySchemes: {
            session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The session cookie set by signing in at /account/signin." },
            csrf: { type: "apiKey", in: "header", name: "X-CSRF-Token", description: "With a session, a change also carries the value of the `csrf` cookie in this header." },
          },
        },
      },
      transform: ({ schema, url }) => {
        const routeSchema = schema as Record<string, unknown> | undefined;
        if (!described(url, routeSchema)) return { schema: { ...routeSchema, hide: true } as never, url };
        // A route that states no security is public: it asks for no credentials at all.
        return { schema: { security: [], ...routeSchema } as never, url };
      },
      transformObject: (documentObject) => {
        const openapiObject = "openapiObject" in documentObject ? documentObject.openapiObject : {};
        const document = openapiObject as { paths?: Record<string, OpenApiPathItem> };
        const paths = { ...document.paths };
        for (const [path, item] of Object.entries(extraPaths)) paths[openApiPath(path)] = { ...paths[openApiPath(path)], ...item };
        return { ...openapiObject, paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))) };
      },
    });
    app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  },
  { name: "cite-openapi", fastify: "5.x", dependencies: ["cite-app-context"] },
);
