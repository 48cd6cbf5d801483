import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import axe from "axe-core";
import type { AxeResults, RunOptions } from "axe-core";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { createTestApp, DEMO, DEMO_PASSWORD, type TestContext } from "../helpers.js";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** WCAG 2.0 and 2.1, levels A and AA, as in accessibility.test.ts. */
const AXE_OPTIONS: RunOptions = { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } };
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

/** Each serious or critical axe violation of the page, one per line. */
async function seriousViolations(page: Awaited<ReturnType<BrowserContext["newPage"]>>): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate((options) => (globalThis as unknown as { axe: { run(options: RunOptions): Promise<AxeResults> } }).axe.run(options), AXE_OPTIONS);
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

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

  /** What the service worker holds: forms waiting to be sent, and forms the server refused. */
  interface OutboxState {
    queued: number;
    refused: { id: number; reason: string; status: number; title: string; from: string }[];
  }
  type Page = Awaited<ReturnType<BrowserContext["newPage"]>>;

  /**
   * Waits until the worker's outbox satisfies `done`: asks it once, then listens to what it reports
   * after each flush. The worker answers only once a flush under way has finished, so an empty
   * outbox means every form kept was either delivered or refused — none is still on its way.
   */
  function outboxWhen(page: Page, done: "empty" | "refused"): Promise<OutboxState> {
    // A string, not a function: the test runner's compiler would add helpers the page lacks.
    // A deadline, not a pause: it only turns a worker that never reports into a clear failure.
    return page.evaluate(`new Promise(function (resolve, reject) {
      var last = "no report";
      setTimeout(function () {
        reject(new Error("the service worker never reported its outbox ${done}; last report: " + last));
      }, 20000);
      function check(state) {
        last = JSON.stringify(state && { queued: state.queued, refused: state.refused && state.refused.map(function (item) { return item.reason; }) });
        var settled = state.queued === 0 && ${done === "empty" ? "state.refused.length === 0" : "state.refused.length > 0"};
        if (settled) resolve(state);
      }
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "outbox") check(event.data);
      });
      navigator.serviceWorker.ready.then(function (registration) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { check(event.data); };
        registration.active.postMessage({ type: "outbox-state" }, [channel.port2]);
      });
    })`);
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${base}/account/signin`);
    await page.getByLabel("Téléphone ou adresse e-mail").fill(DEMO.rufisque.citizen);
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/account/signin"));
  }

  /** Signs in, starts a certificate of residence and waits for the worker to control the page; the dossier's id. */
  async function startDossier(page: Page): Promise<string> {
    await signIn(page);
    await page.goto(`${base}/rufisque/services/certificat-residence`);
    await page.getByRole("button", { name: "Commencer la démarche" }).click();
    await page.waitForURL(/\/rufisque\/dossiers\/[0-9a-f-]{36}$/);
    const dossierId = page.url().split("/").pop()!;
    // Once the worker is active and controls the page, it sees the form's submission.
    await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 }).catch(async () => {
      await page.reload();
    });
    await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null);
    return dossierId;
  }

  /** Fills the whole form, but for the fields named in `without`. */
  async function fillDossier(page: Page, without: string[] = []): Promise<void> {
    const fill = async (name: string, value: string) => {
      if (!without.includes(name)) await page.locator(`[name="${name}"]`).fill(value);
    };
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
  }

  /** Submits the dossier during a cut: the worker keeps it and says so. */
  async function submitDuringCut(page: Page): Promise<void> {
    await cut();
    await page.getByRole("button", { name: "Déposer le dossier" }).click();
    await page.getByRole("heading", { name: "Pas de connexion" }).waitFor();
    assert.match((await page.textContent("main")) ?? "", /Votre envoi est gardé sur cet appareil/);
  }

  const stateOf = async (dossierId: string) => (await ctx.db.query<{ state: string }>("SELECT state FROM dossiers WHERE id = $1", [dossierId]))[0]!.state;
  async function messagesAbout(dossierId: string): Promise<number> {
    const [dossier] = await ctx.db.query<{ reference: string | null }>("SELECT reference FROM dossiers WHERE id = $1", [dossierId]);
    assert.ok(dossier?.reference, "the dossier has a reference once submitted");
    return (await ctx.db.query("SELECT id FROM notifications WHERE body LIKE $1", [`%${dossier.reference}%`])).length;
  }

  it("a resident submits a dossier during a cut: it waits on the phone, then is filed once", { timeout: 60_000 }, async () => {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}`);
    const context = await browser.newContext({ locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" } });
    try {
      const page = await context.newPage();
      const dossierId = await startDossier(page);
      await fillDossier(page);
      await submitDuringCut(page);
      assert.equal(await stateOf(dossierId), "draft");

      await restore();
      await page.goto(`${base}/rufisque/services`);
      // Delivered: the worker no longer holds it, and the server filed it.
      await outboxWhen(page, "empty");
      assert.equal(await stateOf(dossierId), "submitted");
      const [dossier] = await ctx.db.query<{ answers: { nom: string; justificatif: { name: string } } }>("SELECT answers FROM dossiers WHERE id = $1", [dossierId]);
      assert.equal(dossier!.answers.nom, "Ndiaye");
      assert.equal(dossier!.answers.justificatif.name, "facture.pdf");
      assert.equal(await messagesAbout(dossierId), 1);
      // Another page load asks the worker to flush again; once it has nothing left, nothing was sent twice.
      await page.goto(`${base}/rufisque/dossiers`);
      await outboxWhen(page, "empty");
      assert.equal(await messagesAbout(dossierId), 1);
    } finally {
      await context.close();
    }
  });

  it("a dossier refused when it is replayed stays on the phone with the reason, is corrected there and filed once", { timeout: 90_000 }, async () => {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}`);
    // The CSP forbids inline scripts; injecting axe needs it bypassed.
    const context = await browser.newContext({ locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" }, bypassCSP: true });
    try {
      const page = await context.newPage();
      const dossierId = await startDossier(page);
      // The head of the quarter is required: the server will refuse the dossier without them.
      await fillDossier(page, ["f.chef_quartier_nom"]);
      await submitDuringCut(page);

      await restore();
      await page.goto(`${base}/rufisque/services`);
      const refused = await outboxWhen(page, "refused");
      assert.equal(refused.refused.length, 1);
      assert.equal(refused.refused[0]!.reason, "invalid");
      assert.equal(refused.refused[0]!.status, 400);
      assert.equal(await stateOf(dossierId), "draft", "nothing was filed");

      // Every page says so, and links to where the person sees why.
      const status = page.locator("#outbox-status");
      await status.getByText("Des formulaires gardés sur cet appareil n'ont pas pu être envoyés (1).").waitFor();
      await status.getByRole("link", { name: "Voir pourquoi et les corriger" }).click();
      await page.getByRole("heading", { level: 1, name: "Envois gardés sur cet appareil" }).waitFor();
      const item = page.locator("#outbox-list li");
      await item.getByRole("heading", { name: /^Certificat de résidence.*, envoyé le / }).waitFor();
      assert.match((await item.textContent()) ?? "", /Le serveur a trouvé des erreurs dans le formulaire\./);
      assert.match((await item.textContent()) ?? "", /Réponse du serveur\u202f: Une erreur est à corriger\u202f: Prénom et nom du .* — Ce champ est obligatoire/);
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], `the outbox page has accessibility violations:\n${violations.join("\n")}`);

      // Opened, the form is filled again with what was typed, file included, and says why.
      await item.getByRole("link", { name: "Ouvrir et corriger" }).click();
      await page.waitForURL(new RegExp(`/rufisque/dossiers/${dossierId}#outbox-\\d+$`));
      await page.getByRole("alert").filter({ hasText: "Ce formulaire a été refusé à l'envoi\u202f: Le serveur a trouvé des erreurs" }).waitFor();
      assert.equal(await page.locator('[name="f.nom"]').inputValue(), "Ndiaye");
      assert.equal(await page.locator('[name="f.nin"]').inputValue(), "1 751 1990 01234");
      assert.ok(await page.locator('[name="f.occupation"][value="locataire"]').isChecked());
      assert.equal(await page.locator('[name="f.justificatif"]').evaluate((input) => (input as unknown as { files: { length: number; 0?: { name: string } } }).files[0]?.name), "facture.pdf");
      assert.equal(await page.locator('[name="f.chef_quartier_nom"]').inputValue(), "");

      await page.locator('[name="f.chef_quartier_nom"]').fill("Moussa Diop");
      await page.getByRole("button", { name: "Déposer le dossier" }).click();
      await page.getByText("Votre dossier est déposé.").waitFor();
      // Delivered: its refused copy is gone from the phone, and it was filed once.
      await outboxWhen(page, "empty");
      assert.equal(await stateOf(dossierId), "submitted");
      const [dossier] = await ctx.db.query<{ answers: { chef_quartier_nom: string; justificatif: { name: string } } }>("SELECT answers FROM dossiers WHERE id = $1", [dossierId]);
      assert.equal(dossier!.answers.chef_quartier_nom, "Moussa Diop");
      assert.equal(dossier!.answers.justificatif.name, "facture.pdf");
      await page.goto(`${base}/offline?outbox=1`);
      await page.getByText("Aucun formulaire refusé n'attend sur cet appareil.").waitFor();
      await outboxWhen(page, "empty");
      assert.equal(await messagesAbout(dossierId), 1);
    } finally {
      await context.close();
    }
  });

  it("a dossier whose session ended during the cut is kept, and sent again once the person has signed in", { timeout: 90_000 }, async () => {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}`);
    const context = await browser.newContext({ locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" } });
    try {
      const page = await context.newPage();
      const dossierId = await startDossier(page);
      await fillDossier(page);
      await submitDuringCut(page);
      // Meanwhile the session ends on the server (expired, or ended from another device).
      await ctx.db.query("DELETE FROM sessions WHERE user_id = (SELECT applicant_id FROM dossiers WHERE id = $1)", [dossierId]);

      await restore();
      await page.goto(`${base}/rufisque/services`);
      const refused = await outboxWhen(page, "refused");
      assert.deepEqual(
        refused.refused.map((entry) => [entry.reason, entry.status]),
        [["session", 401]],
      );
      assert.equal(await stateOf(dossierId), "draft");

      await signIn(page);
      await page.goto(`${base}/offline?outbox=1`);
      const item = page.locator("#outbox-list li");
      await item.getByText("Votre session avait pris fin\u202f: connectez-vous, puis envoyez-le à nouveau.").waitFor();
      await item.getByRole("button", { name: "Envoyer à nouveau" }).click();
      await page.getByText("Aucun formulaire refusé n'attend sur cet appareil.").waitFor();
      await outboxWhen(page, "empty");
      assert.equal(await stateOf(dossierId), "submitted");
      assert.equal(await messagesAbout(dossierId), 1);
      // Sent again by another flush? Nothing is left to send, and it was filed once.
      await page.goto(`${base}/rufisque/dossiers`);
      await outboxWhen(page, "empty");
      assert.equal(await messagesAbout(dossierId), 1);
    } finally {
      await context.close();
    }
  });

  it("signing out of a shared device forgets a refused form, what was typed in it and the server's answer", { timeout: 90_000 }, async () => {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}`);
    const context = await browser.newContext({ locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" } });
    try {
      const page = await context.newPage();
      await startDossier(page);
      await fillDossier(page, ["f.chef_quartier_nom"]);
      await submitDuringCut(page);
      await restore();
      await page.goto(`${base}/rufisque/services`);
      assert.equal((await outboxWhen(page, "refused")).refused.length, 1);

      await page.getByRole("button", { name: "Se déconnecter" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/rufisque/services"));
      await outboxWhen(page, "empty");
    } finally {
      await context.close();
    }
  });
});
