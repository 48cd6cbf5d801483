import type { Queryable } from "../../core/db/index.js";
import { listOfficials, publicTexts as publicTextsOf, sitemapEntries } from "./store.js";
import type { AppModule } from "../../core/modules.js";
import { seedPortalDemo } from "./demo.js";
import { PORTAL_REASONS } from "./reasons.js";
import { portalRoutes } from "./routes.js";

/** The municipality's official site: home page, news, static pages, officials, staff roles. */
export const portalModule: AppModule = {
  name: "portal",
  plugin: portalRoutes,
  reasons: PORTAL_REASONS,
  nav: [
    { href: (m) => `/${m.slug}/news`, labelKey: "portal.nav.news" },
    { href: (m) => `/${m.slug}/pages`, labelKey: "portal.nav.pages" },
  ],
  messages: [new URL("./messages/", import.meta.url)],
  seed: seedPortalDemo,
  audit: {
    actions: {
      "portal.news.create": "portal.audit.news_create",
      "portal.news.edit": "portal.audit.news_edit",
      "portal.news.publish": "portal.audit.news_publish",
      "portal.news.unpublish": "portal.audit.news_unpublish",
      "portal.page.create": "portal.audit.page_create",
      "portal.page.edit": "portal.audit.page_edit",
      "portal.page.publish": "portal.audit.page_publish",
      "portal.page.unpublish": "portal.audit.page_unpublish",
      "portal.official.add": "portal.audit.official_add",
      "portal.official.remove": "portal.audit.official_remove",
      "portal.municipality.create": "portal.audit.municipality_create",
      "portal.identity.set": "portal.audit.identity_set",
    },
    subjects: {
      news: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/news/${subjectId}/edit` : undefined),
      page: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/pages/${subjectId}/edit` : undefined),
      official: ({ municipality }) => (municipality ? `/${municipality.slug}/admin/officials` : undefined),
    },
  },
  publicTexts: (db, municipalityId) => publicTextsOf(db, municipalityId),
  sitemap: (db, m) => sitemapEntries(db, m.id, m.slug),
  exports: [{ key: "news", titleKey: "portal.exports.news", format: "JSON", mediaType: "application/json", per: "municipality", path: (m) => `/api/v1/${m.slug}/news` }],
};

/** The municipality's first official as its site lists them (its mayor): who signs its documents unless a procedure names someone else. */
export async function firstOfficial(db: Queryable, municipalityId: string): Promise<{ name: string; title: string } | undefined> {
  const [first] = await listOfficials(db, municipalityId);
  return first ? { name: first.name, title: first.title } : undefined;
}
