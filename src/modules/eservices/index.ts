import type { AppModule } from "../../core/modules.js";
import { seedEservicesDemo } from "./demo/dossiers.js";
import { eservicesPolicy } from "./policy.js";
import { ESERVICES_REASONS } from "./reasons.js";
import { eservicesRoutes } from "./routes.js";
import { eraseExpiredDossiers } from "./service.js";
import { countDecidedDossiers, listProcedures } from "./store.js";

export { eraseExpiredDossiers } from "./service.js";

/** How many procedures a municipality's home page names; the rest are one link away. */
const OPEN_PROCEDURES_SHOWN = 4;

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
  figures: async (db, ids) => [{ key: "dossiers_decided", labelKey: "eservices.figures.dossiers_decided", value: await countDecidedDossiers(db, ids) }],
  // Every published procedure can be filed today: the home page names the first few.
  openNow: async (db, m) =>
    (await listProcedures(db, m.id, { publishedOnly: true })).slice(0, OPEN_PROCEDURES_SHOWN).map((procedure) => ({
      kindKey: "eservices.open_now.procedure",
      title: procedure.title,
      href: `/${m.slug}/services/${procedure.slug}`,
    })),
  exports: [{ key: "stats", titleKey: "eservices.exports.stats", format: "CSV", mediaType: "text/csv", per: "municipality", path: (m) => `/${m.slug}/services/stats.csv` }],
};
export { createDraft, createProcedure, localToday, setProcedureStatus, transition, addNote } from "./service.js";
export { getProcedureBySlug } from "./store.js";
export type { ProcedureInput } from "./schema.js";
