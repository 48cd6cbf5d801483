import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { CRITICAL_CSS_HASH } from "../../views/styles.js";
import { securityHeadersPlugin } from "./security-headers.js";

describe("security-headers plugin", () => {
  it("sends a CSP that allows only the inlined stylesheet and our own scripts, and helmet's headers", async () => {
    const app = Fastify({ logger: false });
    await app.register(securityHeadersPlugin);
    app.get("/", async () => "ok");
    const response = await app.inject({ method: "GET", url: "/" });
    await app.close();
    const csp = String(response.headers["content-security-policy"]);
    const directives = new Map(csp.split(";").map((part) => part.trim().split(/\s+/)).map(([name = "", ...values]) => [name, values.join(" ")]));
    assert.equal(directives.get("default-src"), "'none'");
    assert.equal(directives.get("style-src"), CRITICAL_CSS_HASH);
    assert.equal(directives.get("script-src"), "'self'");
    assert.equal(directives.get("img-src"), "'self' data:");
    assert.equal(directives.get("worker-src"), "'self'");
    assert.equal(directives.get("form-action"), "'self'");
    assert.equal(directives.get("base-uri"), "'none'");
    assert.equal(directives.get("frame-ancestors"), "'none'");
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers["x-content-type-options"], "nosniff");
    assert.ok(response.headers["strict-transport-security"]);
    // Stored files and images from elsewhere are not served with the isolation headers' demands.
    assert.equal(response.headers["cross-origin-embedder-policy"], undefined);
  });
});
