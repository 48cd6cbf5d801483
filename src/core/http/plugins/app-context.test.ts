import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { loadConfig } from "../../../config.js";
import type { Db } from "../../db/index.js";
import { appContextPlugin } from "./app-context.js";

describe("app-context plugin", () => {
  it("decorates the instance with the database, configuration and notifier, and lists every route registered after it", async () => {
    const app = Fastify({ logger: false });
    const config = loadConfig({});
    // No query runs here: the plugin only hands the database on.
    const db = { engine: "pglite" } as unknown as Db;
    await app.register(appContextPlugin, { config, db });
    // A module's routes live in their own encapsulated context, and must still be listed.
    await app.register(async (scope) => {
      scope.get("/module/page", async () => "ok");
      scope.post("/module/page", async () => "ok");
    });
    await app.ready();
    assert.equal(app.db, db);
    assert.equal(app.config, config);
    assert.equal(app.notifier.name, "log", "without a gateway, messages are only logged");
    assert.deepEqual(app.routeTable, [
      { method: "GET", url: "/module/page" },
      { method: "POST", url: "/module/page" },
    ]);
    await app.close();
  });
});
