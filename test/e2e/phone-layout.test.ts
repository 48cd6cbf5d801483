import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { createTestApp, DEMO_PASSWORD, type TestContext } from "../helpers.js";
import { publicPages, signedInPages } from "../pages.js";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The narrowest phone screen in common use where the platform is used, held upright. */
const PHONE = { width: 360, height: 740 };
/** A laptop's screen. */
const WIDE = { width: 1280, height: 800 };
/** The most of a phone's screen the site's header may take: the rest is for the page. */
const HEADER_MAX_PX = 90;

interface Width {
  /** How wide the document is: more than the screen, and the whole page scrolls sideways. */
  scrollWidth: number;
  clientWidth: number;
  /** The element reaching furthest right that nothing clips, described for a person to find it. */
  widest: string;
  /** The height of the site's header. */
  header: number;
}

/**
 * Measured in the page. A string, because the test's TypeScript has no DOM typings (lib is ES2023
 * only). An element inside a box that scrolls or clips (a table in its scroll region) does not
 * widen the page, so only elements no ancestor clips are candidates. What is named: the outermost
 * element whose own box is too wide (a table), or else the innermost one whose content overflows
 * its box (a long line in a <pre>), since every ancestor of that one overflows as well.
 */
const MEASURE = `(() => {
  const unclipped = (element) => {
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== "visible") return false;
    }
    return true;
  };
  const reaches = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || !unclipped(element)) continue;
    // What overflows a box that scrolls or clips stays inside it.
    const spills = getComputedStyle(element).overflowX === "visible";
    reaches.push({ element, own: box.right, reach: spills ? Math.max(box.right, box.left + element.scrollWidth) : box.right });
  }
  const right = Math.max(0, ...reaches.map((entry) => entry.reach));
  const atEdge = reaches.filter((entry) => entry.reach > right - 0.5);
  const widest = atEdge.find((entry) => entry.own > right - 0.5) ?? atEdge.at(-1);
  const describe = (element) => {
    if (!element) return "none";
    const classes = typeof element.className === "string" && element.className.trim() ? "." + element.className.trim().split(/\\s+/).join(".") : "";
    const text = (element.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 60);
    return "<" + element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + classes + "> reaching " + Math.round(right) + " px" + (text ? ' ("' + text + '")' : "");
  };
  const header = document.querySelector("header.site");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    widest: describe(widest && widest.element),
    header: header ? header.getBoundingClientRect().height : 0,
  };
})()`;

async function measure(page: Page): Promise<Width> {
  return (await page.evaluate(MEASURE)) as Width;
}

