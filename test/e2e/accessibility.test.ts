import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import axe from "axe-core";
import type { AxeResults, RunOptions } from "axe-core";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { createTestApp, DEMO, DEMO_PASSWORD, idOf, type TestContext } from "../helpers.js";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The rules a public service's pages must meet: WCAG 2.0 and 2.1, levels A and AA. */
const AXE_OPTIONS: RunOptions = { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } };

/** What residents see: French first, as on a phone set to French. */
const FRENCH: BrowserContextOptions = { locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" } };

/** Runs axe in the page and describes each serious or critical violation, one per line. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  // The page has no DOM typings here (lib is ES2023 only); axe.run() with no context audits the document.
  const results = await page.evaluate((options) => (globalThis as unknown as { axe: { run(options: RunOptions): Promise<AxeResults> } }).axe.run(options), AXE_OPTIONS);
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

async function assertAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${what} (${page.url()}) has accessibility violations:\n${violations.join("\n")}`);
}

describe("accessibility: the main pages pass axe in a real browser", () => {
  let ctx: TestContext;
  let browser: Browser | undefined;
  let base: string;
  let newsId: string;
  let resourceId: string;
  let proposalId: string;
  let surveyId: string;
  let budgetId: string;

  before(async () => {
    ctx = await createTestApp();
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    newsId = await idOf(
      ctx.db,
      "SELECT n.id FROM news n JOIN municipalities m ON m.id = n.municipality_id WHERE m.slug = 'rufisque' AND n.status = 'published' ORDER BY n.published_at DESC LIMIT 1",
      [],
    );
    resourceId = await idOf(
      ctx.db,
      "SELECT r.id FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' AND d.slug = 'ecoles'",
      [],
    );
    proposalId = await idOf(
      ctx.db,
      "SELECT p.id FROM proposals p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = 'rufisque' AND EXISTS (SELECT 1 FROM proposal_comments c WHERE c.proposal_id = p.id) LIMIT 1",
      [],
    );
    surveyId = await idOf(ctx.db, "SELECT s.id FROM surveys s JOIN municipalities m ON m.id = s.municipality_id WHERE m.slug = 'rufisque'", []);
    budgetId = await idOf(ctx.db, "SELECT b.id FROM budgets b JOIN municipalities m ON m.id = b.municipality_id WHERE m.slug = 'rufisque'", []);
    if (!existsSync(CHROMIUM_PATH)) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      // As root in a container Chromium has no sandbox to use; the rest keeps it from calling home.
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
  });

  /**
   * A fresh visitor. Without Chromium every test fails, each with this message: a skipped
   * accessibility check would read as a passing one.
   */
  function newContext(options: BrowserContextOptions): Promise<BrowserContext> {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium executable.`);
    return browser.newContext({ ...FRENCH, ...options });
  }

  /** The Content-Security-Policy forbids inline scripts, so injecting axe needs it bypassed. */
  function auditContext(): Promise<BrowserContext> {
    return newContext({ bypassCSP: true });
  }

  async function visit(context: BrowserContext, path: string): Promise<Page> {
    const page = await context.newPage();
    const response = await page.goto(`${base}${path}`);
    assert.equal(response?.status(), 200, `${path} answers ${response?.status()}`);
    return page;
  }

  async function signIn(page: Page, identifier: string, password: string): Promise<void> {
    await page.goto(`${base}/account/signin`);
    await page.getByLabel("Téléphone ou adresse e-mail").fill(identifier);
    await page.getByLabel("Mot de passe").fill(password);
    // The click waits for the navigation the form submission starts.
    await page.getByRole("button", { name: "Se connecter" }).click();
  }

  const publicPages: [string, () => string][] = [
    ["the network home", () => "/"],
    ["a municipality's home", () => "/rufisque/"],
    // Its chosen colour is light: the header band's text turns black.
    ["a municipality's home on a light identity colour", () => "/fass-colobane/"],
    ["the news index", () => "/rufisque/news"],
    ["a news item", () => `/rufisque/news/${newsId}`],
    ["the pages index", () => "/rufisque/pages"],
    ["the network data catalogue", () => "/data"],
    ["a municipality's data portal", () => "/rufisque/data"],
    ["a dataset page", () => "/rufisque/data/ecoles"],
    ["a table preview with its chart", () => `/rufisque/data/ecoles/resources/${resourceId}?x=quartier&y=classes&kind=bar&sort=classes&dir=desc`],
    ["a static page", () => "/rufisque/pages/horaires"],
    ["the sign-in form", () => "/account/signin"],
    ["the sign-up form", () => "/account/signup"],
    ["the password reset form", () => "/account/reset"],
    ["the account confirmation form", () => "/account/confirm"],
    ["the list of procedures", () => "/rufisque/services"],
    ["a procedure's page", () => "/rufisque/services/demande-permis-construire"],
    ["the dossier follow-up form", () => "/rufisque/suivi"],
    ["the certificate verification page", () => "/verify"],
    ["the participation processes", () => "/rufisque/participation"],
    ["a participation process with its proposals", () => "/rufisque/participation/plan-action-local-2027"],
    ["a proposal with its comments", () => `/rufisque/participation/plan-action-local-2027/proposals/${proposalId}`],
    ["the resident verification page", () => "/rufisque/participation/verify"],
    ["the public meetings", () => "/rufisque/meetings"],
    ["a survey with its results", () => `/rufisque/participation/plan-action-local-2027/surveys/${surveyId}`],
    ["a participatory budget", () => `/rufisque/participation/budget-participatif-2027/budgets/${budgetId}`],
  ];
  for (const [what, path] of publicPages) {
    it(`${what} has no serious or critical violation`, async () => {
      const context = await auditContext();
      try {
        await assertAccessible(await visit(context, path()), what);
      } finally {
        await context.close();
      }
    });
  }

  it("on a phone, the opened header menu, the opened data filters and a table scrolling in its box have no serious or critical violation", async () => {
    const context = await newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } });
    try {
      const page = await visit(context, "/rufisque/");
      await page.getByRole("banner").getByText("Menu", { exact: true }).click();
      assert.ok(await page.getByRole("banner").getByRole("link", { name: "Se connecter" }).isVisible(), "the menu is open");
      await assertAccessible(page, "the header's menu opened on a phone");
      await page.goto(`${base}/rufisque/data`);
      await page.getByText("Affiner la recherche", { exact: true }).click();
      await assertAccessible(page, "the data catalogue with its filters opened on a phone");
      await page.goto(`${base}/rufisque/services`);
      const region = page.getByRole("region", { name: "Statistiques des démarches" });
      const scrolls = await region.evaluate((element) => {
        const box = element as unknown as { scrollWidth: number; clientWidth: number };
        return box.scrollWidth > box.clientWidth;
      });
      // A box that scrolls must take focus (scrollable-region-focusable): this one is audited as it scrolls.
      assert.ok(scrolls, "the statistics scroll inside their box");
      await assertAccessible(page, "the procedures with their statistics on a phone");
    } finally {
      await context.close();
    }
  });

  it("the audit catches a serious violation: an image without text and a field without a label", async () => {
    const context = await auditContext();
    try {
      const page = await context.newPage();
      await page.setContent('<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main><h1>Essai</h1><img src="data:,"><input name="q"></main></body></html>');
      const violations = await seriousViolations(page);
      assert.ok(violations.some((line) => line.startsWith("image-alt (critical)") && line.endsWith("img")), violations.join("\n"));
      assert.ok(violations.some((line) => line.startsWith("label (critical)") && line.endsWith("input")), violations.join("\n"));
    } finally {
      await context.close();
    }
  });

  it("the sign-in form showing its errors after a wrong password has no serious or critical violation", async () => {
    const context = await auditContext();
    try {
      const page = await context.newPage();
      await signIn(page, DEMO.rufisque.citizen, "not-the-password");
      await page.getByRole("alert").waitFor();
      assert.equal(await page.locator("#f-password").getAttribute("aria-invalid"), "true");
      await assertAccessible(page, "the sign-in form with errors");
    } finally {
      await context.close();
    }
  });

  it("a citizen's dossier form, with its errors, and an agent's instruction pages have no serious or critical violation", async () => {
    const context = await auditContext();
    try {
      const page = await context.newPage();
      await signIn(page, DEMO.rufisque.citizen, DEMO_PASSWORD);
      await page.getByRole("status").filter({ hasText: "Vous êtes connecté·e." }).waitFor();
      await page.goto(`${base}/rufisque/services/demande-permis-construire`);
      await page.getByRole("button", { name: "Commencer la démarche" }).click();
      await page.waitForURL(/\/rufisque\/dossiers\//);
      await assertAccessible(page, "a dossier form");
      await page.getByRole("button", { name: "Déposer le dossier" }).click();
      await page.getByRole("alert").first().waitFor();
      await assertAccessible(page, "a dossier form with its errors");
      await page.goto(`${base}/rufisque/dossiers`);
      await assertAccessible(page, "the citizen's dossiers");
      await page.goto(`${base}/account`);
      await assertAccessible(page, "the citizen's account page");

      const agentPage = await (await auditContext()).newPage();
      await signIn(agentPage, DEMO.rufisque.administrator, DEMO_PASSWORD);
      await agentPage.getByRole("status").filter({ hasText: "Vous êtes connecté·e." }).waitFor();
      for (const [what, path] of [
        ["the instruction queue", "/rufisque/admin/dossiers"],
        ["the procedures back office", "/rufisque/admin/services"],
        ["filing at the counter", "/rufisque/admin/counter?procedure=certificat-residence"],
        ["the signing keys", "/rufisque/admin/keys"],
        ["the participation back office", "/rufisque/admin/participation"],
        ["the moderation queue", "/rufisque/admin/moderation"],
        ["verifying a resident", "/rufisque/admin/residents"],
        ["the meetings back office", "/rufisque/admin/meetings"],
        ["a survey's builder", `/rufisque/admin/surveys/${surveyId}`],
        ["a participatory budget's back office", `/rufisque/admin/budgets/${budgetId}`],
        ["the municipality's identity", "/rufisque/admin/identity"],
        ["the audit log", "/rufisque/admin/audit"],
      ] as const) {
        const response = await agentPage.goto(`${base}${path}`);
        assert.equal(response?.status(), 200, `${path} answers ${response?.status()}`);
        await assertAccessible(agentPage, what);
      }
      await agentPage.goto(`${base}/rufisque/admin/dossiers?state=all`);
      await agentPage.locator("table a").first().click();
      await assertAccessible(agentPage, "a dossier under instruction");
      await agentPage.goto(`${base}/rufisque/admin/services`);
      await agentPage.locator("table a").first().click();
      await assertAccessible(agentPage, "a procedure with its form builder");
      await agentPage.locator("a[href*='/fields/'][href*='/edit']").first().click();
      await assertAccessible(agentPage, "a procedure's field being edited");
      await agentPage.locator("details.confirm summary").first().click();
      await assertAccessible(agentPage, "a field's removal asking for confirmation");
      await agentPage.goto(`${base}/rufisque/admin/participation`);
      await agentPage.locator("table a").first().click();
      await assertAccessible(agentPage, "a process with its phases and answers");
      await agentPage.context().close();
    } finally {
      await context.close();
    }
  });

  it("the back office pages of an editor, and the news form with errors, have no serious or critical violation", async () => {
    const context = await auditContext();
    try {
      const page = await context.newPage();
      await signIn(page, DEMO.rufisque.editor, DEMO_PASSWORD);
      await page.getByRole("status").filter({ hasText: "Vous êtes connecté·e." }).waitFor();
      const backOffice: [string, string][] = [
        ["the dashboard", "/rufisque/admin"],
        ["the news list", "/rufisque/admin/news"],
        ["the new news form", "/rufisque/admin/news/new"],
        ["the datasets list", "/rufisque/admin/data"],
        ["the new dataset form", "/rufisque/admin/data/new"],
      ];
      for (const [what, path] of backOffice) {
        const response = await page.goto(`${base}${path}`);
        assert.equal(response?.status(), 200, `${path} answers ${response?.status()}`);
        await assertAccessible(page, what);
      }
      // Submitted empty, the form comes back with its errors: the state most in need of being announced.
      await page.getByRole("button", { name: "Enregistrer" }).click();
      await page.getByRole("alert").waitFor();
      assert.match((await page.getByRole("alert").textContent()) ?? "", /Ce champ est obligatoire\./);
      assert.equal(await page.locator("#f-title").getAttribute("aria-invalid"), "true");
      await assertAccessible(page, "the news form with errors");
    } finally {
      await context.close();
    }
  });

  it("the inline stylesheet is allowed by the Content-Security-Policy, so visitors see the pages as audited", async () => {
    // Axe runs with the policy bypassed; were the stylesheet's hash wrong, a real visitor would
    // get an unstyled page whose contrast and layout were never checked.
    async function headerBackground(context: BrowserContext): Promise<string> {
      try {
        const page = await visit(context, "/rufisque/");
        return await page
          .locator("header.site")
          .evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(element).backgroundColor);
      } finally {
        await context.close();
      }
    }
    const asAudited = await headerBackground(await auditContext());
    const asVisited = await headerBackground(await newContext({}));
    assert.notEqual(asAudited, "rgba(0, 0, 0, 0)", "the audited page is styled");
    assert.equal(asVisited, asAudited);
  });

  it("resident_signs_in_without_javascript", async () => {
    const context = await newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await signIn(page, DEMO.rufisque.citizen, DEMO_PASSWORD);
      await page.getByRole("status").filter({ hasText: "Vous êtes connecté·e." }).waitFor();
      assert.ok(await page.getByRole("link", { name: "Mon compte" }).isVisible(), "the account link is offered");
      assert.equal(await page.getByRole("link", { name: "Se connecter" }).count(), 0, "the sign-in link is gone");
    } finally {
      await context.close();
    }
  });
});
