import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createSession } from "../src/core/auth/accounts.js";
import { municipalityExports } from "../src/core/modules.js";
import { findMunicipalityBySlug } from "../src/core/tenancy/index.js";
import { Browser, createTestApp, DEMO, DEMO_PASSWORD, idOf, type TestContext } from "./helpers.js";
import { publicPages, signedInPages } from "./pages.js";

const BASE = "http://localhost:3000";
const hasPostForm = (html: string) => /<form\b[^>]*\bmethod="post"/i.test(html);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The page's address in a language as the layout writes it: `?lang=` for all but French. */
function inLanguage(url: string, locale: string): string {
  const [path, query = ""] = url.split("?");
  const params = new URLSearchParams(query);
  params.delete("lang");
  if (locale !== "fr") params.set("lang", locale);
  const search = params.toString();
  return `${BASE}${path}${search ? `?${search}` : ""}`;
}

describe("HTTP as caches and crawlers expect", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  const anonymous = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: "GET", url, headers: { accept: "text/html", ...headers } });

  it("every public page: no cookie unless a form needs its token, an ETag, 304 when unchanged, canonical and hreflang addresses", async (t) => {
    const problems: string[] = [];
    let withForms = 0;
    const urls = await publicPages(ctx.db);
    for (const url of urls) {
      const page = await anonymous(url);
      if (page.statusCode !== 200) {
        problems.push(`${url}: ${page.statusCode}`);
        continue;
      }
      const form = hasPostForm(page.body);
      const cookies = page.cookies.map((cookie) => cookie.name);
      if (form) {
        withForms++;
        if (cookies.join() !== "csrf") problems.push(`${url} has a form and sets ${cookies.join() || "no cookie"}, not the CSRF cookie alone`);
        // The answer that sets the cookie is stored by no one; later ones, by this browser alone.
        if (page.headers["cache-control"] !== "private, no-store") problems.push(`${url} sets the token and is ${page.headers["cache-control"]}`);
        const later = await anonymous(url, { cookie: page.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ") });
        if (later.cookies.length > 0 || later.headers["cache-control"] !== "private, no-cache") problems.push(`${url} with its token is ${later.headers["cache-control"]}`);
        if (!/\bCookie\b/.test(String(later.headers.vary))) problems.push(`${url} with its token does not vary on the cookie`);
      } else {
        if (cookies.length > 0) problems.push(`${url} has no form and sets ${cookies.join()}`);
        if (!/^public, max-age=\d+, must-revalidate$/.test(String(page.headers["cache-control"]))) problems.push(`${url} is ${page.headers["cache-control"]}`);
      }
      const etag = page.headers.etag as string | undefined;
      if (!etag) problems.push(`${url} has no ETag`);
      else if (!form) {
        // A page with a form carries a fresh idempotency key each time: it is never "the same".
        const again = await anonymous(url, { "if-none-match": etag });
        if (again.statusCode !== 304 || again.body !== "") problems.push(`${url} answers ${again.statusCode} to its own ETag`);
      }
      if (!page.body.includes(`<link rel="canonical" href="${inLanguage(url, "fr")}"/>`)) problems.push(`${url} has no canonical address`);
      for (const locale of ["fr", "pt", "en"]) {
        if (!page.body.includes(`<link rel="alternate" hreflang="${locale}" href="${inLanguage(url, locale)}"/>`)) problems.push(`${url} has no ${locale} alternate`);
      }
      if (!page.body.includes(`<link rel="alternate" hreflang="x-default" href="${inLanguage(url, "fr")}"/>`)) problems.push(`${url} has no x-default alternate`);
      for (const property of ["og:title", "og:url", "og:type", "og:locale", "og:site_name"]) {
        if (!page.body.includes(`<meta property="${property}" content="`)) problems.push(`${url} has no ${property}`);
      }
      if (!/<link rel="icon" href="\/favicon.svg"/.test(page.body) || !/<link rel="apple-touch-icon" href="\/apple-touch-icon.png"/.test(page.body)) problems.push(`${url} links no icon`);
    }
    t.diagnostic(`${urls.length} public pages, ${withForms} with a form`);
    assert.deepEqual(problems, []);
    assert.ok(withForms > 0 && withForms < urls.length, "some pages have forms, most do not");
  });

  it("the language switch is plain links, and ?lang= wins over the browser's language and the cookie for that request", async () => {
    const french = await anonymous("/rufisque/news");
    assert.doesNotMatch(french.body, /action="\/lang"/);
    assert.match(french.body, /<a href="\/rufisque\/news\?lang=pt" hreflang="pt" lang="pt">Português<\/a>/);
    assert.match(french.body, /<a href="\/rufisque\/news\?lang=fr" hreflang="fr" lang="fr" aria-current="true">Français<\/a>/);

    const portuguese = await anonymous("/rufisque/news?lang=pt", { "accept-language": "en", cookie: "lang=en" });
    assert.equal(portuguese.statusCode, 200);
    assert.match(portuguese.body, /<html lang="pt">/);
    assert.equal(portuguese.headers["content-language"], "pt");
    assert.ok(portuguese.body.includes(`<link rel="canonical" href="${BASE}/rufisque/news?lang=pt"/>`));
    assert.equal(portuguese.cookies.length, 0, "a language's address sets no cookie");
    // Its address alone chose the language: caches need not tell browsers' languages apart.
    assert.doesNotMatch(String(portuguese.headers.vary), /Accept-Language/);

    // An address naming no language the platform has is ignored, not refused.
    const unknown = await anonymous("/rufisque/news?lang=xx", { "accept-language": "en" });
    assert.equal(unknown.statusCode, 200);
    assert.match(unknown.body, /<html lang="en">/);
    assert.match(String(unknown.headers.vary), /Accept-Language/);
  });

  it("a language picked in the footer stays for the next pages; the same address from elsewhere keeps nothing", async () => {
    const browser = new Browser(ctx.app, { "accept-language": "fr" });
    await browser.get("/rufisque/news?lang=en", { "sec-fetch-site": "same-origin", "sec-fetch-user": "?1" });
    assert.equal(browser.cookies.get("lang"), "en");
    assert.match((await browser.get("/rufisque/pages")).body, /<html lang="en">/);

    const crawled = await anonymous("/rufisque/news?lang=en", { "sec-fetch-site": "cross-site", "sec-fetch-user": "?1" });
    assert.equal(crawled.cookies.length, 0);
  });

  it("a signed-in person's pages are kept by no cache and vary on the cookie", async () => {
    const [resident] = await signedInPages(ctx.db);
    const browser = new Browser(ctx.app);
    await browser.signIn(resident!.identifier);
    for (const url of ["/rufisque/news", ...resident!.urls]) {
      const page = await browser.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.equal(page.headers["cache-control"], "private, no-store", url);
      assert.match(String(page.headers.vary), /Cookie/, url);
    }
  });

  it("every export, the API, DCAT, Data Packages and calendars: an ETag, 304 when unchanged, a public Cache-Control; CSV says UTF-8", async () => {
    const urls = ["/api/v1/municipalities", "/api/3/action/package_list", "/catalog.ttl", "/catalog.jsonld", "/rufisque/meetings.ics", "/robots.txt", "/sitemap.xml", "/rufisque/sitemap.xml"];
    const csv = new Set<string>();
    for (const slug of ["rufisque", "labe"]) {
      const municipality = (await findMunicipalityBySlug(ctx.db, slug))!;
      for (const entry of await municipalityExports(ctx.db, municipality)) {
        urls.push(entry.path);
        if (entry.mediaType === "text/csv") csv.add(entry.path);
      }
    }
    const resources = await ctx.db.query<{ path: string }>(
      `SELECT '/rufisque/data/' || d.slug || '/resources/' || r.id || '/rows.csv' AS path FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id
       JOIN municipalities m ON m.id = d.municipality_id JOIN datastore_tables t ON t.municipality_id = r.municipality_id AND t.resource_id = r.id
       WHERE m.slug = 'rufisque' AND d.status = 'published' ORDER BY r.id LIMIT 2`,
    );
    for (const { path } of resources) {
      urls.push(path);
      csv.add(path);
    }
    assert.ok(csv.size >= 3, "CSV exports are among them");
    const problems: string[] = [];
    for (const url of urls) {
      const response = await ctx.app.inject({ method: "GET", url });
      if (response.statusCode !== 200) {
        problems.push(`${url}: ${response.statusCode}`);
        continue;
      }
      if (response.cookies.length > 0) problems.push(`${url} sets a cookie`);
      if (!/^public\b/.test(String(response.headers["cache-control"]))) problems.push(`${url} is ${response.headers["cache-control"]}`);
      if (csv.has(url) && response.headers["content-type"] !== "text/csv; charset=utf-8") problems.push(`${url} is ${response.headers["content-type"]}`);
      const etag = response.headers.etag as string | undefined;
      if (!etag) {
        problems.push(`${url} has no ETag`);
        continue;
      }
      const again = await ctx.app.inject({ method: "GET", url, headers: { "if-none-match": etag } });
      if (again.statusCode !== 304) problems.push(`${url} answers ${again.statusCode} to its own ETag`);
    }
    assert.deepEqual(problems, []);
  });

  it("a JSON call without a session cookie needs no CSRF token (CKAN clients, the API); with one, the usual check applies", async () => {
    const json = (url: string, headers: Record<string, string> = {}) =>
      ctx.app.inject({ method: "POST", url, payload: JSON.stringify({ rows: 2 }), headers: { "content-type": "application/json", ...headers } });

    const ckan = await json("/api/3/action/package_search");
    assert.equal(ckan.statusCode, 200);
    assert.equal(ckan.json().success, true);
    // An API key is no cookie: the CKAN client authenticated by header is not asked for a token either.
    assert.equal((await json("/api/3/action/package_search", { authorization: "not-a-key" })).statusCode !== 403, true);
    // The API without a session: refused for want of a person (401), not for a missing token.
    const api = await json("/api/v1/rufisque/news");
    assert.equal(api.statusCode, 401);

    const editor = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.editor]);
    const session = await createSession(ctx.db, editor);
    const token = "t".repeat(32);
    const withCookie = await json("/api/3/action/package_search", { cookie: `sid=${session}; csrf=${token}` });
    assert.equal(withCookie.statusCode, 403, "a session cookie is ambient authority: the token is asked for");
    const news = { title: "Une actualité par l'API", body: "Écrite avec le jeton.", language: "fr" };
    const refused = await ctx.app.inject({ method: "POST", url: "/api/v1/rufisque/news", payload: JSON.stringify(news), headers: { "content-type": "application/json", cookie: `sid=${session}; csrf=${token}` } });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, "CSRF");
    const accepted = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/rufisque/news",
      payload: JSON.stringify(news),
      headers: { "content-type": "application/json", cookie: `sid=${session}; csrf=${token}`, "x-csrf-token": token },
    });
    assert.equal(accepted.statusCode, 201);
  });

  it("a form still works without script: the sign-in page gives its token, and the form posts with it", async () => {
    const browser = new Browser(ctx.app);
    const page = await browser.get("/account/signin");
    const token = browser.cookies.get("csrf");
    assert.ok(token, "the page with the form sets the CSRF cookie");
    assert.match(page.body, new RegExp(`name="_csrf" value="${escapeRegExp(token)}"`));
    const signedIn = await browser.post("/account/signin", { identifier: DEMO.rufisque.citizen, password: DEMO_PASSWORD, country: "SN" }, { csrf: token });
    assert.equal(signedIn.statusCode, 303);
    const forged = await new Browser(ctx.app).post("/account/signin", { identifier: DEMO.rufisque.citizen, password: "x", country: "SN" }, { csrf: null });
    assert.equal(forged.statusCode, 403);
  });
});
