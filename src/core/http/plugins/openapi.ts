import fp from "fastify-plugin";
import swagger from "@fastify/swagger";

/**
 * The JSON API's description, collected from the schemas of every route registered after this
 * plugin (modules register later), served at /api/v1/openapi.json.
 */
export const openApiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: { title: "Cité Ouverte API", version: "1" },
      },
    });
    app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  },
  { name: "cite-openapi", fastify: "5.x" },
);
