import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MODULES } from "../src/modules/index.js";
import { createTestApp, type TestContext } from "./helpers.js";
import { publicPages } from "./pages.js";

const BASE = "http://localhost:3000";

/** The addresses a sitemap lists (<loc>), without the site's address. */
function locations(xml: string): string[] {
  return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => match[1]!.replace(/&amp;/g, "&").replace(BASE, ""));
}

describe("what crawlers read: robots.txt, sitemaps, icons", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("robots.txt lets robots read the public site, keeps them out of accounts and back offices, and names the sitemap", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/robots.txt" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "text/plain; charset=utf-8");
    const lines = response.body.split("\n");
    for (const line of ["User-agent: *", "Allow: /", "Disallow: /account", "Disallow: /admin", "Disallow: /*/admin", "Disallow: /*/dossiers", "Disallow: /verify/", `Sitemap: ${BASE}/sitemap.xml`]) {
      assert.ok(lines.includes(line), `robots.txt says ${line}`);
    }
  });

  it("the sitemap index names the network's sitemap and one for each municipality", async () => {
    const index = await ctx.app.inject({ method: "GET", url: "/sitemap.xml" });
    assert.equal(index.statusCode, 200);
    assert.equal(index.headers["content-type"], "application/xml; charset=utf-8");
    assert.match(index.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<sitemapindex xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
    const slugs = (await ctx.db.query<{ slug: string }>("SELECT slug FROM municipalities ORDER BY slug")).map((row) => row.slug);
    assert.deepEqual(locations(index.body).sort(), ["/sitemap-network.xml", ...slugs.map((slug) => `/${slug}/sitemap.xml`)].sort());
    const network = await ctx.app.inject({ method: "GET", url: "/sitemap-network.xml" });
    assert.deepEqual(locations(network.body), ["/", "/data", "/audit/checkpoints", "/verify"]);
  });

  it("a municipality's sitemap lists every public page of it, each with its address in every language", async () => {
    const problems: string[] = [];
    const pages = (await publicPages(ctx.db)).filter((url) => !url.includes("?") && !url.endsWith("/participation/verify"));
    const bySlug = new Map<string, string[]>();
    for (const url of pages) {
      const slug = url.split("/")[1]!;
      if (["account", "verify", "offline", "audit", "data", ""].includes(slug)) continue;
      bySlug.set(slug, [...(bySlug.get(slug) ?? []), url]);
    }
    assert.deepEqual([...bySlug.keys()].sort(), ["bissau", "labe", "rufisque"]);
    for (const [slug, urls] of bySlug) {
      const response = await ctx.app.inject({ method: "GET", url: `/${slug}/sitemap.xml` });
      assert.equal(response.statusCode, 200);
      const listed = new Set(locations(response.body));
      for (const url of urls) if (!listed.has(url)) problems.push(`${slug}'s sitemap misses ${url}`);
      for (const url of listed) {
        if (!url.startsWith(`/${slug}/`)) problems.push(`${slug}'s sitemap lists ${url}, not one of its pages`);
        const page = await ctx.app.inject({ method: "GET", url, headers: { accept: "text/html" } });
        if (page.statusCode !== 200) problems.push(`${slug}'s sitemap lists ${url}, which answers ${page.statusCode}`);
      }
    }
    assert.deepEqual(problems, []);

    const rufisque = (await ctx.app.inject({ method: "GET", url: "/rufisque/sitemap.xml" })).body;
    assert.match(rufisque, /xmlns:xhtml="http:\/\/www.w3.org\/1999\/xhtml"/);
    assert.ok(
      rufisque.includes(
        `<url><loc>${BASE}/rufisque/news</loc><xhtml:link rel="alternate" hreflang="fr" href="${BASE}/rufisque/news"/><xhtml:link rel="alternate" hreflang="pt" href="${BASE}/rufisque/news?lang=pt"/>` +
          `<xhtml:link rel="alternate" hreflang="en" href="${BASE}/rufisque/news?lang=en"/><xhtml:link rel="alternate" hreflang="x-default" href="${BASE}/rufisque/news"/></url>`,
      ),
    );
    assert.match(rufisque, /<lastmod>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/lastmod>/, "objects say when they last changed");
  });

  it("leaves drafts and hidden objects out of the sitemap", async () => {
    const drafts = await ctx.db.query<{ path: string }>(
      `SELECT '/rufisque/news/' || n.id AS path FROM news n JOIN municipalities m ON m.id = n.municipality_id WHERE m.slug = 'rufisque' AND n.status = 'draft'
       UNION ALL SELECT '/rufisque/data/' || d.slug FROM datasets d JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' AND d.status = 'draft'`,
    );
    assert.ok(drafts.length > 0, "the demo has drafts");
    const listed = new Set(locations((await ctx.app.inject({ method: "GET", url: "/rufisque/sitemap.xml" })).body));
    for (const { path } of drafts) assert.ok(!listed.has(path), `${path} is a draft`);
    assert.equal((await ctx.app.inject({ method: "GET", url: "/nowhere/sitemap.xml" })).statusCode, 404);
  });

  it("every module with public pages (a navigation entry on a municipality's site) lists them for the sitemap", () => {
    const missing = MODULES.filter((module) => (module.nav?.length ?? 0) > 0 && !module.sitemap).map((module) => module.name);
    assert.deepEqual(missing, []);
  });

  it("serves a small favicon (SVG and ICO) and a 180 px touch icon", async () => {
    const svg = await ctx.app.inject({ method: "GET", url: "/favicon.svg" });
    assert.equal(svg.statusCode, 200);
    assert.equal(svg.headers["content-type"], "image/svg+xml");
    assert.match(svg.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 32 32">/);

    const ico = await ctx.app.inject({ method: "GET", url: "/favicon.ico" });
    assert.equal(ico.headers["content-type"], "image/x-icon");
    const icoBytes = ico.rawPayload;
    assert.deepEqual([...icoBytes.subarray(0, 6)], [0, 0, 1, 0, 1, 0], "an ICO directory with one image");
    assert.equal(icoBytes.readUInt32LE(18), 22);
    assert.deepEqual([...icoBytes.subarray(22, 30)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "the image is a PNG");

    const touch = await ctx.app.inject({ method: "GET", url: "/apple-touch-icon.png" });
    assert.equal(touch.headers["content-type"], "image/png");
    const png = touch.rawPayload;
    assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [180, 180]);
    assert.ok(png.length < 4096 && icoBytes.length < 1024 && svg.body.length < 512, `tiny: ${png.length}, ${icoBytes.length}, ${svg.body.length} bytes`);
    assert.match(String(touch.headers["cache-control"]), /^public, max-age=\d+$/);
  });

  it("the catalogue links its DCAT descriptions and a dataset its Data Package, each of which answers", async () => {
    const catalogue = (await ctx.app.inject({ method: "GET", url: "/rufisque/data", headers: { accept: "text/html" } })).body;
    const links = [...catalogue.matchAll(/<link rel="alternate" type="([^"]+)" href="([^"]+)"/g)].map((match) => [match[1], match[2]]);
    assert.deepEqual(links, [
      ["text/turtle", "/rufisque/catalog.ttl"],
      ["application/ld+json", "/rufisque/catalog.jsonld"],
    ]);
    const [dataset] = await ctx.db.query<{ slug: string }>("SELECT d.slug FROM datasets d JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' AND d.status = 'published' ORDER BY d.slug LIMIT 1");
    const page = (await ctx.app.inject({ method: "GET", url: `/rufisque/data/${dataset!.slug}`, headers: { accept: "text/html" } })).body;
    const href = `/rufisque/data/${dataset!.slug}/datapackage.json`;
    assert.ok(page.includes(`<link rel="alternate" type="application/json" href="${href}"`));
    for (const [, url] of [...links, ["", href]]) assert.equal((await ctx.app.inject({ method: "GET", url: url! })).statusCode, 200, url);
  });

  it("an unknown certificate number is 404, said on the verification page", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/verify/RUF-2026-99999-C9", headers: { accept: "text/html" } });
    assert.equal(response.statusCode, 404);
    assert.match(response.body, /RUF-2026-99999-C9/);
  });
});
