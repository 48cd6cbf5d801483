import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { compressionPlugin } from "./compression.js";

describe("compression plugin", () => {
  it("gzips an answer above 1 KiB for a client that accepts it, and leaves a small one alone", async () => {
    const app = Fastify({ logger: false });
    await app.register(compressionPlugin);
    const large = "<p>conseil municipal</p>".repeat(200);
    app.get("/large", async (_request, reply) => reply.type("text/html").send(large));
    app.get("/small", async (_request, reply) => reply.type("text/html").send("<p>ok</p>"));
    const compressed = await app.inject({ method: "GET", url: "/large", headers: { "accept-encoding": "gzip" } });
    const small = await app.inject({ method: "GET", url: "/small", headers: { "accept-encoding": "gzip" } });
    await app.close();
    assert.equal(compressed.headers["content-encoding"], "gzip");
    assert.equal(gunzipSync(compressed.rawPayload).toString(), large);
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(small.body, "<p>ok</p>");
  });
});
