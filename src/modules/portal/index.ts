import type { AppModule } from "../../core/http/server.js";
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
};
