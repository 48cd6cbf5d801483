import fp from "fastify-plugin";
import type { Config } from "../../../config.js";
import type { Db } from "../../db/index.js";
import { logAdapter, type ChannelAdapter } from "../../notify/index.js";

export interface AppContextOptions {
  config: Config;
  db: Db;
  notifier?: ChannelAdapter;
}

/**
 * What every plugin and module reads from the instance: the database, the configuration, the
 * notification channel, and the table of routes. The table is filled by an onRoute hook added
 * before anything else registers, so that it misses no route.
 */
export const appContextPlugin = fp<AppContextOptions>(
  async (app, options) => {
    const routeTable: { method: string; url: string }[] = [];
    app.addHook("onRoute", (route) => {
      for (const method of [route.method].flat()) if (method !== "HEAD") routeTable.push({ method, url: route.url });
    });
    app.decorate("routeTable", routeTable);
    app.decorate("db", options.db);
    app.decorate("config", options.config);
    app.decorate("notifier", options.notifier ?? logAdapter(app.log));
  },
  { name: "cite-app-context", fastify: "5.x" },
);
