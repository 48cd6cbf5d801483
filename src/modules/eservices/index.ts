import type { AppModule } from "../../core/modules.js";
import { seedEservicesDemo } from "./demo/dossiers.js";
import { eservicesPolicy } from "./policy.js";
import { ESERVICES_REASONS } from "./reasons.js";
import { eservicesRoutes } from "./routes.js";
import { eraseExpiredDossiers } from "./service.js";

export { eraseExpiredDossiers } from "./service.js";

/** Administrative procedures filed online or at the counter, instructed, and their verifiable certificates. */
export const eservicesModule: AppModule = {
  name: "eservices",
  plugin: eservicesRoutes,
  reasons: ESERVICES_REASONS,
  nav: [{ href: (m) => `/${m.slug}/services`, labelKey: "eservices.nav" }],
  adminNav: [
    { href: (m) => `/${m.slug}/admin/dossiers`, labelKey: "eservices.queue.title", allowed: eservicesPolicy.seeQueue },
    { href: (m) => `/${m.slug}/admin/counter`, labelKey: "eservices.counter.title", allowed: eservicesPolicy.fileAtCounter },
    { href: (m) => `/${m.slug}/admin/services`, labelKey: "eservices.admin.title", allowed: eservicesPolicy.seeQueue },
  ],
  messages: [new URL("./messages/", import.meta.url)],
  jobs: [
    {
      // Once a day, the personal data of dossiers past their procedure's retention is erased.
      kind: "eservices.erase_expired",
      schedule: "daily",
      handler: async ({ db, filesDir }) => void (await eraseExpiredDossiers(db, filesDir)),
    },
  ],
  seed: seedEservicesDemo,
  exports: [{ key: "stats", titleKey: "eservices.exports.stats", format: "CSV", mediaType: "text/csv", per: "municipality", path: (m) => `/${m.slug}/services/stats.csv` }],
};
export { createDraft, createProcedure, localToday, setProcedureStatus, transition, addNote } from "./service.js";
export { getProcedureBySlug } from "./store.js";
export type { ProcedureInput } from "./schema.js";
