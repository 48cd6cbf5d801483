import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { ed25519 } from "@noble/curves/ed25519.js";
import { fromBase32, generateSigningKey, signPayload, toBase32, type CertificatePayload, type SigningKey } from "../../src/modules/eservices/certificates.js";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCRIPT = readFileSync(new URL("../../src/client/verify-certificate.js", import.meta.url), "utf8");

/** What the page supplies, translated: the script must show these and nothing of its own. */
const MESSAGES = {
  valid: "Document authentique",
  invalid: "Document altéré ou illisible",
  unknown: "Clé de signature inconnue",
  revoked: "Document révoqué",
  unsupported: "Votre navigateur ne peut pas vérifier ce document",
} as const;
type Status = keyof typeof MESSAGES;

const current = generateSigningKey();
const rotatedOut = generateSigningKey();
const stranger = generateSigningKey();
const REVOKED_REF = "RUF-2026-00001-C1";

function tokenFor(key: SigningKey, overrides: Partial<CertificatePayload> = {}): string {
  const payload: CertificatePayload = {
    v: 2,
    kid: key.kid,
    ref: "RUF-2026-00042-C1",
    proc: "Extrait d'acte de naissance",
    iss: "2026-03-03T10:15:00.000Z",
    fields: { "Nom du titulaire": "Awa Ndiaye", "Date de naissance": "1990-05-17" },
    ...overrides,
  };
  return signPayload(payload, key.privateKey);
}

/** A token as the first certificates carried it (CO1: base64url JSON, fields sorted), still in people's hands. */
function legacyTokenFor(key: SigningKey): string {
  const payload = { v: 1, kid: key.kid, ref: "RUF-2026-00041-C1", mun: "rufisque", mname: "Rufisque", proc: "Certificat de résidence", iss: "2026-02-01T09:00:00.000Z", fields: { "Nom du titulaire": "Awa Ndiaye" } };
  const bytes = Buffer.from(JSON.stringify(payload), "utf8");
  return `CO1.${bytes.toString("base64url")}.${Buffer.from(ed25519.sign(bytes, Buffer.from(key.privateKey, "base64url"))).toString("base64url")}`;
}

/** The same token with one character of its payload or signature part replaced. */
function oneCharacterChanged(token: string, part: 1 | 2): string {
  const parts = token.split(".");
  const text = parts[part]!;
  const index = Math.floor(text.length / 2);
  parts[part] = text.slice(0, index) + (text[index] === "A" ? "B" : "A") + text.slice(index + 1);
  return parts.join(".");
}

/**
 * The signature's last character swapped for one that decodes to the same bytes (64 bytes use 2
 * of its 5 bits): a lenient decoder would still find the signature good.
 */
function nonCanonicalSignature(token: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  // The lowest bit of the last character is one of the three unused ones.
  const twin = alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]!;
  return token.slice(0, -1) + twin;
}

/** The payload re-encoded with the holder's name changed by one letter, under the original signature. */
function holderRenamed(token: string): string {
  const [prefix, body, signature] = token.split(".") as [string, string, string];
  const bytes = Buffer.from(fromBase32(body)!);
  const at = bytes.indexOf("Awa Ndiaye");
  assert.ok(at > 0);
  bytes.write("Awa Ndiayf", at, "utf8");
  return `${prefix}.${toBase32(bytes)}.${signature}`;
}

