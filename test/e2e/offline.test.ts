import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { createTestApp, DEMO, DEMO_PASSWORD, type TestContext } from "../helpers.js";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

describe("offline: a form sent without a connection is kept and delivered once the link returns", () => {
  let ctx: TestContext;
  let browser: Browser | undefined;
  let base: string;
  let port: number;

  before(async () => {
    ctx = await createTestApp();
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    port = (ctx.app.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    if (!existsSync(CHROMIUM_PATH)) return;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  });

  after(async () => {
    await browser?.close();
    if (!ctx.app.server.listening) await new Promise<void>((resolve) => ctx.app.server.listen(port, "127.0.0.1", () => resolve()));
    await ctx?.close();
  });

  /** The link goes down for real: the server stops listening and drops its connections. */
  async function cut(): Promise<void> {
    await new Promise<void>((resolve) => {
      ctx.app.server.close(() => resolve());
      ctx.app.server.closeAllConnections();
    });
  }
  const restore = () => new Promise<void>((resolve) => ctx.app.server.listen(port, "127.0.0.1", () => resolve()));

  it("a resident submits a dossier during a cut: it waits on the phone, then is filed once", async () => {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}`);
    const context = await browser.newContext({ locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" } });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/account/signin`);
      await page.getByLabel("Téléphone ou adresse e-mail").fill(DEMO.rufisque.citizen);
      await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Se connecter" }).click();
      await page.goto(`${base}/rufisque/services/certificat-residence`);
      await page.getByRole("button", { name: "Commencer la démarche" }).click();
      await page.waitForURL(/\/rufisque\/dossiers\/[0-9a-f-]{36}$/);
      const dossierId = page.url().split("/").pop()!;
      // Once the worker is active and controls the page, it sees the form's submission.
      await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 }).catch(async () => {
        await page.reload();
      });
      await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null);

      const fill = (name: string, value: string) => page.locator(`[name="${name}"]`).fill(value);
      await fill("f.nom", "Ndiaye");
      await fill("f.prenoms", "Awa");
      await fill("f.date_naissance", "1990-06-14");
      await fill("f.lieu_naissance", "Rufisque");
      await fill("f.nin", "1 751 1990 01234");
      await fill("f.adresse.quarter", "Keury Souf");
      await fill("f.adresse.town", "Rufisque");
      await fill("f.depuis", "2018-03-01");
      await page.locator('[name="f.occupation"][value="locataire"]').check();
      await page.locator('[name="f.justificatif"]').setInputFiles({ name: "facture.pdf", mimeType: "application/pdf", buffer: PDF });
      await fill("f.chef_quartier_nom", "Moussa Diop");

      await cut();
      await page.getByRole("button", { name: "Déposer le dossier" }).click();
      await page.getByRole("heading", { name: "Pas de connexion" }).waitFor();
      assert.match(await page.textContent("main") ?? "", /Votre envoi est gardé sur cet appareil/);
      const [waiting] = await ctx.db.query<{ state: string }>("SELECT state FROM dossiers WHERE id = $1", [dossierId]);
      assert.equal(waiting!.state, "draft");

      await restore();
      await page.goto(`${base}/rufisque/services`);
      let state = "draft";
      for (let attempt = 0; attempt < 50 && state === "draft"; attempt++) {
        await page.waitForTimeout(200);
        state = (await ctx.db.query<{ state: string }>("SELECT state FROM dossiers WHERE id = $1", [dossierId]))[0]!.state;
      }
      assert.equal(state, "submitted");
      const [dossier] = await ctx.db.query<{ reference: string; answers: { nom: string; justificatif: { name: string } } }>("SELECT reference, answers FROM dossiers WHERE id = $1", [dossierId]);
      assert.equal(dossier!.answers.nom, "Ndiaye");
      assert.equal(dossier!.answers.justificatif.name, "facture.pdf");
      // Another page load asks the worker to flush again: nothing is sent twice.
      await page.goto(`${base}/rufisque/dossiers`);
      await page.waitForTimeout(500);
      const messages = await ctx.db.query("SELECT id FROM notifications WHERE body LIKE $1", [`%${dossier!.reference}%`]);
      assert.equal(messages.length, 1);
    } finally {
      await context.close();
    }
  });
});
