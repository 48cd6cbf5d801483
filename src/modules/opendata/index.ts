import type { AppModule } from "../../core/http/server.js";
import { OPENDATA_REASONS } from "./reasons.js";
import { opendataRoutes } from "./routes.js";

export { loadResourceTable } from "./service.js";

/** Each municipality's open-data portal and the network's catalogue. */
export const opendataModule: AppModule = {
  name: "opendata",
  plugin: opendataRoutes,
  reasons: OPENDATA_REASONS,
  nav: [{ href: (m) => `/${m.slug}/data`, labelKey: "opendata.nav.data" }],
};
