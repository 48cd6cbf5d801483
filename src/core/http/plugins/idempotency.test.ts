import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestContext } from "../../../../test/helpers.js";
import type { AppModule } from "../server.js";

// A write that counts how often it really ran.
let runs = 0;
const probe: AppModule = {
  name: "idempotency-probe",
  plugin: async (app) => {
    app.post("/api/v1/probe/create", async (_request, reply) => reply.code(201).send({ run: ++runs }));
  },
};

const post = (key: string, payload: unknown) => ({
  method: "POST" as const,
  url: "/api/v1/probe/create",
  payload: JSON.stringify(payload),
  // Keys are scoped to the browser (its CSRF cookie) before sign-in: the same browser sends again.
  headers: { "content-type": "application/json", "idempotency-key": key, cookie: `csrf=${"d".repeat(32)}` },
});

describe("idempotency plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe] });
  });
  after(() => ctx.close());

  it("replays the first outcome of a write sent again with the same key, without running it twice", async () => {
    const first = await ctx.app.inject(post("retry-key-0001", { title: "a" }));
    const again = await ctx.app.inject(post("retry-key-0001", { title: "a" }));
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.deepEqual(again.json(), first.json());
    assert.equal(runs, 1);
  });

  it("refuses the same key for other content with 422 IDEMPOTENCY_MISMATCH", async () => {
    await ctx.app.inject(post("retry-key-0002", { title: "a" }));
    const other = await ctx.app.inject(post("retry-key-0002", { title: "b" }));
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, "IDEMPOTENCY_MISMATCH");
  });

  it("does not replay another browser's outcome for the same key", async () => {
    const first = await ctx.app.inject(post("retry-key-0003", { title: "a" }));
    const request = post("retry-key-0003", { title: "a" });
    const other = await ctx.app.inject({ ...request, headers: { ...request.headers, cookie: `csrf=${"e".repeat(32)}` } });
    assert.equal(other.statusCode, 201);
    assert.equal(other.headers["idempotent-replayed"], undefined);
    assert.notDeepEqual(other.json(), first.json());
  });

  it("refuses a malformed key with 400 VALIDATION", async () => {
    const response = await ctx.app.inject(post("short", {}));
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, "VALIDATION");
  });
});
