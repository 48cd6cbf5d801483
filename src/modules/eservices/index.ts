import type { AppModule } from "../../core/http/server.js";
import { eservicesPolicy } from "./policy.js";
import { ESERVICES_REASONS } from "./reasons.js";
import { eservicesRoutes } from "./routes.js";

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
};
export { createDraft, createProcedure, localToday, setProcedureStatus, transition, addNote } from "./service.js";
export { getProcedureBySlug } from "./store.js";
export type { ProcedureInput } from "./schema.js";