function pageHtml(): string {
  const trusted = {
    [current.kid]: { publicKey: current.publicKey, municipality: "Rufisque", revoked: [REVOKED_REF] },
    [rotatedOut.kid]: { publicKey: rotatedOut.publicKey, municipality: "Rufisque", revoked: [] },
  };
  // "<" escaped, as the real page must: JSON inside <script> must not be able to close it.
  const json = JSON.stringify(trusted).replace(/</g, "\\u003c");
  const data = Object.entries(MESSAGES)
    .map(([status, message]) => `data-${status}="${message}"`)
    .join(" ");
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Vérifier un document</title>
<script src="/assets/verify-certificate.js" defer></script></head>
<body><main><h1>Vérifier un document</h1>
<label for="f-token">Code du document</label> <input id="f-token" autocomplete="off">
<output id="offline-result" ${data} data-label-ref="Référence" data-label-mun="Commune" data-label-proc="Démarche" data-label-iss="Délivré le"></output>
<script id="trusted-keys" type="application/json">${json}</script>
</main></body></html>`;
}

describe("the offline certificate check works in a real browser", () => {
  let server: Server;
  let base: string;
  let browser: Browser | undefined;

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === "/assets/verify-certificate.js") {
        response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
        response.end(SCRIPT);
      } else if (request.url === "/") {
        // The production CSP: no inline script, so the script has to work as an external file.
        response.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'; script-src 'self'; base-uri 'none'" });
        response.end(pageHtml());
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (!existsSync(CHROMIUM_PATH)) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  after(async () => {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A fresh page; script errors and CSP violations are collected, to fail the test that caused them. */
  async function open(hash = ""): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.`);
    const context = await browser.newContext({ locale: "fr-FR" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    const response = await page.goto(`${base}/${hash ? `#${hash}` : ""}`);
    assert.equal(response?.status(), 200);
    return { page, context, errors };
  }

  async function expectResult(page: Page, status: Status): Promise<string> {
    const output = page.locator("#offline-result");
    try {
      await page.locator(`#offline-result[data-status="${status}"]`).waitFor({ timeout: 5000 });
    } catch {
      assert.equal(await output.getAttribute("data-status"), status, "the result shown");
    }
    assert.equal(await output.locator("p").textContent(), MESSAGES[status]);
    return (await output.textContent()) ?? "";
  }

  it("shows a valid token from the hash as valid, with its fields", async () => {
    const { page, context, errors } = await open(tokenFor(current));
    try {
      const text = await expectResult(page, "valid");
      assert.ok(text.includes("Awa Ndiaye"), text);
      const terms = await page.locator("#offline-result dt").allTextContents();
      const details = await page.locator("#offline-result dd").allTextContents();
      assert.deepEqual(terms, ["Référence", "Commune", "Démarche", "Délivré le", "Nom du titulaire", "Date de naissance"]);
      assert.deepEqual(details, ["RUF-2026-00042-C1", "Rufisque", "Extrait d'acte de naissance", "2026-03-03", "Awa Ndiaye", "1990-05-17"]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("still shows a token of the first format (JSON, CO1) as valid, with its fields", async () => {
    const { page, context, errors } = await open(legacyTokenFor(current));
    try {
      const text = await expectResult(page, "valid");
      assert.ok(text.includes("Awa Ndiaye") && text.includes("RUF-2026-00041-C1"), text);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("still accepts a token signed by a rotated-out key the page lists", async () => {
    const { page, context } = await open(tokenFor(rotatedOut));
    try {
      await expectResult(page, "valid");
    } finally {
      await context.close();
    }
  });

  for (const [what, altered] of [
    ["one character of the payload changed", () => oneCharacterChanged(tokenFor(current), 1)],
    ["one character of the signature changed", () => oneCharacterChanged(tokenFor(current), 2)],
    ["the holder's name changed by one letter", () => holderRenamed(tokenFor(current))],
    ["a non-canonical signature encoding", () => nonCanonicalSignature(tokenFor(current))],
    ["not a token at all", () => "CO1..not-base64!"],
  ] as const) {
    it(`shows a token with ${what} as invalid, without its fields`, async () => {
      const { page, context, errors } = await open(altered());
      try {
        const text = await expectResult(page, "invalid");
        assert.ok(!text.includes("Awa"), text);
        assert.equal(await page.locator("#offline-result dl").count(), 0);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }

  it("shows a genuine token whose reference is revoked as revoked", async () => {
    const { page, context } = await open(tokenFor(current, { ref: REVOKED_REF }));
    try {
      const text = await expectResult(page, "revoked");
      assert.ok(text.includes(REVOKED_REF), text);
    } finally {
      await context.close();
    }
  });

  it("shows a token signed by a key the page does not list as unknown", async () => {
    const { page, context } = await open(tokenFor(stranger));
    try {
      const text = await expectResult(page, "unknown");
      assert.ok(!text.includes("Awa"), text);
    } finally {
      await context.close();
    }
  });

  it("shows markup in a signed field as text, never as HTML", async () => {
    const { page, context, errors } = await open(tokenFor(current, { fields: { "Nom du titulaire": `<img src=x onerror="document.title='pwned'">` } }));
    try {
      const text = await expectResult(page, "valid");
      assert.ok(text.includes("<img src=x"), text);
      assert.equal(await page.locator("#offline-result img").count(), 0);
      assert.equal(await page.title(), "Vérifier un document");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("says the browser cannot check when WebCrypto has no Ed25519", async () => {
    assert.ok(browser);
    const context = await browser.newContext();
    try {
      // As in a browser without Ed25519: importKey rejects the algorithm.
      await context.addInitScript("SubtleCrypto.prototype.importKey = () => Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));");
      const page = await context.newPage();
      await page.goto(`${base}/#${tokenFor(current)}`);
      await expectResult(page, "unsupported");
    } finally {
      await context.close();
    }
  });

  it("follows the hash when it changes on the loaded page", async () => {
    const { page, context } = await open(tokenFor(current));
    try {
      await expectResult(page, "valid");
      await page.evaluate(`location.hash = ${JSON.stringify(tokenFor(current, { ref: REVOKED_REF }))}`);
      await expectResult(page, "revoked");
    } finally {
      await context.close();
    }
  });

  // Last: it closes the server.
  it("checks pasted tokens once the server is gone and the browser is offline", async () => {
    const { page, context, errors } = await open();
    try {
      assert.equal(await page.locator("#offline-result").textContent(), "", "nothing shown before a token is given");
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await context.setOffline(true);
      const input = page.locator("#f-token");
      await input.fill(tokenFor(current));
      assert.ok((await expectResult(page, "valid")).includes("Awa Ndiaye"));
      await input.fill(holderRenamed(tokenFor(current)));
      await expectResult(page, "invalid");
      // People paste the whole link from the QR code as often as the token.
      await input.fill(`  https://rufisque.example.org/verify#${tokenFor(current, { ref: REVOKED_REF })}\n`);
      await expectResult(page, "revoked");
      await input.fill(tokenFor(stranger));
      await expectResult(page, "unknown");
      await input.fill("");
      assert.equal(await page.locator("#offline-result").textContent(), "");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