describe("on a phone: no page scrolls sideways on a 360 px screen, and the header leaves room for the page", () => {
  let ctx: TestContext;
  let browser: Browser | undefined;
  let base: string;

  before(async () => {
    ctx = await createTestApp();
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
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

  /** A phone set to French. Without Chromium every test fails with this message: a skipped check would read as a pass. */
  function phone(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    assert.ok(browser, `Chromium is not installed at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium executable.`);
    return browser.newContext({ viewport: PHONE, locale: "fr-FR", extraHTTPHeaders: { "accept-language": "fr" }, ...options });
  }

  /**
   * Visits each page and describes every one wider than the screen, with the element that widens
   * it, or whose header takes more of the screen than it may.
   */
  async function tooWide(page: Page, urls: string[], who: string): Promise<string[]> {
    const problems: string[] = [];
    for (const url of urls) {
      const response = await page.goto(`${base}${url}`);
      assert.equal(response?.status(), 200, `${url} answers ${response?.status()} to the ${who}`);
      const width = await measure(page);
      assert.equal(width.clientWidth, PHONE.width, `${url} is laid out for a ${PHONE.width} px screen`);
      if (width.scrollWidth > PHONE.width) problems.push(`${url} (${who}) is ${width.scrollWidth} px wide; widest: ${width.widest}`);
      if (width.header > HEADER_MAX_PX) problems.push(`${url} (${who}) has a header ${Math.round(width.header)} px tall, over ${HEADER_MAX_PX} px`);
    }
    return problems;
  }

  it("every page of the page budget's list fits the width of the screen", async (t) => {
    const context = await phone();
    try {
      const urls = await publicPages(ctx.db);
      const problems = await tooWide(await context.newPage(), urls, "visitor");
      t.diagnostic(`${urls.length} public pages measured`);
      assert.deepEqual(problems, [], `pages that scroll sideways at ${PHONE.width} px:\n${problems.join("\n")}`);
    } finally {
      await context.close();
    }
  });

  it("the back office and a resident's own pages fit the width of the screen, each for the role that uses it", async (t) => {
    const problems: string[] = [];
    let measured = 0;
    for (const { role, identifier, urls } of await signedInPages(ctx.db)) {
      const context = await phone();
      try {
        const page = await context.newPage();
        await page.goto(`${base}/account/signin`);
        await page.getByLabel("Téléphone ou adresse e-mail").fill(identifier);
        await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByRole("status").filter({ hasText: "Vous êtes connecté·e." }).waitFor();
        problems.push(...(await tooWide(page, urls, role)));
        measured += urls.length;
      } finally {
        await context.close();
      }
    }
    t.diagnostic(`${measured} signed-in pages measured`);
    assert.deepEqual(problems, [], `pages that scroll sideways at ${PHONE.width} px:\n${problems.join("\n")}`);
  });

  it("without JavaScript, the header's menu opens on a phone to sign in, and shows its entries in the row on a wide screen", async () => {
    for (const [viewport, folded] of [
      [PHONE, true],
      [WIDE, false],
    ] as const) {
      const context = await phone({ viewport, javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await page.goto(`${base}/rufisque/`);
        const banner = page.getByRole("banner");
        const signIn = banner.getByRole("link", { name: "Se connecter" });
        assert.ok(await banner.getByRole("link", { name: /^Rufisque/ }).isVisible(), "the municipality's name is shown");
        assert.equal(await signIn.isVisible(), !folded, `at ${viewport.width} px the sign-in link is ${folded ? "in the folded menu" : "in the row"}`);
        assert.equal(await banner.getByText("Menu", { exact: true }).isVisible(), folded);
        if (folded) {
          await banner.getByText("Menu", { exact: true }).click();
          assert.ok(await signIn.isVisible(), "the opened menu offers the sign-in link");
          assert.ok(await banner.getByRole("link", { name: "Langue" }).isVisible(), "and the way to the language picker");
          await signIn.click();
          await page.waitForURL(/\/account\/signin\?next=/);
        }
      } finally {
        await context.close();
      }
    }
  });

  it("the data catalogue shows its results first: filters folded after them on a phone, beside them on a wide screen, and applied with the search", async () => {
    for (const [viewport, folded] of [
      [PHONE, true],
      [WIDE, false],
    ] as const) {
      const context = await phone({ viewport, javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await page.goto(`${base}/rufisque/data`);
        const firstResult = page.locator("main ul.cards > li").first();
        const theme = page.getByRole("checkbox", { name: /^Santé/ });
        assert.ok(await firstResult.isVisible(), "a dataset is shown");
        const resultBox = (await firstResult.boundingBox())!;
        assert.ok(resultBox.y < viewport.height, `at ${viewport.width} px the first dataset is on the first screen (at ${Math.round(resultBox.y)} px)`);
        assert.equal(await theme.isVisible(), !folded, `at ${viewport.width} px the filters are ${folded ? "folded" : "shown"}`);
        if (folded) {
          await page.getByText("Affiner la recherche", { exact: true }).click();
          const themeBox = (await theme.boundingBox())!;
          assert.ok(themeBox.y > resultBox.y, "the filters come after the results");
        } else {
          const themeBox = (await theme.boundingBox())!;
          assert.ok(themeBox.x > resultBox.x + resultBox.width, "the filters stand beside the results");
        }
        await page.getByLabel("Rechercher des données").fill("santé");
        await theme.check();
        await page.getByRole("button", { name: "Appliquer les filtres" }).click();
        await page.waitForURL((url) => url.searchParams.get("theme") === "HEAL" && url.searchParams.get("q") === "santé");
        // Folded again on the new page, the filters are out of the accessibility tree: found by name and value.
        assert.ok(await page.locator('input[name="theme"][value="HEAL"]').isChecked(), "the filter stays ticked on the results");
        if (folded) assert.ok(await page.getByText("Affiner la recherche (1 filtre actif)", { exact: true }).isVisible(), "the folded filters say one is on");
      } finally {
        await context.close();
      }
    }
  });

  it("the measure catches a page that scrolls sideways and names what widens it, but not a table scrolling in its own box", async () => {
    const context = await phone();
    try {
      const page = await context.newPage();
      await page.setContent(
        '<!doctype html><html lang="fr"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Essai</title></head><body style="margin:0">' +
          '<div style="overflow-x:auto"><table><tr><td style="min-width:900px">large</td></tr></table></div>' +
          '<p>Un texte</p><pre id="log">une-ligne-de-journal-bien-plus-longue-que-la-largeur-de-cet-ecran-de-telephone</pre></body></html>',
      );
      const width = await measure(page);
      assert.ok(width.scrollWidth > PHONE.width, `the long line widens the page (${width.scrollWidth} px)`);
      assert.match(width.widest, /^<pre#log> reaching \d+ px \("une-ligne-de-journal/);
      await page.setContent('<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main><table class="queue"><tr><td style="min-width:600px">large</td></tr></table></main></body></html>');
      assert.match((await measure(page)).widest, /^<table\.queue> reaching \d+ px \("large"\)$/);
    } finally {
      await context.close();
    }
  });
});
