import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { Browser, createTestApp, DEMO, idOf, type TestContext } from "./helpers.js";
import { publicPages } from "./pages.js";

/**
 * About what the first round trips of a new TCP connection carry (ten segments of ~1.4 KB): a
 * page this small paints on a 2G or congested 3G link without waiting for more data.
 */
export const PAGE_BUDGET_BYTES = 14 * 1024;

export interface BudgetReport {
  page: string;
  gzipBytes: number;
  /** Why the page fails its budget; empty when it fits. */
  problems: string[];
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    found.set(match[1]!.toLowerCase(), (match[2] ?? match[3] ?? match[4] ?? "").toLowerCase());
  }
  return found;
}

/**
 * Checks one rendered page against what a slow connection can afford: its compressed size, and
 * nothing that makes the browser wait for another request before it can show the page.
 */
export function checkPageBudget(page: string, html: string): BudgetReport {
  const gzipBytes = gzipSync(html).length;
  const problems: string[] = [];
  if (gzipBytes > PAGE_BUDGET_BYTES) problems.push(`${page} is ${gzipBytes} bytes gzipped, over the budget of ${PAGE_BUDGET_BYTES} bytes`);
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const attrs = attributes(tag.slice("<script".length, -1));
    // A classic script without defer or async stops parsing until it has downloaded and run.
    // A data block (type="application/json") is never run, so it blocks nothing.
    const data = /^application\/(ld\+)?json$/.test(attrs.get("type") ?? "");
    if (!data && !attrs.has("defer") && !attrs.has("async") && attrs.get("type") !== "module") problems.push(`${page} has a render-blocking ${tag}`);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attributes(tag.slice("<link".length, -1)).get("rel") ?? "";
    if (rel.split(/\s+/).includes("stylesheet")) problems.push(`${page} loads an external stylesheet ${tag}`);
  }
  return { page, gzipBytes, problems };
}

describe("page budget: every public page fits in the first round trips on a slow link", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("each public page is at most 14 KB gzipped, with no render-blocking script or external stylesheet", async (t) => {
    const visitor = new Browser(ctx.app, { "accept-language": "fr" });
    const reports: BudgetReport[] = [];
    for (const url of await publicPages(ctx.db)) {
      const response = await visitor.get(url);
      assert.equal(response.statusCode, 200, `${url} answers ${response.statusCode}`);
      reports.push(checkPageBudget(url, response.body));
    }
    const largest = reports.reduce((a, b) => (b.gzipBytes > a.gzipBytes ? b : a));
    t.diagnostic(`${reports.length} pages checked; largest is ${largest.page} at ${largest.gzipBytes} bytes gzipped`);
    assert.deepEqual(reports.flatMap((report) => report.problems), []);
  });

  it("the check catches a page over budget: a news item with a long body that does not compress", async () => {
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    // Random text defeats gzip; the form accepts bodies of up to 50,000 characters.
    const body = randomBytes(36_000).toString("base64url");
    const saved = await editor.post("/rufisque/admin/news", { title: "Rapport annuel intégral", summary: "Le texte complet.", body, language: "fr" });
    assert.equal(saved.statusCode, 303);
    const id = await idOf(ctx.db, "SELECT id FROM news WHERE title = 'Rapport annuel intégral'", []);
    assert.equal((await editor.post(`/rufisque/admin/news/${id}/publish`)).statusCode, 303);

    const url = `/rufisque/news/${id}`;
    const page = await new Browser(ctx.app).get(url);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(body), "the whole body is on the page");
    const report = checkPageBudget(url, page.body);
    assert.ok(report.gzipBytes > PAGE_BUDGET_BYTES, `${report.gzipBytes} bytes should exceed the budget`);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0]!, new RegExp(`^${url} is \\d+ bytes gzipped, over the budget of ${PAGE_BUDGET_BYTES} bytes$`));
  });

  it("the check catches a blocking script and an external stylesheet, and lets deferred scripts through", () => {
    const html =
      '<!doctype html><html><head><link rel="stylesheet" href="/app.css"><script src="/a.js"></script>' +
      '<script src="/b.js" defer></script><script type="module" src="/c.js"></script><link rel="icon" href="/f.png"></head>' +
      '<body><script type="application/json">{"keys":{}}</script><script>inline()</script></body></html>';
    const report = checkPageBudget("/example", html);
    assert.deepEqual(report.problems, [
      '/example has a render-blocking <script src="/a.js">',
      "/example has a render-blocking <script>",
      '/example loads an external stylesheet <link rel="stylesheet" href="/app.css">',
    ]);
  });
});
