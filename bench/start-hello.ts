// The bare Fastify hello of bench/start.ts run as the sources ran before dist/ (docs/adr/0010):
// through tsx, so that its ratio compares with the figures measured then (issue 14).
import Fastify from "fastify";

const app = Fastify();
app.get("/healthz", async () => ({ status: "ok" }));
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? "127.0.0.1" });
