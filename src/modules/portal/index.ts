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
  exports: [{ key: "news", titleKey: "portal.exports.news", format: "JSON", mediaType: "application/json", per: "municipality", path: (m) => `/api/v1/${m.slug}/news` }],
};
