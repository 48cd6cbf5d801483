import fp from "fastify-plugin";
import { Html } from "@kitajs/html";
import { LOCALES } from "../../i18n/index.js";
import { sitemapOf, type AppModule, type SitemapEntry } from "../../modules.js";
import { listMunicipalities } from "../../tenancy/index.js";
import { pageInLanguage } from "../../views/layout.js";
import { ICON_SVG, iconIco, iconPng } from "../icons.js";

/** The network's own public pages, outside any municipality. */
const NETWORK_PAGES = ["/", "/data", "/audit/checkpoints", "/verify"];

/**
 * What robots may read: everything public. Accounts, back offices, a resident's dossiers and the
 * certificates behind a verification address are for people, not for search engines.
 */
export function robotsTxt(publicUrl: string): string {
  return [
    "User-agent: *",
    "Allow: /",
    "Disallow: /account",
    "Disallow: /admin",
    "Disallow: /*/admin",
    "Disallow: /*/dossiers",
    "Disallow: /verify/",
    "Disallow: /lang",
    "",
    `Sitemap: ${publicUrl}/sitemap.xml`,
    "",
  ].join("\n");
}

const xml = (text: string) => Html.escapeHtml(text);

/** One `<url>` with the page's address in each language (xhtml:link), as search engines read them. */
function urlEntry(publicUrl: string, entry: SitemapEntry): string {
  const alternates = [...LOCALES.map((locale) => [locale, pageInLanguage(entry.path, locale, false)]), ["x-default", entry.path]]
    .map(([hreflang, path]) => `<xhtml:link rel="alternate" hreflang="${hreflang}" href="${xml(publicUrl + path)}"/>`)
    .join("");
  const modified = entry.modified ? `<lastmod>${entry.modified.toISOString()}</lastmod>` : "";
  return `<url><loc>${xml(publicUrl + entry.path)}</loc>${modified}${alternates}</url>`;
}

export function urlSet(publicUrl: string, entries: SitemapEntry[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">' +
    entries.map((entry) => urlEntry(publicUrl, entry)).join("") +
    "</urlset>\n"
  );
}

/** robots.txt, the sitemaps (an index, the network's pages, one per municipality) and the site's icons. */
export const crawlersPlugin = fp<{ modules: readonly AppModule[] }>(
  async (app, options) => {
    const { publicUrl } = app.config;
    const XML = "application/xml; charset=utf-8";
    const ICON_CACHE = "public, max-age=86400";

    app.get("/robots.txt", async (_request, reply) => reply.type("text/plain; charset=utf-8").send(robotsTxt(publicUrl)));

    app.get("/sitemap.xml", async (_request, reply) => {
      const sitemaps = ["/sitemap-network.xml", ...(await listMunicipalities(app.db)).map((municipality) => `/${municipality.slug}/sitemap.xml`)];
      return reply
        .type(XML)
        .send(
          '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' +
            sitemaps.map((path) => `<sitemap><loc>${xml(publicUrl + path)}</loc></sitemap>`).join("") +
            "</sitemapindex>\n",
        );
    });

    app.get("/sitemap-network.xml", async (_request, reply) => reply.type(XML).send(urlSet(publicUrl, NETWORK_PAGES.map((path) => ({ path })))));

    app.get("/:slug/sitemap.xml", async (request, reply) => {
      const municipality = request.requireMunicipality();
      return reply.type(XML).send(urlSet(publicUrl, await sitemapOf(app.db, municipality, options.modules)));
    });

    const svg = Buffer.from(ICON_SVG);
    const ico = iconIco();
    const touch = iconPng(180);
    app.get("/favicon.svg", async (_request, reply) => reply.type("image/svg+xml").header("cache-control", ICON_CACHE).send(svg));
    app.get("/favicon.ico", async (_request, reply) => reply.type("image/x-icon").header("cache-control", ICON_CACHE).send(ico));
    app.get("/apple-touch-icon.png", async (_request, reply) => reply.type("image/png").header("cache-control", ICON_CACHE).send(touch));
  },
  { name: "cite-crawlers", fastify: "5.x", dependencies: ["cite-app-context", "cite-tenancy"] },
);
