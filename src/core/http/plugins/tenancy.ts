import fp from "fastify-plugin";
import type { FastifyRequest } from "fastify";
import { AppError } from "../errors.js";
import { findMunicipalityWithNetwork, type Municipality } from "../../tenancy/index.js";

/** The slug a URL names: `/{slug}/…` for pages, `/api/v1/{slug}/…` for the JSON API. */
export function slugOf(url: string): string {
  const segments = url.split("?")[0]!.split("/");
  const slug = (segments[1] === "api" && segments[2] === "v1" ? segments[3] : segments[1]) ?? "";
  try {
    return decodeURIComponent(slug);
  } catch {
    // A malformed escape cannot name a municipality; the route answers 404.
    return "";
  }
}

/**
 * The municipality of the request, with its network, read once in onRequest. A route of a
 * municipality calls `request.requireMunicipality()`, which answers 404 when the slug names none.
 */
export const tenancyPlugin = fp(
  async (app) => {
    app.decorateRequest("municipality", null);
    app.decorateRequest("municipalityNetwork", null);
    app.decorateRequest("requireMunicipality", function (this: FastifyRequest): Municipality {
      if (!this.municipality) throw new AppError("NOT_FOUND");
      return this.municipality;
    });

    app.addHook("onRequest", async (request) => {
      const slug = slugOf(request.url);
      const found = slug ? await findMunicipalityWithNetwork(app.db, slug) : undefined;
      request.municipality = found?.municipality ?? null;
      request.municipalityNetwork = found?.network ?? null;
    });
  },
  { name: "cite-tenancy", fastify: "5.x", dependencies: ["cite-app-context"] },
);
