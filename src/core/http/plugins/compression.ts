import fp from "fastify-plugin";
import compress from "@fastify/compress";

/** Pages and API answers compressed above 1 KiB: the page budget is counted gzipped, on slow links. */
export const compressionPlugin = fp(
  async (app) => {
    await app.register(compress, { global: true, threshold: 1024 });
  },
  { name: "cite-compression", fastify: "5.x" },
);
