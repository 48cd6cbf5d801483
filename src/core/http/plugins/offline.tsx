import fs from "node:fs";
import { fileURLToPath } from "node:url";
import fp from "fastify-plugin";
import { OfflinePage } from "../../views/layout.js";

const clientScript = (name: string) => fileURLToPath(new URL(`../../../client/${name}`, import.meta.url));

/**
 * Offline reach (ARCHITECTURE §6): the service worker, the script registering it, and the page
 * it shows without a connection, rendered in the person's language when it is installed.
 */
export const offlinePlugin = fp(
  async (app) => {
    // Served from the root so that its scope (service-worker-allowed) covers every page.
    app.get("/sw.js", async (_request, reply) =>
      reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").header("service-worker-allowed", "/").send(fs.readFileSync(clientScript("sw.js"))),
    );
    app.get("/assets/offline.js", async (_request, reply) =>
      reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(fs.readFileSync(clientScript("offline.js"))),
    );
    app.get("/offline", async (request, reply) => {
      const query = request.query as { queued?: string; outbox?: string };
      return reply.page(<OfflinePage ctx={await request.view()} queued={query.queued === "1"} outbox={query.outbox === "1"} />);
    });
  },
  { name: "cite-offline", fastify: "5.x" },
);
