import { publicTexts as publicTextsOf, sitemapEntries } from "./store.js";
import type { AppModule } from "../../core/modules.js";
import { seedEservicesDemo } from "./demo/dossiers.js";
import { eservicesPolicy } from "./policy.js";
import { ESERVICES_REASONS } from "./reasons.js";
import { eservicesRoutes } from "./routes.js";
import { eraseExpiredDossiers } from "./service.js";
import { countApplicantDossiers, countDecidedDossiers, hasPublishedProcedure, listProcedures } from "./store.js";

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
  // The person's dossiers, in each municipality where they hold some or live (signed up there).
  accountLinks: async ({ db, actor, municipalities, t }) => {
    const counts = await countApplicantDossiers(db, municipalities.map((m) => m.id), actor.id);
    const home = new Set(actor.municipalRoles.filter((grant) => grant.role === "citizen").map((grant) => grant.municipalityId));
    const links = municipalities
      .filter((m) => counts.has(m.id) || home.has(m.id))
      .map((m) => {
        const count = counts.get(m.id) ?? 0;
        return { href: `/${m.slug}/dossiers`, label: count > 0 ? t("eservices.account.dossiers", { name: m.name, count }) : t("eservices.account.no_dossiers", { name: m.name }) };
      });
    return [{ id: "eservices.dossiers", titleKey: "eservices.account.title", links }];
  },
  audit: {
    actions: {
      "eservices.procedure.create": "eservices.audit.procedure_create",
      "eservices.procedure.update": "eservices.audit.procedure_update",
      "eservices.procedure.published": "eservices.audit.procedure_published",
      "eservices.procedure.closed": "eservices.audit.procedure_closed",
      "eservices.procedure.draft": "eservices.audit.procedure_draft",
      "eservices.dossier.create": "eservices.audit.dossier_create",
      "eservices.dossier.submit": "eservices.audit.dossier_submit",
      "eservices.dossier.take": "eservices.audit.dossier_take",
      "eservices.dossier.request_correction": "eservices.audit.dossier_request_correction",
      "eservices.dossier.correction_answered": "eservices.audit.dossier_correction_answered",
      "eservices.dossier.accept": "eservices.audit.dossier_accept",
      "eservices.dossier.refuse": "eservices.audit.dossier_refuse",
      "eservices.dossier.close": "eservices.audit.dossier_close",
      "eservices.dossier.reopen": "eservices.audit.dossier_reopen",
      "eservices.dossier.note": "eservices.audit.dossier_note",
      "eservices.dossier.erase": "eservices.audit.dossier_erase",
      "eservices.dossier.delete_draft": "eservices.audit.dossier_delete_draft",
      "eservices.dossier.reassign": "eservices.audit.dossier_reassign",
      "eservices.dossier.message": "eservices.audit.dossier_message",
      "eservices.certificate.issue": "eservices.audit.certificate_issue",
      "eservices.certificate.revoke": "eservices.audit.certificate_revoke",
      "eservices.key.rotate": "eservices.audit.key_rotate",
    },
    subjects: {
      dossier: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/dossiers/${subjectId}` : undefined),
      procedure: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/services/${subjectId}` : undefined),
      certificate: ({ subjectId }) => `/verify/${encodeURIComponent(subjectId)}`,
    },
  },
  publicTexts: (db, municipalityId) => publicTextsOf(db, municipalityId),
  sitemap: (db, m) => sitemapEntries(db, m.id, m.slug),
  exports: [
    {
      key: "stats",
      titleKey: "eservices.exports.stats",
      format: "CSV",
      mediaType: "text/csv",
      per: "municipality",
      path: (m) => `/${m.slug}/services/stats.csv`,
      // A municipality offering no procedure has no statistics: none are listed for it.
      offered: (db, m) => hasPublishedProcedure(db, m.id),
    },
  ],
};
export { createDraft, createProcedure, localToday, setProcedureStatus, transition, addNote } from "./service.js";
export { getProcedureBySlug } from "./store.js";
export type { ProcedureInput } from "./schema.js";
