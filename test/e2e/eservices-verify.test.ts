import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { createTestApp, type TestContext } from "../helpers.js";

/** Runs in the page: whether the offline check's status is (or is no longer) the one given. */
function statusIs(expected: { is?: string | null; not?: string | null }): boolean {
  const status = (globalThis as unknown as { document: { getElementById(id: string): { getAttribute(name: string): string | null } | null } }).document.getElementById("offline-result")?.getAttribute("data-status") ?? null;
  return "is" in expected ? status === expected.is : status !== expected.not;
}

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("e-services in a real browser: the QR code of a certificate verifies on the device", () => {
  let ctx: TestContext;
  let browser: Browser | undefined;
  let base: string;
  let certificate: { number: string; token: string };

  before(async () => {
    ctx = await createTestApp();
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    certificate = (await ctx.db.query<{ number: string; token: string }>("SELECT number, token FROM certificates ORDER BY number LIMIT 1"))[0]!;
    if (!existsSync(CHROMIUM_PATH)) return;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
  });

  it("the address in the QR code shows the server's answer and the signature checked in the page, even once offline", async () => {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}`);
    const context = await browser.newContext({ locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" } });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/verify/${certificate.number}#${certificate.token}`);
      await assert.doesNotReject(page.getByRole("heading", { name: "Document authentique, délivré et non révoqué." }).waitFor());
      const output = page.locator("#offline-result");
      await page.waitForFunction(statusIs, { not: null });
      assert.equal(await output.getAttribute("data-status"), "valid");
      assert.match((await output.textContent()) ?? "", /Signature valide/);

      // A code whose payload was edited (one character of it) fails, without asking the server.
      await context.setOffline(true);
      const [prefix, payload, signature] = certificate.token.split(".") as [string, string, string];
      const forged = `${prefix}.${payload.slice(0, 10)}${payload[10] === "A" ? "B" : "A"}${payload.slice(11)}.${signature}`;
      await page.locator("#f-token").fill(forged);
      await page.waitForFunction(statusIs, { not: "valid" });
      assert.notEqual(await output.getAttribute("data-status"), "valid");
      await page.locator("#f-token").fill(certificate.token);
      await page.waitForFunction(statusIs, { is: "valid" });
      assert.match((await output.textContent()) ?? "", /Signature valide/);
    } finally {
      await context.close();
    }
  });

  it("checked on the device, a Bissau certificate keeps its Portuguese words, marked as such, under French headings", async () => {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}`);
    const [bissau] = await ctx.db.query<{ number: string; token: string }>(
      "SELECT c.number, c.token FROM certificates c JOIN municipalities m ON m.id = c.municipality_id WHERE m.slug = 'bissau' ORDER BY c.number LIMIT 1",
    );
    const context = await browser.newContext({ locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" } });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/verify/${bissau!.number}#${bissau!.token}`);
      await page.waitForFunction(statusIs, { is: "valid" });
      const output = page.locator("#offline-result");
      assert.match((await output.locator("p").textContent()) ?? "", /Signature valide/);
      assert.equal(await output.locator("dd", { hasText: "Atestado de residência" }).getAttribute("lang"), "pt");
      assert.equal(await output.locator("dt", { hasText: "Residente desde" }).getAttribute("lang"), "pt");
      assert.equal(await output.locator("dd", { hasText: "1 de março de 2018" }).getAttribute("lang"), "pt");
      // The headings the page supplies stay in the reader's language, unmarked.
      assert.equal(await output.locator("dt", { hasText: "Numéro" }).getAttribute("lang"), null);
    } finally {
      await context.close();
    }
  });
});
